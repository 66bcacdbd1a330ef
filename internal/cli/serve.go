package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/spf13/cobra"

	"github.com/sohoa/sohoa/queue"
	"github.com/sohoa/sohoa/server"
	"github.com/sohoa/sohoa/storage"
	"github.com/sohoa/sohoa/web"
)

// serveFlags are the options of `sohoa serve`. Empty values are taken from
// the SOHOA_* environment variables at run time (secrets never appear as
// flag defaults in --help).
type serveFlags struct {
	addr        string
	databaseURL string
	s3          s3Flags
	redisAddr   string
	maxUpload   int64
	tempDir     string
	shutdown    time.Duration
	pprofAddr   string
	pool        poolFlags
}

// s3Flags locate the object store.
type s3Flags struct {
	endpoint, accessKey, secretKey, bucket string
	secure                                 bool
}

func (a *app) serveCmd() *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve [--addr HOST:PORT]",
		Short: "Run the HTTP API (batches, uploads, progress, records, failed tasks, metrics)",
		Long: "serve runs the service's HTTP API on PostgreSQL (migrated at start) and an S3-compatible\n" +
			"object store. Every option falls back to its SOHOA_* environment variable; the database\n" +
			"and the object store are required. Health: /healthz; readiness: /readyz; Prometheus\n" +
			"metrics: /metrics; the verification UI: /ui/ (accounts: sohoa user add). Access logs are JSON on standard error (level info unless --log-level\n" +
			"is given). SIGINT or SIGTERM stops it gracefully.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runServe(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", "", "listen address (default $SOHOA_ADDR or 127.0.0.1:8080)")
	fl.StringVar(&f.databaseURL, "database-url", "", "PostgreSQL URL (default $SOHOA_DATABASE_URL)")
	addS3Flags(cmd, &f.s3)
	fl.StringVar(&f.redisAddr, "redis-addr", "", "Redis of the task queue, host:port (default $SOHOA_REDIS_ADDR)")
	fl.Int64Var(&f.maxUpload, "max-upload-mb", 256, "largest page image accepted, in MiB")
	fl.StringVar(&f.tempDir, "temp-dir", "", "where uploads are held while they are checked (default the system's)")
	fl.DurationVar(&f.shutdown, "shutdown-timeout", 30*time.Second, "how long in-flight requests may take to finish at shutdown")
	fl.StringVar(&f.pprofAddr, "pprof-addr", "", "also serve Go's profiles at /debug/pprof/ on this HOST:PORT (keep it private; default: off)")
	f.pool.add(fl)
	return cmd
}

// addS3Flags registers the object-store flags on cmd.
func addS3Flags(cmd *cobra.Command, f *s3Flags) {
	fl := cmd.Flags()
	fl.StringVar(&f.endpoint, "s3-endpoint", "", "object store host:port (default $SOHOA_S3_ENDPOINT)")
	fl.StringVar(&f.accessKey, "s3-access-key", "", "object store access key (default $SOHOA_S3_ACCESS_KEY)")
	fl.StringVar(&f.secretKey, "s3-secret-key", "", "object store secret key (default $SOHOA_S3_SECRET_KEY)")
	fl.StringVar(&f.bucket, "s3-bucket", "", "bucket of page images (default $SOHOA_S3_BUCKET or sohoa)")
	fl.BoolVar(&f.secure, "s3-secure", false, "use HTTPS to the object store (default $SOHOA_S3_SECURE)")
}

// fromEnv returns v, or the environment variable when v is empty, or def.
func fromEnv(v, variable, def string) string {
	if v != "" {
		return v
	}
	if e := os.Getenv(variable); e != "" {
		return e
	}
	return def
}

// resolve fills empty options from the environment and reports every
// missing one at once.
func (f *serveFlags) resolve(cmd *cobra.Command) error {
	f.addr = fromEnv(f.addr, "SOHOA_ADDR", "127.0.0.1:8080")
	f.databaseURL = fromEnv(f.databaseURL, "SOHOA_DATABASE_URL", "")
	f.redisAddr = fromEnv(f.redisAddr, "SOHOA_REDIS_ADDR", "")
	missing := f.s3.resolve(cmd)
	if f.databaseURL == "" {
		missing = append([]string{"--database-url (or SOHOA_DATABASE_URL)"}, missing...)
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing configuration: %s", strings.Join(missing, ", "))
	}
	if _, _, err := net.SplitHostPort(f.addr); err != nil {
		return fmt.Errorf("--addr %q: want host:port", f.addr)
	}
	if f.pprofAddr != "" {
		if _, _, err := net.SplitHostPort(f.pprofAddr); err != nil {
			return fmt.Errorf("--pprof-addr %q: want host:port", f.pprofAddr)
		}
	}
	if f.maxUpload < 1 {
		return fmt.Errorf("--max-upload-mb %d: want at least 1", f.maxUpload)
	}
	return f.pool.resolve(cmd.Flags())
}

// resolve fills empty object-store options from the environment and
// returns the required ones still missing.
func (f *s3Flags) resolve(cmd *cobra.Command) []string {
	f.endpoint = fromEnv(f.endpoint, "SOHOA_S3_ENDPOINT", "")
	f.accessKey = fromEnv(f.accessKey, "SOHOA_S3_ACCESS_KEY", "")
	f.secretKey = fromEnv(f.secretKey, "SOHOA_S3_SECRET_KEY", "")
	f.bucket = fromEnv(f.bucket, "SOHOA_S3_BUCKET", "sohoa")
	if !cmd.Flags().Changed("s3-secure") {
		f.secure, _ = strconv.ParseBool(os.Getenv("SOHOA_S3_SECURE"))
	}
	var missing []string
	for _, m := range []struct{ v, name string }{
		{f.endpoint, "--s3-endpoint (or SOHOA_S3_ENDPOINT)"},
		{f.accessKey, "--s3-access-key (or SOHOA_S3_ACCESS_KEY)"},
		{f.secretKey, "--s3-secret-key (or SOHOA_S3_SECRET_KEY)"},
	} {
		if m.v == "" {
			missing = append(missing, m.name)
		}
	}
	return missing
}

// serviceLogger is the JSON logger of a long-running command: level info,
// or the one --log-level names.
func (a *app) serviceLogger(cmd *cobra.Command) *slog.Logger {
	lvl := slog.LevelInfo
	if fl := cmd.Flag("log-level"); fl != nil && fl.Changed {
		_ = lvl.UnmarshalText([]byte(a.logLevel)) // validated by the root command
	}
	return slog.New(slog.NewJSONHandler(a.stderr, &slog.HandlerOptions{Level: lvl}))
}

func (a *app) runServe(cmd *cobra.Command, f serveFlags) error {
	if err := f.resolve(cmd); err != nil {
		return err
	}
	ctx := cmd.Context()
	log := a.serviceLogger(cmd)

	pool, err := openDatabaseSized(ctx, f.databaseURL, f.pool)
	if err != nil {
		return err
	}
	defer pool.Close()
	log.Info("database pool", "max_conns", pool.Config().MaxConns)
	objects, err := openObjects(ctx, f.s3)
	if err != nil {
		return err
	}

	if f.redisAddr == "" {
		return fmt.Errorf("--redis-addr (or SOHOA_REDIS_ADDR) is required: uploaded pages are queued there")
	}
	redisOpt, err := queue.ParseRedis(f.redisAddr)
	if err != nil {
		return fmt.Errorf("--redis-addr: %w", err)
	}
	store := storage.New(pool)
	qc := queue.NewClient(redisOpt, store, queue.DefaultOptions())
	defer qc.Close()
	var (
		enqueuer  server.Enqueuer      = qc
		inspector server.TaskInspector = taskInspector{qc}
	)
	ui, err := web.New(web.Options{Store: store, Objects: objects, Logger: log})
	if err != nil {
		return err
	}
	srv, err := server.New(server.Options{
		Store: store, Objects: objects, DB: pool,
		Enqueuer: enqueuer, Inspector: inspector, Exports: qc, Logger: log,
		MaxUploadBytes: f.maxUpload << 20, TempDir: f.tempDir, Web: ui,
	})
	if err != nil {
		return err
	}
	if f.pprofAddr != "" {
		ln, err := net.Listen("tcp", f.pprofAddr)
		if err != nil {
			return fmt.Errorf("--pprof-addr: %w", err)
		}
		log.Info("profiles served", "addr", ln.Addr().String())
		mux := http.NewServeMux()
		addPprof(mux)
		pctx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- sideServer(pctx, ln, mux) }()
		defer func() { stop(); <-done }()
	}
	return serveHTTP(ctx, f.addr, srv, f.shutdown, log)
}

// openDatabase connects to PostgreSQL with a pool of the default size and
// brings the schema up to date.
func openDatabase(ctx context.Context, url string) (*pgxpool.Pool, error) {
	return openDatabaseSized(ctx, url, poolFlags{})
}

// openDatabaseSized is openDatabase with a pool sized by p.
func openDatabaseSized(ctx context.Context, url string, p poolFlags) (*pgxpool.Pool, error) {
	pool, err := connectDatabase(ctx, url, p)
	if err != nil {
		return nil, err
	}
	if err := storage.Migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("database: %w", err)
	}
	return pool, nil
}

// openObjects connects to the object store and makes sure the bucket
// exists.
func openObjects(ctx context.Context, f s3Flags) (*storage.Objects, error) {
	objects, err := storage.NewObjects(storage.ObjectsOptions{
		Endpoint: f.endpoint, AccessKey: f.accessKey, SecretKey: f.secretKey, Secure: f.secure, Bucket: f.bucket,
	})
	if err != nil {
		return nil, fmt.Errorf("object store: %w", err)
	}
	bctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := objects.EnsureBuckets(bctx); err != nil {
		return nil, fmt.Errorf("object store %s: %w", f.endpoint, err)
	}
	return objects, nil
}

// serveHTTP serves h on addr until ctx ends, then lets in-flight requests
// finish for up to grace.
func serveHTTP(ctx context.Context, addr string, h http.Handler, grace time.Duration, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("serving", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", grace)
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/sohoa/sohoa/bookexport"
	"github.com/sohoa/sohoa/export"
	"github.com/sohoa/sohoa/ocr"
	"github.com/sohoa/sohoa/preprocess"
	"github.com/sohoa/sohoa/queue"
	"github.com/sohoa/sohoa/storage"
)

// workerFlags are the options of `sohoa worker`. Empty connection options
// are taken from the SOHOA_* environment variables at run time.
type workerFlags struct {
	concurrency    int
	queues         string
	strict         bool
	databaseURL    string
	redisAddr      string
	s3             s3Flags
	metricsAddr    string
	pprof          bool
	reconcileEvery time.Duration
	stuckAfter     time.Duration
	pollInterval   time.Duration
	shutdown       time.Duration
	stageTimeouts  map[string]string
	maxRetry       int
	retry          retryFlags
	pool           poolFlags
	access         preprocess.AccessOptions
	exportConc     int    // book exports run at once
	exportColumns  string // book exports: workbook columns file
	pdfFont        string // book exports: the PDFs' font
	extractFlags          // as for `sohoa scan`
}

// retryFlags choose how long a failed stage waits before it is retried.
type retryFlags struct {
	first, limit time.Duration
	// delay is what resolve makes of them: nil keeps asynq's default.
	delay func(n int) time.Duration
}

// defaultRetryMax caps the wait between retries when --retry-first is given
// without --retry-max. The wait doubles at each retry, so without a cap a
// raised --max-retry would soon wait hours; five minutes is about as long
// as a restart of PostgreSQL or MinIO takes, so a stage retried at that
// pace catches the service as soon as it is back, and a page with a real
// fault is failed (and shown to an operator) within the hour.
const defaultRetryMax = 5 * time.Minute

// add registers --retry-first and --retry-max on fl.
func (r *retryFlags) add(fl *pflag.FlagSet) {
	fl.DurationVar(&r.first, "retry-first", 0,
		"wait before a failed stage's first retry, doubled at each retry, with jitter (0: asynq's default backoff, 15–45 s then growing as n⁴)")
	fl.DurationVar(&r.limit, "retry-max", defaultRetryMax, "longest wait between retries (with --retry-first)")
}

// resolve checks the flags and sets delay.
func (r *retryFlags) resolve(fl *pflag.FlagSet) error {
	switch {
	case r.first < 0:
		return fmt.Errorf("--retry-first %v: want a positive duration, or 0 for asynq's default backoff", r.first)
	case r.first == 0 && fl.Changed("retry-max"):
		return fmt.Errorf("--retry-max %v needs --retry-first (without it the worker uses asynq's default backoff)", r.limit)
	case r.first == 0:
		r.delay = nil
		return nil
	case r.first < time.Millisecond:
		return fmt.Errorf("--retry-first %v: want at least 1ms", r.first)
	case r.limit < r.first:
		return fmt.Errorf("--retry-max %v: want at least --retry-first (%v)", r.limit, r.first)
	}
	r.delay = queue.Backoff(r.first, r.limit)
	return nil
}

func (a *app) workerCmd() *cobra.Command {
	var f workerFlags
	cmd := &cobra.Command{
		Use:   "worker [--concurrency N] [--queues critical=6,default=3,low=1]",
		Short: "Run pipeline tasks from the queue (cleanup, OCR and extraction, routing)",
		Long: "worker takes page tasks from Redis (asynq) and runs them: cleanup of the original from\n" +
			"the object store, OCR and extraction (the same records `sohoa scan` gives), routing;\n" +
			"page states and records go to PostgreSQL. Run as many workers as needed, on as many\n" +
			"hosts. Each priority class (critical, default, low) has a queue per stage, served by\n" +
			"weight: an urgent batch is not stuck behind a bulk one, and pages already started\n" +
			"(routing, then OCR) go before new ones (cleanup), so a big batch's records come as it runs.\n" +
			"A reconciler re-enqueues pages stuck in a stage (after a Redis flush or a worker\n" +
			"crash). SIGINT or SIGTERM stops taking tasks and lets running ones finish (up to\n" +
			"--shutdown-timeout; the rest go back to the queue). The database must be migrated\n" +
			"(`sohoa migrate`). Connection options fall back to their SOHOA_* variables.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runWorker(cmd, f) },
	}
	fl := cmd.Flags()
	fl.IntVarP(&f.concurrency, "concurrency", "c", runtime.NumCPU(), "tasks run at once, each with its own OCR engine")
	fl.StringVar(&f.queues, "queues", "critical=6,default=3,low=1",
		"queues served and their weights: CLASS=WEIGHT serves all of a priority class's queues, each stage's weighted "+
			"WEIGHT × 4 (routing), 2 (ocr) or 1 (cleanup); CLASS:STAGE=WEIGHT one queue (e.g. critical:ocr=12)")
	fl.BoolVar(&f.strict, "strict-priority", false,
		"ignore the weights: serve critical before default before low and, within each, routing before ocr before cleanup, "+
			"each queue only when those before it are empty")
	fl.StringVar(&f.databaseURL, "database-url", "", "PostgreSQL URL (default $SOHOA_DATABASE_URL)")
	fl.StringVar(&f.redisAddr, "redis-addr", "", "Redis of the task queue, host:port or redis://… URL (default $SOHOA_REDIS_ADDR)")
	addS3Flags(cmd, &f.s3)
	fl.StringVar(&f.metricsAddr, "metrics-addr", "", "serve Prometheus metrics on HOST:PORT/metrics (default: off)")
	fl.BoolVar(&f.pprof, "pprof", false, "also serve Go's profiles at /debug/pprof/ on --metrics-addr (keep that address private)")
	fl.DurationVar(&f.reconcileEvery, "reconcile-interval", 30*time.Second, "how often to look for stuck pages (0: never)")
	fl.DurationVar(&f.stuckAfter, "stuck-after", 2*time.Minute, "how long a page may stay in a stage, unleased, before it is enqueued again")
	fl.DurationVar(&f.pollInterval, "poll-interval", queue.DefaultPollInterval, "how long to wait before looking for tasks again when every queue is empty")
	fl.DurationVar(&f.shutdown, "shutdown-timeout", 30*time.Second, "how long running tasks may take to finish at shutdown")
	fl.StringToStringVar(&f.stageTimeouts, "stage-timeout", nil, "time limit of a stage's run, STAGE=DURATION (cleanup=2m,ocr=10m,routing=1m)")
	fl.IntVar(&f.maxRetry, "max-retry", queue.DefaultOptions().MaxRetry, "retries of a failing stage before its page is failed")
	fl.IntVar(&f.access.DPI, "access-dpi", 200, "pages' access copies (the exported PDFs' page images): scanned at more, scaled down to this resolution")
	fl.IntVar(&f.access.Quality, "access-quality", 75, "pages' access copies: JPEG quality, 1-100")
	fl.IntVar(&f.exportConc, "export-concurrency", 1, "book exports run at once, apart from the page tasks (0: this worker runs none)")
	fl.StringVar(&f.exportColumns, "export-columns", "", "book exports: column-set file (YAML or JSON) overriding the workbook's default columns")
	fl.StringVar(&f.pdfFont, "pdf-font", "", "book exports: TrueType font for the PDFs' text page (default DejaVu Sans when installed)")
	f.retry.add(fl)
	f.pool.add(fl)
	f.extractFlags.add(fl)
	return cmd
}

// resolve checks the options and fills empty ones from the environment.
func (f *workerFlags) resolve(cmd *cobra.Command) (map[string]int, queue.Options, error) {
	var opts queue.Options
	if f.concurrency < 1 {
		return nil, opts, fmt.Errorf("--concurrency %d: want at least 1", f.concurrency)
	}
	queues, err := queue.ParseQueues(f.queues)
	if err != nil {
		return nil, opts, fmt.Errorf("--queues: %w", err)
	}
	if f.reconcileEvery < 0 || f.stuckAfter <= 0 || f.shutdown <= 0 || f.maxRetry < 1 {
		return nil, opts, fmt.Errorf("--reconcile-interval, --stuck-after, --shutdown-timeout and --max-retry must be positive")
	}
	if f.pollInterval <= 0 {
		return nil, opts, fmt.Errorf("--poll-interval %s: want more than 0", f.pollInterval)
	}
	opts.MaxRetry = f.maxRetry
	if err := f.retry.resolve(cmd.Flags()); err != nil {
		return nil, opts, err
	}
	if err := f.pool.resolve(cmd.Flags()); err != nil {
		return nil, opts, err
	}
	opts.Timeouts = map[queue.Stage]time.Duration{}
	for k, v := range f.stageTimeouts {
		s := queue.Stage(k)
		d, err := time.ParseDuration(v)
		if !s.Valid() || err != nil || d <= 0 {
			return nil, opts, fmt.Errorf("--stage-timeout %s=%s: want cleanup, ocr or routing = a positive duration", k, v)
		}
		opts.Timeouts[s] = d
	}
	f.databaseURL = fromEnv(f.databaseURL, "SOHOA_DATABASE_URL", "")
	f.redisAddr = fromEnv(f.redisAddr, "SOHOA_REDIS_ADDR", "")
	missing := f.s3.resolve(cmd)
	if f.redisAddr == "" {
		missing = append([]string{"--redis-addr (or SOHOA_REDIS_ADDR)"}, missing...)
	}
	if f.databaseURL == "" {
		missing = append([]string{"--database-url (or SOHOA_DATABASE_URL)"}, missing...)
	}
	if len(missing) > 0 {
		return nil, opts, fmt.Errorf("missing configuration: %s", strings.Join(missing, ", "))
	}
	if f.exportConc < 0 {
		return nil, opts, fmt.Errorf("--export-concurrency %d: want 0 or more", f.exportConc)
	}
	if f.access.DPI < 72 || f.access.DPI > 1200 || f.access.Quality < 1 || f.access.Quality > 100 {
		return nil, opts, fmt.Errorf("--access-dpi %d, --access-quality %d: want 72-1200 dpi and quality 1-100", f.access.DPI, f.access.Quality)
	}
	if f.pprof && f.metricsAddr == "" {
		return nil, opts, errors.New("--pprof needs --metrics-addr, the address the profiles are served on")
	}
	if f.metricsAddr != "" {
		if _, _, err := net.SplitHostPort(f.metricsAddr); err != nil {
			return nil, opts, fmt.Errorf("--metrics-addr %q: want host:port", f.metricsAddr)
		}
	}
	return queues, opts, nil
}

func (a *app) runWorker(cmd *cobra.Command, f workerFlags) error {
	queues, opts, err := f.resolve(cmd)
	if err != nil {
		return err
	}
	redis, err := queue.ParseRedis(f.redisAddr)
	if err != nil {
		return fmt.Errorf("--redis-addr: %w", err)
	}
	ctx := cmd.Context()
	log := a.serviceLogger(cmd)

	sc, err := f.scanner()
	if err != nil {
		return err
	}
	cols, err := export.LoadColumns(f.exportColumns)
	if err != nil {
		return fmt.Errorf("--export-columns: %w", err)
	}
	font, err := export.LoadFont(f.pdfFont)
	if err != nil {
		return fmt.Errorf("--pdf-font: %w", err)
	}
	pool, err := connectDatabase(ctx, f.databaseURL, f.pool)
	if err != nil {
		return err
	}
	defer pool.Close()
	log.Info("database pool", "max_conns", pool.Config().MaxConns)
	if f.retry.delay != nil {
		log.Info("retry backoff", "first", f.retry.first, "max", f.retry.limit)
	}
	if v, err := storage.SchemaVersion(ctx, pool); err != nil || v == 0 {
		return fmt.Errorf("database: schema not set up (version %d, %v): run `sohoa migrate` first", v, err)
	}
	objects, err := openObjects(ctx, f.s3)
	if err != nil {
		return err
	}
	store := storage.New(pool)

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics, err := queue.NewMetrics(reg)
	if err != nil {
		return err
	}
	w, err := queue.NewWorker(queue.WorkerConfig{
		Redis: redis, Store: store, Objects: objects,
		Scanner:     sc,
		Concurrency: f.concurrency, Queues: queues, StrictPriority: f.strict,
		Options: opts, Limits: preprocess.DefaultLimits(), OCR: ocr.DefaultOptions(),
		Export: bookexport.JobOptions{Columns: cols, Font: font},
		Access: f.access, ExportConcurrency: exportConcurrency(f.exportConc),
		ShutdownTimeout: f.shutdown, ReconcileInterval: workerInterval(f.reconcileEvery),
		StuckAfter: f.stuckAfter, PollInterval: f.pollInterval, RetryDelay: f.retry.delay, Metrics: metrics, Logger: log,
	})
	if err != nil {
		return err
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	err = w.Client().Ping(pctx)
	cancel()
	if err != nil {
		w.Close()
		return err
	}
	reg.MustRegister(queue.QueueCollector(w.Client()))

	ctx, stop := context.WithCancel(ctx)
	defer stop()
	metricsDone := make(chan error, 1)
	if f.metricsAddr != "" {
		ln, err := net.Listen("tcp", f.metricsAddr)
		if err != nil {
			w.Close()
			return fmt.Errorf("--metrics-addr: %w", err)
		}
		log.Info("metrics served", "addr", ln.Addr().String())
		go func() { metricsDone <- workerMetricsServer(ctx, ln, reg, f.pprof) }()
	} else {
		close(metricsDone)
	}
	werr := w.Run(ctx)
	stop()
	merr := <-metricsDone
	return errors.Join(werr, merr)
}

// workerInterval maps --reconcile-interval 0 (never) to the config's
// "no reconciler".
func workerInterval(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

// workerMetricsServer serves reg at /metrics on ln until ctx ends, and with
// withPprof Go's profiles at /debug/pprof/ (for finding where a worker's
// CPU goes under load: go tool pprof http://ADDR/debug/pprof/profile).
func workerMetricsServer(ctx context.Context, ln net.Listener, reg *prometheus.Registry, withPprof bool) error {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	if withPprof {
		addPprof(mux)
	}
	if err := sideServer(ctx, ln, mux); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	return nil
}

// addPprof adds Go's profiles to mux at /debug/pprof/.
func addPprof(mux *http.ServeMux) {
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
}

// sideServer serves h on ln (a private address beside the main work) until
// ctx ends.
func sideServer(ctx context.Context, ln net.Listener, h http.Handler) error {
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = hs.Shutdown(sctx)
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// exportConcurrency is the flag's value as queue.WorkerConfig takes it:
// 0 (no exports) becomes negative, since 0 there means the default.
func exportConcurrency(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

package cli

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/redis/go-redis/v9"
)

func TestWorkerArguments(t *testing.T) {
	for _, v := range []string{"SOHOA_DATABASE_URL", "SOHOA_REDIS_ADDR", "SOHOA_S3_ENDPOINT", "SOHOA_S3_ACCESS_KEY", "SOHOA_S3_SECRET_KEY"} {
		t.Setenv(v, "")
	}
	full := []string{"--database-url", "postgres://x", "--redis-addr", "x:1", "--s3-endpoint", "x:2",
		"--s3-access-key", "a", "--s3-secret-key", "b"}
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"nothing configured", []string{"worker"}, []string{"missing configuration", "--database-url", "--redis-addr", "--s3-endpoint", "--s3-secret-key"}},
		{"zero concurrency", append([]string{"worker", "--concurrency", "0"}, full...), []string{"--concurrency 0"}},
		{"unknown queue", append([]string{"worker", "--queues", "urgent=5"}, full...), []string{"--queues", `"urgent"`}},
		{"bad weight", append([]string{"worker", "--queues", "default=0"}, full...), []string{"--queues"}},
		{"unknown stage queue", append([]string{"worker", "--queues", "critical:print=5"}, full...), []string{"--queues", `"critical:print"`}},
		{"queue given twice", append([]string{"worker", "--queues", "critical=6,critical:ocr=1"}, full...), []string{"--queues", `"critical:ocr" given twice`}},
		{"zero poll interval", append([]string{"worker", "--poll-interval", "0s"}, full...), []string{"--poll-interval 0s"}},
		{"bad stage timeout", append([]string{"worker", "--stage-timeout", "ocr=soon"}, full...), []string{"--stage-timeout ocr=soon"}},
		{"unknown stage", append([]string{"worker", "--stage-timeout", "print=1m"}, full...), []string{"--stage-timeout print=1m"}},
		{"bad metrics address", append([]string{"worker", "--metrics-addr", "nonsense"}, full...), []string{`--metrics-addr "nonsense"`}},
		{"profiles without an address", append([]string{"worker", "--pprof"}, full...), []string{"--pprof needs --metrics-addr"}},
		{"bad retry backoff", append([]string{"worker", "--retry-first", "1m", "--retry-max", "1s"}, full...), []string{"--retry-max 1s"}},
		{"empty pool", append([]string{"worker", "--db-max-conns", "0"}, full...), []string{"--db-max-conns 0"}},
		{"negative export concurrency", append([]string{"worker", "--export-concurrency", "-1"}, full...), []string{"--export-concurrency -1"}},
		{"access quality out of range", append([]string{"worker", "--access-quality", "101"}, full...), []string{"--access-quality 101"}},
		{"access resolution too low", append([]string{"worker", "--access-dpi", "20"}, full...), []string{"--access-dpi 20"}},
		{"serve with an empty pool", append([]string{"serve", "--db-max-conns", "0"}, full...), []string{"--db-max-conns 0"}},
		{"migrate without a database", []string{"migrate"}, []string{"--database-url (or SOHOA_DATABASE_URL)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := run(t, tc.args...)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %s", err, w)
				}
			}
		})
	}
}

// TestMigrateThenWorker migrates a new database with `sohoa migrate`, then
// runs `sohoa worker` with metrics, scrapes them and stops it as SIGTERM
// would (its context ends).
func TestMigrateThenWorker(t *testing.T) {
	for _, v := range []string{"SOHOA_DATABASE_URL", "SOHOA_REDIS_ADDR", "SOHOA_S3_ENDPOINT"} {
		if os.Getenv(v) == "" {
			if os.Getenv("SOHOA_REQUIRE_SERVICES") == "1" {
				t.Fatalf("%s is not set and SOHOA_REQUIRE_SERVICES=1", v)
			}
			t.Skipf("%s is not set (scripts/services start; eval \"$(scripts/services env)\")", v)
		}
	}
	dbURL := workerTestDatabase(t)
	redisURL := workerTestRedis(t)
	t.Setenv("SOHOA_DATABASE_URL", dbURL)
	t.Setenv("SOHOA_S3_BUCKET", workerTestBucket(t))

	args := []string{"worker", "--concurrency", "1", "--redis-addr", redisURL, "--metrics-addr", "127.0.0.1:0",
		"--db-max-conns", "3", "--retry-first", "2s", "--retry-max", "1m", "--pprof"}
	if _, _, err := run(t, args...); err == nil || !strings.Contains(err.Error(), "sohoa migrate") {
		t.Fatalf("worker on an empty database: %v, want a hint to run sohoa migrate", err)
	}
	for range 2 {
		out, _, err := run(t, "migrate")
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^schema version [1-9]\d*\n$`).MatchString(out) {
			t.Errorf("migrate printed %q", out)
		}
	}

	pr, pw := io.Pipe()
	root := newRoot(io.Discard, pw)
	root.SetArgs(args)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- root.ExecuteContext(ctx)
		pw.Close()
	}()
	addr := ""
	var logged strings.Builder
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		logged.WriteString(sc.Text() + "\n")
		if m := regexp.MustCompile(`"msg":"metrics served","addr":"([^"]+)"`).FindStringSubmatch(sc.Text()); m != nil {
			addr = m[1]
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if addr == "" {
		cancel()
		t.Fatalf("worker did not start: %v", <-done)
	}
	for _, want := range []string{`"msg":"database pool","max_conns":3`, `"msg":"retry backoff","first":2000000000,"max":60000000000`} {
		if !strings.Contains(logged.String(), want) {
			t.Errorf("worker log lacks %s:\n%s", want, logged.String())
		}
	}
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`sohoa_pages_processed_total{outcome="ok",stage="ocr"} 0`, `sohoa_queue_depth{queue="critical:ocr"} 0`, `sohoa_queue_depth{queue="critical"} 0`, "go_goroutines"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	// --pprof: the profiles are on the metrics address.
	if resp, err := http.Get("http://" + addr + "/debug/pprof/cmdline"); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("GET /debug/pprof/cmdline with --pprof: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("worker did not stop cleanly: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("worker did not stop")
	}
}

// workerTestDatabase creates an empty database, dropped at cleanup, and
// returns its URL.
func workerTestDatabase(t testing.TB) string {
	t.Helper()
	admin := os.Getenv("SOHOA_DATABASE_URL")
	conn, err := pgx.Connect(t.Context(), admin)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	b := make([]byte, 6)
	rand.Read(b)
	name := "sohoa_cli_worker_test_" + hex.EncodeToString(b)
	if _, err := conn.Exec(t.Context(), "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if c, err := pgx.Connect(ctx, admin); err == nil {
			c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			c.Close(ctx)
		}
	})
	cfg := conn.Config()
	return fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", cfg.User, cfg.Host, cfg.Port, name)
}

// workerTestBucket names a bucket the worker creates and that is removed
// at cleanup (nothing is written to it: no task is queued).
func workerTestBucket(t *testing.T) string {
	b := make([]byte, 6)
	rand.Read(b)
	name := "sohoa-cli-worker-test-" + hex.EncodeToString(b)
	t.Cleanup(func() {
		mc, err := minio.New(os.Getenv("SOHOA_S3_ENDPOINT"), &minio.Options{
			Creds: credentials.NewStaticV4(os.Getenv("SOHOA_S3_ACCESS_KEY"), os.Getenv("SOHOA_S3_SECRET_KEY"), ""),
		})
		if err == nil {
			_ = mc.RemoveBucket(context.Background(), name)
		}
	})
	return name
}

// workerTestRedis claims an empty Redis database (so the worker takes no
// one else's tasks), flushed at cleanup, and returns its URL.
func workerTestRedis(t *testing.T) string {
	t.Helper()
	addr := os.Getenv("SOHOA_REDIS_ADDR")
	const key = "sohoa:test:claimed-by"
	for db := 15; db >= 1; db-- {
		c := redis.NewClient(&redis.Options{Addr: addr, DB: db})
		if n, err := c.DBSize(t.Context()).Result(); err == nil && n == 0 {
			if ok, err := c.SetNX(t.Context(), key, "cli-worker-test", 10*time.Minute).Result(); err == nil && ok {
				t.Cleanup(func() {
					c.FlushDB(context.Background())
					c.Close()
				})
				return fmt.Sprintf("redis://%s/%d", addr, db)
			}
		}
		c.Close()
	}
	t.Fatal("no free Redis database among 1–15")
	return ""
}

// TestRetryFlags parses --retry-first and --retry-max as the worker does and
// checks the backoff they give: none (asynq's default) unless --retry-first
// is set; the first retry waits up to --retry-first, a late one up to
// --retry-max.
func TestRetryFlags(t *testing.T) {
	tests := []struct {
		name         string
		args         []string
		first, limit time.Duration // 0: asynq's default backoff
		err          string
	}{
		{"asynq's default", nil, 0, 0, ""},
		{"explicit zero", []string{"--retry-first", "0"}, 0, 0, ""},
		{"first only", []string{"--retry-first", "2s"}, 2 * time.Second, defaultRetryMax, ""},
		{"both", []string{"--retry-first=500ms", "--retry-max=1m"}, 500 * time.Millisecond, time.Minute, ""},
		{"equal", []string{"--retry-first=1m", "--retry-max=1m"}, time.Minute, time.Minute, ""},
		{"negative", []string{"--retry-first", "-1s"}, 0, 0, "--retry-first -1s"},
		{"below a millisecond", []string{"--retry-first", "10us"}, 0, 0, "--retry-first 10µs"},
		{"max below first", []string{"--retry-first", "10s", "--retry-max", "5s"}, 0, 0, "--retry-max 5s"},
		{"max alone", []string{"--retry-max", "1m"}, 0, 0, "--retry-max 1m0s needs --retry-first"},
		{"not a duration", []string{"--retry-first", "soon"}, 0, 0, `"--retry-first"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r retryFlags
			err := parseFlags(tc.args, r.add, r.resolve)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one that mentions %s", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.first == 0 {
				if r.delay != nil {
					t.Fatal("a backoff was set: want asynq's default")
				}
				return
			}
			if r.delay == nil {
				t.Fatal("no backoff")
			}
			for range 20 {
				if d := r.delay(1); d < tc.first/2 || d > tc.first {
					t.Fatalf("first retry after %v, want within [%v, %v]", d, tc.first/2, tc.first)
				}
				if d := r.delay(60); d < tc.limit/2 || d > tc.limit {
					t.Fatalf("60th retry after %v, want within [%v, %v]", d, tc.limit/2, tc.limit)
				}
			}
		})
	}
}

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
		{"bad stage timeout", append([]string{"worker", "--stage-timeout", "ocr=soon"}, full...), []string{"--stage-timeout ocr=soon"}},
		{"unknown stage", append([]string{"worker", "--stage-timeout", "print=1m"}, full...), []string{"--stage-timeout print=1m"}},
		{"bad metrics address", append([]string{"worker", "--metrics-addr", "nonsense"}, full...), []string{`--metrics-addr "nonsense"`}},
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

	args := []string{"worker", "--concurrency", "1", "--redis-addr", redisURL, "--metrics-addr", "127.0.0.1:0"}
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
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
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
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`sohoa_pages_processed_total{outcome="ok",stage="ocr"} 0`, `sohoa_queue_depth{queue="critical"} 0`, "go_goroutines"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
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

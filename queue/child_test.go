package queue

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sohoa/sohoa/confidence"
	"github.com/sohoa/sohoa/extract"
	"github.com/sohoa/sohoa/pipeline"
	"github.com/sohoa/sohoa/preprocess"
	"github.com/sohoa/sohoa/storage"
)

func slogForTest(testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// childWorker is the main of a test binary re-executed as a worker
// process. When it reaches the stage named by childStall it prints
// "stalled <stage> <page id>" and blocks until it is killed.
func childWorker() int {
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "child worker:", err)
		return 1
	}
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv(childDBURL))
	if err != nil {
		return fail(err)
	}
	defer pool.Close()
	objs, err := storage.NewObjects(storage.ObjectsOptions{
		Endpoint:  os.Getenv("SOHOA_S3_ENDPOINT"),
		AccessKey: os.Getenv("SOHOA_S3_ACCESS_KEY"),
		SecretKey: os.Getenv("SOHOA_S3_SECRET_KEY"),
		Bucket:    os.Getenv(childBucket),
	})
	if err != nil {
		return fail(err)
	}
	set, err := extract.LoadTemplates("")
	if err != nil {
		return fail(err)
	}
	model, err := confidence.Default()
	if err != nil {
		return fail(err)
	}
	opts := fastOptions()
	opts.Timeouts[StageOCR] = time.Duration(atoiEnv(childOCRTimeout, 45)) * time.Second
	stall := Stage(os.Getenv(childStall))
	w, err := NewWorker(WorkerConfig{
		Redis:       asynq.RedisClientOpt{Addr: os.Getenv("SOHOA_REDIS_ADDR"), DB: atoiEnv(childRedisDB, 0)},
		Store:       storage.New(pool),
		Objects:     objs,
		Scanner:     &pipeline.Scanner{Templates: set, Model: model, Preprocess: preprocess.DefaultOptions(), ReOCR: true},
		Concurrency: 1, Options: opts, LeaseGrace: time.Second,
		ReconcileInterval: -1,
		beforeStage: func(ctx context.Context, s Stage, page storage.Page) {
			if s == stall {
				fmt.Printf("stalled %s %s\n", s, page.ID)
				select {}
			}
		},
	})
	if err != nil {
		return fail(err)
	}
	if err := w.Run(ctx); err != nil {
		return fail(err)
	}
	return 0
}

// startChildWorker runs the test binary as a worker process on the test's
// servers, stalling at stage, and returns it with a reader of its output
// lines. It is killed at cleanup if still running.
func (e *testEnv) startChildWorker(t *testing.T, stall Stage, ocrTimeout time.Duration) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		childEnv+"=1",
		childDBURL+"="+e.dbURL,
		fmt.Sprintf("%s=%d", childRedisDB, e.redisDB),
		childBucket+"="+e.bucket,
		childStall+"="+string(stall),
		fmt.Sprintf("%s=%d", childOCRTimeout, int(ocrTimeout.Seconds())),
	)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd, bufio.NewScanner(out)
}

// waitLine reads lines until one starts with prefix, or fails the test
// after timeout.
func waitLine(t *testing.T, sc *bufio.Scanner, prefix string, timeout time.Duration) string {
	t.Helper()
	got := make(chan string, 1)
	go func() {
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), prefix) {
				got <- sc.Text()
				break
			}
		}
		close(got)
	}()
	select {
	case line, ok := <-got:
		if !ok {
			t.Fatalf("child worker exited before printing %q", prefix)
		}
		return line
	case <-time.After(timeout):
		t.Fatalf("child worker did not print %q within %v", prefix, timeout)
	}
	return ""
}

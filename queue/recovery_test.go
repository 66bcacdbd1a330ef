package queue

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sohoa/sohoa/storage"
)

// A worker killed (SIGKILL) while a page is in a stage loses nothing: the
// reconciler of another worker finds the page once its lease has ended and
// enqueues the stage under a new task id (the old one is still shown as
// running), and the page ends routed with scan's records.
func TestWorkerKilledMidTask(t *testing.T) {
	e := newTestEnv(t)
	ctx := t.Context()
	b := e.batch(t, 0)
	name := "p0003-marriage-extract-worn.jpg"
	data := readSample(t, name)
	p := e.addPage(t, b.ID, name, data)
	c := e.client(t)
	if err := c.EnqueueStage(ctx, p.ID, StageCleanup, b.Priority); err != nil {
		t.Fatal(err)
	}
	child, out := e.startChildWorker(t, StageOCR, 3*time.Second)
	line := waitLine(t, out, "stalled ", 30*time.Second)
	if line != "stalled ocr "+p.ID {
		t.Fatalf("child: %q", line)
	}
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	got, err := e.store.GetPage(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != storage.PageCleaned || got.LeaseUntil.IsZero() {
		t.Fatalf("killed mid-OCR, the page is %s (lease %v), want cleaned and leased", got.State, got.LeaseUntil)
	}

	run(t, e.worker(t, nil))
	e.waitState(t, 40*time.Second, []string{p.ID}, storage.PageRouted)
	sameRecords(t, e.storedRecords(t, p.ID), scanRecords(t, data, name))
	info, err := c.insp.GetTaskInfo(QueueName(ClassDefault, StageOCR), TaskID(StageOCR, p.ID, 2))
	if err != nil {
		t.Fatalf("the reconciler's OCR task: %v", err)
	}
	if info.State.String() != "completed" {
		t.Errorf("the reconciler's OCR task is %s", info.State)
	}
}

// Redis flushed in the middle of a batch: the reconciler enqueues every
// page again from PostgreSQL's states and all end routed.
func TestRedisFlushedMidBatch(t *testing.T) {
	e := newTestEnv(t)
	ctx := t.Context()
	b := e.batch(t, 0)
	names := []string{"p0001-birth-extract-clean.png", "p0003-marriage-extract-worn.jpg", "p0005-death-extract-scanned.jpg"}
	var ids []string
	c := e.client(t)
	for _, n := range names {
		p := e.addPage(t, b.ID, n, readSample(t, n))
		ids = append(ids, p.ID)
		if err := c.EnqueueStage(ctx, p.ID, StageCleanup, b.Priority); err != nil {
			t.Fatal(err)
		}
	}
	var once sync.Once
	var lostTasks int
	var notRouted int
	w := e.worker(t, func(cfg *WorkerConfig) {
		cfg.Concurrency = 1
		cfg.beforeStage = func(_ context.Context, s Stage, _ storage.Page) {
			if s != StageOCR {
				return
			}
			once.Do(func() {
				d, err := c.QueueDepth(context.Background())
				if err != nil {
					t.Error(err)
				}
				for _, s := range Stages() {
					lostTasks += d[QueueName(ClassDefault, s)]
				}
				for _, id := range ids {
					if p, err := e.store.GetPage(context.Background(), id); err == nil && p.State != storage.PageRouted {
						notRouted++
					}
				}
				e.flushRedis(t)
			})
		}
	})
	stop := run(t, w)
	pages := e.waitState(t, 50*time.Second, ids, storage.PageRouted, storage.PageFailed)
	stop() // and so the hook's variables are safe to read
	for _, p := range pages {
		if p.State != storage.PageRouted {
			t.Errorf("%s: %s (%s)", p.Source, p.State, p.LastError)
		}
		if len(e.storedRecords(t, p.ID)) == 0 {
			t.Errorf("%s: no records", p.Source)
		}
	}
	if notRouted != len(ids) || lostTasks < 2 {
		t.Errorf("at the flush %d pages were not routed and %d tasks queued; want all pages in progress and tasks lost", notRouted, lostTasks)
	}
	keys, err := e.rdb.Keys(ctx, "asynq:*").Result()
	if err != nil || !slicesContainsPrefix(keys, "asynq:{default:") {
		t.Errorf("no asynq keys after the flush: %v %v", keys, err)
	}
}

func slicesContainsPrefix(ss []string, prefix string) bool {
	for _, s := range ss {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

// Stopping a worker (SIGTERM) lets the running stage finish: the page it
// was reading ends extracted with its records, and the next stage waits in
// the queue for another worker.
func TestShutdownFinishesRunningStage(t *testing.T) {
	e := newTestEnv(t)
	ctx := t.Context()
	b := e.batch(t, 0)
	p := e.addPage(t, b.ID, "p0001.png", readSample(t, "p0001-birth-extract-clean.png"))
	c := e.client(t)
	if err := c.EnqueueStage(ctx, p.ID, StageCleanup, b.Priority); err != nil {
		t.Fatal(err)
	}
	inOCR := make(chan struct{})
	w := e.worker(t, func(cfg *WorkerConfig) {
		cfg.ShutdownTimeout = 40 * time.Second
		cfg.ReconcileInterval = -1
		cfg.beforeStage = func(_ context.Context, s Stage, _ storage.Page) {
			if s == StageOCR {
				close(inOCR)
			}
		}
	})
	stop := run(t, w)
	select {
	case <-inOCR:
	case <-time.After(30 * time.Second):
		t.Fatal("the page never reached the OCR stage")
	}
	stop() // returns once the worker has shut down
	got, err := e.store.GetPage(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != storage.PageExtracted {
		t.Fatalf("after shutdown the page is %s, want extracted (the running stage finished)", got.State)
	}
	if len(e.storedRecords(t, p.ID)) == 0 {
		t.Error("no records")
	}
	depth, err := c.QueueDepth(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if depth[QueueName(ClassDefault, StageRouting)] != 1 {
		t.Errorf("queue depth %v, want the routing task waiting", depth)
	}
}

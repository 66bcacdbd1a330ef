package queue

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/sohoa/sohoa/storage"
)

// flowRun is one task a flow test's server ran.
type flowRun struct {
	stage Stage
	page  string
	queue string
}

// Pages flow through the stage queues: a real asynq server (one task at a
// time, DefaultQueues) given a big default batch, a small urgent one and a
// page left in a legacy queue runs every page's stages in order, each from
// its stage's queue; it routes a page of the big batch long before it has
// cleaned half of it, keeps its OCR backlog short, and finishes the urgent
// batch first. With all of a page's tasks in one FIFO queue per class (the
// design before) the first routing came after every cleanup, and so did
// the backlog's peak. The bounds leave room: in 20,000 runs of a model of
// asynq's choice (see Queues) with these pages, the first routing came
// after at most 11 cleanups, the backlog peaked at 19 (each step up about
// half as likely as the one before) and at most 13 default pages were
// routed before the last urgent one.
func TestPagesFlowThroughStageQueues(t *testing.T) {
	needService(t, "SOHOA_REDIS_ADDR")
	db, _ := claimRedisDB(t)
	redis := asynq.RedisClientOpt{Addr: os.Getenv("SOHOA_REDIS_ADDR"), DB: db}
	c := NewClient(redis, nil, fastOptions())
	t.Cleanup(func() { c.Close() })
	ctx := t.Context()

	const big, urgent = 60, 5
	var pages []string
	for i := range big {
		pages = append(pages, enqueueFlowPage(t, c, fmt.Sprintf("big-%02d", i), ClassDefault))
	}
	for i := range urgent {
		pages = append(pages, enqueueFlowPage(t, c, fmt.Sprintf("urgent-%d", i), ClassCritical))
	}
	// A cleanup left in the default class's legacy queue by an older
	// version.
	const legacy = "legacy-0"
	pages = append(pages, legacy)
	if _, err := c.client.EnqueueContext(ctx, asynq.NewTask(TypeCleanup, encodePayload(legacy)),
		asynq.Queue(ClassDefault), asynq.TaskID(TaskID(StageCleanup, legacy, 1))); err != nil {
		t.Fatal(err)
	}

	runs := runFlowServer(t, c, redis, 3*len(pages))

	checkFlowQueues(t, runs, pages, legacy)
	cleanups, firstRoute, peak := defaultBatchFlow(runs)
	if firstRoute < 0 || firstRoute > big/2 {
		t.Errorf("the big batch's first page was routed after %d of its %d cleanups, want at most %d", firstRoute, cleanups, big/2)
	}
	if peak > big/2 {
		t.Errorf("up to %d pages of the big batch were cleaned and waiting for OCR, want at most %d", peak, big/2)
	}
	if n := routedBeforeLastUrgent(runs); n > big/3 {
		t.Errorf("%d pages of the big batch were routed before the last urgent one, want at most %d", n, big/3)
	}
}

// enqueueFlowPage enqueues the cleanup of a (pretend) page as the upload
// path does and returns its id.
func enqueueFlowPage(t *testing.T, c *Client, id, class string) string {
	t.Helper()
	if err := c.EnqueuePage(t.Context(), id, class); err != nil {
		t.Fatal(err)
	}
	return id
}

// runFlowServer serves the queues with DefaultQueues, one task at a time,
// until n tasks have run, and returns them in the order they ran. Each
// handler records its task and enqueues the page's next stage through
// Worker.next, as the real stages do, but touches no page.
func runFlowServer(t *testing.T, c *Client, redis asynq.RedisConnOpt, n int) []flowRun {
	t.Helper()
	w := &Worker{client: c, log: slog.New(slog.DiscardHandler)}
	var mu sync.Mutex
	var runs []flowRun
	done := make(chan struct{})
	after := map[Stage]storage.PageState{
		StageCleanup: storage.PageCleaned, StageOCR: storage.PageExtracted, StageRouting: storage.PageRouted,
	}
	mux := asynq.NewServeMux()
	for _, s := range Stages() {
		mux.HandleFunc(s.TaskType(), func(ctx context.Context, task *asynq.Task) error {
			p, err := decodePayload(task.Payload())
			if err != nil {
				return err
			}
			q, _ := asynq.GetQueueName(ctx)
			if err := w.next(ctx, storage.Page{ID: p.PageID}, after[s]); err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			if runs = append(runs, flowRun{s, p.PageID, q}); len(runs) == n {
				close(done)
			}
			return nil
		})
	}
	srv := asynq.NewServer(redis, asynq.Config{
		Concurrency: 1, Queues: serverQueues(DefaultQueues(), false),
		Logger: asynqLogger{slog.New(slog.DiscardHandler)}, LogLevel: asynq.ErrorLevel,
		ShutdownTimeout: time.Second,
	})
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(60 * time.Second):
	}
	srv.Shutdown()
	mu.Lock()
	defer mu.Unlock()
	if len(runs) != n {
		t.Fatalf("%d tasks ran, want %d", len(runs), n)
	}
	return runs
}

// checkFlowQueues checks that each page ran cleanup, OCR and routing once
// each, in that order, each from its stage's queue in the page's class;
// the legacy page's cleanup from the legacy queue, and its next stages from
// the stage queues.
func checkFlowQueues(t *testing.T, runs []flowRun, pages []string, legacy string) {
	t.Helper()
	byPage := map[string][]flowRun{}
	for _, r := range runs {
		byPage[r.page] = append(byPage[r.page], r)
	}
	for _, p := range pages {
		class := ClassDefault
		if strings.HasPrefix(p, "urgent-") {
			class = ClassCritical
		}
		got := byPage[p]
		if len(got) != len(Stages()) {
			t.Errorf("page %s ran %v, want each stage once", p, got)
			continue
		}
		for i, s := range Stages() {
			want := QueueName(class, s)
			if p == legacy && s == StageCleanup {
				want = ClassDefault
			}
			if got[i].stage != s || got[i].queue != want {
				t.Errorf("page %s: run %d was %s from %q, want %s from %q", p, i, got[i].stage, got[i].queue, s, want)
			}
		}
	}
}

// defaultBatchFlow counts, for the pages of the default class, the
// cleanups, how many had run when the first page was routed (-1 if none
// was), and the most pages at once cleaned and waiting for their OCR.
func defaultBatchFlow(runs []flowRun) (cleanups, firstRoute, peak int) {
	firstRoute = -1
	backlog := 0
	for _, r := range runs {
		if c, _ := classOf(r.queue); c != ClassDefault {
			continue
		}
		switch r.stage {
		case StageCleanup:
			cleanups++
			backlog++
		case StageOCR:
			backlog--
		case StageRouting:
			if firstRoute < 0 {
				firstRoute = cleanups
			}
		}
		peak = max(peak, backlog)
	}
	return cleanups, firstRoute, peak
}

// routedBeforeLastUrgent counts the default pages routed before the last
// urgent page was.
func routedBeforeLastUrgent(runs []flowRun) int {
	n, atLast := 0, 0
	for _, r := range runs {
		if r.stage != StageRouting {
			continue
		}
		if c, _ := classOf(r.queue); c == ClassCritical {
			atLast = n
		} else {
			n++
		}
	}
	return atLast
}

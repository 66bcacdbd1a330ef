package queue

import (
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/storage"
)

// A page put into storage and enqueued ends routed, with the records scan
// gives for the same image; sent back to uploaded it runs again under a new
// task id (the first is retained as completed) and its records stay put.
func TestPagesEndRoutedWithScanRecords(t *testing.T) {
	e := newTestEnv(t)
	ctx := t.Context()
	reg := prometheus.NewRegistry()
	metrics, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.Register(QueueCollector(e.client(t))); err != nil {
		t.Fatal(err)
	}
	b := e.batch(t, 5)
	names := []string{"p0001-birth-extract-clean.png", "p0003-marriage-extract-worn.jpg"}
	var pages []storage.Page
	for _, n := range names {
		pages = append(pages, e.addPage(t, b.ID, "book-01/"+n, readSample(t, n)))
	}
	c := e.client(t)
	for _, p := range pages {
		if err := c.EnqueueStage(ctx, p.ID, StageCleanup, b.Priority); err != nil {
			t.Fatal(err)
		}
		// Asking twice queues once.
		if err := c.EnqueueStage(ctx, p.ID, StageCleanup, b.Priority); err != nil {
			t.Fatal(err)
		}
	}
	depth, err := c.QueueDepth(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range Queues() {
		want := 0
		if q == QueueName(ClassCritical, StageCleanup) {
			want = 2
		}
		if depth[q] != want {
			t.Errorf("QueueDepth before the worker = %v, want 2 critical:cleanup tasks and no other", depth)
			break
		}
	}
	if n := testutil.CollectAndCount(reg, "sohoa_queue_depth"); n != len(Queues()) {
		t.Errorf("sohoa_queue_depth has %d series, want %d", n, len(Queues()))
	}

	w := e.worker(t, func(c *WorkerConfig) { c.Metrics = metrics })
	stop := run(t, w)
	ids := []string{pages[0].ID, pages[1].ID}
	e.waitState(t, 50*time.Second, ids, storage.PageRouted, storage.PageFailed)

	for i, p := range pages {
		got, err := e.store.GetPage(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != storage.PageRouted {
			t.Fatalf("%s: state %s (%s), want routed", names[i], got.State, got.LastError)
		}
		want := scanRecords(t, readSample(t, names[i]), p.Source)
		if len(want) == 0 {
			t.Fatalf("%s: scan found no records", names[i])
		}
		sameRecords(t, e.storedRecords(t, p.ID), want)
		for _, a := range []string{ArtefactCleaned} {
			if ok, err := e.objects.Exists(ctx, storage.DerivedKey(p.SHA256, a)); err != nil || !ok {
				t.Errorf("%s: artefact %s missing (%v)", names[i], a, err)
			}
		}
		checkWords(t, e, names[i], p.SHA256, want)
		// A PNG original gets a JPEG access copy for the exported PDFs.
		if strings.HasSuffix(names[i], ".png") {
			if ok, err := e.objects.Exists(ctx, storage.DerivedKey(p.SHA256, storage.AccessName)); err != nil || !ok {
				t.Errorf("%s: no access copy (%v)", names[i], err)
			}
		}
	}
	for _, s := range Stages() {
		if n := testutil.ToFloat64(metrics.pages.WithLabelValues(string(s), OutcomeOK)); n != 2 {
			t.Errorf("pages processed %s/ok = %v, want 2", s, n)
		}
	}
	if n := testutil.CollectAndCount(reg, "sohoa_stage_duration_seconds", "sohoa_field_confidence"); n < 4 {
		t.Errorf("latency and confidence histograms have %d series, want at least 4", n)
	}

	// Run the first page again: its cleanup task id is retained as
	// completed, so another one is used.
	before := e.storedRecords(t, pages[0].ID)
	if _, err := e.store.SetPageState(ctx, pages[0].ID, storage.PageRouted, storage.PageUploaded); err != nil {
		t.Fatal(err)
	}
	if err := c.EnqueueStage(ctx, pages[0].ID, StageCleanup, b.Priority); err != nil {
		t.Fatal(err)
	}
	info, err := c.insp.GetTaskInfo(QueueName(ClassCritical, StageCleanup), TaskID(StageCleanup, pages[0].ID, 2))
	if err != nil {
		t.Fatalf("second cleanup task: %v", err)
	}
	if info.Type != TypeCleanup {
		t.Errorf("second task type %q", info.Type)
	}
	e.waitState(t, 30*time.Second, ids[:1], storage.PageRouted)
	after := e.storedRecords(t, pages[0].ID)
	if len(after) != len(before) {
		t.Fatalf("re-run: %d records, want %d", len(after), len(before))
	}
	for i := range after {
		if after[i].ID != before[i].ID || after[i].ChangeSeq != before[i].ChangeSeq {
			t.Errorf("re-run changed record %d: id %s→%s, seq %d→%d", i, before[i].ID, after[i].ID, before[i].ChangeSeq, after[i].ChangeSeq)
		}
	}
	stop()
	failed, err := c.ListFailed(ctx)
	if err != nil || len(failed) != 0 {
		t.Errorf("ListFailed = %v, %v; want none", failed, err)
	}
}

// The same stage delivered twice, one after the other or at once, leaves
// one set of records and no error.
func TestRepeatedDeliveryIsHarmless(t *testing.T) {
	e := newTestEnv(t)
	ctx := t.Context()
	reg := prometheus.NewRegistry()
	metrics, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	w := e.worker(t, func(c *WorkerConfig) { c.Metrics = metrics })
	t.Cleanup(func() { w.Close() })
	b := e.batch(t, 0)
	name := "p0001-birth-extract-clean.png"
	data := readSample(t, name)
	p := e.addPage(t, b.ID, name, data)
	task := func(s Stage) *asynq.Task { return asynq.NewTask(s.TaskType(), encodePayload(p.ID)) }

	for range 2 {
		if err := w.ProcessTask(ctx, task(StageCleanup)); err != nil {
			t.Fatalf("cleanup: %v", err)
		}
	}
	if got, _ := e.store.GetPage(ctx, p.ID); got.State != storage.PageCleaned {
		t.Fatalf("after cleanup twice: state %s", got.State)
	}
	// The cleaned page waits in memory for this worker's OCR task; one of
	// the two OCR deliveries below takes it, the other (and the third,
	// later) reads the stored artefacts, and all give the same records.
	if n := len(w.handoff.pages); n != 1 {
		t.Errorf("after cleanup: %d pages handed over, want 1", n)
	}
	depth, err := w.Client().QueueDepth(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if depth[QueueName(ClassDefault, StageOCR)] != 1 {
		t.Errorf("after cleanup twice: queue depth %v, want the OCR task once, in default:ocr", depth)
	}

	// Two deliveries of the OCR stage at once.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = w.ProcessTask(ctx, task(StageOCR))
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("ocr: %v", err)
		}
	}
	first := e.storedRecords(t, p.ID)
	sameRecords(t, first, scanRecords(t, data, name))
	if n := len(w.handoff.pages); n != 0 {
		t.Errorf("after OCR: %d pages still handed over, want 0", n)
	}
	// And once more, later.
	if err := w.ProcessTask(ctx, task(StageOCR)); err != nil {
		t.Fatal(err)
	}
	again := e.storedRecords(t, p.ID)
	if len(again) != len(first) {
		t.Fatalf("%d records after a third OCR delivery, want %d", len(again), len(first))
	}
	for i := range again {
		if again[i].ChangeSeq != first[i].ChangeSeq {
			t.Errorf("record %s changed on a repeated delivery", again[i].ID)
		}
	}
	for range 2 {
		if err := w.ProcessTask(ctx, task(StageRouting)); err != nil {
			t.Fatalf("routing: %v", err)
		}
	}
	if got, _ := e.store.GetPage(ctx, p.ID); got.State != storage.PageRouted {
		t.Fatalf("state %s, want routed", got.State)
	}
	// A cleanup delivered now does nothing either.
	if err := w.ProcessTask(ctx, task(StageCleanup)); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.store.GetPage(ctx, p.ID); got.State != storage.PageRouted {
		t.Fatalf("state %s after a late cleanup, want routed", got.State)
	}
	for _, tc := range []struct {
		stage    Stage
		outcome  string
		min, max float64
	}{
		{StageCleanup, OutcomeOK, 1, 1},
		{StageCleanup, OutcomeSkipped, 2, 2},
		// The two simultaneous OCR runs may both do the work (one then
		// finds the page moved) or one may find it moved at once.
		{StageOCR, OutcomeOK, 1, 1},
		{StageOCR, OutcomeSkipped, 2, 2},
		{StageRouting, OutcomeOK, 1, 1},
		{StageRouting, OutcomeSkipped, 1, 1},
	} {
		n := testutil.ToFloat64(metrics.pages.WithLabelValues(string(tc.stage), tc.outcome))
		if n < tc.min || n > tc.max {
			t.Errorf("%s/%s = %v, want %v", tc.stage, tc.outcome, n, tc.min)
		}
	}
}

// A corrupt original fails its page with the reason at once: no retries;
// the archived task is listed with its error. A missing original likewise;
// once it is stored, Retry runs the page to the end.
func TestBadInputFailsPageAndRetryReruns(t *testing.T) {
	e := newTestEnv(t)
	ctx := t.Context()
	b := e.batch(t, -1)
	good := readSample(t, "p0001-birth-extract-clean.png")
	corrupt := e.addPage(t, b.ID, "cut.png", good[:len(good)/2])
	missing := e.addPageOnly(t, b.ID, "later.png", sha256hex(good))
	c := e.client(t)
	for _, p := range []storage.Page{corrupt, missing} {
		if err := c.EnqueueStage(ctx, p.ID, StageCleanup, b.Priority); err != nil {
			t.Fatal(err)
		}
	}
	run(t, e.worker(t, nil))
	got := e.waitState(t, 30*time.Second, []string{corrupt.ID, missing.ID}, storage.PageFailed, storage.PageRouted)
	for i, want := range []string{"cleanup: cannot decode the original: " + corrupt.ID + ": image truncated", "cleanup: the original is not in the object store"} {
		if got[i].State != storage.PageFailed || !strings.HasPrefix(got[i].LastError, want) {
			t.Errorf("page %s: state %s, error %q; want failed with %q…", got[i].Source, got[i].State, got[i].LastError, want)
		}
		if got[i].Attempts != 1 {
			t.Errorf("page %s: %d attempts, want 1 (no retries)", got[i].Source, got[i].Attempts)
		}
	}
	failed := waitFailed(t, c, 2)
	byPage := map[string]FailedTask{}
	for _, f := range failed {
		byPage[f.PageID] = f
	}
	for _, p := range []storage.Page{corrupt, missing} {
		f, ok := byPage[p.ID]
		if !ok {
			t.Fatalf("page %s has no failed task: %+v", p.Source, failed)
		}
		if f.Queue != QueueName(ClassLow, StageCleanup) || f.Stage != StageCleanup || f.Type != TypeCleanup || f.ID != TaskID(StageCleanup, p.ID, 1) ||
			f.Retried != 0 || f.FailedAt.IsZero() || !strings.Contains(f.Error, "cleanup: ") {
			t.Errorf("failed task of %s = %+v", p.Source, f)
		}
	}
	if !strings.Contains(byPage[corrupt.ID].Error, "cannot decode the original") {
		t.Errorf("corrupt page's task error %q", byPage[corrupt.ID].Error)
	}

	if err := c.Retry(ctx, QueueName(ClassLow, StageCleanup), "cleanup:nonexistent"); !errors.Is(err, ErrTaskNotFound) {
		t.Errorf("Retry of an unknown task: %v, want ErrTaskNotFound", err)
	}
	if _, _, err := e.objects.PutOriginal(ctx, strings.NewReader(string(good)), int64(len(good)), missing.SHA256, storage.PutOriginalOptions{}); err != nil {
		t.Fatal(err)
	}
	f := byPage[missing.ID]
	if err := c.Retry(ctx, f.Queue, f.ID); err != nil {
		t.Fatal(err)
	}
	e.waitState(t, 30*time.Second, []string{missing.ID}, storage.PageRouted)
	if recs := e.storedRecords(t, missing.ID); len(recs) == 0 {
		t.Error("retried page has no records")
	}
	left, err := c.ListFailed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0].PageID != corrupt.ID {
		t.Errorf("failed tasks after the retry: %+v, want only the corrupt page's", left)
	}
}

// waitFailed waits until ListFailed lists n tasks.
func waitFailed(t *testing.T, c *Client, n int) []FailedTask {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		failed, err := c.ListFailed(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(failed) >= n || time.Now().After(deadline) {
			if len(failed) != n {
				t.Fatalf("ListFailed = %+v, want %d tasks", failed, n)
			}
			return failed
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// The reconciler enqueues a stuck page's stage once; a page leased by a
// worker is not stuck.
func TestReconcile(t *testing.T) {
	e := newTestEnv(t)
	ctx := t.Context()
	c := e.client(t)
	b := e.batch(t, 0)
	p1 := e.addPageOnly(t, b.ID, "a.png", sha256hex([]byte("a")))
	p2 := e.addPageOnly(t, b.ID, "b.png", sha256hex([]byte("b")))
	if _, err := e.store.LeasePage(ctx, p2.ID, storage.PageUploaded, time.Minute); err != nil {
		t.Fatal(err)
	}
	res, err := c.Reconcile(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if res.Stuck != 1 || res.Enqueued != 1 || res.Errors != 0 {
		t.Errorf("first pass = %+v, want 1 stuck page enqueued", res)
	}
	res, err = c.Reconcile(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if res.Stuck != 1 || res.Enqueued != 0 || res.Queued != 1 {
		t.Errorf("second pass = %+v, want the page found queued", res)
	}
	if _, err := c.insp.GetTaskInfo(QueueName(ClassDefault, StageCleanup), TaskID(StageCleanup, p1.ID, 1)); err != nil {
		t.Errorf("task of the stuck page: %v", err)
	}
	if _, err := NewClient(e.redis, nil, Options{}).Reconcile(ctx, 0); !errors.Is(err, ErrNoStore) {
		t.Errorf("Reconcile without a store: %v", err)
	}
}

// checkWords: the OCR stage stored the page's words, in the original's
// pixels like the records' boxes: each of the first record's names lies
// on words read there, and they spell it.
func checkWords(t *testing.T, e *testEnv, name, sum string, recs []models.Record) {
	t.Helper()
	raw, _, err := e.objects.ReadAll(t.Context(), storage.DerivedKey(sum, storage.WordsName), 1<<24, nil)
	if err != nil {
		t.Errorf("%s: words: %v", name, err)
		return
	}
	var doc PageWords
	if err := json.Unmarshal(raw, &doc); err != nil || doc.Version != PageWordsVersion || len(doc.Lines) < 10 {
		t.Errorf("%s: words document version %d, %d lines (%v); want version %d and the page's lines", name, doc.Version, len(doc.Lines), err, PageWordsVersion)
		return
	}
	checked := 0
	for key, f := range recs[0].Fields {
		if !strings.HasSuffix(key, "name") || f.Value == nil || f.Status != models.StatusAccepted {
			continue
		}
		var on []string
		for _, l := range doc.Lines {
			for _, w := range l.Words {
				if w.BBox[0] < f.BBox[2] && f.BBox[0] < w.BBox[2] && w.BBox[1] < f.BBox[3] && f.BBox[1] < w.BBox[3] {
					on = append(on, w.Text)
				}
			}
		}
		if got := strings.Join(on, " "); !strings.Contains(strings.ToLower(got), strings.ToLower(strings.Fields(f.Raw)[0])) {
			t.Errorf("%s: %s %q at %v: the words there read %q", name, key, f.Raw, f.BBox, got)
		}
		checked++
	}
	if checked == 0 {
		t.Errorf("%s: no accepted name in the first record to place on the words", name)
	}
}

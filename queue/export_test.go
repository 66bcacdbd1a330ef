package queue

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/storage"
)

// TestBookExportTasks runs book exports through the worker: one queued by
// the API's call (EnqueueExport, twice: queued once), one stored but never
// queued (the enqueue failed, or Redis lost it) that the reconciler
// queues. Both end done with their zip in the object store.
func TestBookExportTasks(t *testing.T) {
	e := newTestEnv(t)
	ctx := t.Context()
	b, err := e.store.CreateBatch(ctx, storage.NewBatch{Name: t.Name(), RegisterType: models.Birth, BookNumber: "3/2021"})
	if err != nil {
		t.Fatal(err)
	}
	page := e.addPage(t, b.ID, "p1.jpg", readSample(t, "p0003-marriage-extract-worn.jpg"))
	var recs []models.Record
	for i, entry := range []string{"1", "2"} {
		v := entry
		recs = append(recs, models.Record{ID: uuid.NewString(), EntryIndex: i, RegisterType: models.Birth,
			Status: models.StatusVerified, Fields: map[string]models.Field{
				"entry_number": {Value: &v, Status: models.StatusAccepted, Reasons: []string{}},
			}})
	}
	if err := e.store.SaveRecords(ctx, page.ID, recs); err != nil {
		t.Fatal(err)
	}
	asked, _, err := e.store.CreateBookExport(ctx, storage.NewBookExport{Book: "3/2021", Format: "zip"})
	if err != nil {
		t.Fatal(err)
	}
	c := e.client(t)
	for range 2 {
		if err := c.EnqueueExport(ctx, asked.ID); err != nil {
			t.Fatal(err)
		}
	}
	if depth, err := c.QueueDepth(ctx); err != nil || depth[QueueExports] != 1 {
		t.Fatalf("queue depth %v (%v), want one export task", depth, err)
	}
	lost, _, err := e.store.CreateBookExport(ctx, storage.NewBookExport{Book: "3/2021", Format: "jsonl", BatchID: b.ID})
	if err != nil {
		t.Fatal(err)
	}

	run(t, e.worker(t, nil))
	for _, id := range []string{asked.ID, lost.ID} {
		var ex storage.BookExport
		deadline := time.Now().Add(30 * time.Second)
		for {
			if ex, err = e.store.GetBookExport(ctx, id); err != nil {
				t.Fatal(err)
			}
			if ex.State == storage.ExportDone || ex.State == storage.ExportFailed || time.Now().After(deadline) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if ex.State != storage.ExportDone || !ex.Final || ex.Exported != 2 || ex.Attempts != 1 {
			t.Fatalf("export %s (%s): %+v", id, ex.Format, ex)
		}
		st, err := e.objects.Stat(ctx, storage.ExportKey(ex.Key))
		if err != nil || st.Size != ex.Size || st.Size == 0 {
			t.Errorf("export %s: object %s: %+v, %v; want %d bytes", id, ex.Key, st, err, ex.Size)
		}
	}
}

// TestBookExportFailsAndRetries: an export whose page original is missing
// fails each attempt, ends failed with its error and its task among the
// failed ones; once the original is there, retrying the task writes it.
func TestBookExportFailsAndRetries(t *testing.T) {
	e := newTestEnv(t)
	ctx := t.Context()
	b, err := e.store.CreateBatch(ctx, storage.NewBatch{Name: t.Name(), RegisterType: models.Birth, BookNumber: "4"})
	if err != nil {
		t.Fatal(err)
	}
	data := readSample(t, "p0003-marriage-extract-worn.jpg")
	page := e.addPageOnly(t, b.ID, "p1.jpg", sha256hex(data))
	v := "1"
	if err := e.store.SaveRecords(ctx, page.ID, []models.Record{{ID: uuid.NewString(), RegisterType: models.Birth,
		Status: models.StatusVerified, Fields: map[string]models.Field{"entry_number": {Value: &v, Status: models.StatusAccepted, Reasons: []string{}}}}}); err != nil {
		t.Fatal(err)
	}
	ex, _, err := e.store.CreateBookExport(ctx, storage.NewBookExport{Book: "4", Format: "zip"})
	if err != nil {
		t.Fatal(err)
	}
	c := e.client(t)
	if err := c.EnqueueExport(ctx, ex.ID); err != nil {
		t.Fatal(err)
	}
	run(t, e.worker(t, func(cfg *WorkerConfig) {
		cfg.RetryDelay = func(int) time.Duration { return 10 * time.Millisecond }
		cfg.ReconcileInterval = -1 // the page (never cleaned) is left alone
	}))
	failed := waitFailed(t, c, 1)
	if f := failed[0]; f.Queue != QueueExports || f.ExportID != ex.ID || f.Type != TypeBookExport || f.PageID != "" {
		t.Fatalf("failed task %+v", f)
	}
	got, err := e.store.GetBookExport(ctx, ex.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != storage.ExportFailed || got.Attempts != exportMaxRetry+1 || got.Error == "" {
		t.Fatalf("export after its attempts: %+v", got)
	}

	// The original arrives.
	if _, _, err := e.objects.PutOriginal(ctx, bytes.NewReader(data), int64(len(data)), page.SHA256, storage.PutOriginalOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := c.Retry(ctx, QueueExports, failed[0].ID); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for got.State != storage.ExportDone && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		if got, err = e.store.GetBookExport(ctx, ex.ID); err != nil {
			t.Fatal(err)
		}
	}
	if got.State != storage.ExportDone || got.Exported != 1 || got.Error != "" {
		t.Fatalf("export after the retry: %+v", got)
	}
	if left, err := c.ListFailed(ctx); err != nil || len(left) != 0 {
		t.Errorf("failed tasks after the retry: %+v (%v)", left, err)
	}
}

package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/sohoa/sohoa/bookexport"
	"github.com/sohoa/sohoa/storage"
)

// TypeBookExport is the task type of a book export asked for over the API
// (storage.BookExport): a worker writes it into the object store.
const TypeBookExport = "book:export"

// QueueExports is the queue of book exports. A worker serves it apart from
// the page queues, with a server of its own that runs at most
// WorkerConfig.ExportConcurrency exports at once (default 1): an export is
// one long task that reads a whole book and moves gigabytes, and were it
// served with the pages, a few loaders asking at once could take every
// slot of every worker and stop the pages for minutes.
const QueueExports = "exports"

// Book export tasks: retried twice, each attempt at most an hour (a
// 10,000-record book with its page scans takes under a minute here).
const (
	exportMaxRetry = 2
	exportTimeout  = time.Hour
)

// exportPayload is the payload of a TypeBookExport task.
type exportPayload struct {
	ExportID string `json:"export_id"`
}

// exportTaskID is the task id of an export: one task per export, so a
// repeated enqueue (the API's, then the reconciler's) changes nothing.
func exportTaskID(id string) string { return "book-export:" + id }

// EnqueueExport queues the task of the stored book export id. It is
// idempotent: an export whose task exists already is left alone.
func (c *Client) EnqueueExport(ctx context.Context, id string) error {
	if id == "" {
		return invalidf("empty export id")
	}
	b, _ := json.Marshal(exportPayload{ExportID: id}) // cannot fail
	_, err := c.client.EnqueueContext(ctx, asynq.NewTask(TypeBookExport, b),
		asynq.TaskID(exportTaskID(id)), asynq.Queue(QueueExports), asynq.MaxRetry(exportMaxRetry),
		asynq.Timeout(exportTimeout), asynq.Retention(c.opts.Retention))
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("queue: enqueue book export %s: %w", id, err)
	}
	return nil
}

// bookExport runs a TypeBookExport task (bookexport.Run); the export's
// last attempt marks it failed.
func (w *Worker) bookExport(ctx context.Context, t *asynq.Task) error {
	w.running.Add(1)
	defer w.running.Done()
	var p exportPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.ExportID == "" {
		return fmt.Errorf("queue: book export payload %q (%w)", t.Payload(), asynq.SkipRetry)
	}
	log := w.log.With("export", p.ExportID)
	retried, _ := asynq.GetRetryCount(ctx)
	maxRetry, _ := asynq.GetMaxRetry(ctx)
	start := time.Now()
	err := bookexport.Run(ctx, w.cfg.Store, w.cfg.Objects, p.ExportID, w.cfg.Export, retried >= maxRetry)
	switch {
	case errors.Is(err, bookexport.ErrDone):
		log.Debug("book export done already")
		return nil
	case errors.Is(err, storage.ErrNotFound) && isMissingExport(ctx, w.cfg.Store, p.ExportID):
		log.Warn("book export no longer exists; task dropped")
		return nil
	case err != nil:
		log.Error("book export failed", "attempt", retried+1, "err", err)
		return err
	}
	log.Info("book export done", "seconds", time.Since(start).Seconds())
	return nil
}

// retryExport re-runs the archived export task taskID: the export goes
// back to queued and gets a fresh task with all its attempts.
func (c *Client) retryExport(ctx context.Context, taskID string, payload []byte) error {
	var p exportPayload
	if err := json.Unmarshal(payload, &p); err != nil || p.ExportID == "" {
		return invalidf("task %s/%s has no export id", QueueExports, taskID)
	}
	if err := c.store.RequeueBookExport(ctx, p.ExportID); err != nil {
		return fmt.Errorf("queue: retry %s: %w", taskID, err)
	}
	if err := c.insp.DeleteTask(QueueExports, taskID); err != nil && !errors.Is(err, asynq.ErrTaskNotFound) {
		return fmt.Errorf("queue: retry %s: %w", taskID, err)
	}
	return c.EnqueueExport(ctx, p.ExportID)
}

// isMissingExport reports whether the export's row is gone.
func isMissingExport(ctx context.Context, st *storage.Store, id string) bool {
	_, err := st.GetBookExport(ctx, id)
	return errors.Is(err, storage.ErrNotFound)
}

package queue

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/hibiken/asynq"

	"github.com/sohoa/sohoa/extract"
	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/ocr"
	"github.com/sohoa/sohoa/pipeline"
	"github.com/sohoa/sohoa/preprocess"
	"github.com/sohoa/sohoa/storage"
)

// errAlreadyDone: another run of the stage moved the page first.
var errAlreadyDone = errors.New("queue: stage already done")

// stageFunc does a stage's work on a page leased in the stage's state.
type stageFunc func(ctx context.Context, page storage.Page, log *slog.Logger) error

// handler wraps a stage: it loads and leases the page, runs fn, records the
// outcome and decides what asynq does with a failure. A repeated delivery
// (the page no longer in the stage's state) does nothing and succeeds.
func (w *Worker) handler(stage Stage, fn stageFunc) asynq.HandlerFunc {
	return func(ctx context.Context, t *asynq.Task) (err error) {
		w.running.Add(1)
		defer w.running.Done()
		start := time.Now()
		p, err := decodePayload(t.Payload())
		if err != nil {
			w.cfg.Metrics.stageDone(stage, OutcomeFailed, 0)
			return fmt.Errorf("%w (%w)", err, asynq.SkipRetry)
		}
		log := w.log.With("stage", string(stage), "page", p.PageID)
		if id, ok := asynq.GetTaskID(ctx); ok {
			log = log.With("task", id)
		}
		page, err := w.cfg.Store.GetPage(ctx, p.PageID)
		if errors.Is(err, storage.ErrNotFound) {
			log.Warn("page no longer exists; task dropped")
			w.cfg.Metrics.stageDone(stage, OutcomeSkipped, 0)
			return nil
		}
		if err == nil && !stage.accepts(page.State) {
			log.Debug("page not in this stage's state; nothing to do", "state", string(page.State))
			w.ensureQueued(ctx, stage, page, log)
			w.cfg.Metrics.stageDone(stage, OutcomeSkipped, 0)
			return nil
		}
		if err == nil {
			page, err = w.cfg.Store.LeasePage(ctx, page.ID, page.State, w.leaseFor(ctx, stage))
			if errors.Is(err, storage.ErrConflict) {
				w.cfg.Metrics.stageDone(stage, OutcomeSkipped, 0)
				return nil // moved since GetPage
			}
		}
		if err == nil {
			if w.cfg.beforeStage != nil {
				w.cfg.beforeStage(ctx, stage, page)
			}
			err = runSafely(ctx, page, log, fn)
		}
		return w.finish(ctx, stage, p.PageID, start, err, log)
	}
}

// runSafely turns a panic in a stage into a permanent error: whatever in
// the page made the code panic will do it again.
func runSafely(ctx context.Context, page storage.Page, log *slog.Logger, fn stageFunc) (err error) {
	defer func() {
		if r := recover(); r != nil {
			log.Error("stage panicked", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = permanent(nil, "internal error (panic): %v", r)
		}
	}()
	return fn(ctx, page, log)
}

// finish records the outcome of a run and returns what asynq should see:
// nil, the error (retry; archived after the last retry) or the error with
// SkipRetry (archived now). A page whose stage fails for good is failed
// with the reason.
func (w *Worker) finish(ctx context.Context, stage Stage, pageID string, start time.Time, err error, log *slog.Logger) error {
	var perm *PermanentError
	retried, _ := asynq.GetRetryCount(ctx)
	maxRetry, hasMax := asynq.GetMaxRetry(ctx)
	switch {
	case err == nil:
		w.cfg.Metrics.stageDone(stage, OutcomeOK, time.Since(start))
		return nil
	case errors.Is(err, errAlreadyDone):
		log.Debug("another run did this stage first")
		w.cfg.Metrics.stageDone(stage, OutcomeSkipped, 0)
		return nil
	case errors.As(err, &perm):
		w.failPage(ctx, stage, pageID, err, log)
		w.cfg.Metrics.stageDone(stage, OutcomeFailed, 0)
		return fmt.Errorf("%s: %w (%w)", stage, err, asynq.SkipRetry)
	case errors.Is(err, context.Canceled):
		// Shutting down: asynq hands the task back to the queue.
		w.cfg.Metrics.stageDone(stage, OutcomeRetry, 0)
		return fmt.Errorf("%s: %w", stage, err)
	case hasMax && retried >= maxRetry:
		w.failPage(ctx, stage, pageID, fmt.Errorf("gave up after %d retries: %w", retried, err), log)
		w.cfg.Metrics.stageDone(stage, OutcomeFailed, 0)
		return fmt.Errorf("%s: %w", stage, err)
	}
	log.Warn("stage failed; will retry", "err", err, "retried", retried)
	w.cfg.Metrics.stageDone(stage, OutcomeRetry, 0)
	return fmt.Errorf("%s: %w", stage, err)
}

// failPage moves the page to failed with the stage and error as reason.
func (w *Worker) failPage(ctx context.Context, stage Stage, pageID string, cause error, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	reason := fmt.Sprintf("%s: %v", stage, cause)
	log.Warn("page failed", "reason", reason)
	if _, err := w.cfg.Store.FailPage(ctx, pageID, reason); err != nil && !errors.Is(err, storage.ErrConflict) {
		log.Error("cannot mark the page failed; the reconciler will run it again", "err", err)
	}
}

// leaseFor is how long the page is leased for a run: until the task's
// deadline plus the grace period.
func (w *Worker) leaseFor(ctx context.Context, stage Stage) time.Duration {
	d := w.client.opts.Timeouts[stage]
	if dl, ok := ctx.Deadline(); ok {
		d = time.Until(dl)
	}
	return max(d, time.Second) + w.cfg.LeaseGrace
}

// queueOf is the queue of the page's stage: that stage's queue in the
// class of the running task's queue (which needs no database read; a task
// from a legacy queue sends the page on to the stage queues), or else in
// its batch's class.
func (w *Worker) queueOf(ctx context.Context, page storage.Page, stage Stage) string {
	if q, ok := asynq.GetQueueName(ctx); ok {
		if class, ok := classOf(q); ok {
			return QueueName(class, stage)
		}
	}
	class, err := w.client.batchClass(ctx, page.BatchID)
	if err != nil {
		// The task is better queued in the wrong class than not at all;
		// the database is likely down, and the stage about to fail anyway.
		w.log.Warn("cannot read the page's batch; its next stage goes to the default class",
			"page", page.ID, "err", err)
		class = ClassDefault
	}
	return QueueName(class, stage)
}

// next enqueues the stage that works on the page in state st.
func (w *Worker) next(ctx context.Context, page storage.Page, st storage.PageState) error {
	stage, ok := StageFor(st)
	if !ok {
		return nil
	}
	if _, _, err := w.client.enqueue(ctx, page.ID, stage, w.queueOf(ctx, page, stage), false); err != nil {
		return fmt.Errorf("enqueue %s: %w", stage, err)
	}
	return nil
}

// ensureQueued, for a page found past stage by a repeated delivery, makes
// sure the page's current stage has a task: the run that moved the page
// may have died before enqueuing it.
func (w *Worker) ensureQueued(ctx context.Context, stage Stage, page storage.Page, log *slog.Logger) {
	cur, ok := StageFor(page.State)
	if !ok || stageIndex(cur) <= stageIndex(stage) {
		return
	}
	if err := w.next(ctx, page, page.State); err != nil {
		log.Warn("cannot enqueue the page's stage; the reconciler will", "err", err)
	}
}

func stageIndex(s Stage) int {
	for i, x := range Stages() {
		if x == s {
			return i
		}
	}
	return -1
}

// cleanup: original → cleaned artefacts; uploaded → cleaned.
func (w *Worker) cleanup(ctx context.Context, page storage.Page, log *slog.Logger) error {
	clean, err := w.cleanOriginal(ctx, page)
	if err != nil {
		return err
	}
	moved, err := w.cfg.Store.SetPageState(ctx, page.ID, storage.PageUploaded, storage.PageCleaned)
	if err != nil {
		clean.Close()
		if errors.Is(err, storage.ErrConflict) {
			return errAlreadyDone
		}
		return err
	}
	w.handoff.put(page.SHA256, clean) // before the OCR task is queued
	log.Debug("page cleaned")
	return w.next(ctx, moved, moved.State)
}

// cleanOriginal reads, checks, decodes and cleans the page's original and
// stores the cleaned page (storeCleaned). Bad input is a PermanentError.
func (w *Worker) cleanOriginal(ctx context.Context, page storage.Page) (*preprocess.Page, error) {
	lim := w.cfg.Limits
	data, _, err := w.cfg.Objects.ReadAll(ctx, page.ObjectKey, lim.MaxFileBytes, nil)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return nil, permanent(err, "the original is not in the object store")
	case errors.Is(err, storage.ErrTooLarge), errors.Is(err, storage.ErrChecksumMismatch):
		return nil, permanent(err, "unusable original")
	case err != nil:
		return nil, fmt.Errorf("read original: %w", err)
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != page.SHA256 {
		return nil, permanent(nil, "the stored original does not have the page's SHA-256 %s", page.SHA256)
	}
	// Named by the page id: the reason is logged, and file names may hold
	// personal data.
	mats, err := preprocess.Decode(page.ID, data, lim)
	if err != nil {
		return nil, permanent(err, "cannot decode the original")
	}
	defer func() {
		for i := range mats {
			mats[i].Close()
		}
	}()
	if len(mats) != 1 {
		return nil, permanent(nil, "the original has %d pages: upload each page as a file of its own", len(mats))
	}
	clean, err := pipeline.Cleanup(ctx, mats[0], w.cfg.Scanner.Preprocess)
	if errors.Is(err, preprocess.ErrBadInput) {
		return nil, permanent(err, "cannot clean up the page")
	}
	if err != nil {
		return nil, err
	}
	// The access copy first: a complete set of cleaned artefacts (their
	// page.json, written last) means it was made too.
	access, err := preprocess.AccessCopyFor(data, mats[0], clean.Quality.EstimatedDPI, w.cfg.Access)
	if err != nil {
		clean.Close()
		return nil, fmt.Errorf("access copy: %w", err)
	}
	if access != nil {
		if _, err := w.cfg.Objects.PutDerived(ctx, page.SHA256, storage.AccessName, access, "image/jpeg"); err != nil {
			clean.Close()
			return nil, fmt.Errorf("store access copy: %w", err)
		}
	}
	if err := storeCleaned(ctx, w.cfg.Objects, &w.bufs, page.SHA256, clean, mats[0].Cols(), mats[0].Rows()); err != nil {
		clean.Close()
		return nil, fmt.Errorf("store cleaned page: %w", err)
	}
	return clean, nil
}

// sourceName is the record source of a page: the file name it was uploaded
// under, or its object key when it has none.
func sourceName(page storage.Page) string {
	if page.Source != "" {
		return page.Source
	}
	return page.ObjectKey
}

// recognize: cleaned artefacts → OCR → records (exactly as `sohoa scan`'s
// stage, from the same cleaned page); cleaned → recognized → extracted in
// one transaction with the records.
func (w *Worker) recognize(ctx context.Context, page storage.Page, log *slog.Logger) error {
	var err error
	clean := w.handoff.take(page.SHA256)
	if clean != nil {
		log.Debug("cleaned page handed over in memory")
	} else {
		clean, err = loadCleaned(ctx, w.cfg.Objects, &w.bufs, page.SHA256)
	}
	if errors.Is(err, storage.ErrNotFound) {
		log.Info("cleaned page missing from the object store; cleaning the original again")
		clean, err = w.cleanOriginal(ctx, page)
	}
	if err != nil {
		return fmt.Errorf("load cleaned page: %w", err)
	}
	defer clean.Close()
	var recs []models.Record
	var text *ocr.Page
	err = w.pool.Do(ctx, func(e *ocr.Engine) error {
		text, err = pipeline.Recognize(ctx, e, clean)
		if err != nil {
			return err
		}
		recs, err = w.cfg.Scanner.Records(ctx, e, clean, text, pipeline.Source{Path: sourceName(page), SHA256: page.SHA256})
		return err
	})
	if text != nil && (err == nil || errors.Is(err, extract.ErrNoTemplate)) {
		// The words first: a page whose records are saved has them, and
		// a page no template fits keeps what was read on it.
		if werr := storeWords(ctx, w.cfg.Objects, page.SHA256, text, clean); werr != nil {
			return fmt.Errorf("store words: %w", werr)
		}
	}
	if errors.Is(err, extract.ErrNoTemplate) {
		return permanent(err, "no register template matches the page")
	}
	if err != nil {
		return err
	}
	var moved storage.Page
	err = w.cfg.Store.WithTx(ctx, func(tx *storage.Store) error {
		cur := page
		if cur.State == storage.PageCleaned {
			p, err := tx.SetPageState(ctx, page.ID, storage.PageCleaned, storage.PageRecognized)
			if err != nil {
				return err
			}
			cur = p
		}
		if err := tx.SaveRecords(ctx, page.ID, recs); err != nil {
			return err
		}
		p, err := tx.SetPageState(ctx, cur.ID, storage.PageRecognized, storage.PageExtracted)
		moved = p
		return err
	})
	if errors.Is(err, storage.ErrConflict) {
		return errAlreadyDone
	}
	if err != nil {
		return fmt.Errorf("save records: %w", err)
	}
	log.Debug("page extracted", "records", len(recs))
	return w.next(ctx, moved, moved.State)
}

// route: count the page's fields by status; extracted → routed. Review
// queues come later; for now routing marks the page done.
func (w *Worker) route(ctx context.Context, page storage.Page, log *slog.Logger) error {
	recs, err := w.cfg.Store.PageRecords(ctx, page.ID)
	if err != nil {
		return err
	}
	if _, err := w.cfg.Store.SetPageState(ctx, page.ID, storage.PageExtracted, storage.PageRouted); err != nil {
		if errors.Is(err, storage.ErrConflict) {
			return errAlreadyDone
		}
		return err
	}
	var accepted, review, recReview int
	for _, r := range recs {
		if r.Status != models.StatusAccepted {
			recReview++
		}
		for _, f := range r.Fields {
			if f.Status == models.StatusAccepted {
				accepted++
			} else {
				review++
			}
			w.cfg.Metrics.field(string(f.Status), f.Confidence)
		}
	}
	log.Info("page routed", "records", len(recs), "records_to_review", recReview,
		"fields_accepted", accepted, "fields_to_review", review)
	return nil
}

package queue

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// reconcileBatch is how many stuck pages one Reconcile pass looks at.
const reconcileBatch = 500

// ReconcileResult counts what a Reconcile pass did.
type ReconcileResult struct {
	Stuck    int // pages found stuck
	Enqueued int // tasks created (or failed tasks replaced) for them
	Queued   int // pages whose task was already waiting or retrying
	Exports  int // book exports queued or running whose task was ensured
	Errors   int // pages that could not be looked at or enqueued
	FirstErr error
}

// Reconcile makes sure every page stuck in a non-terminal state for longer
// than stuckAfter, and not leased by a worker, has a live task for its
// stage: PostgreSQL is the source of truth, so a flushed Redis or a worker
// killed mid-task loses nothing. Tasks go to the stage's queue in the
// class of the page's batch priority. A task still shown as running for
// such a page belongs to a dead worker (the page's lease, which outlasts
// the task's deadline, has ended), so another task id is used; a task
// waiting or retrying is left alone. (A task waiting in a legacy queue is
// not looked for: see Queues.)
func (c *Client) Reconcile(ctx context.Context, stuckAfter time.Duration) (ReconcileResult, error) {
	var res ReconcileResult
	if c.store == nil {
		return res, ErrNoStore
	}
	pages, err := c.store.StuckPages(ctx, stuckAfter, reconcileBatch)
	if err != nil {
		return res, fmt.Errorf("queue: reconcile: %w", err)
	}
	res.Stuck = len(pages)
	classes := map[string]string{} // batch id → priority class
	for _, p := range pages {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		stage, ok := StageFor(p.State)
		if !ok {
			continue
		}
		class, ok := classes[p.BatchID]
		if !ok {
			class, err = c.batchClass(ctx, p.BatchID)
			if err != nil {
				res.note(fmt.Errorf("queue: reconcile page %s: %w", p.ID, err))
				continue
			}
			classes[p.BatchID] = class
		}
		_, created, err := c.enqueue(ctx, p.ID, stage, QueueName(class, stage), true)
		switch {
		case err != nil:
			res.note(fmt.Errorf("queue: reconcile page %s: %w", p.ID, err))
		case created:
			res.Enqueued++
		default:
			res.Queued++
		}
	}
	// Book exports queued or running for longer than stuckAfter: make
	// sure each has its task (EnqueueExport leaves one that exists alone;
	// a task still running for a dead worker is handed back by asynq).
	exports, err := c.store.UnfinishedBookExports(ctx, stuckAfter)
	if err != nil {
		return res, fmt.Errorf("queue: reconcile: %w", err)
	}
	for _, id := range exports {
		if err := c.EnqueueExport(ctx, id); err != nil {
			res.note(fmt.Errorf("queue: reconcile book export %s: %w", id, err))
			continue
		}
		res.Exports++
	}
	return res, nil
}

func (r *ReconcileResult) note(err error) {
	r.Errors++
	if r.FirstErr == nil {
		r.FirstErr = err
	}
}

// RunReconciler runs Reconcile every interval until ctx is done, logging
// what it did.
func (c *Client) RunReconciler(ctx context.Context, interval, stuckAfter time.Duration, log *slog.Logger) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		res, err := c.Reconcile(ctx, stuckAfter)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("reconcile failed", "err", err)
		case res.Errors > 0:
			log.Warn("reconcile: some pages not enqueued", "stuck", res.Stuck, "enqueued", res.Enqueued, "errors", res.Errors, "err", res.FirstErr)
		case res.Enqueued > 0:
			log.Info("reconcile: stuck pages enqueued again", "stuck", res.Stuck, "enqueued", res.Enqueued, "queued", res.Queued)
		}
	}
}

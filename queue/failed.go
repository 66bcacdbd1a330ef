package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/hibiken/asynq"

	"github.com/sohoa/sohoa/storage"
)

// FailedTask is an archived task: one that failed permanently (the page's
// input is bad) or ran out of retries. Its page is failed with the same
// error, in most cases.
type FailedTask struct {
	Queue    string
	ID       string
	Type     string
	Stage    Stage  // "" for a task type this package does not know
	PageID   string // "" when the payload cannot be read
	ExportID string // a book export's task: the export (storage.BookExport)
	Error    string // the last error the handler returned
	Retried  int
	MaxRetry int
	FailedAt time.Time
}

// listPageSize is how many archived tasks ListFailed reads per request.
const listPageSize = 100

// ListFailed returns the archived tasks of every queue (Queues: the legacy
// ones too), most recent failure first.
func (c *Client) ListFailed(ctx context.Context) ([]FailedTask, error) {
	if err := c.registerQueues(ctx); err != nil {
		return nil, err
	}
	var out []FailedTask
	for _, q := range Queues() {
		for page := 1; ; page++ {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			infos, err := c.insp.ListArchivedTasks(q, asynq.PageSize(listPageSize), asynq.Page(page))
			if errors.Is(err, asynq.ErrQueueNotFound) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("queue: list failed tasks of %s: %w", q, err)
			}
			for _, t := range infos {
				out = append(out, failedTask(t))
			}
			if len(infos) < listPageSize {
				break
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].FailedAt.After(out[j].FailedAt) })
	return out, nil
}

func failedTask(t *asynq.TaskInfo) FailedTask {
	f := FailedTask{Queue: t.Queue, ID: t.ID, Type: t.Type, Error: t.LastErr,
		Retried: t.Retried, MaxRetry: t.MaxRetry, FailedAt: t.LastFailedAt}
	if s, ok := stageOfType(t.Type); ok {
		f.Stage = s
	}
	if t.Type == TypeBookExport {
		var p exportPayload
		if json.Unmarshal(t.Payload, &p) == nil {
			f.ExportID = p.ExportID
		}
		return f
	}
	if p, err := decodePayload(t.Payload); err == nil {
		f.PageID = p.PageID
	}
	return f
}

// Retry re-runs the archived task taskID of queue (a stage queue or a
// legacy one) with all its retries. A failed page goes back to uploaded and
// starts again from cleanup; a page still in a stage gets a fresh task for
// that stage; for a page already routed there is nothing to do and the task
// is just removed. The fresh task goes to its stage's queue in the class of
// queue. A task that is not archived (or does not exist) gives
// ErrTaskNotFound.
func (c *Client) Retry(ctx context.Context, queue, taskID string) error {
	if c.store == nil {
		return ErrNoStore
	}
	class, ok := classOf(queue)
	if !ok && queue != QueueExports {
		return fmt.Errorf("%w: queue %q", ErrTaskNotFound, queue)
	}
	if err := c.registerQueues(ctx); err != nil {
		return err
	}
	info, err := c.insp.GetTaskInfo(queue, taskID)
	if errors.Is(err, asynq.ErrTaskNotFound) || errors.Is(err, asynq.ErrQueueNotFound) {
		return fmt.Errorf("%w: %s/%s", ErrTaskNotFound, queue, taskID)
	}
	if err != nil {
		return fmt.Errorf("queue: task %s: %w", taskID, err)
	}
	if info.State != asynq.TaskStateArchived {
		return fmt.Errorf("%w: task %s/%s is %s, not failed", ErrTaskNotFound, queue, taskID, info.State)
	}
	if queue == QueueExports {
		return c.retryExport(ctx, taskID, info.Payload)
	}
	p, err := decodePayload(info.Payload)
	if _, ok := stageOfType(info.Type); !ok || err != nil {
		return invalidf("task %s/%s is not a page stage (type %q)", queue, taskID, info.Type)
	}
	page, err := c.store.GetPage(ctx, p.PageID)
	if err != nil {
		return fmt.Errorf("queue: retry %s: %w", taskID, err)
	}
	if page.State == storage.PageFailed {
		page, err = c.store.SetPageState(ctx, page.ID, storage.PageFailed, storage.PageUploaded)
		if errors.Is(err, storage.ErrConflict) {
			page, err = c.store.GetPage(ctx, p.PageID) // moved by someone else
		}
		if err != nil {
			return fmt.Errorf("queue: retry %s: %w", taskID, err)
		}
	}
	if err := c.insp.DeleteTask(queue, taskID); err != nil && !errors.Is(err, asynq.ErrTaskNotFound) {
		return fmt.Errorf("queue: retry %s: %w", taskID, err)
	}
	stage, ok := StageFor(page.State)
	if !ok {
		return nil // routed (or failed again meanwhile): nothing to run
	}
	if _, _, err := c.enqueue(ctx, page.ID, stage, QueueName(class, stage), false); err != nil {
		return fmt.Errorf("queue: retry %s: %w", taskID, err)
	}
	return nil
}

// QueueDepth returns, for every queue, the tasks waiting or running
// (pending, active, scheduled and retry; not archived or completed).
// Queues never used count 0.
func (c *Client) QueueDepth(ctx context.Context) (map[string]int, error) {
	stats, err := c.queueStats(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int, len(stats))
	for q, s := range stats {
		out[q] = s.depth
	}
	return out, nil
}

type queueStat struct{ depth, archived int }

// queueStats reads the counts of every queue of Queues().
func (c *Client) queueStats(ctx context.Context) (map[string]queueStat, error) {
	out := make(map[string]queueStat, len(Queues()))
	for _, q := range Queues() {
		out[q] = queueStat{}
	}
	if err := c.registerQueues(ctx); err != nil {
		return nil, err
	}
	existing, err := c.insp.Queues()
	if err != nil {
		return nil, fmt.Errorf("queue: depth: %w", err)
	}
	for _, q := range existing {
		if _, ours := out[q]; !ours {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		info, err := c.insp.GetQueueInfo(q)
		if err != nil {
			return nil, fmt.Errorf("queue: depth of %s: %w", q, err)
		}
		out[q] = queueStat{depth: info.Pending + info.Active + info.Scheduled + info.Retry, archived: info.Archived}
	}
	return out, nil
}

package queue

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hibiken/asynq"
	goredis "github.com/redis/go-redis/v9"

	"github.com/sohoa/sohoa/storage"
)

// maxTaskIDs bounds the ids tried for one stage of one page (TaskID n):
// each retained completed task uses one, so this many re-runs of the same
// stage within the retention period would be needed to exhaust them.
const maxTaskIDs = 64

// Client enqueues stage tasks and inspects the queues. It is safe for
// concurrent use; Close releases its Redis connections.
type Client struct {
	client *asynq.Client
	insp   *asynq.Inspector
	rdb    goredis.UniversalClient // for registerQueues
	store  *storage.Store
	opts   Options
}

// allQueuesKey is the Redis set in which asynq lists the queues that exist
// (its base.AllQueues). An asynq client adds a queue to it only on its
// first enqueue, so after a flush the inspector would see no queue at all
// until every process restarted; registerQueues adds them back.
const allQueuesKey = "asynq:queues"

// NewClient connects to Redis through redis (see ParseRedis). store may be
// nil; Retry and Reconcile need it. It does not contact Redis yet.
func NewClient(redis asynq.RedisConnOpt, store *storage.Store, opts Options) *Client {
	c := &Client{
		client: asynq.NewClient(redis),
		insp:   asynq.NewInspector(redis),
		store:  store,
		opts:   opts.withDefaults(),
	}
	c.rdb, _ = redis.MakeRedisClient().(goredis.UniversalClient)
	return c
}

// Close releases the Redis connections.
func (c *Client) Close() error {
	var err error
	if c.rdb != nil {
		err = c.rdb.Close()
	}
	return errors.Join(c.client.Close(), c.insp.Close(), err)
}

// registerQueues makes sure asynq's list of queues holds this package's
// queues (see allQueuesKey).
func (c *Client) registerQueues(ctx context.Context) error {
	if c.rdb == nil {
		return nil
	}
	qs := Queues()
	members := make([]any, len(qs))
	for i, q := range qs {
		members[i] = q
	}
	if err := c.rdb.SAdd(ctx, allQueuesKey, members...).Err(); err != nil {
		return fmt.Errorf("queue: redis: %w", err)
	}
	return nil
}

// Ping checks that Redis answers.
func (c *Client) Ping(ctx context.Context) error {
	if _, err := c.insp.Queues(); err != nil {
		return fmt.Errorf("queue: redis: %w", err)
	}
	return ctx.Err()
}

// EnqueueStage asks for stage to run on the page, in the stage's queue of
// the batch priority's class (QueueFor). The task id is TaskID(stage,
// pageID, 1), so enqueuing a stage that is already pending, scheduled,
// retrying or running changes nothing and is not an error. When that id is
// still retained by asynq as completed (the stage ran before and the page
// was sent back, or the task found nothing to do), the next id is used;
// when it is archived (failed), the archived task is replaced by a fresh
// one.
func (c *Client) EnqueueStage(ctx context.Context, pageID string, stage Stage, priority int) error {
	_, _, err := c.enqueue(ctx, pageID, stage, QueueFor(priority, stage), false)
	return err
}

// EnqueuePage asks for a page's first stage (cleanup) in the cleanup queue
// of the priority class (ClassCritical, ClassDefault or ClassLow), with
// EnqueueStage's task ids and rules. It is what the upload paths call.
func (c *Client) EnqueuePage(ctx context.Context, pageID, class string) error {
	if classWeight(class) == 0 {
		return invalidf("priority class %q: want one of %s", class, strings.Join(Classes(), ", "))
	}
	_, _, err := c.enqueue(ctx, pageID, StageCleanup, QueueName(class, StageCleanup), false)
	return err
}

// batchClass is the priority class of a batch; a batch that no longer
// exists counts as default (its pages' tasks will find nothing to do).
func (c *Client) batchClass(ctx context.Context, batchID string) (string, error) {
	if c.store == nil {
		return "", ErrNoStore
	}
	b, err := c.store.GetBatch(ctx, batchID)
	if errors.Is(err, storage.ErrNotFound) {
		return ClassDefault, nil
	}
	if err != nil {
		return "", fmt.Errorf("queue: batch %s: %w", batchID, err)
	}
	return ClassFor(b.Priority), nil
}

// enqueue makes sure a live task for the page's stage exists in queue and
// returns its id and whether this call created (or revived) it. With
// replaceActive, a task found active is taken for dead (the caller knows
// the page's lease has ended) and another id is used.
func (c *Client) enqueue(ctx context.Context, pageID string, stage Stage, queue string, replaceActive bool) (string, bool, error) {
	if !stage.Valid() {
		return "", false, invalidf("stage %q", stage)
	}
	if pageID == "" {
		return "", false, invalidf("empty page id")
	}
	if !knownQueue(queue) {
		return "", false, invalidf("queue %q", queue)
	}
	task := asynq.NewTask(stage.TaskType(), encodePayload(pageID))
	again := 0 // times the same id was tried again
	for n := 1; n <= maxTaskIDs; n++ {
		if err := ctx.Err(); err != nil {
			return "", false, err
		}
		id := TaskID(stage, pageID, n)
		_, err := c.client.EnqueueContext(ctx, task,
			asynq.TaskID(id), asynq.Queue(queue), asynq.MaxRetry(c.opts.MaxRetry),
			asynq.Timeout(c.opts.Timeouts[stage]), asynq.Retention(c.opts.Retention))
		if err == nil {
			return id, true, nil
		}
		if !errors.Is(err, asynq.ErrTaskIDConflict) {
			return "", false, fmt.Errorf("queue: enqueue %s: %w", id, err)
		}
		info, err := c.insp.GetTaskInfo(queue, id)
		switch {
		case errors.Is(err, asynq.ErrQueueNotFound):
			// The task exists but the queue is not listed (Redis was
			// flushed since this process first used the queue).
			if err := c.registerQueues(ctx); err != nil {
				return "", false, err
			}
		case errors.Is(err, asynq.ErrTaskNotFound):
			// Gone since the conflict (a retained task expired): the
			// same id is free again.
		case err != nil:
			return "", false, fmt.Errorf("queue: task %s: %w", id, err)
		case info.State == asynq.TaskStateCompleted:
			continue
		case info.State == asynq.TaskStateActive && replaceActive:
			continue
		case info.State == asynq.TaskStateArchived:
			// A failed run: replace it by a fresh task (all retries
			// again) under the same id.
			if err := c.insp.DeleteTask(queue, id); err != nil && !errors.Is(err, asynq.ErrTaskNotFound) {
				return "", false, fmt.Errorf("queue: replace archived task %s: %w", id, err)
			}
		default: // pending, active, scheduled, retry, aggregating
			return id, false, nil
		}
		if again++; again > 3 {
			return "", false, fmt.Errorf("queue: enqueue %s: the task id keeps changing state", id)
		}
		n-- // the same id again
	}
	return "", false, fmt.Errorf("queue: enqueue %s of page %s: %d task ids in use", stage, pageID, maxTaskIDs)
}

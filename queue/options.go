package queue

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hibiken/asynq"
)

// Options are the task options a Client enqueues with. Zero fields take
// the defaults of DefaultOptions.
type Options struct {
	// Timeouts bound each stage's run; a run that takes longer is
	// cancelled and retried. The worker's lease on the page lasts as long,
	// so the reconciler leaves a page alone while a worker may still be on it.
	Timeouts map[Stage]time.Duration
	// MaxRetry is how many times a failing task is retried (with
	// exponential backoff) before it is archived and its page failed.
	MaxRetry int
	// Retention is how long asynq keeps a completed task, and so its id:
	// a stage delivered again within that time is recognised.
	Retention time.Duration
}

// DefaultOptions: cleanup 2 min, OCR and extraction 10 min, routing 1 min,
// 5 retries, completed tasks kept 24 h.
func DefaultOptions() Options {
	return Options{
		Timeouts: map[Stage]time.Duration{
			StageCleanup: 2 * time.Minute,
			StageOCR:     10 * time.Minute,
			StageRouting: time.Minute,
		},
		MaxRetry:  5,
		Retention: 24 * time.Hour,
	}
}

func (o Options) withDefaults() Options {
	d := DefaultOptions()
	t := make(map[Stage]time.Duration, len(d.Timeouts))
	for s, v := range d.Timeouts {
		t[s] = v
		if o.Timeouts[s] > 0 {
			t[s] = o.Timeouts[s]
		}
	}
	o.Timeouts = t
	if o.MaxRetry <= 0 {
		o.MaxRetry = d.MaxRetry
	}
	if o.Retention <= 0 {
		o.Retention = d.Retention
	}
	return o
}

// ParseRedis accepts a Redis address as host:port or as a URL
// (redis://[:password@]host:port[/db], rediss://…, redis-socket://…).
func ParseRedis(s string) (asynq.RedisConnOpt, error) {
	if s == "" {
		return nil, invalidf("redis address is empty")
	}
	if strings.Contains(s, "://") {
		opt, err := asynq.ParseRedisURI(s)
		if err != nil {
			return nil, fmt.Errorf("%w: redis %q: %v", ErrInvalid, s, err)
		}
		return opt, nil
	}
	return asynq.RedisClientOpt{Addr: s}, nil
}

// ParseQueues parses the queues a worker serves and their weights, written
// NAME=WEIGHT,NAME=WEIGHT. NAME is a queue ("critical:ocr=12") or, as
// before the stage queues, a priority class ("critical=6"), which stands
// for all of the class's queues weighted as DefaultQueues weighs them from
// the class weight: the stage queues WEIGHT × their stage weight (routing
// 4, ocr 2, cleanup 1), the legacy queue WEIGHT. So
// "critical=6,default=3,low=1" is DefaultQueues(). A queue given twice,
// itself or through its class, is refused.
func ParseQueues(s string) (map[string]int, error) {
	out := map[string]int{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if err := addQueueWeight(out, part); err != nil {
			return nil, err
		}
	}
	if len(out) == 0 {
		return nil, invalidf("no queues in %q", s)
	}
	return out, nil
}

// addQueueWeight adds to m the queues and weights of one NAME=WEIGHT.
func addQueueWeight(m map[string]int, part string) error {
	name, w, ok := strings.Cut(part, "=")
	n, err := strconv.Atoi(strings.TrimSpace(w))
	name = strings.TrimSpace(name)
	if !ok || err != nil || n < 1 {
		return invalidf("queue weight %q: want NAME=WEIGHT with WEIGHT ≥ 1", part)
	}
	_, stage, known := parseQueue(name)
	if !known {
		return invalidf("queue %q: want a class (%s) or a queue CLASS:STAGE (e.g. %s); book exports are served apart (WorkerConfig.ExportConcurrency)",
			name, strings.Join(Classes(), ", "), QueueName(ClassCritical, StageOCR))
	}
	add := map[string]int{name: n}
	if stage == "" { // a class: all its queues
		add = map[string]int{}
		classQueues(add, name, n)
	}
	for q, w := range add {
		if _, dup := m[q]; dup {
			return invalidf("queue %q given twice (by %q)", q, part)
		}
		m[q] = w
	}
	return nil
}

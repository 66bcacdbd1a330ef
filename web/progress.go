package web

import (
	"context"
	"sync"
	"time"

	"github.com/sohoa/sohoa/storage"
)

// progressTTL is how long the review page shows a batch's counts before
// counting again. Counting reads every item of the batch (thousands of
// rows); with dozens of verifiers each loading a review page every few
// seconds, counting for each page cost more than the rest of the page.
// The person's own count for today is always read afresh (a few rows).
const progressTTL = 5 * time.Second

// batchCounts caches the items of each batch and those done, for the
// review page.
type batchCounts struct {
	mu sync.Mutex
	m  map[string]*batchCount
}

type batchCount struct {
	total, done int
	at          time.Time // when counted; zero until the first count
	counting    bool      // a request is counting now
}

// get returns the batch's counts when they are fresh, or when another
// request is counting them already (the counts it has, slightly old).
// Otherwise ok is false and the caller is to count, then put (or drop on
// failure).
func (c *batchCounts) get(batch string, now time.Time) (total, done int, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]*batchCount{}
	}
	e := c.m[batch]
	if e == nil {
		if len(c.m) >= 1000 {
			for k, old := range c.m {
				if !old.counting && now.Sub(old.at) >= progressTTL {
					delete(c.m, k)
				}
			}
		}
		e = &batchCount{}
		c.m[batch] = e
	}
	if !e.at.IsZero() && (now.Sub(e.at) < progressTTL || e.counting) {
		return e.total, e.done, true
	}
	e.counting = true
	return 0, 0, false
}

// put stores the counts a caller of get made.
func (c *batchCounts) put(batch string, total, done int, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.m[batch]; e != nil {
		e.total, e.done, e.at, e.counting = total, done, now, false
	}
}

// drop ends a count that failed.
func (c *batchCounts) drop(batch string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.m[batch]; e != nil {
		e.counting = false
	}
}

// itemProgress is the review page's counters: the batch's items and those
// done (counted at most every progressTTL), and the person's items today.
func (h *Handler) itemProgress(ctx context.Context, batchID, userID string) (storage.ReviewProgress, error) {
	if total, done, ok := h.counts.get(batchID, time.Now()); ok {
		today, err := h.store.ReviewedToday(ctx, userID)
		return storage.ReviewProgress{BatchTotal: total, BatchDone: done, UserToday: today}, err
	}
	p, err := h.store.ReviewProgress(ctx, batchID, userID)
	if err != nil {
		h.counts.drop(batchID)
		return p, err
	}
	h.counts.put(batchID, p.BatchTotal, p.BatchDone, time.Now())
	return p, nil
}

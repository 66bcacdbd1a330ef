package queue

import (
	"math/rand/v2"
	"time"
)

// Backoff returns an exponential backoff for WorkerConfig.RetryDelay: the
// n-th retry (n ≥ 1) waits between half and all of first·2ⁿ⁻¹, at most
// limit. first is taken as at least a millisecond, limit as at least first.
func Backoff(first, limit time.Duration) func(n int) time.Duration {
	first = max(first, time.Millisecond)
	limit = max(limit, first)
	return func(n int) time.Duration {
		d := first
		for i := 1; i < n && d < limit; i++ {
			d *= 2
		}
		d = min(d, limit)
		half := d / 2
		return half + rand.N(d-half+1)
	}
}

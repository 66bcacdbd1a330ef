package queue

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	tests := []struct {
		first, limit time.Duration
		n            int
		lo, hi       time.Duration
	}{
		{time.Second, time.Minute, 1, 500 * time.Millisecond, time.Second},
		{time.Second, time.Minute, 2, time.Second, 2 * time.Second},
		{time.Second, time.Minute, 4, 4 * time.Second, 8 * time.Second},
		{time.Second, time.Minute, 7, 30 * time.Second, time.Minute}, // 64 s capped
		{time.Second, time.Minute, 1000, 30 * time.Second, time.Minute},
		{time.Second, 0, 3, 500 * time.Millisecond, time.Second}, // limit below first
		{0, 0, 1, 0, time.Millisecond},
		{time.Second, time.Minute, 0, 500 * time.Millisecond, time.Second}, // n < 1 as the first
	}
	for _, tc := range tests {
		f := Backoff(tc.first, tc.limit)
		for range 50 {
			if d := f(tc.n); d < tc.lo || d > tc.hi {
				t.Fatalf("Backoff(%v, %v)(%d) = %v, want within [%v, %v]", tc.first, tc.limit, tc.n, d, tc.lo, tc.hi)
			}
		}
	}
}

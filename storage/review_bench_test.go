package storage

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sohoa/sohoa/models"
)

// BenchmarkClaimSubmit has 50 verifiers claim and submit review items at
// once, without pause, and reports the median and p99 latency of a claim
// and of a submit (target: p99 under 50 ms each). In conns=50 each
// verifier has a connection of its own (a pool of 50); in conns=8 the 50
// share a pool of 8, as requests to the web service share its pool. In
// warm the timed claims run on a serving pool: every connection is open
// and each verifier has claimed and submitted a few items before timing
// starts (statements prepared, the backends' caches filled). In cold,
// timing starts with a new, empty pool, so the first claims and submits
// also pay for opening a connection and preparing statements.
func BenchmarkClaimSubmit(b *testing.B) {
	if env.adminURL == "" {
		b.Skip("SOHOA_DATABASE_URL is not set")
	}
	b.Run("conns=50/warm", func(b *testing.B) { benchClaimSubmit(b, 50, 5) })
	b.Run("conns=50/cold", func(b *testing.B) { benchClaimSubmit(b, 50, 0) })
	b.Run("conns=8/warm", func(b *testing.B) { benchClaimSubmit(b, 8, 5) })
}

// benchClaimSubmit runs the benchmark on a pool of conns connections,
// after warmup untimed claims and submits per verifier (0: none, and a
// cold pool).
func benchClaimSubmit(b *testing.B, conns int32, warmup int) {
	const verifiers = 50
	cfg, err := pgxpool.ParseConfig(env.adminURL)
	if err != nil {
		b.Fatal(err)
	}
	cfg.ConnConfig.Database = env.dbName
	cfg.MaxConns = conns
	pool, err := pgxpool.NewWithConfig(b.Context(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	s := New(pool)
	old, err := s.GetReviewSettings(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	if err := s.SetReviewSettings(b.Context(), ReviewSettings{DoubleEntry: false}); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.SetReviewSettings(context.Background(), old) })
	batch, _ := reviewBatch(b, s, b.N+verifiers*warmup, models.StatusReview, "")
	users := make(chan User, verifiers)
	for range verifiers {
		users <- quickUser(b, s, UserVerifier)
	}
	// cycle claims an item for u and submits it, and returns how long each
	// took (ok false when nothing was left to claim).
	cycle := func(u User) (claim, submit time.Duration, ok bool, err error) {
		t0 := time.Now()
		it, err := s.ClaimReview(b.Context(), u.ID, ClaimOptions{BatchID: batch, Kinds: KindsFor(u.Role)})
		t1 := time.Now()
		if errors.Is(err, ErrNotFound) {
			return 0, 0, false, nil
		}
		if err != nil {
			return 0, 0, false, err
		}
		_, err = s.SubmitReview(b.Context(), ReviewSubmission{ItemID: it.ID, UserID: u.ID, Actor: u.Username,
			Values: map[string]*string{"full_name": strp("Trần Văn Bình")}})
		return t1.Sub(t0), time.Since(t1), err == nil, err
	}
	if warmup > 0 {
		var wg sync.WaitGroup
		for range verifiers {
			u := <-users
			wg.Go(func() {
				defer func() { users <- u }()
				for range warmup {
					if _, _, _, err := cycle(u); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
	}
	var mu sync.Mutex
	var claims, submits []time.Duration
	b.SetParallelism((verifiers + 1) / 2) // × GOMAXPROCS goroutines, 2 cores here
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		u := <-users
		var c, sub []time.Duration
		for pb.Next() {
			dc, ds, ok, err := cycle(u)
			if err != nil {
				b.Error(err)
				return
			}
			if ok {
				c, sub = append(c, dc), append(sub, ds)
			}
		}
		mu.Lock()
		claims, submits = append(claims, c...), append(submits, sub...)
		mu.Unlock()
	})
	b.StopTimer()
	b.ReportMetric(quantile(claims, 50), "claim-p50-ms")
	b.ReportMetric(quantile(claims, 99), "claim-p99-ms")
	b.ReportMetric(quantile(submits, 50), "submit-p50-ms")
	b.ReportMetric(quantile(submits, 99), "submit-p99-ms")
}

// quantile returns the q-th percentile of d in milliseconds.
func quantile(d []time.Duration, q int) float64 {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return float64(d[len(d)*q/100].Microseconds()) / 1000
}

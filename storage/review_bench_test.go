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
// once, each on its own connection, and reports the p99 latency of a claim
// and of a submit (target: under 50 ms each).
func BenchmarkClaimSubmit(b *testing.B) {
	if env.adminURL == "" {
		b.Skip("SOHOA_DATABASE_URL is not set")
	}
	const verifiers = 50
	cfg, err := pgxpool.ParseConfig(env.adminURL)
	if err != nil {
		b.Fatal(err)
	}
	cfg.ConnConfig.Database = env.dbName
	cfg.MaxConns = verifiers
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
	batch, _ := reviewBatch(b, s, b.N, models.StatusReview, "")
	users := make(chan User, verifiers)
	for range verifiers {
		users <- quickUser(b, s, UserVerifier)
	}
	var mu sync.Mutex
	var claims, submits []time.Duration
	b.SetParallelism((verifiers + 1) / 2) // × GOMAXPROCS goroutines, 2 cores here
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		u := <-users
		var c, sub []time.Duration
		for pb.Next() {
			t0 := time.Now()
			it, err := s.ClaimReview(b.Context(), u.ID, ClaimOptions{BatchID: batch, Kinds: KindsFor(u.Role)})
			t1 := time.Now()
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				b.Error(err)
				return
			}
			_, err = s.SubmitReview(b.Context(), ReviewSubmission{ItemID: it.ID, UserID: u.ID, Actor: u.Username,
				Values: map[string]*string{"full_name": strp("Trần Văn Bình")}})
			t2 := time.Now()
			if err != nil {
				b.Error(err)
				return
			}
			c, sub = append(c, t1.Sub(t0)), append(sub, t2.Sub(t1))
		}
		mu.Lock()
		claims, submits = append(claims, c...), append(submits, sub...)
		mu.Unlock()
	})
	b.StopTimer()
	b.ReportMetric(p99(claims), "claim-p99-ms")
	b.ReportMetric(p99(submits), "submit-p99-ms")
}

func p99(d []time.Duration) float64 {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return float64(d[len(d)*99/100].Microseconds()) / 1000
}

package storage

import (
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sohoa/sohoa/models"
)

var errRollback = errors.New("roll back on purpose")

// TestListRecordsCursorConcurrentWriters: writers draw change numbers
// without waiting for each other and commit out of order (some roll
// back), while a reader pages through the batch with a cursor. The reader
// must see every committed record exactly once, in increasing change_seq,
// and none that was rolled back.
func TestListRecordsCursorConcurrentWriters(t *testing.T) {
	s, _ := testStore(t)
	ctx := t.Context()
	b := newBatch(t, s)
	const writers, saves = 4, 12
	var mu sync.Mutex
	committed := map[string]bool{}
	var wg sync.WaitGroup
	for w := range writers {
		page := newPage(t, s, b.ID)
		rng := rand.New(rand.NewPCG(uint64(w), 7))
		wg.Go(func() {
			var recs []models.Record // the page's records so far
			for i := range saves {
				next := append(recs[:len(recs):len(recs)], testRecord(i, models.StatusAccepted))
				rollback := rng.IntN(4) == 0
				err := s.WithTx(ctx, func(tx *Store) error {
					if err := tx.SaveRecords(ctx, page.ID, next); err != nil {
						return err
					}
					// Hold the transaction, and its change numbers, open.
					time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond)
					if rollback {
						return errRollback
					}
					return nil
				})
				if rollback && errors.Is(err, errRollback) {
					continue
				}
				if err != nil {
					t.Error(err)
					return
				}
				recs = next
				mu.Lock()
				committed[next[len(next)-1].ID] = true
				mu.Unlock()
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()

	seen := map[string]int64{}
	var after int64
	read := func() int {
		t.Helper()
		page, err := s.ListRecords(ctx, ListRecordsOptions{BatchID: b.ID, AfterSeq: after, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page {
			if r.ChangeSeq <= after {
				t.Fatalf("change_seq %d after cursor %d", r.ChangeSeq, after)
			}
			if seq, ok := seen[r.ID]; ok {
				t.Errorf("record %s seen twice (change_seq %d, then %d)", r.ID, seq, r.ChangeSeq)
			}
			seen[r.ID], after = r.ChangeSeq, r.ChangeSeq
		}
		return len(page)
	}
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
			read()
		}
	}
	for read() > 0 {
	}
	mu.Lock()
	defer mu.Unlock()
	if len(committed) < writers {
		t.Fatalf("only %d saves committed", len(committed))
	}
	for id := range committed {
		if _, ok := seen[id]; !ok {
			t.Errorf("cursor missed committed record %s", id)
		}
	}
	for id := range seen {
		if !committed[id] {
			t.Errorf("cursor saw record %s that was not committed", id)
		}
	}
}

// TestChangeHorizonNeedsReadCommitted: under a transaction snapshot the
// wait for writers would not show what they commit, so it is refused.
func TestChangeHorizonNeedsReadCommitted(t *testing.T) {
	_, pool := testStore(t)
	ctx := t.Context()
	tx, err := pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	var h int64
	if err := tx.QueryRow(ctx, `SELECT records_change_horizon()`).Scan(&h); pgCode(err) != "0A000" {
		t.Errorf("horizon in a repeatable read transaction: %v, want SQLSTATE 0A000", err)
	}
}

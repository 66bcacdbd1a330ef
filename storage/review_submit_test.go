package storage

import (
	"errors"
	"testing"

	"github.com/sohoa/sohoa/models"
)

// TestSubmitReviewInTransaction: inside WithTx, SubmitReview works on a
// savepoint: a refused submit leaves the transaction usable, and the
// transaction's rollback undoes a submit.
func TestSubmitReviewInTransaction(t *testing.T) {
	s, _ := testStore(t)
	ctx := t.Context()
	withSettings(t, s, ReviewSettings{SampleRate: 0, DoubleEntry: false})
	batch, recs := reviewBatch(t, s, 2, models.StatusReview, "")
	u, other := quickUser(t, s, UserVerifier), quickUser(t, s, UserVerifier)
	opts := ClaimOptions{BatchID: batch, Kinds: KindsFor(u.Role)}
	first, err := s.ClaimReview(ctx, u.ID, opts)
	if err != nil {
		t.Fatal(err)
	}
	sub := ReviewSubmission{ItemID: first.ID, UserID: u.ID, Actor: u.Username,
		Values: map[string]*string{"full_name": strp("Lê Văn Tám")}}

	errUndo := errors.New("undo")
	err = s.WithTx(ctx, func(tx *Store) error {
		if _, err := tx.SubmitReview(ctx, sub); err != nil {
			return err
		}
		return errUndo
	})
	if !errors.Is(err, errUndo) {
		t.Fatalf("WithTx: %v", err)
	}
	if it, err := s.GetReviewItem(ctx, first.ID); err != nil || it.Done() {
		t.Fatalf("after rollback: item %+v, %v; want it open", it, err)
	}

	err = s.WithTx(ctx, func(tx *Store) error {
		wrong := sub
		wrong.UserID, wrong.Actor = other.ID, other.Username
		if _, err := tx.SubmitReview(ctx, wrong); !errors.Is(err, ErrConflict) {
			t.Errorf("submit by another user: %v, want ErrConflict", err)
		}
		bad := sub
		bad.Values = map[string]*string{"no_such_field": nil}
		if _, err := tx.SubmitReview(ctx, bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("submit of an unknown field: %v, want ErrInvalid", err)
		}
		out, err := tx.SubmitReview(ctx, sub)
		if err == nil && (out.RecordStatus != models.StatusVerified || out.Changed != 1) {
			t.Errorf("outcome %+v", out)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := s.GetRecord(ctx, recs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Status != models.StatusVerified || *rec.Fields["full_name"].Value != "Lê Văn Tám" {
		t.Errorf("record after the committed submit: %+v", rec)
	}
	trail, err := s.ListAudit(ctx, recs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(trail) != 2 {
		t.Errorf("audit trail has %d entries, want 2 (value, status): %+v", len(trail), trail)
	}
}

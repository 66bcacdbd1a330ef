package storage

import (
	"errors"
	"testing"

	"github.com/sohoa/sohoa/models"
)

// TestClaimReviewOrder: free items (never claimed, given back, or whose
// lease ran out) are taken in id order, whichever index they come from,
// and a live claim comes back to its holder.
func TestClaimReviewOrder(t *testing.T) {
	s, _ := testStore(t)
	ctx := t.Context()
	withSettings(t, s, ReviewSettings{SampleRate: 0, DoubleEntry: false})
	batch, _ := reviewBatch(t, s, 4, models.StatusReview, "")
	opts := ClaimOptions{BatchID: batch, Kinds: KindsFor(UserVerifier)}
	users := make([]User, 7)
	for i := range users {
		users[i] = quickUser(t, s, UserVerifier)
	}
	claim := func(u User) ReviewItem {
		t.Helper()
		it, err := s.ClaimReview(ctx, u.ID, opts)
		if err != nil {
			t.Fatal(err)
		}
		return it
	}
	var items [4]ReviewItem
	for i := range 3 {
		items[i] = claim(users[i])
	}
	if items[0].ID >= items[1].ID || items[1].ID >= items[2].ID {
		t.Fatalf("first claims out of order: %d, %d, %d", items[0].ID, items[1].ID, items[2].ID)
	}
	// Item 0 is given back, item 1's lease runs out, item 2's lease is live.
	if err := s.ReleaseReview(ctx, items[0].ID, users[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(ctx, `UPDATE review_items SET lease_until = now() - interval '1 second' WHERE id = $1`,
		items[1].ID); err != nil {
		t.Fatal(err)
	}
	if got := claim(users[3]); got.ID != items[0].ID || got.Claims != 2 {
		t.Errorf("after a release: claimed %d (claims %d), want %d (claims 2)", got.ID, got.Claims, items[0].ID)
	}
	if got := claim(users[4]); got.ID != items[1].ID || got.Claims != 2 {
		t.Errorf("after a lapse: claimed %d (claims %d), want %d (claims 2)", got.ID, got.Claims, items[1].ID)
	}
	// The holder of a live claim gets it back, renewed, not counted again.
	if got := claim(users[2]); got.ID != items[2].ID || got.Claims != 1 || !got.LeaseUntil.After(items[2].LeaseUntil) {
		t.Errorf("holder's claim again: %+v, want item %d renewed", got, items[2].ID)
	}
	items[3] = claim(users[5])
	if items[3].ID <= items[2].ID {
		t.Errorf("last item %d, want after %d", items[3].ID, items[2].ID)
	}
	if _, err := s.ClaimReview(ctx, users[6].ID, opts); !errors.Is(err, ErrNotFound) {
		t.Errorf("claim with every item held: %v, want ErrNotFound", err)
	}
}

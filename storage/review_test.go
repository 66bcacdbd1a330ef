package storage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/sohoa/sohoa/models"
)

// fakeHash is a well-formed bcrypt hash of no known password: users made
// with it (quickly, without bcrypt's cost) cannot log in.
const fakeHash = "$2a$12$RQ4nbWRwBMk3.U9SgyssgOZ3RORCxMZxoW3IDIp8.Kk9oh9z4g67K"

// quickUser inserts a user directly, skipping the password hash's cost.
func quickUser(tb testing.TB, s *Store, role UserRole) User {
	tb.Helper()
	u, err := scanUser(s.db.QueryRow(tb.Context(), `INSERT INTO users AS u (username, role, password_hash)
		VALUES ($1, $2, $3) RETURNING `+userColumns, "u-"+randomHex(6), string(role), fakeHash))
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// reviewBatch saves n records of one new batch's page with status and
// returns the batch id and the records.
func reviewBatch(tb testing.TB, s *Store, n int, status models.Status, book string) (string, []models.Record) {
	tb.Helper()
	ctx := tb.Context()
	b, err := s.CreateBatch(ctx, NewBatch{Name: tb.Name(), BookNumber: book, RegisterType: "birth"})
	if err != nil {
		tb.Fatal(err)
	}
	sum := hashSecret(uuid.NewString())
	hexSum := fmt.Sprintf("%x", sum)
	p, err := s.AddPage(ctx, NewPage{BatchID: b.ID, ObjectKey: OriginalKey(hexSum), SHA256: hexSum})
	if err != nil {
		tb.Fatal(err)
	}
	recs := make([]models.Record, n)
	for i := range recs {
		recs[i] = models.Record{ID: uuid.NewString(), EntryIndex: i, RegisterType: models.Birth, Status: status,
			Fields: map[string]models.Field{
				"full_name":   {Value: strp("Nguyễn Thị Vân"), Status: models.StatusReview, BBox: models.BBox{10, 10, 100, 30}},
				"birth_place": {Value: strp("Hà Nội"), Status: models.StatusAccepted},
			}}
	}
	if err := s.SaveRecords(ctx, p.ID, recs); err != nil {
		tb.Fatal(err)
	}
	return b.ID, recs
}

// withSettings sets the review settings for the test and restores them.
func withSettings(t *testing.T, s *Store, rs ReviewSettings) {
	t.Helper()
	old, err := s.GetReviewSettings(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetReviewSettings(t.Context(), rs); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.SetReviewSettings(context.Background(), old); err != nil {
			t.Error(err)
		}
	})
}

func TestClaimReviewConcurrentNoDoubleClaim(t *testing.T) {
	s, _ := testStore(t)
	withSettings(t, s, ReviewSettings{SampleRate: 0, DoubleEntry: false})
	const records, verifiers = 60, 12
	batch, _ := reviewBatch(t, s, records, models.StatusReview, "")

	var mu sync.Mutex
	claimedBy := map[int64][]string{}
	var wg sync.WaitGroup
	errs := make(chan error, verifiers)
	for range verifiers {
		u := quickUser(t, s, UserVerifier)
		wg.Go(func() {
			for {
				it, err := s.ClaimReview(t.Context(), u.ID, ClaimOptions{BatchID: batch, Kinds: KindsFor(u.Role)})
				if errors.Is(err, ErrNotFound) {
					return
				}
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				claimedBy[it.ID] = append(claimedBy[it.ID], u.ID)
				mu.Unlock()
				if _, err := s.SubmitReview(t.Context(), ReviewSubmission{ItemID: it.ID, UserID: u.ID, Actor: u.Username}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(claimedBy) != records {
		t.Errorf("%d items claimed, want %d", len(claimedBy), records)
	}
	for id, users := range claimedBy {
		if len(users) != 1 {
			t.Errorf("item %d claimed by %d verifiers", id, len(users))
		}
	}
	p, err := s.ReviewProgress(t.Context(), batch, "")
	if err != nil {
		t.Fatal(err)
	}
	if p.BatchTotal != records || p.BatchDone != records {
		t.Errorf("progress %+v, want %d of %d done", p, records, records)
	}
	list, err := s.ListRecords(t.Context(), ListRecordsOptions{BatchID: batch, Status: models.StatusVerified, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != records {
		t.Errorf("%d records verified, want %d", len(list), records)
	}
}

func TestClaimReviewLeaseAndFilters(t *testing.T) {
	s, _ := testStore(t)
	ctx := t.Context()
	batch, recs := reviewBatch(t, s, 1, models.StatusReview, "Q-07")
	a, b := quickUser(t, s, UserVerifier), quickUser(t, s, UserVerifier)
	opts := ClaimOptions{BatchID: batch, Kinds: KindsFor(UserVerifier)}

	it, err := s.ClaimReview(ctx, a.ID, opts)
	if err != nil {
		t.Fatal(err)
	}
	if it.RecordID != recs[0].ID || it.Kind != KindReview || it.ClaimedBy != a.ID || it.BookNumber != "Q-07" {
		t.Fatalf("claimed %+v", it)
	}
	if _, err := s.ClaimReview(ctx, b.ID, opts); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second verifier claimed a leased item: %v", err)
	}
	again, err := s.ClaimReview(ctx, a.ID, opts)
	if err != nil || again.ID != it.ID {
		t.Fatalf("holder's claim again = %+v, %v; want its own item back", again, err)
	}
	// The holder walks away: its lease runs out.
	if _, err := s.db.Exec(ctx, `UPDATE review_items SET lease_until = now() - interval '1 second' WHERE id = $1`, it.ID); err != nil {
		t.Fatal(err)
	}
	got, err := s.ClaimReview(ctx, b.ID, opts)
	if err != nil || got.ID != it.ID || got.Claims != 2 {
		t.Fatalf("after expiry: %+v, %v; want item %d claimed a second time", got, err, it.ID)
	}
	if _, err := s.SubmitReview(ctx, ReviewSubmission{ItemID: it.ID, UserID: a.ID, Actor: a.Username}); !errors.Is(err, ErrConflict) {
		t.Errorf("submit by the lapsed holder: %v, want ErrConflict", err)
	}

	for _, tc := range []struct {
		name string
		opts ClaimOptions
	}{
		{"other book", ClaimOptions{BatchID: batch, BookNumber: "Q-08", Kinds: opts.Kinds}},
		{"other register type", ClaimOptions{BatchID: batch, RegisterType: "death", Kinds: opts.Kinds}},
		{"arbitrate only", ClaimOptions{BatchID: batch, Kinds: []ReviewKind{KindArbitrate}}},
	} {
		c := quickUser(t, s, UserArbitrator)
		if err := s.ReleaseReview(ctx, it.ID, b.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ClaimReview(ctx, c.ID, tc.opts); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: claim = %v, want ErrNotFound", tc.name, err)
		}
		// Give it back to b for the next case.
		if _, err := s.ClaimReview(ctx, b.ID, opts); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.ClaimReview(ctx, a.ID, ClaimOptions{Kinds: []ReviewKind{"bogus"}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("bogus kind: %v", err)
	}
}

func TestSubmitReviewDoubleEntryAndArbitration(t *testing.T) {
	s, _ := testStore(t)
	ctx := t.Context()
	withSettings(t, s, ReviewSettings{SampleRate: 0, DoubleEntry: true})
	batch, recs := reviewBatch(t, s, 1, models.StatusReview, "")
	first, second := quickUser(t, s, UserVerifier), quickUser(t, s, UserVerifier)
	arb := quickUser(t, s, UserArbitrator)
	opts := func(u User) ClaimOptions { return ClaimOptions{BatchID: batch, Kinds: KindsFor(u.Role)} }

	it, err := s.ClaimReview(ctx, first.ID, opts(first))
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.SubmitReview(ctx, ReviewSubmission{ItemID: it.ID, UserID: first.ID, Actor: first.Username,
		Values:   map[string]*string{"full_name": strp("Nguyễn Thị Vấn"), "birth_place": nil},
		Critical: []string{"full_name", "date_of_birth"}})
	if err != nil {
		t.Fatal(err)
	}
	if out.FollowUp != KindDouble || out.RecordStatus != models.StatusReview || out.Changed != 2 {
		t.Fatalf("first review: %+v", out)
	}
	if _, err := s.SubmitReview(ctx, ReviewSubmission{ItemID: it.ID, UserID: first.ID, Actor: first.Username}); !errors.Is(err, ErrConflict) {
		t.Errorf("second submit of a done item: %v", err)
	}
	// The first verifier never gets the blind second keying.
	if _, err := s.ClaimReview(ctx, first.ID, opts(first)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("first verifier claimed its own double entry: %v", err)
	}
	dbl, err := s.ClaimReview(ctx, second.ID, opts(second))
	if err != nil {
		t.Fatal(err)
	}
	if dbl.Kind != KindDouble || !slices.Equal(dbl.Keys, []string{"full_name"}) {
		t.Fatalf("double item %+v", dbl)
	}
	if _, err := s.SubmitReview(ctx, ReviewSubmission{ItemID: dbl.ID, UserID: second.ID, Actor: second.Username,
		Values: map[string]*string{"birth_place": strp("x")}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("keying a field outside the item: %v", err)
	}
	out, err = s.SubmitReview(ctx, ReviewSubmission{ItemID: dbl.ID, UserID: second.ID, Actor: second.Username,
		Values: map[string]*string{"full_name": strp("Nguyễn Thị Vân")}})
	if err != nil {
		t.Fatal(err)
	}
	if out.FollowUp != KindArbitrate || !slices.Equal(out.Disagreements, []string{"full_name"}) {
		t.Fatalf("disagreeing second keying: %+v", out)
	}
	if _, err := s.ClaimReview(ctx, second.ID, opts(second)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a verifier claimed arbitration: %v", err)
	}
	arbItem, err := s.ClaimReview(ctx, arb.ID, opts(arb))
	if err != nil {
		t.Fatal(err)
	}
	if c := arbItem.Candidates["full_name"]; arbItem.Kind != KindArbitrate || len(c) != 2 || *c[0] != "Nguyễn Thị Vấn" || *c[1] != "Nguyễn Thị Vân" {
		t.Fatalf("arbitrate item %+v", arbItem)
	}
	out, err = s.SubmitReview(ctx, ReviewSubmission{ItemID: arbItem.ID, UserID: arb.ID, Actor: arb.Username,
		Values: map[string]*string{"full_name": strp("Nguyễn Thị Vân")}})
	if err != nil || out.RecordStatus != models.StatusVerified {
		t.Fatalf("arbitration: %+v, %v", out, err)
	}
	rec, err := s.GetRecord(ctx, recs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Status != models.StatusVerified || *rec.Fields["full_name"].Value != "Nguyễn Thị Vân" ||
		rec.Fields["birth_place"].Value != nil || rec.Fields["full_name"].Status != models.StatusVerified {
		t.Errorf("record after arbitration: %+v", rec)
	}
	trail, err := s.ListAudit(ctx, recs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range trail {
		got = append(got, fmt.Sprintf("%s %s %s %s→%s", e.Actor, e.Field, e.Reason, deref(e.Old), deref(e.New)))
	}
	want := []string{
		first.Username + " birth_place unreadable Hà Nội→<nil>",
		first.Username + " full_name review Nguyễn Thị Vân→Nguyễn Thị Vấn",
		arb.Username + " full_name arbitration Nguyễn Thị Vấn→Nguyễn Thị Vân",
		arb.Username + "  arbitration review→verified",
	}
	if !slices.Equal(got, want) {
		t.Errorf("audit trail:\n got %q\nwant %q", got, want)
	}
}

func deref(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

func TestSubmitReviewRejectsPage(t *testing.T) {
	s, _ := testStore(t)
	ctx := t.Context()
	batch, recs := reviewBatch(t, s, 3, models.StatusReview, "")
	u := quickUser(t, s, UserVerifier)
	it, err := s.ClaimReview(ctx, u.ID, ClaimOptions{BatchID: batch, Kinds: KindsFor(u.Role)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SubmitReview(ctx, ReviewSubmission{ItemID: it.ID, UserID: u.ID, Actor: u.Username, Reject: "torn"}); err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		rec, err := s.GetRecord(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Status != models.StatusRejected || rec.Error != ReasonRejectPage+"torn" {
			t.Errorf("record %d: status %s error %q", r.EntryIndex, rec.Status, rec.Error)
		}
		trail, err := s.ListAudit(ctx, r.ID)
		if err != nil || len(trail) != 1 || *trail[0].Old != "review" || *trail[0].New != "rejected" {
			t.Errorf("record %d audit %+v, %v", r.EntryIndex, trail, err)
		}
	}
	if _, err := s.ClaimReview(ctx, u.ID, ClaimOptions{BatchID: batch, Kinds: KindsFor(u.Role)}); !errors.Is(err, ErrNotFound) {
		t.Errorf("items of a rejected page still claimable: %v", err)
	}
}

func TestQualitySampling(t *testing.T) {
	s, _ := testStore(t)
	ctx := t.Context()
	withSettings(t, s, ReviewSettings{SampleRate: 1, DoubleEntry: true})
	batch, recs := reviewBatch(t, s, 2, models.StatusAccepted, "")
	q, err := s.ReviewQuality(ctx, batch)
	if err != nil || q.PendingSamples != 2 || q.Fields != 0 || q.Budget != QualityBudget {
		t.Fatalf("before sampling: %+v, %v", q, err)
	}
	u := quickUser(t, s, UserVerifier)
	keyed := []map[string]*string{
		{"full_name": strp("Nguyễn Thị  Vân"), "birth_place": strp("Hà Nội")}, // agrees (spacing aside)
		{"full_name": strp("Nguyễn Thị Vân"), "birth_place": strp("Hà Tây")},  // one error
	}
	for i := range recs {
		it, err := s.ClaimReview(ctx, u.ID, ClaimOptions{BatchID: batch, Kinds: KindsFor(u.Role)})
		if err != nil {
			t.Fatal(err)
		}
		if it.Kind != KindSample {
			t.Fatalf("kind %s, want sample", it.Kind)
		}
		if _, err := s.SubmitReview(ctx, ReviewSubmission{ItemID: it.ID, UserID: u.ID, Actor: u.Username,
			Values: keyed[i], Critical: []string{"full_name"}}); err != nil {
			t.Fatal(err)
		}
	}
	q, err = s.ReviewQuality(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	if q.SampledRecords != 2 || q.Fields != 4 || q.Errors != 1 || q.Rate != 0.25 || q.WithinBudget() {
		t.Errorf("quality %+v", q)
	}
	// The disagreement goes to an arbitrator; the records stay accepted.
	arb := quickUser(t, s, UserArbitrator)
	it, err := s.ClaimReview(ctx, arb.ID, ClaimOptions{BatchID: batch, Kinds: KindsFor(arb.Role)})
	if err != nil || it.Kind != KindArbitrate || !slices.Equal(it.Keys, []string{"birth_place"}) {
		t.Fatalf("arbitration of the sample: %+v, %v", it, err)
	}
	rec, err := s.GetRecord(ctx, it.RecordID)
	if err != nil || rec.Status != models.StatusAccepted {
		t.Errorf("sampled record: %v, %v", rec.Status, err)
	}
}

func TestUsersAndSessions(t *testing.T) {
	s, _ := testStore(t)
	ctx := t.Context()
	name := "lan-" + randomHex(3)
	u, err := s.CreateUser(ctx, name, UserVerifier, "mật-khẩu-dài")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		user, role, pass string
		want             error
	}{
		{name, "verifier", "mật-khẩu-dài", ErrDuplicate},
		{"Bad Name", "verifier", "long-enough", ErrInvalid},
		{"ok-" + randomHex(3), "loader", "long-enough", ErrInvalid},
		{"ok-" + randomHex(3), "verifier", "short", ErrInvalid},
	} {
		if _, err := s.CreateUser(ctx, tc.user, UserRole(tc.role), tc.pass); !errors.Is(err, tc.want) {
			t.Errorf("CreateUser(%q, %q): %v, want %v", tc.user, tc.role, err, tc.want)
		}
	}
	if _, err := s.Login(ctx, name, "sai", 0); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("wrong password: %v", err)
	}
	if _, err := s.Login(ctx, "nobody-"+randomHex(3), "mật-khẩu-dài", 0); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("unknown user: %v", err)
	}
	sess, err := s.Login(ctx, name, "mật-khẩu-dài", 3600e9)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.GetSession(ctx, sess.Secret)
	if err != nil || got.User.ID != u.ID || got.CSRF != sess.CSRF || got.CSRF == "" {
		t.Fatalf("session %+v, %v", got, err)
	}
	if _, err := s.SetUserDisabled(ctx, name, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetSession(ctx, sess.Secret); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("session of a disabled user: %v", err)
	}
	if _, err := s.Login(ctx, name, "mật-khẩu-dài", 3600e9); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("login of a disabled user: %v", err)
	}
	if _, err := s.SetUserDisabled(ctx, "nobody-"+randomHex(3), true); !errors.Is(err, ErrNotFound) {
		t.Errorf("disable unknown: %v", err)
	}
}

// TestReviewProgressAndItemRecord checks the counters of the review pages,
// for a batch and for all, and the item read with its record.
func TestReviewProgressAndItemRecord(t *testing.T) {
	s, _ := testStore(t)
	withSettings(t, s, ReviewSettings{SampleRate: 0, DoubleEntry: false})
	ctx := t.Context()
	batch, _ := reviewBatch(t, s, 5, models.StatusReview, "")
	other, _ := reviewBatch(t, s, 2, models.StatusReview, "")
	a, b := quickUser(t, s, UserVerifier), quickUser(t, s, UserVerifier)
	submit := func(u User, batch string) {
		t.Helper()
		it, err := s.ClaimReview(ctx, u.ID, ClaimOptions{BatchID: batch, Kinds: KindsFor(u.Role)})
		if err != nil {
			t.Fatal(err)
		}
		got, rec, err := s.GetReviewItemRecord(ctx, it.ID)
		if err != nil || got.ID != it.ID || got.ClaimedBy != u.ID || rec.ID != it.RecordID ||
			rec.Fields["full_name"].Value == nil || *rec.Fields["full_name"].Value != "Nguyễn Thị Vân" {
			t.Fatalf("item %d with its record: %+v, %+v, %v", it.ID, got, rec, err)
		}
		if _, err := s.SubmitReview(ctx, ReviewSubmission{ItemID: it.ID, UserID: u.ID, Actor: u.Username}); err != nil {
			t.Fatal(err)
		}
	}
	submit(a, batch)
	submit(a, batch)
	submit(b, batch)
	submit(a, other)
	for _, tc := range []struct {
		batch, user string
		want        ReviewProgress
	}{
		{batch, a.ID, ReviewProgress{BatchTotal: 5, BatchDone: 3, UserDone: 3, UserToday: 3}},
		{batch, b.ID, ReviewProgress{BatchTotal: 5, BatchDone: 3, UserDone: 1, UserToday: 1}},
		{other, "", ReviewProgress{BatchTotal: 2, BatchDone: 1}},
	} {
		if got, err := s.ReviewProgress(ctx, tc.batch, tc.user); err != nil || got != tc.want {
			t.Errorf("progress of batch %s, user %q: %+v, %v; want %+v", tc.batch, tc.user, got, err, tc.want)
		}
	}
	all, err := s.ReviewProgress(ctx, "", a.ID)
	if err != nil || all.BatchTotal < 7 || all.BatchDone < 4 || all.UserDone != 3 || all.UserToday != 3 {
		t.Errorf("progress of all batches for a: %+v, %v", all, err)
	}
	if _, _, err := s.GetReviewItemRecord(ctx, -1); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown item: %v, want ErrNotFound", err)
	}
}

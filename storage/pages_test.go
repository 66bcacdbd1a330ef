package storage

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sohoa/sohoa/models"
)

func newBatch(t *testing.T, s *Store) Batch {
	t.Helper()
	b, err := s.CreateBatch(t.Context(), NewBatch{Name: t.Name()})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// randomSum returns the SHA-256 of fresh random bytes: a page no other test
// (or earlier run against the same database) uses.
func randomSum(t *testing.T) string {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func newPage(t *testing.T, s *Store, batchID string) Page {
	t.Helper()
	sum := randomSum(t)
	p, err := s.AddPage(t.Context(), NewPage{BatchID: batchID, ObjectKey: OriginalKey(sum), Source: "p.jpg", SHA256: sum})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustMove(t *testing.T, s *Store, id string, from, to PageState) Page {
	t.Helper()
	p, err := s.SetPageState(t.Context(), id, from, to)
	if err != nil {
		t.Fatalf("%s → %s: %v", from, to, err)
	}
	return p
}

func TestAddPageDuplicate(t *testing.T) {
	s, _ := testStore(t)
	ctx := t.Context()
	b1, b2 := newBatch(t, s), newBatch(t, s)
	sum := randomSum(t)
	first, err := s.AddPage(ctx, NewPage{BatchID: b1.ID, ObjectKey: OriginalKey(sum), Source: "scans/p0001.jpg", SHA256: sum})
	if err != nil {
		t.Fatal(err)
	}
	if first.State != PageUploaded || first.BatchID != b1.ID || first.SHA256 != sum || first.Source != "scans/p0001.jpg" {
		t.Errorf("new page = %+v", first)
	}

	// The same image again, even in another batch, is the same page.
	again, err := s.AddPage(ctx, NewPage{BatchID: b2.ID, ObjectKey: OriginalKey(sum), Source: "copy.jpg", SHA256: sum})
	if !errors.Is(err, ErrDuplicate) {
		t.Fatalf("second AddPage: %v, want ErrDuplicate", err)
	}
	var dup *DuplicateError
	if !errors.As(err, &dup) || dup.Existing.ID != first.ID {
		t.Errorf("DuplicateError = %v, want existing page %s", err, first.ID)
	}
	if again.ID != first.ID || again.BatchID != b1.ID {
		t.Errorf("AddPage returned %+v with the duplicate error, want the first page", again)
	}
	if bySum, err := s.GetPageBySHA256(ctx, sum); err != nil || bySum.ID != first.ID {
		t.Errorf("GetPageBySHA256 = %v, %v", bySum.ID, err)
	}

	tests := []struct {
		name string
		np   NewPage
		want error
	}{
		{"unknown batch", NewPage{BatchID: "0b7c3a4e-1f0e-4b8e-9a59-6c1d2e3f4a5b", ObjectKey: "k", SHA256: randomSum(t)}, ErrNotFound},
		{"malformed batch", NewPage{BatchID: "b1", ObjectKey: "k", SHA256: randomSum(t)}, ErrNotFound},
		{"upper-case hash", NewPage{BatchID: b1.ID, ObjectKey: "k", SHA256: "AB" + randomSum(t)[2:]}, ErrInvalid},
		{"short hash", NewPage{BatchID: b1.ID, ObjectKey: "k", SHA256: "abc"}, ErrInvalid},
		{"no object key", NewPage{BatchID: b1.ID, SHA256: randomSum(t)}, ErrInvalid},
	}
	for _, tt := range tests {
		if _, err := s.AddPage(ctx, tt.np); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	if _, err := s.GetPage(ctx, "0b7c3a4e-1f0e-4b8e-9a59-6c1d2e3f4a5b"); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetPage(unknown): %v, want ErrNotFound", err)
	}
}

func TestCanMoveTo(t *testing.T) {
	tests := []struct {
		from, to PageState
		want     bool
	}{
		{PageUploaded, PageCleaned, true},
		{PageCleaned, PageRecognized, true},
		{PageRecognized, PageExtracted, true},
		{PageExtracted, PageRouted, true},
		{PageUploaded, PageRecognized, false}, // skips a stage
		{PageCleaned, PageUploaded, false},    // backwards mid-pipeline
		{PageRouted, PageCleaned, false},
		{PageExtracted, PageFailed, true},
		{PageRouted, PageFailed, false},
		{PageFailed, PageFailed, false},
		{PageFailed, PageUploaded, true}, // retry
		{PageRouted, PageUploaded, true}, // re-run
		{PageUploaded, PageUploaded, false},
		{"bogus", PageCleaned, false},
		{PageUploaded, "bogus", false},
	}
	for _, tt := range tests {
		if got := tt.from.CanMoveTo(tt.to); got != tt.want {
			t.Errorf("%q.CanMoveTo(%q) = %v, want %v", tt.from, tt.to, got, tt.want)
		}
	}
}

func TestSetPageState(t *testing.T) {
	s, _ := testStore(t)
	ctx := t.Context()
	p := newPage(t, s, newBatch(t, s).ID)

	steps := []struct {
		from, to PageState
		want     error // nil, ErrConflict or ErrInvalid
		actual   PageState
	}{
		{PageUploaded, PageCleaned, nil, PageCleaned},
		// The same task delivered again: the page has moved on.
		{PageUploaded, PageCleaned, ErrConflict, PageCleaned},
		{PageCleaned, PageExtracted, ErrInvalid, PageCleaned},
		{PageCleaned, PageRecognized, nil, PageRecognized},
		{PageExtracted, PageRouted, ErrConflict, PageRecognized},
		{PageRecognized, PageExtracted, nil, PageExtracted},
		{PageExtracted, PageRouted, nil, PageRouted},
		{PageRouted, PageFailed, ErrInvalid, PageRouted},
		{PageRouted, PageUploaded, nil, PageUploaded},
	}
	for i, st := range steps {
		got, err := s.SetPageState(ctx, p.ID, st.from, st.to)
		switch {
		case st.want == nil && err != nil:
			t.Fatalf("step %d %s → %s: %v", i, st.from, st.to, err)
		case st.want == nil && got.State != st.to:
			t.Fatalf("step %d: state %s, want %s", i, got.State, st.to)
		case st.want != nil && !errors.Is(err, st.want):
			t.Fatalf("step %d %s → %s: %v, want %v", i, st.from, st.to, err, st.want)
		}
		if st.want == ErrConflict {
			var se *StateError
			if !errors.As(err, &se) || se.Actual != st.actual || se.Expected != st.from {
				t.Errorf("step %d: %#v, want StateError expected %s actual %s", i, err, st.from, st.actual)
			}
		}
		cur, err := s.GetPage(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if cur.State != st.actual {
			t.Fatalf("step %d: page is %s, want %s", i, cur.State, st.actual)
		}
	}
	if _, err := s.SetPageState(ctx, "0b7c3a4e-1f0e-4b8e-9a59-6c1d2e3f4a5b", PageUploaded, PageCleaned); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown page: %v, want ErrNotFound", err)
	}
}

func TestLeaseAndStuckPages(t *testing.T) {
	s, _ := testStore(t)
	ctx := t.Context()
	b := newBatch(t, s)
	idle, leased, done := newPage(t, s, b.ID), newPage(t, s, b.ID), newPage(t, s, b.ID)
	for _, from := range []PageState{PageUploaded, PageCleaned, PageRecognized, PageExtracted} {
		mustMove(t, s, done.ID, from, from.Next())
	}
	for range 2 {
		if _, err := s.LeasePage(ctx, leased.ID, PageUploaded, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	lp, err := s.GetPage(ctx, leased.ID)
	if err != nil {
		t.Fatal(err)
	}
	if lp.Attempts != 2 || lp.LeaseUntil.IsZero() {
		t.Errorf("leased twice: attempts %d, lease %v", lp.Attempts, lp.LeaseUntil)
	}
	if _, err := s.LeasePage(ctx, idle.ID, PageCleaned, time.Hour); !errors.Is(err, ErrConflict) {
		t.Errorf("lease in the wrong state: %v, want ErrConflict", err)
	}

	stuck := func(olderThan time.Duration) map[string]bool {
		t.Helper()
		pages, err := s.StuckPages(ctx, olderThan, 1000)
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]bool{}
		for _, p := range pages {
			ids[p.ID] = true
		}
		return ids
	}
	got := stuck(0)
	if !got[idle.ID] || got[leased.ID] || got[done.ID] {
		t.Errorf("StuckPages(0) = %v: want the idle page %s only, not the leased or routed one", got, idle.ID)
	}
	if got := stuck(24 * time.Hour); got[idle.ID] {
		t.Errorf("StuckPages(24h) reports a page that changed state just now")
	}

	// A successful move ends the lease and the attempt count.
	moved := mustMove(t, s, leased.ID, PageUploaded, PageCleaned)
	if moved.Attempts != 0 || !moved.LeaseUntil.IsZero() {
		t.Errorf("after the move: attempts %d, lease %v", moved.Attempts, moved.LeaseUntil)
	}
	if got := stuck(0); !got[leased.ID] {
		t.Errorf("page without a lease any more is not reported stuck")
	}
}

func TestFailPage(t *testing.T) {
	s, _ := testStore(t)
	ctx := t.Context()
	b := newBatch(t, s)
	p := newPage(t, s, b.ID)
	mustMove(t, s, p.ID, PageUploaded, PageCleaned)
	f, err := s.FailPage(ctx, p.ID, "tesseract: timeout")
	if err != nil {
		t.Fatal(err)
	}
	if f.State != PageFailed || f.LastError != "tesseract: timeout" {
		t.Errorf("failed page = %+v", f)
	}
	f2, err := s.FailPage(ctx, p.ID, "second delivery")
	if err != nil || f2.LastError != "second delivery" || !f2.StateChangedAt.Equal(f.StateChangedAt) {
		t.Errorf("failing again: %+v, %v", f2, err)
	}
	retried := mustMove(t, s, p.ID, PageFailed, PageUploaded)
	if retried.LastError != "" {
		t.Errorf("retried page keeps its error %q", retried.LastError)
	}

	routed := newPage(t, s, b.ID)
	for _, from := range []PageState{PageUploaded, PageCleaned, PageRecognized, PageExtracted} {
		mustMove(t, s, routed.ID, from, from.Next())
	}
	var se *StateError
	if _, err := s.FailPage(ctx, routed.ID, "late"); !errors.As(err, &se) || !errors.Is(err, ErrConflict) || se.Actual != PageRouted {
		t.Errorf("failing a routed page: %v, want a StateError (ErrConflict)", err)
	}
	if _, err := s.FailPage(ctx, "0b7c3a4e-1f0e-4b8e-9a59-6c1d2e3f4a5b", "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("failing an unknown page: %v, want ErrNotFound", err)
	}
}

func TestSimilarPages(t *testing.T) {
	s, _ := testStore(t)
	ctx := t.Context()
	b := newBatch(t, s)
	// The high bit set: the hash does not fit a signed bigint as is.
	base := uint64(0xF0E1D2C3B4A59687)
	near := base ^ 0b1011          // 3 bits apart
	far := base ^ 0xFFFF0000FFFF   // 32 bits apart
	other := base ^ (1<<63 | 1<<0) // 2 bits apart, set later
	add := func(h *uint64) Page {
		sum := randomSum(t)
		p, err := s.AddPage(ctx, NewPage{BatchID: b.ID, ObjectKey: OriginalKey(sum), SHA256: sum, DHash: h})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	p0, p1, p2, p3 := add(&base), add(&near), add(&far), add(nil)
	if p0.DHash == nil || *p0.DHash != base {
		t.Fatalf("dhash round trip: %v, want %x", p0.DHash, base)
	}
	if err := s.SetPageDHash(ctx, p3.ID, other); err != nil {
		t.Fatal(err)
	}
	got, err := s.SimilarPages(ctx, p0.ID, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != p3.ID || got[0].Distance != 2 || got[1].ID != p1.ID || got[1].Distance != 3 {
		t.Errorf("SimilarPages = %+v, want %s at 2 then %s at 3", got, p3.ID, p1.ID)
	}
	for _, sp := range got {
		if sp.ID == p2.ID || sp.ID == p0.ID {
			t.Errorf("SimilarPages returned %s", sp.ID)
		}
	}
	noHash := add(nil)
	if got, err := s.SimilarPages(ctx, noHash.ID, 5); err != nil || len(got) != 0 {
		t.Errorf("page without dhash: %v, %v", got, err)
	}
}

// TestSimilarPagesBanded: up to three bits apart the search goes through
// the indexes of the hash's 16-bit bands; it must find what reading every
// hash finds, also when the changed bits are spread over three bands, and
// not what is four bits apart in four bands.
func TestSimilarPagesBanded(t *testing.T) {
	s, _ := testStore(t)
	ctx := t.Context()
	b := newBatch(t, s)
	base := uint64(0x8000_7FFF_0001_FFFE) // every band with a sign or edge bit
	bit := func(band, i int) uint64 { return 1 << (16*band + i) }
	hashes := map[string]uint64{
		"same":                  base,
		"1 bit, band 3":         base ^ bit(3, 15),
		"2 bits, bands 0 and 3": base ^ bit(0, 0) ^ bit(3, 0),
		"3 bits, bands 0-2":     base ^ bit(0, 5) ^ bit(1, 5) ^ bit(2, 5),
		"3 bits, bands 1-3":     base ^ bit(1, 15) ^ bit(2, 15) ^ bit(3, 15),
		"4 bits, bands 0-3":     base ^ bit(0, 1) ^ bit(1, 1) ^ bit(2, 1) ^ bit(3, 1),
		"far":                   ^base,
	}
	names := map[string]string{}
	for name, h := range hashes {
		sum := randomSum(t)
		p, err := s.AddPage(ctx, NewPage{BatchID: b.ID, ObjectKey: OriginalKey(sum), SHA256: sum, DHash: &h})
		if err != nil {
			t.Fatal(err)
		}
		names[p.ID] = name
	}
	sum := randomSum(t)
	probe, err := s.AddPage(ctx, NewPage{BatchID: b.ID, ObjectKey: OriginalKey(sum), SHA256: sum, DHash: &base})
	if err != nil {
		t.Fatal(err)
	}
	found := func(max int) map[string]int {
		got, err := s.SimilarPages(ctx, probe.ID, max)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]int{}
		for _, sp := range got {
			out[names[sp.ID]] = sp.Distance
		}
		return out
	}
	for _, c := range []struct {
		max  int
		want map[string]int
	}{
		{0, map[string]int{"same": 0}},
		{2, map[string]int{"same": 0, "1 bit, band 3": 1, "2 bits, bands 0 and 3": 2}},
		{3, map[string]int{"same": 0, "1 bit, band 3": 1, "2 bits, bands 0 and 3": 2, "3 bits, bands 0-2": 3, "3 bits, bands 1-3": 3}},
		{4, map[string]int{"same": 0, "1 bit, band 3": 1, "2 bits, bands 0 and 3": 2, "3 bits, bands 0-2": 3, "3 bits, bands 1-3": 3, "4 bits, bands 0-3": 4}},
	} {
		if got := found(c.max); !maps.Equal(got, c.want) {
			t.Errorf("SimilarPages(max %d) = %v, want %v", c.max, got, c.want)
		}
	}
}

func TestPageRecords(t *testing.T) {
	s, _ := testStore(t)
	ctx := t.Context()
	b := newBatch(t, s)
	page, other := newPage(t, s, b.ID), newPage(t, s, b.ID)
	recs := []models.Record{testRecord(1, models.StatusAccepted), testRecord(0, models.StatusReview)}
	if err := s.SaveRecords(ctx, page.ID, recs); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveRecords(ctx, other.ID, []models.Record{testRecord(0, models.StatusReview)}); err != nil {
		t.Fatal(err)
	}
	got, err := s.PageRecords(ctx, page.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != recs[1].ID || got[1].ID != recs[0].ID {
		t.Fatalf("PageRecords gave %d records %v, want the page's 2 in entry order", len(got), got)
	}
	if none, err := s.PageRecords(ctx, uuid.NewString()); err != nil || len(none) != 0 {
		t.Errorf("unknown page: %d records, %v; want none, no error", len(none), err)
	}
	if _, err := s.PageRecords(ctx, "not-a-uuid"); !errors.Is(err, ErrNotFound) {
		t.Errorf("malformed page id: %v, want ErrNotFound", err)
	}
}

// TestPagesWithSameEntries: a page whose records have the book and entry
// numbers of another page's records names that page (the same sheet
// scanned again), most shared entries first; other books, other entries,
// records without a number and rejected records do not count.
func TestPagesWithSameEntries(t *testing.T) {
	s, _ := testStore(t)
	ctx := t.Context()
	b, _ := newBookBatch(t, s)
	save := func(recs ...models.Record) Page {
		p := newPage(t, s, b.ID)
		if err := s.SaveRecords(ctx, p.ID, recs); err != nil {
			t.Fatal(err)
		}
		return p
	}
	first := save(bookRecord(0, "7", ""), bookRecord(1, "8", ""), bookRecord(2, "", ""))
	again := save(bookRecord(0, "7", ""), bookRecord(1, "8", ""))   // the sheet scanned again
	half := save(bookRecord(0, "8", ""), bookRecord(1, "9", ""))    // entry 8 numbered twice
	save(bookRecord(0, "7", "other/2019"), bookRecord(1, "10", "")) // another book, another entry
	rejected := bookRecord(0, "7", "")
	rejected.Status = models.StatusRejected
	save(rejected)
	save(bookRecord(0, "", ""))

	got, err := s.PagesWithSameEntries(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []EntryTwin{
		{PageID: again.ID, BatchID: b.ID, Source: again.Source, Entries: 2},
		{PageID: half.ID, BatchID: b.ID, Source: half.Source, Entries: 1},
	}
	if !slices.Equal(got, want) {
		t.Errorf("PagesWithSameEntries(first) = %+v, want %+v", got, want)
	}
	if got, err := s.PagesWithSameEntries(ctx, again.ID); err != nil || len(got) != 2 || got[0].PageID != first.ID || got[0].Entries != 2 {
		t.Errorf("PagesWithSameEntries(again) = %+v, %v; want the first page with 2 entries, then the other", got, err)
	}
	if _, err := s.PagesWithSameEntries(ctx, "not-a-uuid"); !errors.Is(err, ErrNotFound) {
		t.Errorf("bad id: %v, want ErrNotFound", err)
	}

	// The batch's pages with twins, in upload order, each with its twins.
	batch, err := s.BatchPagesWithSameEntries(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	twin := func(p Page, n int) EntryTwin {
		return EntryTwin{PageID: p.ID, BatchID: b.ID, Source: p.Source, Entries: n}
	}
	wantBatch := []PageTwins{
		{PageID: first.ID, Source: first.Source, Twins: []EntryTwin{twin(again, 2), twin(half, 1)}},
		{PageID: again.ID, Source: again.Source, Twins: []EntryTwin{twin(first, 2), twin(half, 1)}},
		{PageID: half.ID, Source: half.Source, Twins: []EntryTwin{twin(first, 1), twin(again, 1)}},
	}
	if !slices.EqualFunc(batch, wantBatch, func(a, b PageTwins) bool {
		return a.PageID == b.PageID && a.Source == b.Source && slices.Equal(a.Twins, b.Twins)
	}) {
		t.Errorf("BatchPagesWithSameEntries = %+v, want %+v", batch, wantBatch)
	}
	if _, err := s.BatchPagesWithSameEntries(ctx, "not-a-uuid"); !errors.Is(err, ErrNotFound) {
		t.Errorf("bad batch id: %v, want ErrNotFound", err)
	}
}

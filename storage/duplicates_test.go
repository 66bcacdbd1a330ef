package storage

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/sohoa/sohoa/models"
)

func TestRejectDuplicate(t *testing.T) {
	s, _ := testStore(t)
	ctx := t.Context()
	withSettings(t, s, ReviewSettings{SampleRate: 0, DoubleEntry: false})
	_, recs := reviewBatch(t, s, 3, models.StatusReview, "")
	dup, keep, other := recs[0].ID, recs[1].ID, recs[2].ID

	refused := []struct {
		name string
		rej  DuplicateRejection
		want error
	}{
		{"itself", DuplicateRejection{RecordID: dup, KeepID: dup, Actor: "a"}, ErrInvalid},
		{"no actor", DuplicateRejection{RecordID: dup, KeepID: keep}, ErrInvalid},
		{"malformed id", DuplicateRejection{RecordID: "x", KeepID: keep, Actor: "a"}, ErrNotFound},
		{"unknown record", DuplicateRejection{RecordID: uuid.NewString(), KeepID: keep, Actor: "a"}, ErrNotFound},
		{"unknown kept record", DuplicateRejection{RecordID: dup, KeepID: uuid.NewString(), Actor: "a"}, ErrNotFound},
		{"unknown token", DuplicateRejection{RecordID: dup, KeepID: keep, Actor: "a", TokenID: uuid.NewString()}, ErrNotFound},
		{"malformed token", DuplicateRejection{RecordID: dup, KeepID: keep, Actor: "a", TokenID: "x"}, ErrInvalid},
	}
	for _, tc := range refused {
		if _, err := s.RejectDuplicate(ctx, tc.rej); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}

	got, err := s.RejectDuplicate(ctx, DuplicateRejection{RecordID: dup, KeepID: keep, Actor: "lan"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != models.StatusRejected || got.Error != ReasonDuplicate+keep || DuplicateOf(got.Error) != keep {
		t.Errorf("rejected record: %s %q", got.Status, got.Error)
	}
	trail, err := s.ListAudit(ctx, dup)
	if err != nil || len(trail) != 1 {
		t.Fatalf("audit %+v, %v", trail, err)
	}
	if a := trail[0]; a.Actor != "lan" || a.Field != "" || deref(a.Old) != "review" || deref(a.New) != "rejected" ||
		a.Reason != ReasonDuplicate+keep {
		t.Errorf("audit row %+v", a)
	}
	items, err := s.ListReviewItems(ctx, dup)
	if err != nil || len(items) != 1 || !items[0].Done() || items[0].DoneBy != "" {
		t.Errorf("review items of the rejected record: %+v, %v; want closed, by nobody", items, err)
	}
	for _, r := range []string{keep, other} {
		if rec, err := s.GetRecord(ctx, r); err != nil || rec.Status != models.StatusReview {
			t.Errorf("record %s: %s, %v; want it left in review", r, rec.Status, err)
		}
	}
	for _, rej := range []DuplicateRejection{
		{RecordID: dup, KeepID: keep, Actor: "lan"}, // again
		{RecordID: keep, KeepID: dup, Actor: "lan"}, // the other way round: nothing would be left
	} {
		if _, err := s.RejectDuplicate(ctx, rej); !errors.Is(err, ErrConflict) {
			t.Errorf("reject %s keeping %s: %v, want ErrConflict", rej.RecordID, rej.KeepID, err)
		}
	}
	if trail, _ := s.ListAudit(ctx, keep); len(trail) != 0 {
		t.Errorf("a refused rejection left an audit trail: %+v", trail)
	}
}

// TestRejectDuplicateCrosswise: two people reject each record of a pair as
// the duplicate of the other at the same moment; one of them wins and one
// record is left.
func TestRejectDuplicateCrosswise(t *testing.T) {
	s, _ := testStore(t)
	ctx := t.Context()
	for range 5 {
		_, recs := reviewBatch(t, s, 2, models.StatusAccepted, "")
		a, b := recs[0].ID, recs[1].ID
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, pair := range [][2]string{{a, b}, {b, a}} {
			wg.Go(func() {
				_, errs[i] = s.RejectDuplicate(ctx, DuplicateRejection{RecordID: pair[0], KeepID: pair[1], Actor: "p"})
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, ErrConflict):
				t.Fatal(err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d of the two crosswise rejections succeeded (%v), want 1", ok, errs)
		}
	}
}

func TestBlindPending(t *testing.T) {
	s, _ := testStore(t)
	ctx := t.Context()
	withSettings(t, s, ReviewSettings{SampleRate: 1, DoubleEntry: false})
	_, sampled := reviewBatch(t, s, 1, models.StatusAccepted, "") // gets a sample item
	_, reviewed := reviewBatch(t, s, 1, models.StatusReview, "")
	got, err := s.BlindPending(ctx, []string{sampled[0].ID, reviewed[0].ID, "not an id"})
	if err != nil {
		t.Fatal(err)
	}
	if !got[sampled[0].ID] || got[reviewed[0].ID] || len(got) != 1 {
		t.Errorf("blind pending %v, want only the sampled record %s", got, sampled[0].ID)
	}
}

func TestRecordsMatching(t *testing.T) {
	s, pool := testStore(t)
	ctx := t.Context()
	book := "M" + randomHex(4) + "/2020"
	_, recs := reviewBatch(t, s, 4, models.StatusAccepted, "")
	page := recs[0].ID
	if rec, err := s.GetRecord(ctx, page); err == nil {
		page = rec.PageID
	} else {
		t.Fatal(err)
	}
	set := func(i int, entry, name string, st models.Status) {
		recs[i].Status = st
		recs[i].Fields = map[string]models.Field{
			"entry_number": {Value: strp(entry)}, "book_number": {Value: strp(book)},
			"full_name": {Value: strp(name)}, "date_of_birth": {Value: strp("2020-02-03")},
		}
	}
	set(0, "7", "Lê Văn Tám", models.StatusReview)
	set(1, "7", "Trần Thị Hoa", models.StatusAccepted) // same entry
	set(2, "8", "Lê Văn Tám", models.StatusAccepted)   // same person
	set(3, "7", "Lê Văn Tám", models.StatusRejected)   // rejected: left out
	if err := s.SaveRecords(ctx, page, recs); err != nil {
		t.Fatal(err)
	}
	probes := []map[string]string{
		{"entry_number": "7", "book_number": book},
		{"full_name": "Lê Văn Tám", "date_of_birth": "2020-02-03"},
		{},
	}
	got, err := s.RecordsMatching(ctx, string(models.Birth), recs[0].ID, probes, 10)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range got {
		ids = append(ids, r.ID)
	}
	want := []string{recs[1].ID, recs[2].ID}
	if len(ids) != 2 || !(ids[0] == want[0] && ids[1] == want[1] || ids[0] == want[1] && ids[1] == want[0]) {
		t.Errorf("matching %v, want %v", ids, want)
	}
	if got, err := s.RecordsMatching(ctx, string(models.Death), recs[0].ID, probes, 10); err != nil || len(got) != 0 {
		t.Errorf("another register type: %d records, %v", len(got), err)
	}
	if got, err := s.RecordsMatching(ctx, string(models.Birth), recs[0].ID, nil, 10); err != nil || got != nil {
		t.Errorf("no probes: %v, %v", got, err)
	}

	// The query is served by the GIN index (the planner prefers a
	// sequential scan on a table this small), not by a walk of the primary
	// key in id order, nor of the (register_type, change_seq) index of the
	// pull API: on a table this small that one costs the same, while on a
	// real one, where a type has millions of rows, it is far dearer than
	// the containment. So it is dropped for the EXPLAIN, in a transaction
	// that is rolled back.
	conn, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Rollback(context.WithoutCancel(ctx))
	// Without sorts, a walk of the primary key in id order is the cheapest
	// way to the first rows by id, as it is on a large table when the
	// planner thinks matches frequent: the matches must still be found
	// through the index.
	if _, err := conn.Exec(ctx, "DROP INDEX records_type_seq; SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off"); err != nil {
		t.Fatal(err)
	}
	var plan strings.Builder
	rows, err := conn.Query(ctx, "EXPLAIN "+recordsMatchingSQL, []string{`{"entry_number":{"value":"7"}}`},
		string(models.Birth), recs[0].ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan.WriteString(line + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan.String(), "Bitmap Index Scan on records_fields") {
		t.Errorf("plan does not find the matches through the records_fields index:\n%s", plan.String())
	}
}

// TestRestoreDuplicate undoes a duplicate rejection: the record is back in
// its status of before, its review item open again, an audit row says who,
// and it moves in the change order; only duplicate rejections are undone.
func TestRestoreDuplicate(t *testing.T) {
	s, _ := testStore(t)
	ctx := t.Context()
	withSettings(t, s, ReviewSettings{SampleRate: 0, DoubleEntry: false})
	_, recs := reviewBatch(t, s, 3, models.StatusReview, "")
	dup, keep, other := recs[0].ID, recs[1].ID, recs[2].ID
	rejected, err := s.RejectDuplicate(ctx, DuplicateRejection{RecordID: dup, KeepID: keep, Actor: "lan"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		rs   DuplicateRestore
		want error
	}{
		{"no actor", DuplicateRestore{RecordID: dup}, ErrInvalid},
		{"malformed id", DuplicateRestore{RecordID: "x", Actor: "a"}, ErrNotFound},
		{"unknown record", DuplicateRestore{RecordID: uuid.NewString(), Actor: "a"}, ErrNotFound},
		{"not rejected", DuplicateRestore{RecordID: other, Actor: "a"}, ErrConflict},
		{"unknown token", DuplicateRestore{RecordID: dup, Actor: "a", TokenID: uuid.NewString()}, ErrNotFound},
	} {
		if _, err := s.RestoreDuplicate(ctx, tc.rs); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	got, err := s.RestoreDuplicate(ctx, DuplicateRestore{RecordID: dup, Actor: "minh"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != models.StatusReview || got.Error != "" || got.ChangeSeq <= rejected.ChangeSeq {
		t.Errorf("restored record: %s %q, change %d after %d", got.Status, got.Error, got.ChangeSeq, rejected.ChangeSeq)
	}
	trail, err := s.ListAudit(ctx, dup)
	if err != nil || len(trail) != 2 {
		t.Fatalf("audit %+v, %v", trail, err)
	}
	if a := trail[1]; a.Actor != "minh" || deref(a.Old) != "rejected" || deref(a.New) != "review" || a.Reason != ReasonRestored {
		t.Errorf("audit row %+v", a)
	}
	items, err := s.ListReviewItems(ctx, dup)
	if err != nil || len(items) != 1 || items[0].Done() {
		t.Errorf("review items of the restored record: %+v, %v; want one open", items, err)
	}
	if _, err := s.RestoreDuplicate(ctx, DuplicateRestore{RecordID: dup, Actor: "minh"}); !errors.Is(err, ErrConflict) {
		t.Errorf("restoring twice: %v, want ErrConflict", err)
	}
	// The pair can be decided again, the other way round.
	if _, err := s.RejectDuplicate(ctx, DuplicateRejection{RecordID: keep, KeepID: dup, Actor: "minh"}); err != nil {
		t.Errorf("rejecting the other of the pair after the undo: %v", err)
	}
}

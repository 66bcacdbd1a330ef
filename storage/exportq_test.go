package storage

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/sohoa/sohoa/models"
)

func bookRecord(index int, entry, book string) models.Record {
	r := testRecord(index, models.StatusAccepted)
	if entry != "" {
		r.Fields["entry_number"] = models.Field{Value: strp(entry), Status: models.StatusAccepted}
	}
	if book != "" {
		r.Fields["book_number"] = models.Field{Value: strp(book), Status: models.StatusAccepted}
	}
	return r
}

// newBookBatch creates a batch of a book of its own and returns it with
// the book number.
func newBookBatch(t *testing.T, s *Store) (Batch, string) {
	t.Helper()
	book := "B" + randomHex(3) + "/2019"
	b, err := s.CreateBatch(t.Context(), NewBatch{Name: t.Name(), BookNumber: book})
	if err != nil {
		t.Fatal(err)
	}
	return b, book
}

func TestListBookRecords(t *testing.T) {
	s, _ := testStore(t)
	ctx := t.Context()
	// The batch carries the book; some records name it themselves, with
	// spaces, one names another book.
	b, book := newBookBatch(t, s)
	p1, p2 := newPage(t, s, b.ID), newPage(t, s, b.ID)
	r10 := bookRecord(0, "10", "")
	r2 := bookRecord(1, "2", book[:2]+" "+book[2:])
	rNone := bookRecord(2, "", "")
	other := bookRecord(3, "1", "other/2019")
	r1 := bookRecord(0, "1", "")
	if err := s.SaveRecords(ctx, p1.ID, []models.Record{r10, r2, rNone, other}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveRecords(ctx, p2.ID, []models.Record{r1}); err != nil {
		t.Fatal(err)
	}
	// Another batch of the same book.
	b2, err := s.CreateBatch(ctx, NewBatch{Name: t.Name() + "-2", BookNumber: book})
	if err != nil {
		t.Fatal(err)
	}
	r5 := bookRecord(0, "5", "")
	if err := s.SaveRecords(ctx, newPage(t, s, b2.ID).ID, []models.Record{r5}); err != nil {
		t.Fatal(err)
	}

	ids := func(recs []Record) []string {
		var out []string
		for _, r := range recs {
			out = append(out, r.ID)
		}
		return out
	}
	want := []string{r1.ID, r2.ID, r5.ID, r10.ID, rNone.ID}
	var got []string
	var after BookCursor
	for range 10 {
		recs, next, err := s.ListBookRecords(ctx, BookRecordsOptions{Book: book, After: after, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) == 0 {
			break
		}
		got = append(got, ids(recs)...)
		after = next
	}
	if !slices.Equal(got, want) {
		t.Fatalf("paged book records\n got %v\nwant %v", got, want)
	}

	var all []string
	for r, err := range s.BookRecords(ctx, book, "", 3) {
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, r.ID)
	}
	if !slices.Equal(all, want) {
		t.Fatalf("BookRecords %v, want %v", all, want)
	}

	recs, _, err := s.ListBookRecords(ctx, BookRecordsOptions{Book: book, BatchID: b2.ID})
	if err != nil || fmt.Sprint(ids(recs)) != fmt.Sprint([]string{r5.ID}) {
		t.Fatalf("batch filter: %v %v", ids(recs), err)
	}
	recs, _, err = s.ListBookRecords(ctx, BookRecordsOptions{Book: "other/2019"})
	if err != nil || len(recs) != 1 || recs[0].ID != other.ID {
		t.Fatalf("other book: %v %v", ids(recs), err)
	}
	// A record corrected into this book (its book_number field) moves
	// with its fields, to its place by entry number.
	moved := other
	moved.Fields = maps.Clone(other.Fields)
	moved.Fields["book_number"] = models.Field{Value: strp(book), Status: models.StatusVerified}
	moved.Fields["entry_number"] = models.Field{Value: strp("3"), Status: models.StatusVerified}
	if err := s.SaveRecords(ctx, p1.ID, []models.Record{r10, r2, rNone, moved}); err != nil {
		t.Fatal(err)
	}
	all = nil
	for r, err := range s.BookRecords(ctx, book, "", 2) {
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, r.ID)
	}
	if want := []string{r1.ID, r2.ID, moved.ID, r5.ID, r10.ID, rNone.ID}; !slices.Equal(all, want) {
		t.Fatalf("after the correction %v, want %v", all, want)
	}
	if recs, _, err := s.ListBookRecords(ctx, BookRecordsOptions{Book: "other/2019"}); err != nil || len(recs) != 0 {
		t.Fatalf("other book after the correction: %v %v", ids(recs), err)
	}

	for _, bad := range []BookRecordsOptions{{}, {Book: book, BatchID: "x"}, {Book: book, After: BookCursor{ID: "x"}}} {
		if _, _, err := s.ListBookRecords(ctx, bad); err == nil {
			t.Errorf("%+v: want an error", bad)
		}
	}
}

// TestBookRecordsQueryUsesIndex checks that a page of a book is read
// through the records_book_entry index, whichever options are set, rather
// than by scanning every record of every book (a province holds millions).
// Sequential scans are switched off so that the plan shows whether the
// index can serve the query at all, as on a large table.
func TestBookRecordsQueryUsesIndex(t *testing.T) {
	_, pool := testStore(t)
	ctx := t.Context()
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SET enable_seqscan = off"); err != nil {
		t.Fatal(err)
	}
	defer conn.Exec(context.Background(), "RESET enable_seqscan")
	batch := "0b3c7c7e-8a44-4b8e-9d55-1a2b3c4d5e6f"
	for _, opts := range []BookRecordsOptions{
		{Book: "01/2019"},
		{Book: "01/2019", Limit: 1000, After: BookCursor{Entry: 17, ID: batch}},
		{Book: "01/2019", BatchID: batch, After: BookCursor{Entry: 17, ID: batch}},
	} {
		query, args, err := bookRecordsQuery(opts)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := conn.Query(ctx, "EXPLAIN "+query, args...)
		if err != nil {
			t.Fatal(err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		plan := strings.Join(lines, "\n")
		if !strings.Contains(plan, "records_book_entry") || strings.Contains(plan, "Sort") {
			t.Errorf("%+v: not an ordered index scan on records_book_entry:\n%s", opts, plan)
		}
	}
}

// TestBookRecordFields: only the named fields are read, the rest of each
// record whole; no field at all for an empty list.
func TestBookRecordFields(t *testing.T) {
	s, _ := testStore(t)
	ctx := t.Context()
	b, book := newBookBatch(t, s)
	r1, r2 := bookRecord(0, "1", ""), bookRecord(1, "2", "")
	if err := s.SaveRecords(ctx, newPage(t, s, b.ID).ID, []models.Record{r1, r2}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		fields []string
		want   []string
	}{
		{[]string{"entry_number", "mother_name"}, []string{"entry_number"}},
		{[]string{"entry_number", "full_name"}, []string{"entry_number", "full_name"}},
		{[]string{}, nil},
	} {
		var ids []string
		for r, err := range s.BookRecordFields(ctx, book, "", c.fields) {
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, r.ID)
			got := slices.Sorted(maps.Keys(r.Fields))
			if !slices.Equal(got, c.want) || r.Status != models.StatusAccepted || r.RegisterType != models.Birth || r.PageSHA256 == "" {
				t.Errorf("fields %v: record %s has fields %v (status %s), want %v", c.fields, r.ID, got, r.Status, c.want)
			}
			if f, ok := r.Fields["full_name"]; ok && (f.Value == nil || *f.Value != *r1.Fields["full_name"].Value || f.Confidence != r1.Fields["full_name"].Confidence) {
				t.Errorf("full_name read as %+v", f)
			}
		}
		if !slices.Equal(ids, []string{r1.ID, r2.ID}) {
			t.Errorf("fields %v: records %v, want %v in entry order", c.fields, ids, []string{r1.ID, r2.ID})
		}
	}
}

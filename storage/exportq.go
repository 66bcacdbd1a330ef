package storage

import (
	"context"
	"fmt"
	"iter"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/sohoa/sohoa/models"
)

// BookCursor is a position in a book's records, which come ordered by
// entry number (as a number; records without one last) then id. The zero
// value is the start.
type BookCursor struct {
	Entry int64
	ID    string
}

// BookRecordsOptions selects a page of ListBookRecords.
type BookRecordsOptions struct {
	// Book is the book number (quyển số), required. A record belongs to
	// the book its book_number field names or, without one, to its
	// batch's book; spaces are ignored on both sides.
	Book    string
	BatchID string // optional: only this batch's records
	After   BookCursor
	Limit   int // 0 means 100; at most 1000
	// Fields, when not nil, reads only these fields of each record (the rest
	// of the record whole): for a pass over a book that needs a few
	// values, such as its duplicate keys, without moving and decoding
	// every field.
	Fields []string
}

// ListBookRecords returns a page of the book's records in entry order and
// the cursor after the last one (opts.After when the page is empty).
func (s *Store) ListBookRecords(ctx context.Context, opts BookRecordsOptions) ([]Record, BookCursor, error) {
	query, args, err := bookRecordsQuery(opts)
	if err != nil {
		return nil, opts.After, err
	}
	rows, err := s.db.Query(ctx, query, args...)
	if err != nil {
		return nil, opts.After, fmt.Errorf("storage: book %s records: %w", opts.Book, err)
	}
	next := opts.After
	recs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Record, error) {
		var entry int64
		r, err := scanRecordExtra(row, &entry)
		if err == nil {
			next = BookCursor{Entry: entry, ID: r.ID}
		}
		return r, err
	})
	if err != nil {
		return nil, opts.After, fmt.Errorf("storage: book %s records: %w", opts.Book, err)
	}
	return recs, next, nil
}

// bookRecordsQuery is the query of ListBookRecords and its arguments.
func bookRecordsQuery(opts BookRecordsOptions) (string, []any, error) {
	book := strings.ReplaceAll(opts.Book, " ", "")
	if book == "" {
		return "", nil, invalidf("book number is empty")
	}
	limit, err := clampLimit(opts.Limit)
	if err != nil {
		return "", nil, err
	}
	args := []any{book}
	// records.book and records.book_entry are kept by a trigger
	// (migration 00008), and indexed with the id: a page of a book is an
	// index range, however many records the other books hold.
	where := []string{`r.book = $1`}
	if opts.BatchID != "" {
		id, ok := parseID(opts.BatchID)
		if !ok {
			return "", nil, invalidf("batch id %q", opts.BatchID)
		}
		args = append(args, id)
		where = append(where, fmt.Sprintf("p.batch_id = $%d", len(args)))
	}
	if opts.After.ID != "" {
		id, ok := parseID(opts.After.ID)
		if !ok {
			return "", nil, invalidf("cursor id %q", opts.After.ID)
		}
		args = append(args, opts.After.Entry, id)
		where = append(where, fmt.Sprintf("(r.book_entry, r.id) > ($%d, $%d::uuid)", len(args)-1, len(args)))
	}
	cols := recordColumns
	if opts.Fields != nil {
		args = append(args, opts.Fields)
		cols = strings.Replace(cols, "r.fields", fmt.Sprintf(`(SELECT coalesce(jsonb_object_agg(k, r.fields -> k), '{}')
			FROM unnest($%d::text[]) AS k WHERE r.fields ? k) AS fields`, len(args)), 1)
	}
	args = append(args, limit)
	query := `SELECT ` + cols + `, r.book_entry
		FROM records r JOIN pages p ON p.id = r.page_id
		WHERE ` + strings.Join(where, " AND ") + fmt.Sprintf(`
		ORDER BY r.book_entry, r.id LIMIT $%d`, len(args))
	return query, args, nil
}

// BookRecords yields every record of the book (and batch, when batchID is
// set) in entry order, reading pageSize at a time (0 means 500).
func (s *Store) BookRecords(ctx context.Context, book, batchID string, pageSize int) iter.Seq2[Record, error] {
	return s.bookRecords(ctx, BookRecordsOptions{Book: book, BatchID: batchID, Limit: pageSize})
}

// BookRecordFields is BookRecords with only the named fields of each
// record read (BookRecordsOptions.Fields), 1,000 at a time.
func (s *Store) BookRecordFields(ctx context.Context, book, batchID string, fields []string) iter.Seq2[Record, error] {
	if len(fields) == 0 {
		fields = []string{} // no field at all, rather than every one
	}
	return s.bookRecords(ctx, BookRecordsOptions{Book: book, BatchID: batchID, Limit: 1000, Fields: fields})
}

func (s *Store) bookRecords(ctx context.Context, opts BookRecordsOptions) iter.Seq2[Record, error] {
	pageSize := opts.Limit
	if pageSize == 0 {
		pageSize = 500
	}
	return func(yield func(Record, error) bool) {
		var after BookCursor
		for {
			o := opts
			o.After, o.Limit = after, pageSize
			recs, next, err := s.ListBookRecords(ctx, o)
			if err != nil {
				yield(Record{}, err)
				return
			}
			for _, r := range recs {
				if !yield(r, nil) {
					return
				}
			}
			if len(recs) < pageSize {
				return
			}
			after = next
		}
	}
}

// scanRecordExtra scans recordColumns followed by one more column into
// extra.
func scanRecordExtra(row pgx.Row, extra any) (Record, error) {
	return scanRecord(extraRow{row, extra})
}

type extraRow struct {
	pgx.Row
	extra any
}

func (e extraRow) Scan(dest ...any) error { return e.Row.Scan(append(dest, e.extra)...) }

// ModelRecords yields the record-format records of stored ones (as
// BookRecords gives them), with their errors.
func ModelRecords(seq iter.Seq2[Record, error]) iter.Seq2[models.Record, error] {
	return func(yield func(models.Record, error) bool) {
		for r, err := range seq {
			if !yield(r.Record, err) {
				return
			}
		}
	}
}

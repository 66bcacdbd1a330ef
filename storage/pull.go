package storage

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sohoa/sohoa/models"
)

// MaxRecordsLimit is the largest Limit of ListRecords and PullRecords.
const MaxRecordsLimit = 10000

// ErrCursorAhead is what PullRecords and ListRecords return (wrapping
// ErrInvalid) for a cursor past the newest change number ever drawn: no
// read of this database handed it out, so resuming from it could skip
// changes.
var ErrCursorAhead = fmt.Errorf("%w: cursor is past the newest change", ErrInvalid)

// ListRecordsOptions filters ListRecords and PullRecords; zero values
// select everything. Results come in change order, so AfterSeq set to the
// cursor of the previous read resumes it (an export cursor).
type ListRecordsOptions struct {
	BatchID      string
	PageID       string
	Status       models.Status
	RegisterType models.RegisterType
	// Office selects the records of a registration office: those of a
	// batch whose office is Office, and those whose registration_office
	// field value is Office. Both compare exactly, as stored (NFC; a record
	// value has single spaces): a record read from an extract of another
	// office still counts for the office written on it, and a record whose
	// office could not be read still counts for its book's office.
	Office string
	// RegisteredFrom and RegisteredTo bound the registration date
	// (fields.registration_date value), both inclusive; only their day
	// counts and a zero value is no bound. A date written only as a year or
	// a month counts as its first day (1990 as 1990-01-01), so adjacent
	// ranges share no record and miss none. With either bound set, records
	// without an ISO registration date are left out.
	RegisteredFrom, RegisteredTo time.Time
	AfterSeq                     int64
	Limit                        int // 0 means 100; at most MaxRecordsLimit
	// IncludeDeleted also reads the records deleted after AfterSeq (table
	// record_deletions), in the same change order, each as the record it
	// was with Status models.StatusDeleted and no fields. Only BatchID,
	// PageID and RegisterType select deletions; the other filters let
	// every deletion through (a deleted record's values are gone), so a
	// reader may be told of a record it never got: it has nothing to
	// delete then.
	IncludeDeleted bool
}

// RecordPull is an open read of records in change order, from
// PullRecords. Its Next and More are known before the first record is
// read, so they can be sent ahead of the records.
type RecordPull struct {
	// Next is the cursor that follows this read: the read holds every
	// matching change numbered after AfterSeq and up to Next, and no
	// change numbered up to Next can commit later. Pass it as AfterSeq to
	// continue. A record changed while the read runs may be left out of it;
	// its new version is numbered after Next.
	Next int64
	// More is set when the read stopped at its limit: changes after Next
	// may be waiting. When it is false, Next is the change horizon (see
	// records_change_horizon) and the read holds every change made before
	// it began.
	More bool
	rows pgx.Rows
}

// All yields the records of the read in change order, then closes it. It
// stops at the first error, which it yields with a zero Record.
func (p *RecordPull) All() iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		for raw, err := range p.AllRaw() {
			if err != nil {
				yield(Record{}, err)
				return
			}
			rec, err := raw.Decode()
			if err != nil {
				yield(Record{}, fmt.Errorf("storage: pull records: %w", err))
				return
			}
			if !yield(rec, nil) {
				return
			}
		}
	}
}

// AllRaw is All without decoding the records' fields.
func (p *RecordPull) AllRaw() iter.Seq2[RawRecord, error] {
	return func(yield func(RawRecord, error) bool) {
		defer p.Close()
		var row recordRow
		dest := row.dest()
		for p.rows.Next() {
			if err := p.rows.Scan(dest...); err != nil {
				yield(RawRecord{}, fmt.Errorf("storage: pull records: %w", err))
				return
			}
			if !yield(row.raw(), nil) {
				return
			}
		}
		if err := p.rows.Err(); err != nil {
			yield(RawRecord{}, fmt.Errorf("storage: pull records: %w", err))
		}
	}
}

// Close ends the read early; it is safe to call more than once.
func (p *RecordPull) Close() { p.rows.Close() }

// PullRecords opens a read of the records that match opts, in change
// order, for a caller that streams them. It holds a connection of the pool
// until All ends or Close is called.
//
// It first reads the change horizon H (records_change_horizon in
// migrations/00003_review_speed.sql): it waits for the transactions
// writing records at the time of the call to end, and every change
// numbered up to H has then committed or rolled back for good. The read
// then stops at the Limit-th matching change after AfterSeq, or at H, and
// that bound is Next: a cursor resumed from Next never skips a change
// that commits later, and never sees one twice.
//
// It must not be called in a transaction that itself writes records while
// other writers wait for its locks (the wait would be a deadlock, which
// PostgreSQL breaks by failing one side).
func (s *Store) PullRecords(ctx context.Context, opts ListRecordsOptions) (*RecordPull, error) {
	limit, err := recordsLimit(opts.Limit)
	if err != nil {
		return nil, err
	}
	f, err := recordFilter(opts)
	if err != nil {
		return nil, err
	}
	// The horizon is read by a statement of its own, before the statements
	// that read records, so that their snapshots show what the writers it
	// waited for committed.
	var horizon int64
	if err := s.db.QueryRow(ctx, `SELECT records_change_horizon()`).Scan(&horizon); err != nil {
		return nil, fmt.Errorf("storage: pull records: change horizon: %w", err)
	}
	if opts.AfterSeq > horizon {
		return nil, fmt.Errorf("%w: %d, and the newest change is %d", ErrCursorAhead, opts.AfterSeq, horizon)
	}
	pull := &RecordPull{Next: horizon}
	// The bound first, so that it can be sent ahead of the records: the
	// Limit-th matching change after the cursor, when there is one. Every
	// change up to it stays put; one that moves (a record changed since)
	// moves past the horizon and comes in a later read.
	bound := f.with(opts.AfterSeq, horizon)
	q := `SELECT r.change_seq FROM records r WHERE ` + bound.where()
	args := bound.args
	if opts.IncludeDeleted {
		d := deletionFilter(opts, opts.AfterSeq, horizon, bound.args)
		q = `SELECT change_seq FROM (` + q + ` UNION ALL SELECT d.change_seq FROM record_deletions d WHERE ` +
			d.where() + `) c`
		args = d.args
	}
	q += fmt.Sprintf(` ORDER BY change_seq OFFSET %d LIMIT 1`, limit-1)
	switch err := s.db.QueryRow(ctx, q, args...).Scan(&pull.Next); {
	case err == nil:
		pull.More = true
	case !errors.Is(err, pgx.ErrNoRows):
		return nil, fmt.Errorf("storage: pull records: bound: %w", err)
	}
	read := f.with(opts.AfterSeq, pull.Next)
	q = `SELECT ` + recordColumns + ` FROM records r WHERE ` + read.where()
	args = read.args
	if opts.IncludeDeleted {
		d := deletionFilter(opts, opts.AfterSeq, pull.Next, read.args)
		q += ` UNION ALL SELECT ` + deletionColumns + ` FROM record_deletions d WHERE ` + d.where()
		args = d.args
	}
	pull.rows, err = s.db.Query(ctx, q+` ORDER BY change_seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("storage: pull records: %w", err)
	}
	return pull, nil
}

// ListRecords returns the records that match opts, in change order, with
// the guarantee of PullRecords: the next read resumes after the last
// record's ChangeSeq, and no change numbered before it commits later.
func (s *Store) ListRecords(ctx context.Context, opts ListRecordsOptions) ([]Record, error) {
	pull, err := s.PullRecords(ctx, opts)
	if err != nil {
		return nil, err
	}
	var recs []Record
	for r, err := range pull.All() {
		if err != nil {
			return nil, err
		}
		recs = append(recs, r)
	}
	return recs, nil
}

func recordsLimit(limit int) (int, error) {
	switch {
	case limit < 0 || limit > MaxRecordsLimit:
		return 0, invalidf("limit %d: want 0 (the default, 100) to %d", limit, MaxRecordsLimit)
	case limit == 0:
		return 100, nil
	}
	return limit, nil
}

// sqlFilter is the conditions of a records query on alias r, with their
// arguments ($1… in order).
type sqlFilter struct {
	conds []string
	args  []any
}

// add appends a condition whose one placeholder is written %s.
func (f *sqlFilter) add(cond string, arg any) {
	f.args = append(f.args, arg)
	f.conds = append(f.conds, fmt.Sprintf(cond, fmt.Sprintf("$%d", len(f.args))))
}

// with returns f limited to the changes in (after, upTo].
func (f sqlFilter) with(after, upTo int64) sqlFilter {
	out := sqlFilter{conds: f.conds[:len(f.conds):len(f.conds)], args: f.args[:len(f.args):len(f.args)]}
	out.add("r.change_seq > %s", after)
	out.add("r.change_seq <= %s", upTo)
	return out
}

func (f sqlFilter) where() string { return strings.Join(f.conds, " AND ") }

// recordFilter checks opts and turns its filters into SQL.
func recordFilter(opts ListRecordsOptions) (sqlFilter, error) {
	var f sqlFilter
	if opts.AfterSeq < 0 {
		return f, invalidf("cursor %d", opts.AfterSeq)
	}
	if opts.BatchID != "" {
		id, ok := parseID(opts.BatchID)
		if !ok {
			return f, invalidf("batch id %q", opts.BatchID)
		}
		f.add("r.page_id IN (SELECT id FROM pages WHERE batch_id = %s)", id)
	}
	if opts.PageID != "" {
		id, ok := parseID(opts.PageID)
		if !ok {
			return f, invalidf("page id %q", opts.PageID)
		}
		f.add("r.page_id = %s", id)
	}
	if opts.Status != "" {
		if !validStatus(opts.Status) {
			return f, invalidf("record status %q", opts.Status)
		}
		f.add("r.status = %s", string(opts.Status))
	}
	if opts.RegisterType != "" {
		if !validRegisterType(opts.RegisterType) {
			return f, invalidf("register type %q", opts.RegisterType)
		}
		f.add("r.register_type = %s", string(opts.RegisterType))
	}
	if opts.Office != "" {
		// One placeholder, used twice: the record's own office (served by
		// the GIN index on fields) or its batch's.
		f.add(`(r.fields @> jsonb_build_object('registration_office', jsonb_build_object('value', %[1]s::text))
			OR r.page_id IN (SELECT p.id FROM pages p JOIN batches b ON b.id = p.batch_id WHERE b.office = %[1]s))`,
			opts.Office)
	}
	from, to := opts.RegisteredFrom, opts.RegisteredTo
	if !from.IsZero() && !to.IsZero() && day(from) > day(to) {
		return f, invalidf("registration dates from %s to %s: the range is empty", day(from), day(to))
	}
	// record_registration_day: see migrations/00004_pull.sql (its index
	// serves these conditions).
	if !from.IsZero() {
		f.add("record_registration_day(r.fields) >= %s", day(from))
	}
	if !to.IsZero() {
		f.add("record_registration_day(r.fields) <= %s", day(to))
	}
	return f, nil
}

// deletionColumns are a deletion's columns in the order of recordColumns:
// the record as it was, status deleted, no fields.
const deletionColumns = `d.record_id, d.page_id, d.entry_index, d.source, d.page_sha256, d.register_type,
	d.template, 'deleted', '{}'::jsonb, '{}'::text[], '', d.change_seq, d.created_at, d.deleted_at`

// deletionFilter is the conditions on record_deletions d for opts (see
// IncludeDeleted) and the changes in (after, upTo], numbered after the
// arguments of prior (the records query it is joined to).
func deletionFilter(opts ListRecordsOptions, after, upTo int64, prior []any) sqlFilter {
	f := sqlFilter{args: prior[:len(prior):len(prior)]}
	if id, ok := parseID(opts.BatchID); ok {
		f.add("d.batch_id = %s", id)
	}
	if id, ok := parseID(opts.PageID); ok {
		f.add("d.page_id = %s", id)
	}
	if opts.RegisterType != "" {
		f.add("d.register_type = %s", string(opts.RegisterType))
	}
	f.add("d.change_seq > %s", after)
	f.add("d.change_seq <= %s", upTo)
	return f
}

func day(t time.Time) string { return t.Format(time.DateOnly) }

func validRegisterType(t models.RegisterType) bool {
	switch t {
	case models.Birth, models.Marriage, models.Death:
		return true
	}
	return false
}

package storage

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5"
)

// PageState is where a page is in the pipeline.
type PageState string

// Page states, in pipeline order; Failed is reachable from any state but
// Routed.
const (
	PageUploaded   PageState = "uploaded"
	PageCleaned    PageState = "cleaned"
	PageRecognized PageState = "recognized"
	PageExtracted  PageState = "extracted"
	PageRouted     PageState = "routed"
	PageFailed     PageState = "failed"
)

// PageStates lists every state in pipeline order, Failed last.
func PageStates() []PageState {
	return []PageState{PageUploaded, PageCleaned, PageRecognized, PageExtracted, PageRouted, PageFailed}
}

// Valid reports whether s is a known state.
func (s PageState) Valid() bool {
	switch s {
	case PageUploaded, PageCleaned, PageRecognized, PageExtracted, PageRouted, PageFailed:
		return true
	}
	return false
}

// Terminal reports whether no stage works on a page in state s.
func (s PageState) Terminal() bool { return s == PageRouted || s == PageFailed }

// Next is the state a successful stage moves s to, or "" for a terminal state.
func (s PageState) Next() PageState {
	switch s {
	case PageUploaded:
		return PageCleaned
	case PageCleaned:
		return PageRecognized
	case PageRecognized:
		return PageExtracted
	case PageExtracted:
		return PageRouted
	}
	return ""
}

// CanMoveTo reports whether SetPageState accepts from → to: one step forward,
// to Failed from a non-terminal state, or back to Uploaded from a terminal
// state (a retry or a re-run).
func (s PageState) CanMoveTo(to PageState) bool {
	switch {
	case !s.Valid() || !to.Valid():
		return false
	case to == PageFailed:
		return !s.Terminal()
	case to == PageUploaded:
		return s.Terminal()
	}
	return s.Next() == to
}

// Page is one uploaded page image.
type Page struct {
	ID        string
	BatchID   string
	ObjectKey string // key of the original in the object store
	Source    string // name the page was uploaded under (record "source")
	SHA256    string // hex SHA-256 of the original bytes
	DHash     *uint64
	State     PageState
	// Attempts counts the leases taken in the current state (LeasePage).
	Attempts       int
	LastError      string
	LeaseUntil     time.Time // zero when not leased
	CreatedAt      time.Time
	UpdatedAt      time.Time
	StateChangedAt time.Time
}

// NewPage holds what AddPage needs. BatchID, ObjectKey and SHA256 (64
// lower-case hex digits) are required; DHash may be set later.
type NewPage struct {
	BatchID   string
	ObjectKey string
	Source    string
	SHA256    string
	DHash     *uint64
}

// SimilarPage is a page at Distance bits (Hamming distance of the dHashes)
// from another.
type SimilarPage struct {
	Page
	Distance int
}

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

const pageColumns = `id, batch_id, object_key, source, sha256, dhash, state::text, attempts, last_error,
	lease_until, created_at, updated_at, state_changed_at`

// AddPage stores a new page in state uploaded. If a page with the same
// SHA-256 exists (in any batch), AddPage returns that page and a
// *DuplicateError, which matches ErrDuplicate. An unknown batch gives
// ErrNotFound.
func (s *Store) AddPage(ctx context.Context, np NewPage) (Page, error) {
	batchID, ok := parseID(np.BatchID)
	if !ok {
		return Page{}, fmt.Errorf("%w: batch %q", ErrNotFound, np.BatchID)
	}
	if !sha256Hex.MatchString(np.SHA256) {
		return Page{}, invalidf("sha256 %q is not 64 lower-case hex digits", np.SHA256)
	}
	if np.ObjectKey == "" {
		return Page{}, invalidf("page object key is empty")
	}
	row := s.db.QueryRow(ctx, `
		INSERT INTO pages (batch_id, object_key, source, sha256, dhash)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (sha256) DO NOTHING
		RETURNING `+pageColumns,
		batchID, np.ObjectKey, np.Source, np.SHA256, dhashParam(np.DHash))
	p, err := scanPage(row)
	switch {
	case err == nil:
		return p, nil
	case errors.Is(err, pgx.ErrNoRows):
		existing, err := scanPage(s.db.QueryRow(ctx, `SELECT `+pageColumns+` FROM pages WHERE sha256 = $1`, np.SHA256))
		if err != nil {
			return Page{}, fmt.Errorf("storage: add page: %w", err)
		}
		return existing, &DuplicateError{Existing: existing}
	case pgCode(err) == codeForeignKeyViolation:
		return Page{}, fmt.Errorf("%w: batch %s", ErrNotFound, np.BatchID)
	}
	return Page{}, fmt.Errorf("storage: add page: %w", err)
}

// GetPage returns the page with the given id, or ErrNotFound.
func (s *Store) GetPage(ctx context.Context, id string) (Page, error) {
	uid, ok := parseID(id)
	if !ok {
		return Page{}, fmt.Errorf("%w: page %q", ErrNotFound, id)
	}
	p, err := scanPage(s.db.QueryRow(ctx, `SELECT `+pageColumns+` FROM pages WHERE id = $1`, uid))
	if err != nil {
		return Page{}, notFound(err, "page", id)
	}
	return p, nil
}

// GetPageBySHA256 returns the page whose original has the given SHA-256.
func (s *Store) GetPageBySHA256(ctx context.Context, sum string) (Page, error) {
	p, err := scanPage(s.db.QueryRow(ctx, `SELECT `+pageColumns+` FROM pages WHERE sha256 = $1`, sum))
	if err != nil {
		return Page{}, notFound(err, "page with sha256", sum)
	}
	return p, nil
}

// SetPageState moves a page from one state to another, only if it is in
// from: a stage delivered twice moves the page once, and the second call
// gets a *StateError (ErrConflict). The move clears the lease, the attempt
// count and the last error. Moves that CanMoveTo refuses give ErrInvalid.
func (s *Store) SetPageState(ctx context.Context, id string, from, to PageState) (Page, error) {
	if !from.CanMoveTo(to) {
		return Page{}, invalidf("page state %q → %q", from, to)
	}
	return s.updatePage(ctx, id, from, `
		UPDATE pages SET state = $3, state_changed_at = now(), updated_at = now(),
			attempts = 0, last_error = '', lease_until = NULL
		WHERE id = $1 AND state = $2
		RETURNING `+pageColumns, to)
}

// LeasePage records that a worker starts on a page in state: the page is
// not reported by StuckPages until the lease ends, and Attempts grows by
// one. A page not in state gives a *StateError.
func (s *Store) LeasePage(ctx context.Context, id string, state PageState, d time.Duration) (Page, error) {
	if state.Terminal() || !state.Valid() {
		return Page{}, invalidf("lease of a page in state %q", state)
	}
	if d <= 0 {
		return Page{}, invalidf("lease duration %v", d)
	}
	return s.updatePage(ctx, id, state, `
		UPDATE pages SET lease_until = now() + $3 * interval '1 microsecond',
			attempts = attempts + 1, updated_at = now()
		WHERE id = $1 AND state = $2
		RETURNING `+pageColumns, d.Microseconds())
}

// FailPage moves a page to failed with the reason, from whatever state it
// is in unless it is routed (a *StateError). Failing a failed page again
// only replaces its last error.
func (s *Store) FailPage(ctx context.Context, id string, reason string) (Page, error) {
	uid, ok := parseID(id)
	if !ok {
		return Page{}, fmt.Errorf("%w: page %q", ErrNotFound, id)
	}
	p, err := scanPage(s.db.QueryRow(ctx, `
		UPDATE pages SET state = 'failed', last_error = $2, lease_until = NULL, updated_at = now(),
			state_changed_at = CASE WHEN state = 'failed' THEN state_changed_at ELSE now() END
		WHERE id = $1 AND state <> 'routed'
		RETURNING `+pageColumns, uid, reason))
	if errors.Is(err, pgx.ErrNoRows) {
		cur, gerr := s.GetPage(ctx, id)
		if gerr != nil {
			return Page{}, gerr
		}
		return Page{}, &StateError{PageID: cur.ID, Actual: cur.State}
	}
	if err != nil {
		return Page{}, fmt.Errorf("storage: fail page %s: %w", id, err)
	}
	return p, nil
}

// StuckPages returns pages in a non-terminal state whose state has not
// changed for olderThan and whose lease (if any) has ended, oldest first:
// the reconciler enqueues them again.
func (s *Store) StuckPages(ctx context.Context, olderThan time.Duration, limit int) ([]Page, error) {
	limit, err := clampLimit(limit)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT `+pageColumns+` FROM pages
		WHERE state NOT IN ('routed', 'failed')
			AND state_changed_at < now() - $1 * interval '1 microsecond'
			AND (lease_until IS NULL OR lease_until < now())
		ORDER BY state_changed_at, id LIMIT $2`, olderThan.Microseconds(), limit)
	if err != nil {
		return nil, fmt.Errorf("storage: stuck pages: %w", err)
	}
	pages, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Page, error) { return scanPage(r) })
	if err != nil {
		return nil, fmt.Errorf("storage: stuck pages: %w", err)
	}
	return pages, nil
}

// SetPageDHash stores the page image's 64-bit difference hash.
func (s *Store) SetPageDHash(ctx context.Context, id string, dhash uint64) error {
	uid, ok := parseID(id)
	if !ok {
		return fmt.Errorf("%w: page %q", ErrNotFound, id)
	}
	tag, err := s.db.Exec(ctx, `UPDATE pages SET dhash = $2, updated_at = now() WHERE id = $1`,
		uid, int64(dhash))
	if err != nil {
		return fmt.Errorf("storage: set dhash of page %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%w: page %s", ErrNotFound, id)
	}
	return nil
}

// bandedDistance is the largest distance SimilarPages finds through the
// indexes of the dHash's four 16-bit bands: a hash that differs in at most
// three bits keeps at least one band whole.
const bandedDistance = 3

// SimilarPages returns the other pages whose dHash is at most maxDistance
// bits from the page's, nearest first: likely the same sheet scanned twice.
// A page without a dHash has none. Up to bandedDistance bits the search
// goes through indexes; beyond, it reads every page's hash.
func (s *Store) SimilarPages(ctx context.Context, id string, maxDistance int) ([]SimilarPage, error) {
	if maxDistance < 0 || maxDistance > 64 {
		return nil, invalidf("max distance %d", maxDistance)
	}
	p, err := s.GetPage(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.DHash == nil {
		return nil, nil
	}
	h := int64(*p.DHash)
	// Pages at most bandedDistance bits apart share a 16-bit band of the
	// hash: the bands' indexes (migration 00009) find them without
	// measuring every page. Farther searches measure every page.
	candidates := `dhash IS NOT NULL`
	args := []any{p.ID, h, maxDistance}
	if maxDistance <= bandedDistance {
		candidates = `(((dhash >> 48) & 65535) = $4 OR ((dhash >> 32) & 65535) = $5
			OR ((dhash >> 16) & 65535) = $6 OR (dhash & 65535) = $7)`
		args = append(args, (h>>48)&0xFFFF, (h>>32)&0xFFFF, (h>>16)&0xFFFF, h&0xFFFF)
	}
	rows, err := s.db.Query(ctx, `SELECT * FROM (
			SELECT `+pageColumns+`, bit_count((dhash # $2)::bit(64))::int AS distance
			FROM pages WHERE `+candidates+` AND id <> $1) AS near
		WHERE distance <= $3 ORDER BY distance, created_at, id LIMIT 100`, args...)
	if err != nil {
		return nil, fmt.Errorf("storage: similar pages: %w", err)
	}
	similar, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (SimilarPage, error) {
		var sp SimilarPage
		err := scanPageInto(r, &sp.Page, &sp.Distance)
		return sp, err
	})
	if err != nil {
		return nil, fmt.Errorf("storage: similar pages: %w", err)
	}
	return similar, nil
}

// updatePage runs a conditional UPDATE … WHERE id = $1 AND state = $2
// RETURNING and turns "no row" into ErrNotFound or a *StateError.
func (s *Store) updatePage(ctx context.Context, id string, expected PageState, query string, args ...any) (Page, error) {
	uid, ok := parseID(id)
	if !ok {
		return Page{}, fmt.Errorf("%w: page %q", ErrNotFound, id)
	}
	p, err := scanPage(s.db.QueryRow(ctx, query, append([]any{uid, string(expected)}, args...)...))
	if errors.Is(err, pgx.ErrNoRows) {
		cur, gerr := s.GetPage(ctx, uid)
		if gerr != nil {
			return Page{}, gerr
		}
		return Page{}, &StateError{PageID: cur.ID, Expected: expected, Actual: cur.State}
	}
	if err != nil {
		return Page{}, fmt.Errorf("storage: update page %s: %w", id, err)
	}
	return p, nil
}

func dhashParam(h *uint64) *int64 {
	if h == nil {
		return nil
	}
	v := int64(*h)
	return &v
}

func scanPage(row pgx.Row) (Page, error) {
	var p Page
	err := scanPageInto(row, &p)
	return p, err
}

func scanPageInto(row pgx.Row, p *Page, extra ...any) error {
	var dhash *int64
	var state string
	var lease *time.Time
	dest := append([]any{&p.ID, &p.BatchID, &p.ObjectKey, &p.Source, &p.SHA256, &dhash, &state,
		&p.Attempts, &p.LastError, &lease, &p.CreatedAt, &p.UpdatedAt, &p.StateChangedAt}, extra...)
	if err := row.Scan(dest...); err != nil {
		return err
	}
	p.State = PageState(state)
	if dhash != nil {
		v := uint64(*dhash)
		p.DHash = &v
	}
	if lease != nil {
		p.LeaseUntil = *lease
	}
	return nil
}

// PageRecords returns the records of one page in entry order. Unlike
// ListRecords it does not wait for the change horizon: it is not a cursor
// read, and the page's records are written in one transaction that the
// caller (the routing stage, after the OCR stage committed) has seen end.
func (s *Store) PageRecords(ctx context.Context, pageID string) ([]Record, error) {
	id, ok := parseID(pageID)
	if !ok {
		return nil, fmt.Errorf("%w: page %q", ErrNotFound, pageID)
	}
	rows, err := s.db.Query(ctx, `SELECT `+recordColumns+` FROM records r WHERE r.page_id = $1 ORDER BY r.entry_index`, id)
	if err != nil {
		return nil, fmt.Errorf("storage: records of page %s: %w", pageID, err)
	}
	recs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Record, error) { return scanRecord(r) })
	if err != nil {
		return nil, fmt.Errorf("storage: records of page %s: %w", pageID, err)
	}
	return recs, nil
}

// EntryTwin is another page holding records of the same register book and
// entry numbers as a page: most often the same sheet scanned again, which
// a whole-page image hash cannot tell from another sheet of the same
// printed form (SimilarPages), or entries numbered twice.
type EntryTwin struct {
	PageID  string
	BatchID string
	Source  string
	Entries int // how many of the page's entries (book and entry number) the twin holds too
}

// noBookEntry is records.book_entry of a record without an entry number
// (migration 00008), so that such records come last in a book.
const noBookEntry = math.MaxInt64

// PageTwins is a page and the other pages holding records of its book and
// entry numbers.
type PageTwins struct {
	PageID string
	Source string
	Twins  []EntryTwin
}

// PagesWithSameEntries returns the other pages whose records have the
// book and entry number of one of the page's records, most shared entries
// first. Records without a book or an entry number, and rejected records
// (a duplicate resolved), are left out. It reads through the records'
// book index (migration 00008), so it costs the same among millions of
// records.
func (s *Store) PagesWithSameEntries(ctx context.Context, pageID string) ([]EntryTwin, error) {
	uid, ok := parseID(pageID)
	if !ok {
		return nil, fmt.Errorf("%w: page %q", ErrNotFound, pageID)
	}
	pages, err := s.entryTwins(ctx, `r.page_id = $1`, uid, 100)
	if err != nil || len(pages) == 0 {
		return nil, err
	}
	return pages[0].Twins, nil
}

// BatchPagesWithSameEntries returns the batch's pages that have twins (see
// PagesWithSameEntries), in upload order, with their twins: the sheets a
// station scanned twice, in this batch or across batches. At most 1,000
// pairs are returned.
func (s *Store) BatchPagesWithSameEntries(ctx context.Context, batchID string) ([]PageTwins, error) {
	uid, ok := parseID(batchID)
	if !ok {
		return nil, fmt.Errorf("%w: batch %q", ErrNotFound, batchID)
	}
	return s.entryTwins(ctx, `rp.batch_id = $1`, uid, 1000)
}

// entryTwins finds the twins of the pages that where selects (over the
// page rp and its records r, with $1 its argument), at most limit pairs.
func (s *Store) entryTwins(ctx context.Context, where string, arg any, limit int) ([]PageTwins, error) {
	rows, err := s.db.Query(ctx, `
		SELECT r.page_id::text, rp.source, o.page_id::text, p.batch_id::text, p.source,
			count(DISTINCT (r.book, r.book_entry))::int AS entries
		FROM pages rp
		JOIN records r ON r.page_id = rp.id
		JOIN records o ON o.book = r.book AND o.book_entry = r.book_entry AND o.page_id <> r.page_id
			AND o.status <> 'rejected'
		JOIN pages p ON p.id = o.page_id
		WHERE `+where+` AND r.status <> 'rejected' AND r.book <> '' AND r.book_entry <> $2
		GROUP BY r.page_id, rp.source, rp.created_at, o.page_id, p.batch_id, p.source, p.created_at
		ORDER BY rp.created_at, r.page_id, entries DESC, p.created_at, o.page_id
		LIMIT $3`, arg, noBookEntry, limit)
	if err != nil {
		return nil, fmt.Errorf("storage: pages with the same entries: %w", err)
	}
	type pair struct {
		page, source string
		twin         EntryTwin
	}
	pairs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (pair, error) {
		var p pair
		err := r.Scan(&p.page, &p.source, &p.twin.PageID, &p.twin.BatchID, &p.twin.Source, &p.twin.Entries)
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("storage: pages with the same entries: %w", err)
	}
	var out []PageTwins
	for _, p := range pairs { // ordered by page: a page's twins are together
		if len(out) == 0 || out[len(out)-1].PageID != p.page {
			out = append(out, PageTwins{PageID: p.page, Source: p.source})
		}
		last := &out[len(out)-1]
		last.Twins = append(last.Twins, p.twin)
	}
	return out, nil
}

package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// ExportState is where a book export asked for over the API stands.
type ExportState string

// Export states: queued until a worker takes it, running while it is
// written, then done or (after its last attempt) failed.
const (
	ExportQueued  ExportState = "queued"
	ExportRunning ExportState = "running"
	ExportDone    ExportState = "done"
	ExportFailed  ExportState = "failed"
)

// BookExport is a book export asked for over the API, and once done what it
// holds and where it is.
type BookExport struct {
	ID          string
	Book        string
	BatchID     string // "" for the whole book
	Format      string // zip, xlsx, csv or jsonl
	PageImage   string // access or original (the PDFs' page images)
	State       ExportState
	RequestedBy string // token id; "" once the token is deleted
	Attempts    int
	Error       string // the last attempt's, if it failed
	CreatedAt   time.Time
	StartedAt   time.Time // zero until a worker takes it
	FinishedAt  time.Time // zero until done or failed
	BookExportResult
}

// BookExportResult is what a finished export holds.
type BookExportResult struct {
	Key        string // object key under the export prefix (ExportKey)
	Final      bool
	Size       int64
	Exported   int
	Pending    int
	Rejected   int
	Duplicates int
	Unresolved int
}

// NewBookExport is what CreateBookExport needs; Book and Format are
// required.
type NewBookExport struct {
	Book        string
	BatchID     string
	Format      string
	PageImage   string // "" means access
	RequestedBy string
}

const bookExportColumns = `id, book, coalesce(batch_id::text, ''), format, page_image, state, coalesce(requested_by::text, ''),
	attempts, error, created_at, coalesce(started_at, 'epoch'), coalesce(finished_at, 'epoch'),
	object_key, final, size_bytes, exported, pending, rejected, duplicates, unresolved`

// CreateBookExport stores a queued book export and returns it with its id.
// When an export of the same book, batch, format and page image is queued
// or running already, it returns that one instead, with existing set.
func (s *Store) CreateBookExport(ctx context.Context, ne NewBookExport) (e BookExport, existing bool, err error) {
	if strings.TrimSpace(ne.Book) == "" {
		return BookExport{}, false, invalidf("book number is empty")
	}
	switch ne.Format {
	case "zip", "xlsx", "csv", "jsonl":
	default:
		return BookExport{}, false, invalidf("export format %q: want zip, xlsx, csv or jsonl", ne.Format)
	}
	if ne.PageImage == "" {
		ne.PageImage = "access"
	}
	if ne.PageImage != "access" && ne.PageImage != "original" {
		return BookExport{}, false, invalidf("page image %q: want access or original", ne.PageImage)
	}
	var batch, by any
	if ne.BatchID != "" {
		id, ok := parseID(ne.BatchID)
		if !ok {
			return BookExport{}, false, fmt.Errorf("%w: batch %q", ErrNotFound, ne.BatchID)
		}
		batch = id
	}
	if ne.RequestedBy != "" {
		if id, ok := parseID(ne.RequestedBy); ok {
			by = id
		}
	}
	// The pending one may end between the insert that meets it and the
	// read that looks for it: then insert again.
	for range 3 {
		e, err = scanBookExport(s.db.QueryRow(ctx, `
			INSERT INTO book_exports (book, batch_id, format, page_image, requested_by) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (book, coalesce(batch_id::text, ''), format, page_image) WHERE state IN ('queued', 'running')
			DO NOTHING
			RETURNING `+bookExportColumns, ne.Book, batch, ne.Format, ne.PageImage, by))
		if pgCode(err) == "23503" { // foreign key: no such batch
			return BookExport{}, false, fmt.Errorf("%w: batch %s", ErrNotFound, ne.BatchID)
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			break
		}
		e, err = scanBookExport(s.db.QueryRow(ctx, `SELECT `+bookExportColumns+` FROM book_exports
			WHERE book = $1 AND coalesce(batch_id::text, '') = coalesce($2::text, '') AND format = $3
				AND page_image = $4 AND state IN ('queued', 'running')`, ne.Book, batch, ne.Format, ne.PageImage))
		if err == nil {
			return e, true, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			break
		}
	}
	if err != nil {
		return BookExport{}, false, fmt.Errorf("storage: create book export: %w", err)
	}
	return e, false, nil
}

// GetBookExport returns the book export id.
func (s *Store) GetBookExport(ctx context.Context, id string) (BookExport, error) {
	uid, ok := parseID(id)
	if !ok {
		return BookExport{}, fmt.Errorf("%w: book export %q", ErrNotFound, id)
	}
	e, err := scanBookExport(s.db.QueryRow(ctx, `SELECT `+bookExportColumns+` FROM book_exports WHERE id = $1`, uid))
	if err != nil {
		return BookExport{}, notFound(err, "book export", id)
	}
	return e, nil
}

// ListBookExports returns the book's exports, newest first (at most limit;
// 0 means 100, at most 1000).
func (s *Store) ListBookExports(ctx context.Context, book string, limit int) ([]BookExport, error) {
	limit, err := clampLimit(limit)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT `+bookExportColumns+` FROM book_exports
		WHERE book = $1 ORDER BY created_at DESC, id LIMIT $2`, book, limit)
	if err != nil {
		return nil, fmt.Errorf("storage: list book exports: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (BookExport, error) { return scanBookExport(r) })
	if err != nil {
		return nil, fmt.Errorf("storage: list book exports: %w", err)
	}
	return out, nil
}

// StartBookExport marks the export running and counts the attempt. An
// export already done (a repeated delivery of its task) gives ErrConflict;
// one that is queued, running (a worker died in it) or failed (retried by
// hand) starts again.
func (s *Store) StartBookExport(ctx context.Context, id string) (BookExport, error) {
	uid, ok := parseID(id)
	if !ok {
		return BookExport{}, fmt.Errorf("%w: book export %q", ErrNotFound, id)
	}
	e, err := scanBookExport(s.db.QueryRow(ctx, `
		UPDATE book_exports SET state = 'running', attempts = attempts + 1, started_at = now(), finished_at = NULL
		WHERE id = $1 AND state <> 'done'
		RETURNING `+bookExportColumns, uid))
	if err == nil {
		return e, nil
	}
	if cur, gerr := s.GetBookExport(ctx, id); gerr == nil {
		return cur, fmt.Errorf("%w: book export %s is %s", ErrConflict, id, cur.State)
	}
	return BookExport{}, notFound(err, "book export", id)
}

// FinishBookExport records a written export: done, with what it holds.
func (s *Store) FinishBookExport(ctx context.Context, id string, r BookExportResult) error {
	uid, ok := parseID(id)
	if !ok {
		return fmt.Errorf("%w: book export %q", ErrNotFound, id)
	}
	tag, err := s.db.Exec(ctx, `
		UPDATE book_exports SET state = 'done', finished_at = now(), error = '',
			object_key = $2, final = $3, size_bytes = $4, exported = $5, pending = $6,
			rejected = $7, duplicates = $8, unresolved = $9
		WHERE id = $1`, uid, r.Key, r.Final, r.Size, r.Exported, r.Pending, r.Rejected, r.Duplicates, r.Unresolved)
	if err != nil {
		return fmt.Errorf("storage: finish book export %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%w: book export %s", ErrNotFound, id)
	}
	return nil
}

// FailBookExport records an attempt's error. With last the export is
// failed; otherwise it is queued again for the next attempt.
func (s *Store) FailBookExport(ctx context.Context, id, msg string, last bool) error {
	uid, ok := parseID(id)
	if !ok {
		return fmt.Errorf("%w: book export %q", ErrNotFound, id)
	}
	state := ExportQueued
	if last {
		state = ExportFailed
	}
	_, err := s.db.Exec(ctx, `
		UPDATE book_exports SET state = $2, error = $3,
			finished_at = CASE WHEN $2 = 'failed'::export_state THEN now() END
		WHERE id = $1 AND state <> 'done'`, uid, string(state), msg)
	if err != nil {
		return fmt.Errorf("storage: fail book export %s: %w", id, err)
	}
	return nil
}

// RequeueBookExport puts a failed export back in the queue (its task is
// re-run by hand); an export in another state is left as it is.
func (s *Store) RequeueBookExport(ctx context.Context, id string) error {
	uid, ok := parseID(id)
	if !ok {
		return fmt.Errorf("%w: book export %q", ErrNotFound, id)
	}
	tag, err := s.db.Exec(ctx, `UPDATE book_exports SET state = 'queued', finished_at = NULL
		WHERE id = $1 AND state = 'failed'`, uid)
	if pgCode(err) == "23505" { // book_exports_pending
		return fmt.Errorf("%w: an export of the same book is queued or running already", ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("storage: requeue book export %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		if _, err := s.GetBookExport(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// UnfinishedBookExports returns the ids of exports queued or running whose
// last change is older than olderThan: the reconciler queues their tasks
// again (Redis lost them, or a worker died in them).
func (s *Store) UnfinishedBookExports(ctx context.Context, olderThan time.Duration) ([]string, error) {
	rows, err := s.db.Query(ctx, `SELECT id::text FROM book_exports
		WHERE state IN ('queued', 'running') AND coalesce(started_at, created_at) < now() - $1::interval
		ORDER BY created_at LIMIT 1000`, fmt.Sprintf("%d milliseconds", olderThan.Milliseconds()))
	if err != nil {
		return nil, fmt.Errorf("storage: unfinished book exports: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("storage: unfinished book exports: %w", err)
	}
	return ids, nil
}

func scanBookExport(row pgx.Row) (BookExport, error) {
	var e BookExport
	var state string
	err := row.Scan(&e.ID, &e.Book, &e.BatchID, &e.Format, &e.PageImage, &state, &e.RequestedBy,
		&e.Attempts, &e.Error, &e.CreatedAt, &e.StartedAt, &e.FinishedAt,
		&e.Key, &e.Final, &e.Size, &e.Exported, &e.Pending, &e.Rejected, &e.Duplicates, &e.Unresolved)
	if err != nil {
		return BookExport{}, err
	}
	e.State = ExportState(state)
	if e.StartedAt.Equal(time.Unix(0, 0)) {
		e.StartedAt = time.Time{}
	}
	if e.FinishedAt.Equal(time.Unix(0, 0)) {
		e.FinishedAt = time.Time{}
	}
	return e, nil
}

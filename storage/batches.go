package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sohoa/sohoa/models"
)

// Batch is a set of pages uploaded together, usually one register book.
type Batch struct {
	ID           string
	Name         string
	Office       string              // registering office (cơ quan đăng ký)
	RegisterType models.RegisterType // "" when the batch mixes types
	BookNumber   string              // quyển số, as printed
	Year         int                 // 0 when unknown
	Priority     int                 // higher is processed first
	CreatedAt    time.Time
	Metadata     map[string]any
}

// NewBatch holds what CreateBatch needs; Name is required.
type NewBatch struct {
	Name         string
	Office       string
	RegisterType models.RegisterType
	BookNumber   string
	Year         int
	Priority     int
	Metadata     map[string]any
}

// ListBatchesOptions selects a page of ListBatches, newest first.
type ListBatchesOptions struct {
	Limit  int // 0 means 100; at most 1000
	Offset int
}

// Progress counts a batch's pages per state and its records per status.
type Progress struct {
	BatchID string
	Pages   int
	States  map[PageState]int
	Records map[models.Status]int
}

const batchColumns = `id, name, office, register_type, book_number, coalesce(year, 0), priority, created_at, metadata`

// CreateBatch stores a new batch and returns it with its id.
func (s *Store) CreateBatch(ctx context.Context, nb NewBatch) (Batch, error) {
	if nb.Name == "" {
		return Batch{}, invalidf("batch name is empty")
	}
	if nb.Year < 0 {
		return Batch{}, invalidf("batch year %d", nb.Year)
	}
	meta := nb.Metadata
	if meta == nil {
		meta = map[string]any{}
	}
	metaJSON, err := json.Marshal(meta)
	if err != nil {
		return Batch{}, invalidf("batch metadata: %v", err)
	}
	row := s.db.QueryRow(ctx, `
		INSERT INTO batches (name, office, register_type, book_number, year, priority, metadata)
		VALUES ($1, $2, $3, $4, nullif($5, 0), $6, $7)
		RETURNING `+batchColumns,
		nb.Name, nb.Office, string(nb.RegisterType), nb.BookNumber, nb.Year, nb.Priority, metaJSON)
	b, err := scanBatch(row)
	if err != nil {
		return Batch{}, fmt.Errorf("storage: create batch: %w", err)
	}
	return b, nil
}

// GetBatch returns the batch with the given id, or ErrNotFound.
func (s *Store) GetBatch(ctx context.Context, id string) (Batch, error) {
	uid, ok := parseID(id)
	if !ok {
		return Batch{}, fmt.Errorf("%w: batch %q", ErrNotFound, id)
	}
	b, err := scanBatch(s.db.QueryRow(ctx, `SELECT `+batchColumns+` FROM batches WHERE id = $1`, uid))
	if err != nil {
		return Batch{}, notFound(err, "batch", id)
	}
	return b, nil
}

// ListBatches returns batches, newest first.
func (s *Store) ListBatches(ctx context.Context, opts ListBatchesOptions) ([]Batch, error) {
	limit, err := clampLimit(opts.Limit)
	if err != nil {
		return nil, err
	}
	if opts.Offset < 0 {
		return nil, invalidf("offset %d", opts.Offset)
	}
	rows, err := s.db.Query(ctx, `SELECT `+batchColumns+` FROM batches
		ORDER BY created_at DESC, id LIMIT $1 OFFSET $2`, limit, opts.Offset)
	if err != nil {
		return nil, fmt.Errorf("storage: list batches: %w", err)
	}
	batches, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Batch, error) { return scanBatch(r) })
	if err != nil {
		return nil, fmt.Errorf("storage: list batches: %w", err)
	}
	return batches, nil
}

// BatchProgress counts the batch's pages per state (every state is present,
// with 0 where no page is) and its records per status.
func (s *Store) BatchProgress(ctx context.Context, batchID string) (Progress, error) {
	b, err := s.GetBatch(ctx, batchID)
	if err != nil {
		return Progress{}, err
	}
	p := Progress{BatchID: b.ID, States: map[PageState]int{}, Records: map[models.Status]int{}}
	for _, st := range PageStates() {
		p.States[st] = 0
	}
	rows, err := s.db.Query(ctx, `SELECT state::text, count(*) FROM pages WHERE batch_id = $1 GROUP BY state`, b.ID)
	if err != nil {
		return Progress{}, fmt.Errorf("storage: batch progress: %w", err)
	}
	var state string
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&state, &n}, func() error {
		p.States[PageState(state)] = n
		p.Pages += n
		return nil
	}); err != nil {
		return Progress{}, fmt.Errorf("storage: batch progress: %w", err)
	}
	rows, err = s.db.Query(ctx, `SELECT r.status, count(*) FROM records r JOIN pages p ON p.id = r.page_id
		WHERE p.batch_id = $1 GROUP BY r.status`, b.ID)
	if err != nil {
		return Progress{}, fmt.Errorf("storage: batch progress: %w", err)
	}
	if _, err := pgx.ForEachRow(rows, []any{&state, &n}, func() error {
		p.Records[models.Status(state)] = n
		return nil
	}); err != nil {
		return Progress{}, fmt.Errorf("storage: batch progress: %w", err)
	}
	return p, nil
}

func scanBatch(row pgx.Row) (Batch, error) {
	var b Batch
	var regType string
	var meta []byte
	if err := row.Scan(&b.ID, &b.Name, &b.Office, &regType, &b.BookNumber, &b.Year, &b.Priority,
		&b.CreatedAt, &meta); err != nil {
		return Batch{}, err
	}
	b.RegisterType = models.RegisterType(regType)
	if err := json.Unmarshal(meta, &b.Metadata); err != nil {
		return Batch{}, fmt.Errorf("batch metadata: %w", err)
	}
	return b, nil
}

// clampLimit applies the default (100) and maximum (1000) page size.
func clampLimit(limit int) (int, error) {
	switch {
	case limit < 0:
		return 0, invalidf("limit %d", limit)
	case limit == 0:
		return 100, nil
	case limit > 1000:
		return 1000, nil
	}
	return limit, nil
}

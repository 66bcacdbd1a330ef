package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sohoa/sohoa/models"
)

// Record is a record as stored: the record-format record plus the page it
// belongs to and its place in the change order.
type Record struct {
	models.Record
	PageID string
	// ChangeSeq grows with every insert or update that changes the record.
	// Numbers are drawn in time order and may commit out of order, but
	// ListRecords never returns a number while a smaller one may still
	// commit, so a cursor (AfterSeq) misses nothing.
	ChangeSeq int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

const recordColumns = `r.id, r.page_id, r.entry_index, r.source, r.page_sha256, r.register_type, r.template,
	r.status, r.fields, r.warnings, r.error, r.change_seq, r.created_at, r.updated_at`

// SaveRecords makes recs the page's records, in one transaction: records
// with the same id are updated in place (their ChangeSeq moves only if
// something changed), new ones inserted, and the page's other records
// deleted. Saving the same records again changes nothing, so a stage
// delivered twice is harmless. Record ids must be UUIDs; an id that belongs
// to another page gives ErrConflict. Empty Source and PageSHA256 are taken
// from the page; a PageSHA256 that differs from the page's is ErrInvalid.
func (s *Store) SaveRecords(ctx context.Context, pageID string, recs []models.Record) error {
	uid, ok := parseID(pageID)
	if !ok {
		return fmt.Errorf("%w: page %q", ErrNotFound, pageID)
	}
	ids, err := checkRecords(recs)
	if err != nil {
		return err
	}
	err = s.WithTx(ctx, func(tx *Store) error {
		var sum, source string
		err := tx.db.QueryRow(ctx, `SELECT sha256, source FROM pages WHERE id = $1 FOR UPDATE`, uid).
			Scan(&sum, &source)
		if err != nil {
			return notFound(err, "page", pageID)
		}
		if _, err := tx.db.Exec(ctx, `DELETE FROM records WHERE page_id = $1 AND NOT (id = ANY($2::uuid[]))`,
			uid, ids); err != nil {
			return err
		}
		batch := &pgx.Batch{}
		for i, r := range recs {
			if r.PageSHA256 == "" {
				r.PageSHA256 = sum
			} else if r.PageSHA256 != sum {
				return invalidf("record %s: page_sha256 %s is not the page's %s", r.ID, r.PageSHA256, sum)
			}
			if r.Source == "" {
				r.Source = source
			}
			fields, err := json.Marshal(nonNilFields(r.Fields))
			if err != nil {
				return invalidf("record %s fields: %v", r.ID, err)
			}
			warnings := r.Warnings
			if warnings == nil {
				warnings = []string{}
			}
			batch.Queue(`
				INSERT INTO records (id, page_id, entry_index, source, page_sha256, register_type,
					template, status, fields, warnings, error)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
				ON CONFLICT (id) DO UPDATE SET entry_index = excluded.entry_index,
					source = excluded.source, page_sha256 = excluded.page_sha256,
					register_type = excluded.register_type, template = excluded.template,
					status = excluded.status, fields = excluded.fields,
					warnings = excluded.warnings, error = excluded.error
				WHERE records.page_id = excluded.page_id
				RETURNING id`,
				ids[i], uid, r.EntryIndex, r.Source, r.PageSHA256, string(r.RegisterType),
				r.Template, string(r.Status), fields, warnings, r.Error)
		}
		results := tx.db.SendBatch(ctx, batch)
		for i := range recs {
			var id string
			if err := results.QueryRow().Scan(&id); err != nil {
				results.Close()
				if errors.Is(err, pgx.ErrNoRows) {
					return fmt.Errorf("%w: record %s belongs to another page", ErrConflict, recs[i].ID)
				}
				return err
			}
		}
		return results.Close()
	})
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrInvalid), errors.Is(err, ErrConflict):
		return err
	case pgCode(err) == codeCheckViolation:
		return fmt.Errorf("%w: save records of page %s: %v", ErrInvalid, pageID, err)
	}
	return fmt.Errorf("storage: save records of page %s: %w", pageID, err)
}

// GetRecord returns the record with the given id, or ErrNotFound.
func (s *Store) GetRecord(ctx context.Context, id string) (Record, error) {
	uid, ok := parseID(id)
	if !ok {
		return Record{}, fmt.Errorf("%w: record %q", ErrNotFound, id)
	}
	r, err := scanRecord(s.db.QueryRow(ctx, `SELECT `+recordColumns+` FROM records r WHERE r.id = $1`, uid))
	if err != nil {
		return Record{}, notFound(err, "record", id)
	}
	return r, nil
}

// checkRecords validates recs and returns their canonical ids.
func checkRecords(recs []models.Record) ([]string, error) {
	ids := make([]string, len(recs))
	seenID := map[string]bool{}
	seenIndex := map[int]bool{}
	for i, r := range recs {
		id, ok := parseID(r.ID)
		if !ok {
			return nil, invalidf("record id %q is not a UUID", r.ID)
		}
		if seenID[id] {
			return nil, invalidf("record id %s given twice", id)
		}
		if seenIndex[r.EntryIndex] {
			return nil, invalidf("entry index %d given twice", r.EntryIndex)
		}
		if !validStatus(r.Status) {
			return nil, invalidf("record %s status %q", id, r.Status)
		}
		seenID[id], seenIndex[r.EntryIndex] = true, true
		ids[i] = id
	}
	return ids, nil
}

func validStatus(s models.Status) bool {
	switch s {
	case models.StatusAccepted, models.StatusReview, models.StatusVerified, models.StatusRejected:
		return true
	}
	return false
}

func nonNilFields(f map[string]models.Field) map[string]models.Field {
	if f == nil {
		return map[string]models.Field{}
	}
	return f
}

func scanRecord(row pgx.Row) (Record, error) {
	var r recordRow
	if err := row.Scan(r.dest()...); err != nil {
		return Record{}, err
	}
	return r.record()
}

// RawRecord is a Record whose fields are left as PostgreSQL sent them,
// for a caller that passes them on without looking at them: the fields
// object outweighs the rest of a record many times over, and decoding it
// is most of the cost of reading records.
type RawRecord struct {
	Record // Fields is nil
	// FieldsJSON is the record's fields object, as JSON text (from jsonb:
	// keys in jsonb's order, spaces after colons and commas).
	FieldsJSON []byte
}

// Decode returns the record with its fields decoded.
func (r RawRecord) Decode() (Record, error) {
	rec := r.Record
	if err := json.Unmarshal(r.FieldsJSON, &rec.Fields); err != nil {
		return Record{}, fmt.Errorf("record %s fields: %w", rec.ID, err)
	}
	return rec, nil
}

// recordRow receives the columns of recordColumns.
type recordRow struct {
	r               Record
	regType, status string
	fields          []byte
}

func (r *recordRow) dest() []any {
	return []any{&r.r.ID, &r.r.PageID, &r.r.EntryIndex, &r.r.Source, &r.r.PageSHA256, &r.regType, &r.r.Template,
		&r.status, &r.fields, &r.r.Warnings, &r.r.Error, &r.r.ChangeSeq, &r.r.CreatedAt, &r.r.UpdatedAt}
}

// raw returns the record scanned into r, its fields undecoded.
func (r *recordRow) raw() RawRecord {
	rec := r.r
	rec.RegisterType = models.RegisterType(r.regType)
	rec.Status = models.Status(r.status)
	return RawRecord{Record: rec, FieldsJSON: r.fields}
}

// record returns the record scanned into r.
func (r *recordRow) record() (Record, error) { return r.raw().Decode() }

package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// AuditEntry is one change made by a person or a client, kept for good:
// the audit table refuses updates and deletes.
type AuditEntry struct {
	ID       int64     // set by AppendAudit
	At       time.Time // set by AppendAudit
	Actor    string    // who: a person's or token's name; required
	TokenID  string    // the token used, if any
	RecordID string    // the record changed; required
	Field    string    // the field changed, "" for the whole record
	Old, New *string   // values before and after; nil for null
	Reason   string
}

const auditColumns = `id, at, actor, coalesce(token_id::text, ''), record_id, field, old_value, new_value, reason`

// AppendAudit stores e and returns it with its id and time.
func (s *Store) AppendAudit(ctx context.Context, e AuditEntry) (AuditEntry, error) {
	if e.Actor == "" {
		return AuditEntry{}, invalidf("audit actor is empty")
	}
	recordID, ok := parseID(e.RecordID)
	if !ok {
		return AuditEntry{}, invalidf("audit record id %q", e.RecordID)
	}
	tokenID, err := optionalTokenID(e.TokenID)
	if err != nil {
		return AuditEntry{}, err
	}
	out, err := scanAudit(s.db.QueryRow(ctx, `INSERT INTO audit (actor, token_id, record_id, field, old_value, new_value, reason)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+auditColumns,
		e.Actor, tokenID, recordID, e.Field, e.Old, e.New, e.Reason))
	if err := unknownToken(err, e.TokenID); errors.Is(err, ErrNotFound) {
		return AuditEntry{}, err
	}
	if err != nil {
		return AuditEntry{}, fmt.Errorf("storage: append audit: %w", err)
	}
	return out, nil
}

// ListAudit returns a record's audit trail, oldest first.
func (s *Store) ListAudit(ctx context.Context, recordID string) ([]AuditEntry, error) {
	id, ok := parseID(recordID)
	if !ok {
		return nil, invalidf("record id %q", recordID)
	}
	rows, err := s.db.Query(ctx, `SELECT `+auditColumns+` FROM audit WHERE record_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("storage: list audit: %w", err)
	}
	entries, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AuditEntry, error) { return scanAudit(r) })
	if err != nil {
		return nil, fmt.Errorf("storage: list audit: %w", err)
	}
	return entries, nil
}

func scanAudit(row pgx.Row) (AuditEntry, error) {
	var e AuditEntry
	err := row.Scan(&e.ID, &e.At, &e.Actor, &e.TokenID, &e.RecordID, &e.Field, &e.Old, &e.New, &e.Reason)
	return e, err
}

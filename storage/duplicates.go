package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/sohoa/sohoa/models"
)

// ReasonDuplicate prefixes the audit reason (and the record's error) of a
// record rejected as a duplicate; the id of the record kept follows.
const ReasonDuplicate = "duplicate_of:"

// DuplicateRejection is a person's (or a client's) decision that RecordID
// registers the same thing as KeepID, which stays.
type DuplicateRejection struct {
	RecordID string // the record rejected
	KeepID   string // the record it duplicates
	Actor    string // who, for the audit trail; required
	TokenID  string // the API token used, if any
}

// RejectDuplicate rejects rej.RecordID as a duplicate of rej.KeepID by the
// statement every rejection goes through (rejectSQL): the record becomes
// rejected with the reason ReasonDuplicate+KeepID, an audit row records
// who did it and the old status, and its open review items are closed. It
// returns the rejected record.
//
// Both records are locked, in id order, before they are checked, so that
// two people rejecting each of a pair as the duplicate of the other cannot
// both succeed: the second waits, then finds the record it meant to keep
// rejected and gets ErrConflict, as it does when the record is rejected
// already. Unknown ids give ErrNotFound; the same id twice ErrInvalid.
// Whether the records are duplicates is the caller's judgement.
func (s *Store) RejectDuplicate(ctx context.Context, rej DuplicateRejection) (Record, error) {
	id, ok1 := parseID(rej.RecordID)
	keep, ok2 := parseID(rej.KeepID)
	token, err := optionalTokenID(rej.TokenID)
	if err != nil {
		return Record{}, err
	}
	switch {
	case !ok1 || !ok2:
		return Record{}, fmt.Errorf("%w: record %q or %q", ErrNotFound, rej.RecordID, rej.KeepID)
	case id == keep:
		return Record{}, invalidf("record %s cannot duplicate itself", id)
	case rej.Actor == "":
		return Record{}, invalidf("rejection actor is empty")
	}
	var out Record
	err = s.WithTx(ctx, func(tx *Store) error {
		rows, err := tx.db.Query(ctx, `SELECT id::text, page_id::text, status FROM records
			WHERE id = ANY($1::uuid[]) ORDER BY id FOR NO KEY UPDATE`, []string{id, keep})
		if err != nil {
			return err
		}
		type locked struct{ page, status string }
		found := map[string]locked{}
		var rid string
		var l locked
		_, err = pgx.ForEachRow(rows, []any{&rid, &l.page, &l.status}, func() error {
			found[rid] = l
			return nil
		})
		if err != nil {
			return err
		}
		for _, x := range []string{id, keep} {
			switch found[x].status {
			case "":
				return fmt.Errorf("%w: record %s", ErrNotFound, x)
			case string(models.StatusRejected):
				return fmt.Errorf("%w: record %s is rejected already", ErrConflict, x)
			}
		}
		if _, err := tx.db.Exec(ctx, rejectSQL(`page_id = $1 AND id = $2`),
			found[id].page, id, ReasonDuplicate+keep, rej.Actor, nil, nil, token); err != nil {
			return unknownToken(err, rej.TokenID)
		}
		out, err = tx.GetRecord(ctx, id)
		return err
	})
	switch {
	case err == nil:
		return out, nil
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrConflict):
		return Record{}, err
	}
	return Record{}, fmt.Errorf("storage: reject duplicate %s: %w", id, err)
}

// ReasonRestored is the audit reason of a duplicate rejection undone.
const ReasonRestored = "duplicate_rejection_undone"

// DuplicateRestore is a person's (or a client's) decision that a record
// rejected as a duplicate was not one after all.
type DuplicateRestore struct {
	RecordID string
	Actor    string // who, for the audit trail; required
	TokenID  string // the API token used, if any
}

// RestoreDuplicate undoes the rejection of a record as a duplicate
// (RejectDuplicate): the record gets back the status it had before (from
// the audit trail; review when the trail does not say), with an audit row
// naming who undid it, and the review items the rejection closed unkeyed
// are open again. Its change number moves, so loaders pulling changes get
// it again. A record that is not rejected as a duplicate (rejected by a
// person's review, or not rejected) gives ErrConflict; an unknown one
// ErrNotFound.
func (s *Store) RestoreDuplicate(ctx context.Context, rs DuplicateRestore) (Record, error) {
	id, ok := parseID(rs.RecordID)
	if !ok {
		return Record{}, fmt.Errorf("%w: record %q", ErrNotFound, rs.RecordID)
	}
	if rs.Actor == "" {
		return Record{}, invalidf("restore actor is empty")
	}
	token, err := optionalTokenID(rs.TokenID)
	if err != nil {
		return Record{}, err
	}
	var out Record
	err = s.WithTx(ctx, func(tx *Store) error {
		var status, reason string
		err := tx.db.QueryRow(ctx, `SELECT status, error FROM records WHERE id = $1 FOR NO KEY UPDATE`, id).
			Scan(&status, &reason)
		if err != nil {
			return notFound(err, "record", id)
		}
		if status != string(models.StatusRejected) || DuplicateOf(reason) == "" {
			return fmt.Errorf("%w: record %s is not rejected as a duplicate", ErrConflict, id)
		}
		var before string
		err = tx.db.QueryRow(ctx, `SELECT coalesce(old_value, '') FROM audit
			WHERE record_id = $1 AND field = '' AND new_value = 'rejected' AND reason = $2
			ORDER BY id DESC LIMIT 1`, id, reason).Scan(&before)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		switch models.Status(before) {
		case models.StatusAccepted, models.StatusReview, models.StatusVerified:
		default:
			before = string(models.StatusReview)
		}
		if _, err := tx.db.Exec(ctx, `UPDATE records SET status = $2, error = '' WHERE id = $1`, id, before); err != nil {
			return err
		}
		if _, err := tx.db.Exec(ctx, `INSERT INTO audit (actor, token_id, record_id, old_value, new_value, reason)
			VALUES ($1, $2::uuid, $3, 'rejected', $4, $5)`, rs.Actor, token, id, before, ReasonRestored); err != nil {
			return unknownToken(err, rs.TokenID)
		}
		// The items the rejection closed without anyone keying them.
		if _, err := tx.db.Exec(ctx, `UPDATE review_items SET done_at = NULL, lease_until = NULL, claimed_by = NULL
			WHERE record_id = $1 AND done_at IS NOT NULL AND done_by IS NULL AND keyed IS NULL`, id); err != nil {
			return err
		}
		out, err = tx.GetRecord(ctx, id)
		return err
	})
	switch {
	case err == nil:
		return out, nil
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrConflict), errors.Is(err, ErrInvalid):
		return Record{}, err
	}
	return Record{}, fmt.Errorf("storage: restore duplicate %s: %w", id, err)
}

// unknownToken turns err, from writing an audit row with the API token
// id, into ErrNotFound naming the token when the token does not exist
// (its foreign key); other errors are returned as they are.
func unknownToken(err error, id string) error {
	if pgCode(err) == codeForeignKeyViolation {
		return fmt.Errorf("%w: token %s", ErrNotFound, id)
	}
	return err
}

// optionalTokenID is the audit row's token_id argument for the API token
// id: nil for none.
func optionalTokenID(id string) (*string, error) {
	if id == "" {
		return nil, nil
	}
	t, ok := parseID(id)
	if !ok {
		return nil, invalidf("token id %q", id)
	}
	return &t, nil
}

// DuplicateOf returns the id of the record that reason (a record's error or
// an audit reason) names as kept when the record was rejected as its
// duplicate, or "".
func DuplicateOf(reason string) string {
	id, ok := strings.CutPrefix(reason, ReasonDuplicate)
	if !ok {
		return ""
	}
	if id, ok = parseID(id); !ok {
		return ""
	}
	return id
}

// BlindPending returns which of the records still have blind keying to do
// (an open double or sample item): their values must not be shown to a
// verifier, who may be the one to key them.
func (s *Store) BlindPending(ctx context.Context, recordIDs []string) (map[string]bool, error) {
	ids := make([]string, 0, len(recordIDs))
	for _, r := range recordIDs {
		if id, ok := parseID(r); ok {
			ids = append(ids, id)
		}
	}
	rows, err := s.db.Query(ctx, `SELECT DISTINCT record_id::text FROM review_items
		WHERE record_id = ANY($1::uuid[]) AND kind IN ('double', 'sample') AND done_at IS NULL`, ids)
	if err != nil {
		return nil, fmt.Errorf("storage: blind items: %w", err)
	}
	pending, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("storage: blind items: %w", err)
	}
	out := make(map[string]bool, len(pending))
	for _, id := range pending {
		out[id] = true
	}
	return out, nil
}

// RecordsMatching returns up to limit records (at most 100) of
// registerType, other than except and not rejected, whose fields hold every
// value of at least one of probes (field → value, compared exactly as
// stored). It is a single query served by the records' GIN index (jsonb
// containment), cheap enough to run for every record a person reviews
// (recordsMatchingSQL).
func (s *Store) RecordsMatching(ctx context.Context, registerType, except string, probes []map[string]string, limit int) ([]Record, error) {
	id, ok := parseID(except)
	if !ok {
		return nil, invalidf("record id %q", except)
	}
	docs := make([]string, 0, len(probes))
	for _, p := range probes {
		if len(p) == 0 {
			continue
		}
		doc := make(map[string]map[string]string, len(p))
		for k, v := range p {
			doc[k] = map[string]string{"value": v}
		}
		b, err := json.Marshal(doc)
		if err != nil {
			return nil, invalidf("probe: %v", err)
		}
		docs = append(docs, string(b))
	}
	if len(docs) == 0 {
		return nil, nil
	}
	limit = min(max(limit, 1), 100)
	rows, err := s.db.Query(ctx, recordsMatchingSQL, docs, registerType, id, limit)
	if err != nil {
		return nil, fmt.Errorf("storage: records matching: %w", err)
	}
	recs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Record, error) { return scanRecord(r) })
	if err != nil {
		return nil, fmt.Errorf("storage: records matching: %w", err)
	}
	return recs, nil
}

// recordsMatchingSQL is RecordsMatching's query. The matches are found
// first, by themselves, through the GIN index, and only then ordered and
// cut to the limit: written as one SELECT … ORDER BY id LIMIT, the planner
// expects the first few rows in id order to match (a fixed guess, whatever
// the probes) and walks the primary key instead, testing the containment
// on every record of the table, about 1 ms per 1,000 records, for each
// review page shown.
const recordsMatchingSQL = `WITH m AS MATERIALIZED (
		SELECT id FROM records
		WHERE fields @> ANY($1::jsonb[]) AND register_type = $2 AND id <> $3 AND status <> 'rejected')
	SELECT ` + recordColumns + ` FROM records r
	WHERE r.id IN (SELECT id FROM m ORDER BY id LIMIT $4)
	ORDER BY r.id`

package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/sohoa/sohoa/models"
)

// SubmitReview applies a person's submission for an item they claimed:
// changed values are written to the record with an audit row each (who,
// old → new, why); a first review of a record with critical fields, with
// double entry on, queues their blind second keying; a second keying or a
// sample that disagrees queues arbitration; otherwise the record becomes
// verified. A rejection rejects every record of the page still in review.
// An item claimed by someone else, or done already, gives ErrConflict.
//
// It is one transaction of two round trips: the item and its record (both
// locked) and the settings are read, in one statement, with BEGIN; every
// write goes with COMMIT.
func (s *Store) SubmitReview(ctx context.Context, sub ReviewSubmission) (ReviewOutcome, error) {
	if sub.Actor == "" {
		return ReviewOutcome{}, invalidf("submission actor is empty")
	}
	var (
		it       ReviewItem
		rec      Record
		settings ReviewSettings
		out      ReviewOutcome
	)
	read := &pgx.Batch{}
	read.Queue(`SELECT `+reviewColumns+`, `+recordColumns+`, s.sample_rate, s.double_entry
		FROM review_items i JOIN records r ON r.id = i.record_id CROSS JOIN review_settings s
		WHERE i.id = $1
		FOR UPDATE OF i FOR NO KEY UPDATE OF r`, sub.ItemID).QueryRow(func(row pgx.Row) error {
		var ir reviewRow
		var rr recordRow
		err := row.Scan(append(append(ir.dest(), rr.dest()...), &settings.SampleRate, &settings.DoubleEntry)...)
		if err != nil {
			return notFound(err, "review item", fmt.Sprint(sub.ItemID))
		}
		if it, err = ir.item(); err != nil {
			return err
		}
		rec, err = rr.record()
		return err
	})
	err := s.pipelineTx(ctx, read, func() (*pgx.Batch, error) {
		if it.Done() || it.ClaimedBy != sub.UserID {
			return nil, fmt.Errorf("%w: review item %d is not claimed by this user", ErrConflict, sub.ItemID)
		}
		write := &pgx.Batch{}
		var err error
		out, err = planSubmit(write, it, rec, settings, sub)
		return write, err
	})
	if err != nil {
		if errors.Is(err, ErrNotFound) || errors.Is(err, ErrConflict) || errors.Is(err, ErrInvalid) {
			return ReviewOutcome{}, err
		}
		return ReviewOutcome{}, fmt.Errorf("storage: submit review %d: %w", sub.ItemID, err)
	}
	return out, nil
}

// auditRows are the audit entries a submission writes for one record, in
// order.
type auditRows struct {
	fields, reasons []string
	olds, news      []*string
}

func (a *auditRows) add(field string, old, new *string, reason string) {
	a.fields, a.olds, a.news, a.reasons = append(a.fields, field), append(a.olds, old), append(a.news, new),
		append(a.reasons, reason)
}

// planSubmit works out what sub does to the item it and its record rec and
// queues the writes on b: the follow-up item, if any, then one statement
// that writes the audit rows, closes the item and updates the record.
func planSubmit(b *pgx.Batch, it ReviewItem, rec Record, settings ReviewSettings, sub ReviewSubmission) (ReviewOutcome, error) {
	out := ReviewOutcome{RecordID: rec.ID, RecordStatus: rec.Status}
	if sub.Reject != "" {
		queueRejectPage(b, rec, sub)
		return out, nil
	}
	keys := it.Keys
	if len(keys) == 0 {
		keys = sortedKeys(rec.Fields)
	}
	for k := range sub.Values {
		if !slices.Contains(keys, k) {
			return out, invalidf("field %q is not part of review item %d", k, it.ID)
		}
	}
	var audit auditRows
	// apply writes the submitted values of keys into the record.
	apply := func(reason string) {
		for _, k := range keys {
			v, ok := sub.Values[k]
			if !ok {
				continue
			}
			f := rec.Fields[k]
			why := reason
			if v == nil {
				why = ReasonUnreadable
			}
			if !sameValue(f.Value, v) {
				audit.add(k, f.Value, v, why)
				out.Changed++
				f.Value = v
			}
			f.Status = models.StatusVerified
			rec.Fields[k] = f
		}
	}
	verify := func(reason string) {
		old, verified := string(rec.Status), string(models.StatusVerified)
		if rec.Status != models.StatusVerified {
			audit.add("", &old, &verified, reason)
		}
		rec.Status = models.StatusVerified
	}
	var sample *[2]int // fields compared, disagreements
	switch it.Kind {
	case KindReview:
		apply(ReasonReview)
		var critical []string
		for _, k := range keys {
			if slices.Contains(sub.Critical, k) {
				critical = append(critical, k)
			}
		}
		if settings.DoubleEntry && len(critical) > 0 {
			if err := queueItem(b, it, KindDouble, critical, nil); err != nil {
				return out, err
			}
			out.FollowUp = KindDouble
		} else {
			verify(ReasonVerified)
		}
	case KindDouble, KindSample:
		candidates := map[string][]*string{}
		compared := 0
		for _, k := range keys {
			v, ok := sub.Values[k]
			if !ok {
				continue
			}
			compared++
			if !sameValue(rec.Fields[k].Value, v) {
				candidates[k] = []*string{rec.Fields[k].Value, v}
				out.Disagreements = append(out.Disagreements, k)
			}
		}
		if it.Kind == KindSample {
			sample = &[2]int{compared, len(candidates)}
		}
		if len(candidates) > 0 {
			if err := queueItem(b, it, KindArbitrate, out.Disagreements, candidates); err != nil {
				return out, err
			}
			out.FollowUp = KindArbitrate
		} else if it.Kind == KindDouble {
			verify(ReasonDoubleAgree)
		}
	case KindArbitrate:
		apply(ReasonArbitration)
		verify(ReasonArbitration)
	}
	fields, err := json.Marshal(rec.Fields)
	if err != nil {
		return out, err
	}
	keyed, err := json.Marshal(sub.Values)
	if err != nil {
		return out, err
	}
	var sampleFields, sampleErrors *int
	if sample != nil {
		sampleFields, sampleErrors = &sample[0], &sample[1]
	}
	// One statement: the audit rows, the item done, then the record.
	b.Queue(`WITH audited AS (
			INSERT INTO audit (actor, record_id, field, old_value, new_value, reason)
			SELECT $1, $2, a.field, a.old, a.new, a.reason
			FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS a(field, old, new, reason, n)
			ORDER BY a.n),
		done AS (
			UPDATE review_items SET done_by = $8, done_at = now(), keyed = $9, lease_until = NULL,
				sample_fields = coalesce($10, sample_fields), sample_errors = coalesce($11, sample_errors)
			WHERE id = $7)
		UPDATE records SET fields = $12, status = $13 WHERE id = $2`,
		sub.Actor, rec.ID, audit.fields, audit.olds, audit.news, audit.reasons,
		it.ID, sub.UserID, keyed, sampleFields, sampleErrors, fields, string(rec.Status))
	out.RecordStatus = rec.Status
	return out, nil
}

// queueRejectPage queues, in one statement, the rejection of every record of
// rec's page still in review (and rec), an audit row for each, and the
// closing of their open items.
func queueRejectPage(b *pgx.Batch, rec Record, sub ReviewSubmission) {
	b.Queue(rejectSQL(`page_id = $1 AND (status = 'review' OR id = $2)`),
		rec.PageID, rec.ID, ReasonRejectPage+sub.Reject, sub.Actor, sub.ItemID, sub.UserID, nil)
}

// rejectSQL is the one statement by which records are rejected, so that
// every rejection leaves the same trail: it rejects the records where
// selects (it may use $1 and $2), with $3 as their error and audit reason;
// writes an audit row for each (actor $4, token $7, may be null); and
// closes their open review items, the item $5 as done by the user $6 (both
// may be null).
func rejectSQL(where string) string {
	return `WITH rejected AS (
			UPDATE records SET status = 'rejected', error = $3
			WHERE ` + where + `
			RETURNING id, (SELECT o.status FROM records o WHERE o.id = records.id) AS old),
		audited AS (
			INSERT INTO audit (actor, token_id, record_id, old_value, new_value, reason)
			SELECT $4, $7::uuid, id, old, 'rejected', $3 FROM rejected ORDER BY id)
		UPDATE review_items SET done_at = now(), lease_until = NULL,
			done_by = CASE WHEN id = $5 THEN $6::uuid ELSE done_by END
		WHERE record_id IN (SELECT id FROM rejected) AND done_at IS NULL`
}

// queueItem queues a follow-up item of kind for the record of it.
func queueItem(b *pgx.Batch, it ReviewItem, kind ReviewKind, keys []string, candidates map[string][]*string) error {
	if candidates == nil {
		candidates = map[string][]*string{}
	}
	cj, err := json.Marshal(candidates)
	if err != nil {
		return err
	}
	b.Queue(`INSERT INTO review_items (record_id, kind, batch_id, book_number, register_type, keys, candidates)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT ON CONSTRAINT review_items_once DO UPDATE SET keys = excluded.keys,
			candidates = excluded.candidates, done_at = NULL, done_by = NULL, lease_until = NULL, claimed_by = NULL`,
		it.RecordID, string(kind), it.BatchID, it.BookNumber, it.RegisterType, keys, cj)
	return nil
}

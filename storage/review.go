package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/text/unicode/norm"

	"github.com/sohoa/sohoa/models"
)

// ReviewKind is what a review item asks of a person.
type ReviewKind string

// Review item kinds.
const (
	// KindReview: first pass over a record the machine was unsure of; the
	// machine's readings are shown and pre-filled.
	KindReview ReviewKind = "review"
	// KindDouble: blind second keying of the critical fields of a record
	// reviewed once, by another person.
	KindDouble ReviewKind = "double"
	// KindSample: blind keying of an auto-accepted record, for the error
	// rate of auto-acceptance.
	KindSample ReviewKind = "sample"
	// KindArbitrate: a disagreement (double entry, or sample against the
	// machine) for a person with the arbitrator role.
	KindArbitrate ReviewKind = "arbitrate"
)

// Blind reports whether the person keys the item without seeing the
// machine's reading or another person's.
func (k ReviewKind) Blind() bool { return k == KindDouble || k == KindSample }

// Valid reports whether k is a review kind.
func (k ReviewKind) Valid() bool {
	return k == KindReview || k == KindDouble || k == KindSample || k == KindArbitrate
}

// KindsFor returns the kinds a user of role may claim: verifiers every kind
// but arbitrate; arbitrators and admins every kind.
func KindsFor(role UserRole) []ReviewKind {
	switch role {
	case UserArbitrator, UserAdmin:
		return []ReviewKind{KindArbitrate, KindReview, KindDouble, KindSample}
	case UserVerifier:
		return []ReviewKind{KindReview, KindDouble, KindSample}
	}
	return nil
}

// QualityBudget is the largest acceptable error rate of auto-accepted
// fields.
const QualityBudget = 0.005

// ReviewItem is one unit of review work.
type ReviewItem struct {
	ID           int64
	RecordID     string
	Kind         ReviewKind
	BatchID      string
	BookNumber   string
	RegisterType string
	// Keys are the fields to key; empty means every field of the record.
	Keys []string
	// Candidates are, for arbitrate, the competing values of each field.
	Candidates map[string][]*string
	ClaimedBy  string
	LeaseUntil time.Time
	Claims     int
	DoneBy     string
	DoneAt     time.Time
	Keyed      map[string]*string
	CreatedAt  time.Time
}

// Done reports whether the item was submitted (or closed by a rejection).
func (it ReviewItem) Done() bool { return !it.DoneAt.IsZero() }

// ClaimOptions filter ClaimReview. Empty strings match everything.
type ClaimOptions struct {
	BatchID      string
	BookNumber   string
	RegisterType string
	// Kinds the claimer may take; required (see KindsFor).
	Kinds []ReviewKind
	// Lease is how long the claim lasts; 0 means 10 minutes.
	Lease time.Duration
}

// ReviewSettings say how records reach review.
type ReviewSettings struct {
	SampleRate  float64 // share of auto-accepted records reviewed blind
	DoubleEntry bool    // critical fields keyed twice
}

// ReviewSubmission is what a person submits for a claimed item.
type ReviewSubmission struct {
	ItemID int64
	UserID string
	Actor  string // the user's name, for the audit trail
	// Values keyed per field; nil marks the field unreadable.
	Values map[string]*string
	// Reject, when not empty, rejects the page instead, with this reason.
	Reject string
	// Critical are the record's fields that double entry keys twice.
	Critical []string
}

// ReviewOutcome says what a submission did.
type ReviewOutcome struct {
	RecordID     string
	RecordStatus models.Status
	// FollowUp is the kind of the item the submission created ("" none).
	FollowUp ReviewKind
	// Disagreements are the fields sent to arbitration.
	Disagreements []string
	Changed       int // fields whose value changed
}

// ReviewProgress counts review work.
type ReviewProgress struct {
	BatchTotal, BatchDone int // items of the batch (all batches when none given)
	UserDone, UserToday   int // items the user submitted, ever and today
}

// QualityReport is the measured error rate of auto-accepted fields.
type QualityReport struct {
	SampledRecords int     // sample items submitted
	PendingSamples int     // sample items not yet submitted
	Fields         int     // fields compared
	Errors         int     // fields where the person disagreed with the machine
	Rate           float64 // Errors / Fields (0 when nothing was compared)
	Budget         float64 // QualityBudget
}

// WithinBudget reports whether the measured rate is at most the budget.
func (q QualityReport) WithinBudget() bool { return q.Rate <= q.Budget }

// Audit reasons written by SubmitReview.
const (
	ReasonReview      = "review"       // corrected on first review
	ReasonUnreadable  = "unreadable"   // marked unreadable
	ReasonArbitration = "arbitration"  // settled by an arbitrator
	ReasonVerified    = "verified"     // the record's status moved to verified
	ReasonDoubleAgree = "double_entry" // second keying agreed
	ReasonRejectPage  = "reject_page:" // prefix of a page rejection, then the reason
)

const reviewColumns = `i.id, i.record_id, i.kind, i.batch_id, i.book_number, i.register_type, i.keys, i.candidates,
	i.claimed_by, i.lease_until, i.claims, i.done_by, i.done_at, i.keyed, i.created_at`

// ClaimReview leases the next open item matching opts to the user: items
// are taken in order, an item leased to someone else is skipped (SELECT …
// FOR UPDATE SKIP LOCKED), an item whose lease ran out is claimable again,
// and the second keying of a record never goes to the person who keyed the
// first. A user who still holds a live claim gets it back, renewed. It
// returns ErrNotFound when nothing is waiting.
func (s *Store) ClaimReview(ctx context.Context, userID string, opts ClaimOptions) (ReviewItem, error) {
	uid, ok := parseID(userID)
	if !ok {
		return ReviewItem{}, invalidf("user id %q", userID)
	}
	if len(opts.Kinds) == 0 {
		return ReviewItem{}, invalidf("claim: no review kinds")
	}
	kinds := make([]string, len(opts.Kinds))
	for i, k := range opts.Kinds {
		if !k.Valid() {
			return ReviewItem{}, invalidf("review kind %q", k)
		}
		kinds[i] = string(k)
	}
	var batch *string
	if opts.BatchID != "" {
		id, ok := parseID(opts.BatchID)
		if !ok {
			return ReviewItem{}, invalidf("batch id %q", opts.BatchID)
		}
		batch = &id
	}
	lease := opts.Lease
	if lease <= 0 {
		lease = 10 * time.Minute
	}
	secs := lease.Seconds()
	it, err := scanReview(s.db.QueryRow(ctx, `UPDATE review_items i SET lease_until = now() + $3 * interval '1 second'
		WHERE i.id = (SELECT id FROM review_items WHERE claimed_by = $1 AND done_at IS NULL
			AND lease_until > now() AND kind = ANY($2) ORDER BY id LIMIT 1 FOR UPDATE)
		RETURNING `+reviewColumns, uid, kinds, secs))
	if err == nil {
		return it, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return ReviewItem{}, fmt.Errorf("storage: claim review: %w", err)
	}
	it, err = scanReview(s.db.QueryRow(ctx, `WITH next AS (
			SELECT c.id FROM review_items c
			WHERE c.done_at IS NULL AND c.kind = ANY($2)
				AND (c.lease_until IS NULL OR c.lease_until <= now())
				AND ($3::uuid IS NULL OR c.batch_id = $3)
				AND ($4 = '' OR c.book_number = $4)
				AND ($5 = '' OR c.register_type = $5)
				AND NOT (c.kind = 'double' AND EXISTS (SELECT 1 FROM review_items o
					WHERE o.record_id = c.record_id AND o.kind = 'review' AND o.done_by = $1))
			ORDER BY c.id
			LIMIT 1
			FOR UPDATE SKIP LOCKED)
		UPDATE review_items i SET claimed_by = $1, lease_until = now() + $6 * interval '1 second',
			claims = i.claims + 1
		FROM next WHERE i.id = next.id
		RETURNING `+reviewColumns, uid, kinds, batch, opts.BookNumber, opts.RegisterType, secs))
	if errors.Is(err, pgx.ErrNoRows) {
		return ReviewItem{}, fmt.Errorf("%w: no record waiting for review", ErrNotFound)
	}
	if err != nil {
		return ReviewItem{}, fmt.Errorf("storage: claim review: %w", err)
	}
	return it, nil
}

// GetReviewItem returns the item with that id.
func (s *Store) GetReviewItem(ctx context.Context, id int64) (ReviewItem, error) {
	it, err := scanReview(s.db.QueryRow(ctx, `SELECT `+reviewColumns+` FROM review_items i WHERE i.id = $1`, id))
	if err != nil {
		return ReviewItem{}, notFound(err, "review item", fmt.Sprint(id))
	}
	return it, nil
}

// ListReviewItems returns the items of a record, oldest first.
func (s *Store) ListReviewItems(ctx context.Context, recordID string) ([]ReviewItem, error) {
	id, ok := parseID(recordID)
	if !ok {
		return nil, invalidf("record id %q", recordID)
	}
	rows, err := s.db.Query(ctx, `SELECT `+reviewColumns+` FROM review_items i WHERE i.record_id = $1 ORDER BY i.id`, id)
	if err != nil {
		return nil, fmt.Errorf("storage: list review items: %w", err)
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ReviewItem, error) { return scanReview(r) })
	if err != nil {
		return nil, fmt.Errorf("storage: list review items: %w", err)
	}
	return items, nil
}

// ReleaseReview gives a claimed item back to the queue at once.
func (s *Store) ReleaseReview(ctx context.Context, itemID int64, userID string) error {
	tag, err := s.db.Exec(ctx, `UPDATE review_items SET lease_until = NULL
		WHERE id = $1 AND claimed_by = $2 AND done_at IS NULL`, itemID, userID)
	if err != nil {
		return fmt.Errorf("storage: release review %d: %w", itemID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%w: review item %d is not claimed by this user", ErrConflict, itemID)
	}
	return nil
}

// GetReviewSettings returns the review settings.
func (s *Store) GetReviewSettings(ctx context.Context) (ReviewSettings, error) {
	var rs ReviewSettings
	if err := s.db.QueryRow(ctx, `SELECT sample_rate, double_entry FROM review_settings`).
		Scan(&rs.SampleRate, &rs.DoubleEntry); err != nil {
		return ReviewSettings{}, fmt.Errorf("storage: review settings: %w", err)
	}
	return rs, nil
}

// SetReviewSettings changes the review settings.
func (s *Store) SetReviewSettings(ctx context.Context, rs ReviewSettings) error {
	if rs.SampleRate < 0 || rs.SampleRate > 1 {
		return invalidf("sample rate %v: want 0 to 1", rs.SampleRate)
	}
	if _, err := s.db.Exec(ctx, `UPDATE review_settings SET sample_rate = $1, double_entry = $2`,
		rs.SampleRate, rs.DoubleEntry); err != nil {
		return fmt.Errorf("storage: set review settings: %w", err)
	}
	return nil
}

// SubmitReview applies a person's submission for an item they claimed:
// changed values are written to the record with an audit row each (who,
// old → new, why); a first review of a record with critical fields, with
// double entry on, queues their blind second keying; a second keying or a
// sample that disagrees queues arbitration; otherwise the record becomes
// verified. A rejection rejects every record of the page still in review.
// An item claimed by someone else, or done already, gives ErrConflict.
func (s *Store) SubmitReview(ctx context.Context, sub ReviewSubmission) (ReviewOutcome, error) {
	if sub.Actor == "" {
		return ReviewOutcome{}, invalidf("submission actor is empty")
	}
	var out ReviewOutcome
	err := s.WithTx(ctx, func(tx *Store) error {
		it, err := scanReview(tx.db.QueryRow(ctx, `SELECT `+reviewColumns+` FROM review_items i
			WHERE i.id = $1 FOR UPDATE`, sub.ItemID))
		if err != nil {
			return notFound(err, "review item", fmt.Sprint(sub.ItemID))
		}
		if it.Done() || it.ClaimedBy != sub.UserID {
			return fmt.Errorf("%w: review item %d is not claimed by this user", ErrConflict, sub.ItemID)
		}
		rec, err := scanRecord(tx.db.QueryRow(ctx, `SELECT `+recordColumns+` FROM records r WHERE r.id = $1 FOR UPDATE`, it.RecordID))
		if err != nil {
			return notFound(err, "record", it.RecordID)
		}
		out, err = tx.submit(ctx, it, rec, sub)
		return err
	})
	if err != nil {
		if errors.Is(err, ErrNotFound) || errors.Is(err, ErrConflict) || errors.Is(err, ErrInvalid) {
			return ReviewOutcome{}, err
		}
		return ReviewOutcome{}, fmt.Errorf("storage: submit review %d: %w", sub.ItemID, err)
	}
	return out, nil
}

// submit does SubmitReview's work inside its transaction.
func (s *Store) submit(ctx context.Context, it ReviewItem, rec Record, sub ReviewSubmission) (ReviewOutcome, error) {
	out := ReviewOutcome{RecordID: rec.ID, RecordStatus: rec.Status}
	if sub.Reject != "" {
		return out, s.rejectPage(ctx, rec, sub)
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
	audit := func(field string, old, new *string, reason string) error {
		_, err := s.AppendAudit(ctx, AuditEntry{Actor: sub.Actor, RecordID: rec.ID, Field: field,
			Old: old, New: new, Reason: reason})
		return err
	}
	// apply writes the submitted values of keys into the record.
	apply := func(reason string) error {
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
				if err := audit(k, f.Value, v, why); err != nil {
					return err
				}
				out.Changed++
				f.Value = v
			}
			f.Status = models.StatusVerified
			rec.Fields[k] = f
		}
		return nil
	}
	verify := func(reason string) error {
		old, verified := string(rec.Status), string(models.StatusVerified)
		if rec.Status != models.StatusVerified {
			if err := audit("", &old, &verified, reason); err != nil {
				return err
			}
		}
		rec.Status = models.StatusVerified
		return nil
	}
	switch it.Kind {
	case KindReview:
		if err := apply(ReasonReview); err != nil {
			return out, err
		}
		settings, err := s.GetReviewSettings(ctx)
		if err != nil {
			return out, err
		}
		var critical []string
		for _, k := range keys {
			if slices.Contains(sub.Critical, k) {
				critical = append(critical, k)
			}
		}
		if settings.DoubleEntry && len(critical) > 0 {
			if err := s.addItem(ctx, it, KindDouble, critical, nil); err != nil {
				return out, err
			}
			out.FollowUp = KindDouble
		} else if err := verify(ReasonVerified); err != nil {
			return out, err
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
			if _, err := s.db.Exec(ctx, `UPDATE review_items SET sample_fields = $2, sample_errors = $3 WHERE id = $1`,
				it.ID, compared, len(candidates)); err != nil {
				return out, err
			}
		}
		if len(candidates) > 0 {
			if err := s.addItem(ctx, it, KindArbitrate, out.Disagreements, candidates); err != nil {
				return out, err
			}
			out.FollowUp = KindArbitrate
		} else if it.Kind == KindDouble {
			if err := verify(ReasonDoubleAgree); err != nil {
				return out, err
			}
		}
	case KindArbitrate:
		if err := apply(ReasonArbitration); err != nil {
			return out, err
		}
		if err := verify(ReasonArbitration); err != nil {
			return out, err
		}
	}
	fields, err := json.Marshal(rec.Fields)
	if err != nil {
		return out, err
	}
	if _, err := s.db.Exec(ctx, `UPDATE records SET fields = $2, status = $3 WHERE id = $1`,
		rec.ID, fields, string(rec.Status)); err != nil {
		return out, err
	}
	keyed, err := json.Marshal(sub.Values)
	if err != nil {
		return out, err
	}
	if _, err := s.db.Exec(ctx, `UPDATE review_items SET done_by = $2, done_at = now(), keyed = $3, lease_until = NULL
		WHERE id = $1`, it.ID, sub.UserID, keyed); err != nil {
		return out, err
	}
	out.RecordStatus = rec.Status
	return out, nil
}

// rejectPage rejects every record of rec's page still in review (and rec)
// and closes their open items.
func (s *Store) rejectPage(ctx context.Context, rec Record, sub ReviewSubmission) error {
	reason := ReasonRejectPage + sub.Reject
	rows, err := s.db.Query(ctx, `UPDATE records SET status = 'rejected', error = $3
		WHERE page_id = $1 AND (status = 'review' OR id = $2)
		RETURNING id, (SELECT status FROM records o WHERE o.id = records.id)`, rec.PageID, rec.ID, reason)
	if err != nil {
		return err
	}
	type change struct{ id, old string }
	changes, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (change, error) {
		var c change
		return c, r.Scan(&c.id, &c.old)
	})
	if err != nil {
		return err
	}
	rejected := string(models.StatusRejected)
	for _, c := range changes {
		old := c.old
		if _, err := s.AppendAudit(ctx, AuditEntry{Actor: sub.Actor, RecordID: c.id, Old: &old, New: &rejected,
			Reason: reason}); err != nil {
			return err
		}
		if _, err := s.db.Exec(ctx, `UPDATE review_items SET done_at = now(), lease_until = NULL,
			done_by = CASE WHEN id = $2 THEN $3::uuid ELSE done_by END
			WHERE record_id = $1 AND done_at IS NULL`, c.id, sub.ItemID, sub.UserID); err != nil {
			return err
		}
	}
	return nil
}

// addItem queues a follow-up item of kind for the record of it.
func (s *Store) addItem(ctx context.Context, it ReviewItem, kind ReviewKind, keys []string, candidates map[string][]*string) error {
	if candidates == nil {
		candidates = map[string][]*string{}
	}
	cj, err := json.Marshal(candidates)
	if err != nil {
		return err
	}
	_, err = s.db.Exec(ctx, `INSERT INTO review_items (record_id, kind, batch_id, book_number, register_type, keys, candidates)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT ON CONSTRAINT review_items_once DO UPDATE SET keys = excluded.keys,
			candidates = excluded.candidates, done_at = NULL, done_by = NULL, lease_until = NULL, claimed_by = NULL`,
		it.RecordID, string(kind), it.BatchID, it.BookNumber, it.RegisterType, keys, cj)
	return err
}

// ReviewProgress counts the items of a batch ("" for all) and those the
// user submitted ("" for nobody).
func (s *Store) ReviewProgress(ctx context.Context, batchID, userID string) (ReviewProgress, error) {
	var p ReviewProgress
	var batch, user *string
	if batchID != "" {
		id, ok := parseID(batchID)
		if !ok {
			return p, invalidf("batch id %q", batchID)
		}
		batch = &id
	}
	if userID != "" {
		id, ok := parseID(userID)
		if !ok {
			return p, invalidf("user id %q", userID)
		}
		user = &id
	}
	err := s.db.QueryRow(ctx, `SELECT
			count(*) FILTER (WHERE $1::uuid IS NULL OR batch_id = $1),
			count(*) FILTER (WHERE ($1::uuid IS NULL OR batch_id = $1) AND done_at IS NOT NULL),
			count(*) FILTER (WHERE done_by = $2::uuid),
			count(*) FILTER (WHERE done_by = $2::uuid AND done_at >= date_trunc('day', now()))
		FROM review_items`, batch, user).Scan(&p.BatchTotal, &p.BatchDone, &p.UserDone, &p.UserToday)
	if err != nil {
		return p, fmt.Errorf("storage: review progress: %w", err)
	}
	return p, nil
}

// ReviewQuality measures the error rate of auto-accepted fields from the
// submitted samples of a batch ("" for all).
func (s *Store) ReviewQuality(ctx context.Context, batchID string) (QualityReport, error) {
	q := QualityReport{Budget: QualityBudget}
	var batch *string
	if batchID != "" {
		id, ok := parseID(batchID)
		if !ok {
			return q, invalidf("batch id %q", batchID)
		}
		batch = &id
	}
	err := s.db.QueryRow(ctx, `SELECT
			count(*) FILTER (WHERE done_by IS NOT NULL),
			count(*) FILTER (WHERE done_at IS NULL),
			coalesce(sum(sample_fields), 0), coalesce(sum(sample_errors), 0)
		FROM review_items WHERE kind = 'sample' AND ($1::uuid IS NULL OR batch_id = $1)`, batch).
		Scan(&q.SampledRecords, &q.PendingSamples, &q.Fields, &q.Errors)
	if err != nil {
		return q, fmt.Errorf("storage: review quality: %w", err)
	}
	if q.Fields > 0 {
		q.Rate = float64(q.Errors) / float64(q.Fields)
	}
	return q, nil
}

// sameValue compares two values as a person would: spacing and Unicode
// composition do not count.
func sameValue(a, b *string) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return normValue(*a) == normValue(*b)
}

func normValue(s string) string {
	return strings.Join(strings.Fields(norm.NFC.String(s)), " ")
}

func sortedKeys(m map[string]models.Field) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func scanReview(row pgx.Row) (ReviewItem, error) {
	var it ReviewItem
	var kind string
	var claimedBy, doneBy *string
	var lease, done *time.Time
	var candidates, keyed []byte
	if err := row.Scan(&it.ID, &it.RecordID, &kind, &it.BatchID, &it.BookNumber, &it.RegisterType, &it.Keys,
		&candidates, &claimedBy, &lease, &it.Claims, &doneBy, &done, &keyed, &it.CreatedAt); err != nil {
		return ReviewItem{}, err
	}
	it.Kind = ReviewKind(kind)
	if claimedBy != nil {
		it.ClaimedBy = *claimedBy
	}
	if doneBy != nil {
		it.DoneBy = *doneBy
	}
	if lease != nil {
		it.LeaseUntil = *lease
	}
	if done != nil {
		it.DoneAt = *done
	}
	if err := json.Unmarshal(candidates, &it.Candidates); err != nil {
		return ReviewItem{}, fmt.Errorf("review item %d candidates: %w", it.ID, err)
	}
	if keyed != nil {
		if err := json.Unmarshal(keyed, &it.Keyed); err != nil {
			return ReviewItem{}, fmt.Errorf("review item %d keyed: %w", it.ID, err)
		}
	}
	return it, nil
}

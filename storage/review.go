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
	var batch string
	if opts.BatchID != "" {
		if batch, ok = parseID(opts.BatchID); !ok {
			return ReviewItem{}, invalidf("batch id %q", opts.BatchID)
		}
	}
	lease := opts.Lease
	if lease <= 0 {
		lease = 10 * time.Minute
	}
	it, err := scanReview(s.db.QueryRow(ctx, claimSQL(opts), claimArgs(uid, kinds, batch, lease, opts)...))
	if errors.Is(err, pgx.ErrNoRows) {
		return ReviewItem{}, fmt.Errorf("%w: no record waiting for review", ErrNotFound)
	}
	if err != nil {
		return ReviewItem{}, fmt.Errorf("storage: claim review: %w", err)
	}
	return it, nil
}

// claimSQL is ClaimReview's single statement. It takes the user's live
// claim (mine), renewed; else the first item, in id order, of those that
// match the filters and are free: the first whose lease ran out (lapsed)
// or the first never claimed or given back (next), whichever comes first.
// lapsed and next take their item with FOR UPDATE SKIP LOCKED, so
// concurrent claims never wait for each other nor take the same item (the
// one of the two not taken is let go when the statement ends). Each walks
// an index of its own: lapsed review_items_lapsed (or, for a batch,
// review_items_batch_lapsed), which hold only items under a lease; next
// review_items_free or review_items_batch_free in id order, which hold
// neither items done nor items under a live lease: a claim does not step
// over the items other verifiers are working on. Only the filters opts
// sets are written into the query, so each combination gets a plan of its
// own. Its arguments are claimArgs'.
func claimSQL(opts ClaimOptions) string {
	conds := []string{"c.done_at IS NULL", "c.kind = ANY($2)"}
	n := 3
	if opts.BatchID != "" {
		n++
		conds = append(conds, fmt.Sprintf("c.batch_id = $%d", n))
	}
	if opts.BookNumber != "" {
		n++
		conds = append(conds, fmt.Sprintf("c.book_number = $%d", n))
	}
	if opts.RegisterType != "" {
		n++
		conds = append(conds, fmt.Sprintf("c.register_type = $%d", n))
	}
	// The second keying never goes to whoever keyed the first: one probe
	// of review_items_once per double item met.
	conds = append(conds, `(c.kind <> 'double' OR (SELECT o.done_by FROM review_items o
					WHERE o.record_id = c.record_id AND o.kind = 'review') IS DISTINCT FROM $1)`)
	filters := strings.Join(conds, "\n\t\t\t\tAND ")
	return `WITH mine AS (
			SELECT id FROM review_items
			WHERE claimed_by = $1 AND done_at IS NULL AND lease_until > now() AND kind = ANY($2)
			ORDER BY id LIMIT 1
			FOR UPDATE),
		lapsed AS (
			SELECT c.id FROM review_items c
			WHERE NOT EXISTS (SELECT 1 FROM mine) AND c.lease_until <= now()
				AND ` + filters + `
			ORDER BY c.id LIMIT 1
			FOR UPDATE OF c SKIP LOCKED),
		next AS (
			SELECT c.id FROM review_items c
			WHERE NOT EXISTS (SELECT 1 FROM mine) AND c.lease_until IS NULL
				AND ` + filters + `
			ORDER BY c.id LIMIT 1
			FOR UPDATE OF c SKIP LOCKED),
		pick AS (
			SELECT id, true AS renew FROM mine
			UNION ALL
			(SELECT id, false FROM (SELECT id FROM lapsed UNION ALL SELECT id FROM next) cand
			ORDER BY id LIMIT 1))
		UPDATE review_items i SET claimed_by = $1, lease_until = now() + $3 * interval '1 second',
			claims = i.claims + CASE WHEN pick.renew THEN 0 ELSE 1 END
		FROM pick WHERE i.id = pick.id
		RETURNING ` + reviewColumns
}

// claimArgs are the arguments of claimSQL(opts).
func claimArgs(uid string, kinds []string, batch string, lease time.Duration, opts ClaimOptions) []any {
	args := []any{uid, kinds, lease.Seconds()}
	if opts.BatchID != "" {
		args = append(args, batch)
	}
	if opts.BookNumber != "" {
		args = append(args, opts.BookNumber)
	}
	if opts.RegisterType != "" {
		args = append(args, opts.RegisterType)
	}
	return args
}

// GetReviewItem returns the item with that id.
func (s *Store) GetReviewItem(ctx context.Context, id int64) (ReviewItem, error) {
	it, err := scanReview(s.db.QueryRow(ctx, `SELECT `+reviewColumns+` FROM review_items i WHERE i.id = $1`, id))
	if err != nil {
		return ReviewItem{}, notFound(err, "review item", fmt.Sprint(id))
	}
	return it, nil
}

// GetReviewItemRecord returns the item with that id and its record, in one
// query (the review page and its submit need both).
func (s *Store) GetReviewItemRecord(ctx context.Context, id int64) (ReviewItem, Record, error) {
	var ir reviewRow
	var rr recordRow
	err := s.db.QueryRow(ctx, `SELECT `+reviewColumns+`, `+recordColumns+`
		FROM review_items i JOIN records r ON r.id = i.record_id WHERE i.id = $1`, id).
		Scan(append(ir.dest(), rr.dest()...)...)
	if err != nil {
		return ReviewItem{}, Record{}, notFound(err, "review item", fmt.Sprint(id))
	}
	it, err := ir.item()
	if err != nil {
		return ReviewItem{}, Record{}, err
	}
	rec, err := rr.record()
	if err != nil {
		return ReviewItem{}, Record{}, err
	}
	return it, rec, nil
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
	// Each count reads only the rows it counts, through an index
	// (review_items_batch, review_items_done_by), not the whole table;
	// without a batch, every item is counted.
	items := `review_items WHERE batch_id = $1`
	if batch == nil {
		items = `review_items WHERE $1::uuid IS NULL`
	}
	err := s.db.QueryRow(ctx, `SELECT b.total, b.done, u.done, u.today
		FROM (SELECT count(*) AS total, count(done_at) AS done FROM `+items+`) b,
			(SELECT count(*) AS done, count(*) FILTER (WHERE done_at >= date_trunc('day', now())) AS today
			FROM review_items WHERE done_by = $2::uuid) u`, batch, user).
		Scan(&p.BatchTotal, &p.BatchDone, &p.UserDone, &p.UserToday)
	if err != nil {
		return p, fmt.Errorf("storage: review progress: %w", err)
	}
	return p, nil
}

// ReviewedToday counts the items the user submitted today: the review
// page's counter, read through review_items_done_by, today's rows only.
func (s *Store) ReviewedToday(ctx context.Context, userID string) (int, error) {
	id, ok := parseID(userID)
	if !ok {
		return 0, invalidf("user id %q", userID)
	}
	var n int
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM review_items
		WHERE done_by = $1 AND done_at >= date_trunc('day', now())`, id).Scan(&n); err != nil {
		return 0, fmt.Errorf("storage: reviewed today: %w", err)
	}
	return n, nil
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
	var r reviewRow
	if err := row.Scan(r.dest()...); err != nil {
		return ReviewItem{}, err
	}
	return r.item()
}

// reviewRow receives the columns of reviewColumns.
type reviewRow struct {
	it                     ReviewItem
	kind                   string
	claimedBy, doneBy      *string
	lease, done            *time.Time
	candidates, keyedValue []byte
}

func (r *reviewRow) dest() []any {
	return []any{&r.it.ID, &r.it.RecordID, &r.kind, &r.it.BatchID, &r.it.BookNumber, &r.it.RegisterType, &r.it.Keys,
		&r.candidates, &r.claimedBy, &r.lease, &r.it.Claims, &r.doneBy, &r.done, &r.keyedValue, &r.it.CreatedAt}
}

// item returns the item scanned into r.
func (r *reviewRow) item() (ReviewItem, error) {
	it := r.it
	it.Kind = ReviewKind(r.kind)
	if r.claimedBy != nil {
		it.ClaimedBy = *r.claimedBy
	}
	if r.doneBy != nil {
		it.DoneBy = *r.doneBy
	}
	if r.lease != nil {
		it.LeaseUntil = *r.lease
	}
	if r.done != nil {
		it.DoneAt = *r.done
	}
	if err := json.Unmarshal(r.candidates, &it.Candidates); err != nil {
		return ReviewItem{}, fmt.Errorf("review item %d candidates: %w", it.ID, err)
	}
	if r.keyedValue != nil {
		if err := json.Unmarshal(r.keyedValue, &it.Keyed); err != nil {
			return ReviewItem{}, fmt.Errorf("review item %d keyed: %w", it.ID, err)
		}
	}
	return it, nil
}

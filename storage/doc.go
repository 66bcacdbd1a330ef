// Package storage keeps the service's state: batches, pages, records, API
// tokens and the audit trail in PostgreSQL (through pgx), and page images in
// an S3-compatible object store (MinIO, through minio-go).
//
// A Store wraps a pgx pool; Migrate brings its schema up to date. Objects
// wraps one bucket. Methods take a context first and return errors that
// match the package's sentinels with errors.Is: ErrNotFound, ErrDuplicate,
// ErrConflict, ErrUnauthorized, ErrInvalid and ErrChecksumMismatch.
//
// # Schema decisions
//
// A page is identified by the SHA-256 of its original bytes, unique across
// all batches: uploading the same image twice yields the page already
// stored. Its state moves uploaded → cleaned → recognized → extracted →
// routed, or to failed; SetPageState checks the state it moves from, so a
// task delivered twice moves the page once and the second delivery gets
// ErrConflict.
//
// A record's fields stay in one jsonb column (with a GIN jsonb_path_ops
// index) rather than a table of their own: a record is read, written and
// exported whole, in the shape of the record format; the keys differ per
// register type; and a query such as fields @> '{"full_name":{"value":"…"}}'
// is served by the index. Changes to single fields are what the audit table
// records. Every insert or update that changes a record draws a new
// change_seq for export cursors (ListRecordsOptions.AfterSeq). Writers do
// not wait for each other: each holds an advisory lock of its own from its
// first record write to its end, and PullRecords (and ListRecords, which
// collects it) first waits for the writers in flight and reads no number
// drawn after the call began, so a cursor never skips a change that commits
// late (the protocol and why it is gap-free:
// migrations/00003_review_speed.sql). A long transaction that writes
// records therefore delays PullRecords, not other writers. PullRecords
// fixes the cursor that follows a read (RecordPull.Next) before it reads,
// so the pull API can send it ahead of the records it streams.
// Deleted records (SaveRecords replacing a page's records) leave no trace
// for such a cursor.
//
// # Review queue
//
// ClaimReview is one statement: FOR UPDATE SKIP LOCKED over partial
// indexes that hold only free items (never claimed, given back, or with a
// lapsed lease), so a claim neither walks items done nor steps over items
// leased to others. SubmitReview is one transaction in two round trips
// (the reads go with BEGIN, the writes with COMMIT). Commits stay
// synchronous: a verified value is durable when SubmitReview returns.
//
// The audit table is append-only: a trigger rejects UPDATE, DELETE and
// TRUNCATE. Token secrets are stored only as their SHA-256.
package storage

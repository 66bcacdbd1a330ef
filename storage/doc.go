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
// change_seq, in commit order, for export cursors (ListRecordsOptions.AfterSeq):
// a writer holds a transaction-level advisory lock from its first record
// write to its commit, so keep transactions that write records short.
// Deleted records (SaveRecords replacing a page's records) leave no trace
// for such a cursor.
//
// The audit table is append-only: a trigger rejects UPDATE, DELETE and
// TRUNCATE. Token secrets are stored only as their SHA-256.
package storage

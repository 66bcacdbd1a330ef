// Package server is the HTTP API of `sohoa serve`: batches of register
// pages, page uploads (direct or through presigned object-store URLs),
// per-batch progress, records, failed tasks, health, readiness and
// Prometheus metrics. Client is its Go client, used by `sohoa upload`.
//
// Requests and responses are JSON (records are JSON Lines in the record
// format). Errors are {"error": "...", "code": "..."} with a matching status:
// 400 malformed request (the message names the problem), 401 missing or
// unknown token, 403 wrong role, 404, 409, 413 too large, 415 not an
// accepted image or body type, 422 refused upload (checksum mismatch, bad
// image header), 503 dependency not available. Request bodies are size
// limited (Options.MaxJSONBytes, Options.MaxUploadBytes). The JSON encoder
// escapes <, > and &, and every response carries
// X-Content-Type-Options: nosniff.
//
// # Roles
//
// Every /v1 route needs "Authorization: Bearer <token>" (tokens are made by
// `sohoa token create`). The route table in routes.go is the only place
// where roles are checked:
//
//	route                                      scanner  verifier  loader  admin
//	POST /v1/batches                            yes      -         -       yes
//	GET  /v1/batches                            -        yes       yes     yes
//	GET  /v1/batches/{id}                       own      yes       yes     yes
//	GET  /v1/batches/{id}/progress              own      yes       yes     yes
//	GET  /v1/batches/{id}/same-entries          own      yes       yes     yes
//	POST /v1/batches/{id}/pages                 own      -         -       yes
//	POST /v1/batches/{id}/uploads               own      -         -       yes
//	POST /v1/batches/{id}/uploads/complete      own      -         -       yes
//	GET  /v1/pages?sha256=… (and HEAD)          yes      yes       yes     yes
//	GET  /v1/pages/{id}                         own      yes       yes     yes
//	GET  /v1/pages/{id}/words                   -        yes       yes     yes
//	GET  /v1/records, /v1/records/{id}          -        yes       yes     yes
//	GET  /v1/records/{id}/audit                 -        yes       yes     yes
//	GET  /v1/review/quality                     -        yes       -       yes
//	GET  /v1/books/{book}/duplicates            -        yes       -       yes
//	POST /v1/records/{id}/reject-duplicate      -        yes       -       yes
//	POST /v1/records/{id}/restore-duplicate     -        yes       -       yes
//	POST /v1/books/{book}/exports               -        -         yes     yes
//	GET  /v1/books/{book}/exports               -        -         yes     yes
//	GET  /v1/exports/{id}                       -        -         yes     yes
//	GET  /v1/tasks/failed                       -        -         -       yes
//	POST /v1/tasks/{queue}/{id}/retry           -        -         -       yes
//	GET  /healthz, /readyz, /metrics            no token needed
//	/ui/…, /login, /logout                      the web UI (Options.Web): session cookie, user roles
//
// "own": a scanner token sees only the batches it created (and their
// pages); another batch answers 403. Verifier and loader tokens read;
// verifiers review in the web UI, loaders pull records (GET /v1/records)
// and ask for book exports. /readyz and /metrics are
// open so that probes and Prometheus need no secret: they show states and
// counts, never record values, and `sohoa serve` listens on loopback by
// default.
//
// # Uploads
//
// POST /v1/batches/{id}/pages takes the raw image as the body, its hex
// SHA-256 in X-Content-SHA256 and its name (percent-encoded UTF-8) in
// X-Filename. The body is hashed while it is copied to a temporary file;
// nothing reaches the object store or PostgreSQL unless the SHA-256
// matches (422 otherwise), the header is that of a JPEG, PNG or TIFF (415
// for anything else, 422 for a broken header) and the image is within the
// byte and pixel limits (413). No pixel is decoded for these checks. The
// original is then stored content-addressed (storage.Objects.PutOriginal),
// the page added, its dHash computed from an eighth-size grey decode (here
// rather than in the worker, so the response can name near-duplicates in
// "similar_to") and its cleanup stage enqueued on the cleanup queue of the
// batch priority's class (urgent → critical:cleanup, normal →
// default:cleanup, bulk → low:cleanup). 201 answers
// the new page. An image the server has already, in any batch, answers 200
// with the existing page and "duplicate": true, and is not processed again.
//
// The presigned path: POST /v1/batches/{id}/uploads {sha256, filename,
// size} answers a PUT URL and the headers to send (the object store refuses
// bytes with another SHA-256); after the PUT, POST
// /v1/batches/{id}/uploads/complete {sha256, filename} reads the object
// back, checks it like a direct upload and adds the page.
//
// If the queue is down or not wired (Options.Enqueuer nil) the page is
// still stored in state uploaded ("queued": false); PostgreSQL is the
// source of truth and the reconciler enqueues it later.
//
// "similar_to" compares whole-page images (their 64-bit dHashes, through
// indexes of the hash's four 16-bit bands): it catches a scan uploaded
// again re-encoded or rescaled, but two sheets of one printed form can be
// as close (a hint, not a verdict; BENCHMARKS.md measures both). What was
// read tells them apart: GET /v1/pages/{id} answers, in "same_entries",
// the other pages whose records have the book and entry number of one of
// the page's records (the same sheet scanned again when they share all of
// them), once its records are extracted; GET /v1/batches/{id}/same-entries
// lists the batch's pages that have such twins.
//
// # Pulling records (loaders)
//
// GET /v1/records streams the records changed after a cursor, in change
// order. Every insert of a record, and every update that changes it, gives
// it a new change number; a record corrected after it was pulled comes
// again, in its latest version. Query parameters:
//
//	since=N        the cursor (after= is its older name); 0 or none: from the start
//	limit=N        records per answer, 1 to 10,000; 100 by default
//	format=F       jsonl (default) or csv; without format=, Accept: text/csv asks for CSV
//	status=S       accepted, review, verified or rejected
//	type=T         register type: birth, marriage or death
//	batch=ID       the records of one batch (page=ID: of one page)
//	office=TEXT    the records of a registration office: those of a batch whose
//	               office is TEXT, and those whose registration_office field value
//	               is TEXT (exact, after NFC and single spaces)
//	from=D, to=D   registration date (fields.registration_date), both inclusive; D is
//	               YYYY-MM-DD, or YYYY-MM or YYYY for a whole month or year
//
// Office matches both: a book's office is typed once for the whole batch and
// holds when an entry's office could not be read; an extract in a mixed
// batch names its own. For dates, a record whose date is written only as a
// year or month counts as its first day (1990 as 1990-01-01), so adjacent
// ranges share no record and miss none; with from= or to=, records without
// an ISO registration date are left out. A malformed parameter is a 400
// that names it.
//
// The answer is 200 with two headers, then the records: JSON Lines
// (application/x-ndjson), each line a record in the record format ("fields"
// comes last and its keys in PostgreSQL's order: the fields are passed on
// as stored, not decoded), or CSV (text/csv; header=present) with the
// export's columns, one row per record and the header first, also when no
// record matches.
//
//	X-Next-After   the cursor to pass as since= next
//	X-Has-More     true when the answer stopped at its limit (more may follow);
//	               false when it holds every change made before the request
//
// Exactly once: before reading, the server waits for the transactions
// writing records at that moment to end (records_change_horizon, see
// storage/migrations/00003_review_speed.sql), then fixes the answer's range
// (since, X-Next-After]: the answer holds every matching change numbered in
// it, and no change numbered in it can commit later. Both headers are
// therefore known before the first record and sent ahead of them, and the
// records are written as PostgreSQL returns them, flushed at least every
// 200 ms. A record changed while the answer streams moves past X-Next-After
// and comes in a later answer. A loader saves X-Next-After in the same
// transaction as what it makes of the records (or applies records
// idempotently, by id, and saves the cursor after them), and after a crash
// resumes from the cursor it saved last: it then gets every later change
// exactly once, none missed. When the server fails after the status is
// sent (a database error mid-answer), it cuts the connection without
// ending the chunked body, so the client sees a broken answer (Go:
// io.ErrUnexpectedEOF), never a short one that looks whole: save nothing
// from it. A since= past the newest change is a 400: this server did not
// hand it out (a cursor of another database).
//
// Client.PullChanges makes one request; Client.Pull iterates over answers
// until it has caught up. An answer holds a PostgreSQL connection while it
// streams. A deleted record (its page extracted again with fewer entries,
// or its page or batch deleted) comes once more with status "deleted" and
// no fields, numbered in the same change order (table record_deletions,
// storage.ListRecordsOptions.IncludeDeleted); only the batch, page and type
// filters select deletions, the others let them all through.
//
// # Logs and metrics
//
// Each request is logged once (log/slog) with its method, route pattern,
// status, duration, size and token id: never a token secret, a path, a
// query or a body, so no personal data. Metrics: sohoa_http_requests_total
// and sohoa_http_request_duration_seconds by route, sohoa_uploads_total by
// outcome and refusal reason, and sohoa_queue_depth read from the
// TaskInspector at each scrape.
package server

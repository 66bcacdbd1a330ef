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
//	POST /v1/batches/{id}/pages                 own      -         -       yes
//	POST /v1/batches/{id}/uploads               own      -         -       yes
//	POST /v1/batches/{id}/uploads/complete      own      -         -       yes
//	GET  /v1/pages?sha256=… (and HEAD)          yes      yes       yes     yes
//	GET  /v1/pages/{id}                         own      yes       yes     yes
//	GET  /v1/records, /v1/records/{id}          -        yes       yes     yes
//	GET  /v1/records/{id}/audit                 -        yes       yes     yes
//	GET  /v1/review/quality                     -        yes       -       yes
//	GET  /v1/books/{book}/duplicates            -        yes       -       yes
//	POST /v1/records/{id}/reject-duplicate      -        yes       -       yes
//	GET  /v1/tasks/failed                       -        -         -       yes
//	POST /v1/tasks/{queue}/{id}/retry           -        -         -       yes
//	GET  /healthz, /readyz, /metrics            no token needed
//	/ui/…, /login, /logout                      the web UI (Options.Web): session cookie, user roles
//
// "own": a scanner token sees only the batches it created (and their
// pages); another batch answers 403. Verifier and loader tokens read;
// verification and export endpoints come later. /readyz and /metrics are
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
// "similar_to") and its cleanup stage enqueued on the queue of the batch's
// priority (urgent → critical, normal → default, bulk → low). 201 answers
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
// # Logs and metrics
//
// Each request is logged once (log/slog) with its method, route pattern,
// status, duration, size and token id: never a token secret, a path, a
// query or a body, so no personal data. Metrics: sohoa_http_requests_total
// and sohoa_http_request_duration_seconds by route, sohoa_uploads_total by
// outcome and refusal reason, and sohoa_queue_depth read from the
// TaskInspector at each scrape.
package server

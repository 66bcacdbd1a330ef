-- Book exports asked for over the HTTP API: `POST /v1/books/{book}/exports`
-- stores a row here and queues a task; a worker writes the export into the
-- object store and records where it is and what it holds.

-- +goose Up
CREATE TYPE export_state AS ENUM ('queued', 'running', 'done', 'failed');

CREATE TABLE book_exports (
    id           uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    book         text         NOT NULL CHECK (book <> ''),
    batch_id     uuid         REFERENCES batches (id) ON DELETE CASCADE,
    format       text         NOT NULL CHECK (format IN ('zip', 'xlsx', 'csv', 'jsonl')),
    -- What a zip's PDFs hold of their page: its access copy or original.
    page_image   text         NOT NULL DEFAULT 'access' CHECK (page_image IN ('access', 'original')),
    state        export_state NOT NULL DEFAULT 'queued',
    -- The token that asked for it (kept when the token is deleted).
    requested_by uuid         REFERENCES tokens (id) ON DELETE SET NULL,
    attempts     integer      NOT NULL DEFAULT 0,
    -- Set once done: the object key under the export prefix and what the
    -- export holds.
    object_key   text         NOT NULL DEFAULT '',
    final        boolean      NOT NULL DEFAULT false,
    size_bytes   bigint       NOT NULL DEFAULT 0,
    exported     integer      NOT NULL DEFAULT 0,
    pending      integer      NOT NULL DEFAULT 0,
    rejected     integer      NOT NULL DEFAULT 0,
    duplicates   integer      NOT NULL DEFAULT 0,
    unresolved   integer      NOT NULL DEFAULT 0,
    -- The last attempt's error; the attempt may be retried.
    error        text         NOT NULL DEFAULT '',
    created_at   timestamptz  NOT NULL DEFAULT now(),
    started_at   timestamptz,
    finished_at  timestamptz
);
CREATE INDEX book_exports_book ON book_exports (book, created_at DESC);
-- One pending export per book, batch, format and page image: asking again
-- (a loader retrying its request) gives the pending one, and a crowd of
-- requests cannot queue the same gigabytes many times.
CREATE UNIQUE INDEX book_exports_pending ON book_exports (book, coalesce(batch_id::text, ''), format, page_image)
    WHERE state IN ('queued', 'running');

-- +goose Down
DROP TABLE book_exports;
DROP TYPE export_state;

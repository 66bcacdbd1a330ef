-- Deletions in the change order. A record leaves the table when its page is
-- extracted again with fewer entries (SaveRecords) or its page or batch is
-- deleted; a loader that pulled it must learn that it is gone. Every
-- deletion leaves a row here, numbered from the records' own change
-- sequence in the same transaction and under the same writer lock
-- (records_change_horizon in 00003_review_speed.sql), so a cursor resumed
-- after the largest change_seq it has seen misses no deletion either. The
-- pull API (GET /v1/records) sends each as the record with status
-- "deleted" and no fields.

-- +goose Up
CREATE TABLE record_deletions (
    record_id     uuid        PRIMARY KEY,
    page_id       uuid        NOT NULL,
    -- The page's batch at the time (NULL when the page went first).
    batch_id      uuid,
    entry_index   integer     NOT NULL,
    source        text        NOT NULL,
    page_sha256   text        NOT NULL,
    register_type text        NOT NULL,
    template      text        NOT NULL,
    created_at    timestamptz NOT NULL, -- the record's
    deleted_at    timestamptz NOT NULL DEFAULT now(),
    change_seq    bigint      NOT NULL
);
CREATE INDEX record_deletions_change_seq ON record_deletions (change_seq);

-- +goose StatementBegin
CREATE FUNCTION records_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(1936681079, pg_backend_pid());
    -- A record deleted, made again (same id) and deleted again keeps one
    -- row, moved to its latest deletion.
    INSERT INTO record_deletions AS d (record_id, page_id, batch_id, entry_index, source, page_sha256,
        register_type, template, created_at, change_seq)
    VALUES (OLD.id, OLD.page_id, (SELECT batch_id FROM pages WHERE id = OLD.page_id), OLD.entry_index,
        OLD.source, OLD.page_sha256, OLD.register_type, OLD.template, OLD.created_at,
        nextval('record_change_seq'))
    ON CONFLICT (record_id) DO UPDATE SET page_id = excluded.page_id, batch_id = excluded.batch_id,
        entry_index = excluded.entry_index, source = excluded.source, page_sha256 = excluded.page_sha256,
        register_type = excluded.register_type, template = excluded.template,
        created_at = excluded.created_at, deleted_at = now(), change_seq = excluded.change_seq;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER records_deleted AFTER DELETE ON records FOR EACH ROW EXECUTE FUNCTION records_deleted();

-- +goose Down
DROP TRIGGER records_deleted ON records;
DROP FUNCTION records_deleted();
DROP TABLE record_deletions;

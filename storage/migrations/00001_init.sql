-- Initial schema of the sohoa service: batches of uploaded pages, their
-- records, API tokens and the append-only audit trail.

-- +goose Up
CREATE TYPE page_state AS ENUM ('uploaded', 'cleaned', 'recognized', 'extracted', 'routed', 'failed');
CREATE TYPE token_role AS ENUM ('scanner', 'verifier', 'loader', 'admin');

CREATE TABLE batches (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name          text        NOT NULL CHECK (name <> ''),
    office        text        NOT NULL DEFAULT '',
    register_type text        NOT NULL DEFAULT '',
    book_number   text        NOT NULL DEFAULT '',
    year          integer,
    priority      integer     NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now(),
    metadata      jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX batches_created_at ON batches (created_at DESC, id);

CREATE TABLE pages (
    id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    batch_id         uuid        NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
    object_key       text        NOT NULL,
    source           text        NOT NULL DEFAULT '',
    -- The same image uploaded twice, in any batch, is the same page.
    sha256           text        NOT NULL UNIQUE CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    -- 64-bit difference hash of the page image (bits stored as a signed
    -- bigint); near-duplicates are pages at a small Hamming distance.
    dhash            bigint,
    state            page_state  NOT NULL DEFAULT 'uploaded',
    attempts         integer     NOT NULL DEFAULT 0,
    last_error       text        NOT NULL DEFAULT '',
    lease_until      timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    state_changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pages_batch_state ON pages (batch_id, state);
CREATE INDEX pages_pending ON pages (state_changed_at) WHERE state NOT IN ('routed', 'failed');

-- change_seq orders every insert and update of a record for export cursors.
-- Writers take a transaction-level advisory lock before drawing a number, so
-- numbers become visible in commit order and a reader that resumes after the
-- largest change_seq it has seen misses nothing.
CREATE SEQUENCE record_change_seq;

CREATE TABLE records (
    id            uuid        PRIMARY KEY,
    page_id       uuid        NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
    entry_index   integer     NOT NULL,
    source        text        NOT NULL DEFAULT '',
    page_sha256   text        NOT NULL DEFAULT '',
    register_type text        NOT NULL DEFAULT '',
    template      text        NOT NULL DEFAULT '',
    status        text        NOT NULL CHECK (status IN ('accepted', 'review', 'verified', 'rejected')),
    fields        jsonb       NOT NULL DEFAULT '{}',
    warnings      text[]      NOT NULL DEFAULT '{}',
    error         text        NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    change_seq    bigint      NOT NULL,
    CONSTRAINT records_page_entry UNIQUE (page_id, entry_index) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX records_change_seq ON records (change_seq);
CREATE INDEX records_status ON records (status, change_seq);
CREATE INDEX records_fields ON records USING gin (fields jsonb_path_ops);

-- +goose StatementBegin
CREATE FUNCTION records_change_seq() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        NEW.created_at := OLD.created_at;
        IF to_jsonb(NEW) - 'change_seq' - 'updated_at' - 'created_at'
           IS NOT DISTINCT FROM to_jsonb(OLD) - 'change_seq' - 'updated_at' - 'created_at' THEN
            -- Nothing changed: keep the row's place in the change order.
            NEW.change_seq := OLD.change_seq;
            NEW.updated_at := OLD.updated_at;
            RETURN NEW;
        END IF;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('sohoa.records.change_seq'));
    NEW.change_seq := nextval('record_change_seq');
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER records_change_seq BEFORE INSERT OR UPDATE ON records
    FOR EACH ROW EXECUTE FUNCTION records_change_seq();

CREATE TABLE tokens (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name          text        NOT NULL CHECK (name <> ''),
    role          token_role  NOT NULL,
    -- SHA-256 of the secret; the secret itself is never stored.
    secret_sha256 bytea       NOT NULL UNIQUE CHECK (length(secret_sha256) = 32),
    created_at    timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz
);

CREATE TABLE audit (
    id        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        timestamptz NOT NULL DEFAULT now(),
    actor     text        NOT NULL CHECK (actor <> ''),
    token_id  uuid        REFERENCES tokens (id),
    -- No foreign key: the trail outlives records that are replaced.
    record_id uuid        NOT NULL,
    field     text        NOT NULL DEFAULT '',
    old_value text,
    new_value text,
    reason    text        NOT NULL DEFAULT ''
);
CREATE INDEX audit_record ON audit (record_id, id);

-- +goose StatementBegin
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

-- +goose Down
DROP TABLE audit;
DROP FUNCTION audit_append_only();
DROP TABLE tokens;
DROP TABLE records;
DROP FUNCTION records_change_seq();
DROP SEQUENCE record_change_seq;
DROP TABLE pages;
DROP TABLE batches;
DROP TYPE token_role;
DROP TYPE page_state;

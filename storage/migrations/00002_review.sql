-- Verification: people who log in to the web UI, their sessions, the review
-- queue (claimed under a lease with FOR UPDATE SKIP LOCKED) and its settings.

-- +goose Up
CREATE TABLE users (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    username      text        NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
    role          text        NOT NULL CHECK (role IN ('verifier', 'arbitrator', 'admin')),
    -- bcrypt hash of the password; the password itself is never stored.
    password_hash text        NOT NULL CHECK (password_hash <> ''),
    created_at    timestamptz NOT NULL DEFAULT now(),
    disabled_at   timestamptz
);

CREATE TABLE sessions (
    -- SHA-256 of the cookie's secret.
    id_sha256  bytea       PRIMARY KEY CHECK (length(id_sha256) = 32),
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- One row: how records reach review.
CREATE TABLE review_settings (
    id           boolean PRIMARY KEY DEFAULT true CHECK (id),
    -- Share of auto-accepted records sent to blind review.
    sample_rate  double precision NOT NULL DEFAULT 0.02 CHECK (sample_rate >= 0 AND sample_rate <= 1),
    -- Critical fields keyed twice, blind, by two verifiers.
    double_entry boolean NOT NULL DEFAULT true
);
INSERT INTO review_settings DEFAULT VALUES;

-- A unit of work for a person: kind review (first pass of a record the
-- machine was unsure of), double (blind second keying of its critical
-- fields), sample (blind keying of an auto-accepted record) or arbitrate
-- (a person with the arbitrator role settles a disagreement). An item is
-- open while done_at is null and claimed while lease_until is in the future.
CREATE TABLE review_items (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    record_id     uuid        NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    kind          text        NOT NULL CHECK (kind IN ('review', 'double', 'sample', 'arbitrate')),
    -- Denormalised for the claim filters.
    batch_id      uuid        NOT NULL,
    book_number   text        NOT NULL DEFAULT '',
    register_type text        NOT NULL DEFAULT '',
    -- The fields to key; empty means all of the record's.
    keys          text[]      NOT NULL DEFAULT '{}',
    -- For arbitrate: the competing values per field.
    candidates    jsonb       NOT NULL DEFAULT '{}',
    claimed_by    uuid        REFERENCES users (id),
    lease_until   timestamptz,
    claims        integer     NOT NULL DEFAULT 0,
    done_by       uuid        REFERENCES users (id),
    done_at       timestamptz,
    -- What the person keyed (field -> value or null for unreadable).
    keyed         jsonb,
    -- For sample: fields compared and how many disagreed with the machine.
    sample_fields integer     NOT NULL DEFAULT 0,
    sample_errors integer     NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT review_items_once UNIQUE (record_id, kind)
);
CREATE INDEX review_items_open ON review_items (kind, id) WHERE done_at IS NULL;
CREATE INDEX review_items_batch ON review_items (batch_id, kind);
CREATE INDEX review_items_done_by ON review_items (done_by, done_at) WHERE done_by IS NOT NULL;

-- +goose StatementBegin
CREATE FUNCTION review_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    k text;
BEGIN
    IF NEW.status = 'review' AND (TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM 'review') THEN
        k := 'review';
    ELSIF NEW.status = 'accepted' AND (TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM 'accepted')
          AND random() < (SELECT sample_rate FROM review_settings) THEN
        k := 'sample';
    ELSE
        RETURN NULL;
    END IF;
    INSERT INTO review_items (record_id, kind, batch_id, book_number, register_type)
    SELECT NEW.id, k, p.batch_id, b.book_number, NEW.register_type
    FROM pages p JOIN batches b ON b.id = p.batch_id
    WHERE p.id = NEW.page_id
    ON CONFLICT ON CONSTRAINT review_items_once DO NOTHING;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER review_enqueue AFTER INSERT OR UPDATE OF status ON records
    FOR EACH ROW EXECUTE FUNCTION review_enqueue();

INSERT INTO review_items (record_id, kind, batch_id, book_number, register_type)
SELECT r.id, 'review', p.batch_id, b.book_number, r.register_type
FROM records r JOIN pages p ON p.id = r.page_id JOIN batches b ON b.id = p.batch_id
WHERE r.status = 'review';

-- +goose Down
DROP TRIGGER review_enqueue ON records;
DROP FUNCTION review_enqueue();
DROP TABLE review_items;
DROP TABLE review_settings;
DROP TABLE sessions;
DROP TABLE users;

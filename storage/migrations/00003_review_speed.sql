-- Review queue speed: claim indexes that serve the SKIP LOCKED claim in
-- queue order without walking items already done, and record writers that
-- no longer queue behind each other for change_seq.

-- +goose Up
-- The queue in claim order: open items nobody holds (never claimed, or
-- given back), so a claim walks neither the history of items done nor the
-- items other verifiers are working on.
DROP INDEX review_items_open;
CREATE INDEX review_items_free ON review_items (id) WHERE done_at IS NULL AND lease_until IS NULL;
-- The same per batch, for a claim filtered to one batch.
CREATE INDEX review_items_batch_free ON review_items (batch_id, id)
    WHERE done_at IS NULL AND lease_until IS NULL;
-- Open items under a lease, by its end: those whose lease ran out.
CREATE INDEX review_items_lapsed ON review_items (lease_until) WHERE done_at IS NULL AND lease_until IS NOT NULL;
-- A user's claims, of which a claim hands back the live one renewed.
CREATE INDEX review_items_claimed ON review_items (claimed_by) WHERE done_at IS NULL AND lease_until IS NOT NULL;

-- change_seq without a global lock. Before, every record writer took one
-- exclusive advisory lock until its commit, so numbers became visible in
-- commit order, and every record write in the database queued behind the
-- one before it (a review submit waited for all others). Now a writer
-- takes an advisory lock of its own (key: sohoa's namespace 1936681079 and
-- its backend pid, so writers never wait for each other) before it draws
-- its first number, and holds it until its transaction ends. Numbers are
-- drawn in time order but may commit out of order; a cursor reader calls
-- records_change_horizon() first, which
--   1. reads H, the last number drawn so far;
--   2. waits until every transaction that holds a writer lock now has ended.
-- Any transaction that drew a number <= H took its lock before drawing it,
-- so before step 1: it has ended by the end of step 2 (committed or rolled
-- back). A statement started after that sees every committed row numbered
-- <= H, and no row numbered <= H can commit later. Reading only rows with
-- change_seq <= H therefore never skips one: a cursor that resumes after
-- the largest change_seq it has seen misses nothing. Writers that start
-- after step 1 draw numbers > H and are left for the next read. Readers
-- wait at most for the writers in flight; writers never wait for readers
-- (a reader holds a writer's lock only for an instant, to wait on it).
ALTER SEQUENCE record_change_seq CACHE 1; -- H must be the last number handed out
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION records_change_seq() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        -- Compare the rows but for the three bookkeeping columns (a plain
        -- row comparison: cheaper than the jsonb of both rows; every column
        -- type needs an equality operator, so jsonb, never json).
        NEW.created_at := OLD.created_at;
        NEW.change_seq := OLD.change_seq;
        NEW.updated_at := OLD.updated_at;
        IF NEW IS NOT DISTINCT FROM OLD THEN
            -- Nothing changed: keep the row's place in the change order.
            RETURN NEW;
        END IF;
    END IF;
    -- Announce this transaction as a writer before drawing (re-taking a
    -- lock the transaction holds is a local, cheap no-op).
    PERFORM pg_advisory_xact_lock(1936681079, pg_backend_pid());
    NEW.change_seq := nextval('record_change_seq');
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

-- records_change_horizon returns the largest change_seq a reader may read
-- up to without missing a row later (see above). Call it as a statement of
-- its own, in READ COMMITTED, before the statement that reads records.
CREATE FUNCTION records_change_horizon() RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    horizon bigint;
    writer  integer;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'records_change_horizon: % transaction: its snapshot predates the wait',
            current_setting('transaction_isolation')
            USING ERRCODE = 'feature_not_supported';
    END IF;
    SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END INTO horizon
    FROM record_change_seq;
    FOR writer IN
        SELECT l.objid::bigint::integer FROM pg_locks l
        WHERE l.locktype = 'advisory' AND l.classid = 1936681079 AND l.objsubid = 2
            AND l.granted AND l.pid IS DISTINCT FROM pg_backend_pid()
            AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
    LOOP
        -- Blocks until that writer's transaction ends.
        PERFORM pg_advisory_lock_shared(1936681079, writer), pg_advisory_unlock_shared(1936681079, writer);
    END LOOP;
    RETURN horizon;
END
$$;
-- +goose StatementEnd

-- Records reach review only as review or accepted: skip the trigger call
-- for the others (a submit that verifies or rejects a record).
DROP TRIGGER review_enqueue ON records;
CREATE TRIGGER review_enqueue AFTER INSERT OR UPDATE OF status ON records
    FOR EACH ROW WHEN (NEW.status IN ('review', 'accepted')) EXECUTE FUNCTION review_enqueue();

-- +goose Down
DROP TRIGGER review_enqueue ON records;
CREATE TRIGGER review_enqueue AFTER INSERT OR UPDATE OF status ON records
    FOR EACH ROW EXECUTE FUNCTION review_enqueue();
DROP FUNCTION records_change_horizon();
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION records_change_seq() RETURNS trigger LANGUAGE plpgsql AS $$
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
DROP INDEX review_items_claimed;
DROP INDEX review_items_lapsed;
DROP INDEX review_items_batch_free;
DROP INDEX review_items_free;
CREATE INDEX review_items_open ON review_items (kind, id) WHERE done_at IS NULL;

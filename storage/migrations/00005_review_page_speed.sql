-- Review page speed: the duplicate lookup of every review page through the
-- GIN index whatever the write load, and a claim filtered to a batch that
-- looks for lapsed leases without reading the batch.

-- +goose Up
-- The review page looks up, for every record shown, the records that may
-- duplicate it (RecordsMatching: fields @> … on records_fields). Every
-- review submit rewrites its record's fields, some 200 index entries,
-- which the GIN index's fast update appends to its pending list, by
-- default up to 4 MB; every search reads the pending list through whole,
-- and the planner counts it in: with 50 verifiers at work it chose a
-- sequential scan of records instead, testing the containment on every
-- row (5 to 20 ms per review page with 2,400 records, growing with the
-- table). A 64 kB pending list (the least allowed) keeps a search to a few
-- pages. Fast update itself stays on: without it each submit puts its
-- entries in the index one by one, which measured about 1 ms more database
-- time per claim and submit than the short list, with 50 verifiers (their
-- records share most values, so their entries go to the same pages).
ALTER INDEX records_fields SET (gin_pending_list_limit = 64);
-- Move what the pending list holds into the index now, not at the next
-- insert or vacuum.
SELECT gin_clean_pending_list('records_fields'::regclass);

-- A claim filtered to a batch looks for a lapsed lease of that batch
-- first (claimSQL's lapsed). With only review_items_lapsed, the planner
-- took review_items_batch instead and read every item of the batch, done
-- or not, for each claim after a submit; this index holds only the
-- batch's items under a lease.
CREATE INDEX review_items_batch_lapsed ON review_items (batch_id, lease_until)
    WHERE done_at IS NULL AND lease_until IS NOT NULL;

-- +goose Down
DROP INDEX review_items_batch_lapsed;
ALTER INDEX records_fields RESET (gin_pending_list_limit);

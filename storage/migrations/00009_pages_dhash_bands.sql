-- Near-duplicate pages are found by the Hamming distance of their 64-bit
-- dHashes. Computing it for every page of the table on each upload costs
-- PostgreSQL about 115 ms per upload at a million pages (a province holds
-- a few million), so each of the hash's four 16-bit bands is indexed: two
-- hashes at most 3 bits apart agree on at least one band (a bit changed
-- can spoil only the band it is in), so the pages to measure are found
-- through these indexes (storage.SimilarPages). Built concurrently: a
-- table of millions of pages keeps taking uploads meanwhile. A concurrent
-- build that fails leaves an invalid index behind, and this migration is
-- then run again: each index is dropped before it is built, so that run
-- builds it whole.

-- +goose NO TRANSACTION
-- +goose Up
DROP INDEX CONCURRENTLY IF EXISTS pages_dhash_band3;
CREATE INDEX CONCURRENTLY pages_dhash_band3 ON pages (((dhash >> 48) & 65535));
DROP INDEX CONCURRENTLY IF EXISTS pages_dhash_band2;
CREATE INDEX CONCURRENTLY pages_dhash_band2 ON pages (((dhash >> 32) & 65535));
DROP INDEX CONCURRENTLY IF EXISTS pages_dhash_band1;
CREATE INDEX CONCURRENTLY pages_dhash_band1 ON pages (((dhash >> 16) & 65535));
DROP INDEX CONCURRENTLY IF EXISTS pages_dhash_band0;
CREATE INDEX CONCURRENTLY pages_dhash_band0 ON pages ((dhash & 65535));

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS pages_dhash_band3;
DROP INDEX CONCURRENTLY IF EXISTS pages_dhash_band2;
DROP INDEX CONCURRENTLY IF EXISTS pages_dhash_band1;
DROP INDEX CONCURRENTLY IF EXISTS pages_dhash_band0;

package storage

import (
	"os"
	"strconv"
	"testing"
)

// BenchmarkSimilarPages looks for the near-duplicates of one page among
// SOHOA_BENCH_PAGES pages (default 200,000; a province holds a few million),
// in a database of its own:
//
//	SOHOA_BENCH_PAGES=1000000 go test -run '^$' -bench SimilarPages -benchtime 20x ./storage/
//
// hashes=spread: every page's dHash is random (pages of many different
// forms and photos); hashes=forms: the pages are of 20 printed forms, each
// page its form's hash with 6 of the 64 bits changed (different pages of one
// form were seen 1 to 4 bits apart), the worst case for the bands' indexes.
// max=2 searches through the indexes (the default distance), max=4 reads
// every page's hash, as every search did before migration 00009.
func BenchmarkSimilarPages(b *testing.B) {
	if os.Getenv("SOHOA_DATABASE_URL") == "" {
		b.Skip("SOHOA_DATABASE_URL is not set")
	}
	n := max(benchCount(b, "SOHOA_BENCH_PAGES", 200_000), 1)
	for _, hashes := range []string{"spread", "forms"} {
		ctx := b.Context()
		pool := emptyDatabase(b)
		if err := Migrate(ctx, pool); err != nil {
			b.Fatal(err)
		}
		// A form's hash, then each page's with two random bits changed.
		hash := `(random() * 18446744073709551615 - 9223372036854775808)::numeric::bigint`
		if hashes == "forms" {
			hash = `(SELECT f.h FROM forms f WHERE f.i = g % 20)
				# (1::bigint << (random() * 63)::int) # (1::bigint << (random() * 63)::int)`
		}
		_, err := pool.Exec(ctx, `
			CREATE TEMP TABLE forms AS SELECT i, (random() * 18446744073709551615 - 9223372036854775808)::numeric::bigint AS h
				FROM generate_series(0, 19) i;
			WITH b AS (INSERT INTO batches (name) VALUES ('bench') RETURNING id)
			INSERT INTO pages (batch_id, object_key, sha256, dhash)
			SELECT b.id, g::text, encode(sha256(g::text::bytea), 'hex'), `+hash+`
			FROM b, generate_series(1, `+strconv.Itoa(n)+`) g;
			ANALYZE pages`)
		if err != nil {
			b.Fatal(err)
		}
		var probe string
		if err := pool.QueryRow(ctx, `SELECT id FROM pages ORDER BY object_key::int DESC LIMIT 1`).Scan(&probe); err != nil {
			b.Fatal(err)
		}
		s := New(pool)
		for _, dist := range []int{2, 4} {
			b.Run("hashes="+hashes+"/max="+strconv.Itoa(dist), func(b *testing.B) {
				for b.Loop() {
					if _, err := s.SimilarPages(ctx, probe, dist); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// benchCount reads a benchmark's size from the environment variable name,
// def when it is not set.
func benchCount(b *testing.B, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		b.Fatalf("%s=%q: want a number", name, v)
	}
	return n
}

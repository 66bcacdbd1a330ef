package storage

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// BenchmarkBookRecords reads one register book of 10,000 records in entry
// order, 500 at a time as the exports do, from a database whose other
// books hold SOHOA_BENCH_BOOK_OTHERS records (default 200,000; a province
// holds about 2.2 million), in a database of its own:
//
//	SOHOA_BENCH_BOOK_OTHERS=1000000 go test -run '^$' -bench BookRecords -benchtime 3x ./storage/
//
// query=indexed is ListBookRecords (records.book and book_entry, migration
// 00008); query=fields is the query it replaced, which computed each
// record's book from its fields and batch, so that every page of a book
// scanned and sorted the records of all books.
func BenchmarkBookRecords(b *testing.B) {
	if os.Getenv("SOHOA_DATABASE_URL") == "" {
		b.Skip("SOHOA_DATABASE_URL is not set")
	}
	others := benchCount(b, "SOHOA_BENCH_BOOK_OTHERS", 200_000)
	const bookSize, perPage, pageSize = 10_000, 2, 500
	ctx := b.Context()
	pool := emptyDatabase(b)
	if err := Migrate(ctx, pool); err != nil {
		b.Fatal(err)
	}
	// Books of 10,000 records, two entries a page, one batch each; the
	// book read is the last one seeded.
	books := (others+bookSize-1)/bookSize + 1
	for i := range books {
		_, err := pool.Exec(ctx, `
			WITH b AS (INSERT INTO batches (name, book_number) VALUES ($1, $1) RETURNING id),
			p AS (INSERT INTO pages (batch_id, object_key, sha256)
				SELECT b.id, g::text, encode(sha256(($1 || '/' || g)::bytea), 'hex') FROM b, generate_series(1, $2) g
				RETURNING id, object_key::int AS n)
			INSERT INTO records (id, page_id, entry_index, status, register_type, fields)
			SELECT gen_random_uuid(), p.id, e, 'verified', 'birth', jsonb_build_object(
				'entry_number', jsonb_build_object('value', ((p.n - 1) * $3 + e + 1)::text, 'status', 'verified'),
				'full_name', jsonb_build_object('value', 'NGUYỄN VĂN ' || p.n, 'status', 'verified'),
				'date_of_birth', jsonb_build_object('value', '2019-01-01', 'status', 'verified'))
			FROM p, generate_series(0, $3 - 1) e`,
			fmt.Sprintf("%02d/2019", i), bookSize/perPage, perPage)
		if err != nil {
			b.Fatal(err)
		}
	}
	if _, err := pool.Exec(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	book := fmt.Sprintf("%02d/2019", books-1)
	s := New(pool)
	read := map[string]func() int{
		"indexed": func() int {
			n := 0
			for _, err := range s.BookRecords(ctx, book, "", pageSize) {
				if err != nil {
					b.Fatal(err)
				}
				n++
			}
			return n
		},
		"fields": func() int {
			n, entry, id := 0, int64(-1), "00000000-0000-0000-0000-000000000000"
			for {
				rows, err := pool.Query(ctx, oldBookQuery, book, entry, id, pageSize)
				if err != nil {
					b.Fatal(err)
				}
				got := 0
				for rows.Next() {
					if err := rows.Scan(&id, &entry); err != nil {
						b.Fatal(err)
					}
					got++
				}
				if err := rows.Err(); err != nil {
					b.Fatal(err)
				}
				n += got
				if got < pageSize {
					return n
				}
			}
		},
	}
	for _, q := range []string{"indexed", "fields"} {
		b.Run("query="+q, func(b *testing.B) {
			n := 0
			for b.Loop() {
				n = read[q]()
			}
			if n != bookSize {
				b.Fatalf("read %d records of the book, want %d", n, bookSize)
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// oldBookQuery is the book query before migration 00008 (ids and entry
// numbers only, which is all it is timed for here).
var oldBookQuery = strings.TrimSpace(`
SELECT r.id, CASE WHEN r.fields->'entry_number'->>'value' ~ '^[0-9]{1,18}$'
	THEN (r.fields->'entry_number'->>'value')::bigint ELSE 9223372036854775807 END AS entry
FROM records r JOIN pages p ON p.id = r.page_id JOIN batches b ON b.id = p.batch_id
WHERE replace(coalesce(nullif(r.fields->'book_number'->>'value', ''), b.book_number), ' ', '') = $1
	AND (CASE WHEN r.fields->'entry_number'->>'value' ~ '^[0-9]{1,18}$'
	THEN (r.fields->'entry_number'->>'value')::bigint ELSE 9223372036854775807 END, r.id) > ($2, $3::uuid)
ORDER BY 2, r.id LIMIT $4`)

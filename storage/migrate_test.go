package storage

import (
	"sync"
	"testing"
)

func TestMigrateIsIdempotentAndConcurrent(t *testing.T) {
	needService(t, "SOHOA_DATABASE_URL")
	ctx := t.Context()
	pool := emptyDatabase(t)

	if v, err := SchemaVersion(ctx, pool); err != nil || v != 0 {
		t.Fatalf("fresh database: version %d, %v; want 0", v, err)
	}
	// Two processes starting at once, then a restart.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Go(func() { errs[i] = Migrate(ctx, pool) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("concurrent Migrate %d: %v", i, err)
		}
	}
	if err := Migrate(ctx, pool); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	v, err := SchemaVersion(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := migrations.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	if v != int64(len(entries)) {
		t.Errorf("schema version %d, want %d (one per migration file)", v, len(entries))
	}
	for _, table := range []string{"batches", "pages", "records", "tokens", "audit"} {
		var exists bool
		if err := pool.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, table).Scan(&exists); err != nil || !exists {
			t.Errorf("table %s: exists=%v, %v", table, exists, err)
		}
	}
}

// TestMigrateRecordsBook checks migration 00008 on records written before
// it: each gets its book (its own book_number field, else its batch's,
// spaces removed) and entry number, without moving in the change order
// that loaders' cursors follow.
func TestMigrateRecordsBook(t *testing.T) {
	needService(t, "SOHOA_DATABASE_URL")
	ctx := t.Context()
	pool := emptyDatabase(t)
	provider, closeDB, err := newProvider(pool)
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB()
	if _, err := provider.UpTo(ctx, 7); err != nil {
		t.Fatal(err)
	}
	var page string
	err = pool.QueryRow(ctx, `WITH b AS (INSERT INTO batches (name, book_number) VALUES ('old', '07 / 2001') RETURNING id)
		INSERT INTO pages (batch_id, object_key, sha256) SELECT id, 'k', repeat('a', 64) FROM b RETURNING id`).Scan(&page)
	if err != nil {
		t.Fatal(err)
	}
	type rec struct {
		fields     string
		book       string
		entry      int64
		changeSeqs int64
	}
	recs := []rec{
		{`{"entry_number": {"value": "12"}}`, "07/2001", 12, 0},
		{`{"entry_number": {"value": "3"}, "book_number": {"value": "09/2001"}}`, "09/2001", 3, 0},
		{`{"entry_number": {"value": "12a"}, "book_number": {"value": ""}}`, "07/2001", 9223372036854775807, 0},
		{`{}`, "07/2001", 9223372036854775807, 0},
	}
	ids := make([]string, len(recs))
	for i, r := range recs {
		err := pool.QueryRow(ctx, `INSERT INTO records (id, page_id, entry_index, status, fields)
			VALUES (gen_random_uuid(), $1, $2, 'accepted', $3) RETURNING id, change_seq`, page, i, r.fields).Scan(&ids[i], &recs[i].changeSeqs)
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	for i, r := range recs {
		var book string
		var entry, seq int64
		if err := pool.QueryRow(ctx, `SELECT book, book_entry, change_seq FROM records WHERE id = $1`, ids[i]).Scan(&book, &entry, &seq); err != nil {
			t.Fatal(err)
		}
		if book != r.book || entry != r.entry || seq != r.changeSeqs {
			t.Errorf("record %s: book %q entry %d change_seq %d; want %q %d %d", r.fields, book, entry, seq, r.book, r.entry, r.changeSeqs)
		}
	}
	// After the migration the trigger keeps them, and a change still
	// moves the record in the change order.
	var book string
	var entry, seq int64
	err = pool.QueryRow(ctx, `UPDATE records SET fields = '{"entry_number": {"value": "5"}}' WHERE id = $1
		RETURNING book, book_entry, change_seq`, ids[1]).Scan(&book, &entry, &seq)
	if err != nil || book != "07/2001" || entry != 5 || seq <= recs[len(recs)-1].changeSeqs {
		t.Errorf("after an update: book %q entry %d change_seq %d, %v", book, entry, seq, err)
	}
}

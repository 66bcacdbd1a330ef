package storage

import (
	"sync"
	"testing"
)

func TestMigrateIsIdempotentAndConcurrent(t *testing.T) {
	needService(t, "SOHOA_DATABASE_URL")
	ctx := t.Context()
	name, drop, err := createDatabase(ctx, env.adminURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(drop)
	pool, err := connect(ctx, env.adminURL, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)

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

package storage

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationLockID is the advisory lock that serialises concurrent Migrate
// calls (several workers starting at once).
const migrationLockID = 0x736f686f61 // "sohoa"

// Migrate applies the embedded migrations (storage/migrations) that the
// database has not seen yet. It is safe to call at every start and from
// several processes at once.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	locker, err := lock.NewPostgresSessionLocker(
		lock.WithLockID(migrationLockID),
		lock.WithLockTimeout(1, 300),
	)
	if err != nil {
		return fmt.Errorf("storage: migrate: %w", err)
	}
	provider, closeDB, err := newProvider(pool, goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("storage: migrate: %w", err)
	}
	defer closeDB()
	if _, err := provider.Up(ctx); err != nil {
		return fmt.Errorf("storage: migrate: %w", err)
	}
	return nil
}

// SchemaVersion returns the latest migration version applied to the
// database, 0 when none is.
func SchemaVersion(ctx context.Context, pool *pgxpool.Pool) (int64, error) {
	provider, closeDB, err := newProvider(pool)
	if err != nil {
		return 0, fmt.Errorf("storage: schema version: %w", err)
	}
	defer closeDB()
	v, err := provider.GetDBVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("storage: schema version: %w", err)
	}
	return v, nil
}

// newProvider returns a goose provider over the embedded migrations and a
// function that closes its database/sql handle (not the pool).
func newProvider(pool *pgxpool.Pool, opts ...goose.ProviderOption) (*goose.Provider, func(), error) {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, nil, err
	}
	db := stdlib.OpenDBFromPool(pool)
	opts = append(opts,
		goose.WithDisableGlobalRegistry(true),
		goose.WithSlog(slog.New(slog.DiscardHandler)),
	)
	provider, err := goose.NewProvider(goose.DialectPostgres, db, fsys, opts...)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return provider, func() { db.Close() }, nil
}

package storage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// testEnv is what TestMain sets up once for the package: a fresh database
// (migrated) on the server SOHOA_DATABASE_URL points at, dropped at the end.
type testEnv struct {
	adminURL string // SOHOA_DATABASE_URL; "" when unset
	dbName   string // the package's own database
}

// env is written only by TestMain, before any test runs.
var env testEnv

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	env.adminURL = os.Getenv("SOHOA_DATABASE_URL")
	if env.adminURL == "" {
		return m.Run()
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name, drop, err := createDatabase(ctx, env.adminURL)
	if err != nil {
		fmt.Fprintln(os.Stderr, "storage tests:", err)
		return 1
	}
	defer drop()
	env.dbName = name
	pool, err := connect(ctx, env.adminURL, name)
	if err != nil {
		fmt.Fprintln(os.Stderr, "storage tests:", err)
		return 1
	}
	err = Migrate(ctx, pool)
	pool.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, "storage tests:", err)
		return 1
	}
	return m.Run()
}

// needService skips the test when the service's variable is unset, or
// fails it when SOHOA_REQUIRE_SERVICES=1 (CI).
func needService(t *testing.T, variable string) {
	t.Helper()
	if os.Getenv(variable) != "" {
		return
	}
	if os.Getenv("SOHOA_REQUIRE_SERVICES") == "1" {
		t.Fatalf("%s is not set and SOHOA_REQUIRE_SERVICES=1: run scripts/services start and eval \"$(scripts/services env)\"", variable)
	}
	t.Skipf("%s is not set (scripts/services start; eval \"$(scripts/services env)\")", variable)
}

// testPool returns a pool on the package's database, closed at cleanup.
func testPool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	needService(t, "SOHOA_DATABASE_URL")
	pool, err := connect(t.Context(), env.adminURL, env.dbName)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// testStore returns a Store on the package's database and its pool.
func testStore(t *testing.T) (*Store, *pgxpool.Pool) {
	t.Helper()
	pool := testPool(t)
	return New(pool), pool
}

// emptyDatabase creates a database without any migration for tb, and
// returns a pool on it; both are dropped at cleanup.
func emptyDatabase(tb testing.TB) *pgxpool.Pool {
	tb.Helper()
	name, drop, err := createDatabase(tb.Context(), env.adminURL)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(drop)
	pool, err := connect(tb.Context(), env.adminURL, name)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(pool.Close)
	return pool
}

// connect opens a pool on database name of the server adminURL names.
func connect(ctx context.Context, adminURL, name string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(adminURL)
	if err != nil {
		return nil, err
	}
	cfg.ConnConfig.Database = name
	cfg.MaxConns = 4
	return pgxpool.NewWithConfig(ctx, cfg)
}

// createDatabase creates an empty database with a random name and returns
// it with a function that drops it.
func createDatabase(ctx context.Context, adminURL string) (string, func(), error) {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", nil, fmt.Errorf("connect to %s: %w", adminURL, err)
	}
	defer conn.Close(ctx)
	name := "sohoa_test_" + randomHex(6)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, err
	}
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, adminURL)
		if err != nil {
			fmt.Fprintln(os.Stderr, "drop test database:", err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			fmt.Fprintln(os.Stderr, "drop test database:", err)
		}
	}
	return name, drop, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// Package servertest runs the sohoa HTTP API for the tests of its clients:
// a server.Server on the real PostgreSQL (a fresh, migrated database) and
// MinIO (a fresh bucket) that scripts/services provides, served by
// httptest, with a token of each role. Everything is removed at cleanup.
//
// Start skips the test when SOHOA_DATABASE_URL or SOHOA_S3_ENDPOINT is
// unset, or fails it when SOHOA_REQUIRE_SERVICES=1.
package servertest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http/httptest"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/sohoa/sohoa/server"
	"github.com/sohoa/sohoa/storage"
)

// Env is a running test server.
type Env struct {
	URL         string // base URL of the API
	DatabaseURL string // URL of the test database
	Server      *httptest.Server
	Store       *storage.Store
	Objects     *storage.Objects
	Enqueuer    *Enqueuer
	Tokens      map[storage.Role]string // role → token secret
}

// Enqueuer records the pages the server enqueues.
type Enqueuer struct {
	mu    sync.Mutex
	pages []string
}

// EnqueuePage implements server.Enqueuer.
func (e *Enqueuer) EnqueuePage(_ context.Context, pageID, _ string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.pages = append(e.pages, pageID)
	return nil
}

// Pages returns the ids enqueued so far, in order.
func (e *Enqueuer) Pages() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.pages...)
}

// Start runs a server; adjust, if not nil, may change its options.
func Start(t testing.TB, adjust func(*server.Options)) *Env {
	t.Helper()
	for _, v := range []string{"SOHOA_DATABASE_URL", "SOHOA_S3_ENDPOINT"} {
		if os.Getenv(v) == "" {
			if os.Getenv("SOHOA_REQUIRE_SERVICES") == "1" {
				t.Fatalf("%s is not set and SOHOA_REQUIRE_SERVICES=1", v)
			}
			t.Skipf("%s is not set (scripts/services start; eval \"$(scripts/services env)\")", v)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pool, dbURL := database(t, ctx, os.Getenv("SOHOA_DATABASE_URL"))
	objects := bucket(t, ctx)
	env := &Env{DatabaseURL: dbURL, Store: storage.New(pool), Objects: objects, Enqueuer: &Enqueuer{}, Tokens: map[storage.Role]string{}}
	opts := server.Options{Store: env.Store, Objects: objects, DB: pool, Enqueuer: env.Enqueuer, TempDir: t.TempDir()}
	if adjust != nil {
		adjust(&opts)
	}
	srv, err := server.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	env.Server = httptest.NewServer(srv)
	t.Cleanup(env.Server.Close)
	env.URL = env.Server.URL
	for _, role := range []storage.Role{storage.RoleScanner, storage.RoleVerifier, storage.RoleLoader, storage.RoleAdmin} {
		_, secret, err := env.Store.CreateToken(ctx, "servertest-"+string(role), role)
		if err != nil {
			t.Fatal(err)
		}
		env.Tokens[role] = secret
	}
	return env
}

// database creates a migrated database, dropped at cleanup, and returns a
// pool on it and its URL.
func database(t testing.TB, ctx context.Context, adminURL string) (*pgxpool.Pool, string) {
	t.Helper()
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		t.Fatal(err)
	}
	name := "sohoa_servertest_" + randomHex(6)
	_, err = conn.Exec(ctx, "CREATE DATABASE "+name)
	conn.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, adminURL)
		if err != nil {
			t.Errorf("drop test database: %v", err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database: %v", err)
		}
	})
	cfg, err := pgxpool.ParseConfig(adminURL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.Database = name
	cfg.MaxConns = 4
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close) // runs before the drop
	if err := storage.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(adminURL)
	if err != nil || u.Scheme == "" {
		t.Fatalf("SOHOA_DATABASE_URL must be a postgres:// URL for servertest")
	}
	u.Path = "/" + name
	return pool, u.String()
}

// bucket creates a bucket, emptied and removed at cleanup.
func bucket(t testing.TB, ctx context.Context) *storage.Objects {
	t.Helper()
	endpoint, access, secret := os.Getenv("SOHOA_S3_ENDPOINT"), os.Getenv("SOHOA_S3_ACCESS_KEY"), os.Getenv("SOHOA_S3_SECRET_KEY")
	name := "sohoa-servertest-" + randomHex(6)
	objects, err := storage.NewObjects(storage.ObjectsOptions{Endpoint: endpoint, AccessKey: access, SecretKey: secret, Bucket: name})
	if err != nil {
		t.Fatal(err)
	}
	if err := objects.EnsureBuckets(ctx); err != nil {
		t.Fatal(err)
	}
	mc, err := minio.New(endpoint, &minio.Options{Creds: credentials.NewStaticV4(access, secret, "")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for obj := range mc.ListObjects(ctx, name, minio.ListObjectsOptions{Recursive: true}) {
			if obj.Err == nil {
				_ = mc.RemoveObject(ctx, name, obj.Key, minio.RemoveObjectOptions{})
			}
		}
		if err := mc.RemoveBucket(ctx, name); err != nil {
			t.Errorf("remove test bucket: %v", err)
		}
	})
	return objects
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

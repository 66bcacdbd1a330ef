package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/sohoa/sohoa/storage"
)

// dbName is the package's own test database, created by TestMain on the
// server SOHOA_DATABASE_URL names ("" when it is unset). Written only by
// TestMain.
var dbName string

func TestMain(m *testing.M) { os.Exit(runTests(m)) }

func runTests(m *testing.M) int {
	adminURL := os.Getenv("SOHOA_DATABASE_URL")
	if adminURL == "" {
		return m.Run()
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		fmt.Fprintln(os.Stderr, "server tests:", err)
		return 1
	}
	name := "sohoa_server_test_" + randomHex(6)
	_, err = conn.Exec(ctx, "CREATE DATABASE "+name)
	conn.Close(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "server tests:", err)
		return 1
	}
	defer func() {
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
	}()
	pool, err := testPoolOn(ctx, adminURL, name)
	if err != nil {
		fmt.Fprintln(os.Stderr, "server tests:", err)
		return 1
	}
	err = storage.Migrate(ctx, pool)
	pool.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, "server tests:", err)
		return 1
	}
	dbName = name
	return m.Run()
}

func testPoolOn(ctx context.Context, adminURL, name string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(adminURL)
	if err != nil {
		return nil, err
	}
	cfg.ConnConfig.Database = name
	cfg.MaxConns = 4
	return pgxpool.NewWithConfig(ctx, cfg)
}

// needServices skips the test when PostgreSQL or MinIO is not configured,
// or fails it when SOHOA_REQUIRE_SERVICES=1.
func needServices(t testing.TB) {
	t.Helper()
	for _, v := range []string{"SOHOA_DATABASE_URL", "SOHOA_S3_ENDPOINT"} {
		if os.Getenv(v) != "" {
			continue
		}
		if os.Getenv("SOHOA_REQUIRE_SERVICES") == "1" {
			t.Fatalf("%s is not set and SOHOA_REQUIRE_SERVICES=1: run scripts/services start and eval \"$(scripts/services env)\"", v)
		}
		t.Skipf("%s is not set (scripts/services start; eval \"$(scripts/services env)\")", v)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// fakeEnqueuer records the pages enqueued; err, when set, fails them.
type fakeEnqueuer struct {
	mu    sync.Mutex
	calls []enqueued
	err   error
}

type enqueued struct{ PageID, Queue string }

func (f *fakeEnqueuer) EnqueuePage(_ context.Context, pageID, queue string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	f.calls = append(f.calls, enqueued{pageID, queue})
	return nil
}

func (f *fakeEnqueuer) enqueued() []enqueued {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]enqueued(nil), f.calls...)
}

// fakeInspector serves canned failed tasks and records retries.
type fakeInspector struct {
	mu      sync.Mutex
	failed  []FailedTask
	retried []string
	depth   map[string]int
	err     error
}

func (f *fakeInspector) ListFailed(context.Context) ([]FailedTask, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed, f.err
}

func (f *fakeInspector) Retry(_ context.Context, queue, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, t := range f.failed {
		if t.Queue == queue && t.ID == id {
			f.retried = append(f.retried, queue+"/"+id)
			return nil
		}
	}
	return fmt.Errorf("retry %s/%s: %w", queue, id, ErrTaskNotFound)
}

func (f *fakeInspector) QueueDepth(context.Context) (map[string]int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.depth, f.err
}

// testEnv is a Server on the real PostgreSQL and a bucket of its own,
// served by httptest, with one token per role.
type testEnv struct {
	srv       *Server
	http      *httptest.Server
	store     *storage.Store
	objects   *storage.Objects
	minio     *minio.Client
	bucket    string
	enqueuer  *fakeEnqueuer
	inspector *fakeInspector
	logs      *syncBuffer
	tokens    map[storage.Role]string // role → secret
	tokenIDs  map[storage.Role]string
}

// newTestEnv starts a server; adjust may change its options.
func newTestEnv(t testing.TB, adjust func(*Options)) *testEnv {
	t.Helper()
	needServices(t)
	ctx := t.Context()
	pool, err := testPoolOn(ctx, os.Getenv("SOHOA_DATABASE_URL"), dbName)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	e := &testEnv{
		store:     storage.New(pool),
		bucket:    "sohoa-server-test-" + randomHex(6),
		enqueuer:  &fakeEnqueuer{},
		inspector: &fakeInspector{depth: map[string]int{"critical:ocr": 1, "default:cleanup": 2, "low:cleanup": 3}},
		logs:      &syncBuffer{},
		tokens:    map[storage.Role]string{},
		tokenIDs:  map[storage.Role]string{},
	}
	endpoint := os.Getenv("SOHOA_S3_ENDPOINT")
	e.objects, err = storage.NewObjects(storage.ObjectsOptions{
		Endpoint: endpoint, AccessKey: os.Getenv("SOHOA_S3_ACCESS_KEY"), SecretKey: os.Getenv("SOHOA_S3_SECRET_KEY"),
		Bucket: e.bucket,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.objects.EnsureBuckets(ctx); err != nil {
		t.Fatal(err)
	}
	e.minio, err = minio.New(endpoint, &minio.Options{
		Creds: credentials.NewStaticV4(os.Getenv("SOHOA_S3_ACCESS_KEY"), os.Getenv("SOHOA_S3_SECRET_KEY"), ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.removeBucket(t) })
	opts := Options{
		Store: e.store, Objects: e.objects, DB: pool, Enqueuer: e.enqueuer, Inspector: e.inspector,
		Logger:  slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		TempDir: t.TempDir(),
	}
	if adjust != nil {
		adjust(&opts)
	}
	e.srv, err = New(opts)
	if err != nil {
		t.Fatal(err)
	}
	e.http = httptest.NewServer(e.srv)
	t.Cleanup(e.http.Close)
	for _, role := range []storage.Role{storage.RoleScanner, storage.RoleVerifier, storage.RoleLoader, storage.RoleAdmin} {
		tok, secret, err := e.store.CreateToken(ctx, "test-"+string(role)+"-"+randomHex(3), role)
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[role] = secret
		e.tokenIDs[role] = tok.ID
	}
	return e
}

func (e *testEnv) removeBucket(t testing.TB) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for obj := range e.minio.ListObjects(ctx, e.bucket, minio.ListObjectsOptions{Recursive: true}) {
		if obj.Err == nil {
			_ = e.minio.RemoveObject(ctx, e.bucket, obj.Key, minio.RemoveObjectOptions{})
		}
	}
	if err := e.minio.RemoveBucket(ctx, e.bucket); err != nil {
		t.Errorf("remove test bucket: %v", err)
	}
}

// objectKeys lists every object in the test bucket.
func (e *testEnv) objectKeys(t *testing.T) []string {
	t.Helper()
	var keys []string
	for obj := range e.minio.ListObjects(t.Context(), e.bucket, minio.ListObjectsOptions{Recursive: true}) {
		if obj.Err != nil {
			t.Fatal(obj.Err)
		}
		keys = append(keys, obj.Key)
	}
	return keys
}

// response is an answer of the test server.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("answer is not JSON (%v): %s", err, r.body)
	}
}

// errBody decodes an error answer.
func (r response) errBody(t *testing.T) errorBody {
	t.Helper()
	var eb errorBody
	r.json(t, &eb)
	if eb.Error == "" || eb.Code == "" {
		t.Fatalf("error answer lacks error or code: %s", r.body)
	}
	return eb
}

// do sends a request with the secret as bearer token ("" for none).
func (e *testEnv) do(t *testing.T, method, path, secret string, body io.Reader, h http.Header) response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, e.http.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	resp, err := e.http.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// doJSON sends v as a JSON body.
func (e *testEnv) doJSON(t *testing.T, method, path, secret string, v any) response {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return e.do(t, method, path, secret, bytes.NewReader(b), http.Header{"Content-Type": {"application/json"}})
}

// createBatch makes a batch with the role's token.
func (e *testEnv) createBatch(t *testing.T, role storage.Role, nb NewBatch) Batch {
	t.Helper()
	if nb.Name == "" {
		nb.Name = "Sổ khai sinh " + randomHex(3)
	}
	r := e.doJSON(t, http.MethodPost, "/v1/batches", e.tokens[role], nb)
	if r.status != http.StatusCreated {
		t.Fatalf("create batch: %d %s", r.status, r.body)
	}
	var b Batch
	r.json(t, &b)
	return b
}

// upload posts an image as a page with the given claimed SHA-256.
func (e *testEnv) upload(t *testing.T, batchID, secret string, data []byte, sum, filename string) response {
	t.Helper()
	h := http.Header{"Content-Type": {"application/octet-stream"}}
	if sum != "" {
		h.Set("X-Content-SHA256", sum)
	}
	if filename != "" {
		h.Set("X-Filename", filename)
	}
	return e.do(t, http.MethodPost, "/v1/batches/"+batchID+"/pages", secret, bytes.NewReader(data), h)
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a logger.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// contains reports whether any of keys has the suffix.
func contains(keys []string, suffix string) bool {
	for _, k := range keys {
		if strings.HasSuffix(k, suffix) {
			return true
		}
	}
	return false
}

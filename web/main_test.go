package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/server"
	"github.com/sohoa/sohoa/storage"
)

// dbName is the package's own database, set by TestMain before any test.
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
		fmt.Fprintln(os.Stderr, "web tests:", err)
		return 1
	}
	name := "sohoa_web_test_" + randomHex(6)
	_, err = conn.Exec(ctx, "CREATE DATABASE "+name)
	conn.Close(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "web tests:", err)
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
	pool, err := poolOn(ctx, adminURL, name, 8)
	if err != nil {
		fmt.Fprintln(os.Stderr, "web tests:", err)
		return 1
	}
	err = storage.Migrate(ctx, pool)
	pool.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, "web tests:", err)
		return 1
	}
	dbName = name
	return m.Run()
}

// poolOn opens a pool of at most maxConns connections to the database name.
func poolOn(ctx context.Context, adminURL, name string, maxConns int32) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(adminURL)
	if err != nil {
		return nil, err
	}
	cfg.ConnConfig.Database = name
	cfg.MaxConns = maxConns
	return pgxpool.NewWithConfig(ctx, cfg)
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// testEnv is the API server with the UI mounted, on the real PostgreSQL and
// a bucket of its own.
type testEnv struct {
	pool    *pgxpool.Pool
	store   *storage.Store
	objects *storage.Objects
	http    *httptest.Server
	batch   storage.Batch
}

func newEnv(t testing.TB) *testEnv {
	t.Helper()
	return newEnvConns(t, 8)
}

// newEnvConns is newEnv with a pool of at most maxConns connections
// behind the server.
func newEnvConns(t testing.TB, maxConns int32) *testEnv {
	t.Helper()
	for _, v := range []string{"SOHOA_DATABASE_URL", "SOHOA_S3_ENDPOINT"} {
		if os.Getenv(v) != "" {
			continue
		}
		if os.Getenv("SOHOA_REQUIRE_SERVICES") == "1" {
			t.Fatalf("%s is not set and SOHOA_REQUIRE_SERVICES=1", v)
		}
		t.Skipf("%s is not set (scripts/services start; eval \"$(scripts/services env)\")", v)
	}
	ctx := t.Context()
	pool, err := poolOn(ctx, os.Getenv("SOHOA_DATABASE_URL"), dbName, maxConns)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	e := &testEnv{pool: pool, store: storage.New(pool)}
	endpoint, access, secret := os.Getenv("SOHOA_S3_ENDPOINT"), os.Getenv("SOHOA_S3_ACCESS_KEY"), os.Getenv("SOHOA_S3_SECRET_KEY")
	bucket := "sohoa-web-test-" + randomHex(6)
	e.objects, err = storage.NewObjects(storage.ObjectsOptions{Endpoint: endpoint, AccessKey: access, SecretKey: secret, Bucket: bucket})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.objects.EnsureBuckets(ctx); err != nil {
		t.Fatal(err)
	}
	mc, err := minio.New(endpoint, &minio.Options{Creds: credentials.NewStaticV4(access, secret, "")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for obj := range mc.ListObjects(ctx, bucket, minio.ListObjectsOptions{Recursive: true}) {
			if obj.Err == nil {
				_ = mc.RemoveObject(ctx, bucket, obj.Key, minio.RemoveObjectOptions{})
			}
		}
		_ = mc.RemoveBucket(ctx, bucket)
	})
	ui, err := New(Options{Store: e.store, Objects: e.objects})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Options{Store: e.store, Objects: e.objects, Web: ui, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	e.http = httptest.NewServer(srv)
	t.Cleanup(e.http.Close)
	e.batch, err = e.store.CreateBatch(ctx, storage.NewBatch{Name: t.Name(), BookNumber: "01/2019", RegisterType: "birth"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetReviewSettings(ctx, storage.ReviewSettings{SampleRate: 0, DoubleEntry: false}); err != nil {
		t.Fatal(err)
	}
	// Close what the test leaves open in the review queue (sample items,
	// claims), so that a later test's unfiltered claim takes its own items.
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := pool.Exec(ctx, `UPDATE review_items SET done_at = now(), lease_until = NULL
			WHERE batch_id = $1 AND done_at IS NULL`, e.batch.ID); err != nil {
			t.Errorf("close the test's review items: %v", err)
		}
	})
	return e
}

// pageImage is a 400×300 PNG, white with a dark band where the name is.
func pageImage(t *testing.T) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 400, 300))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for y := 40; y < 60; y++ {
		for x := 50; x < 250; x++ {
			img.SetGray(x, y, color.Gray{Y: 0x20})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// addRecord stores a page (its image in the bucket) with one record of
// the given status and fields, and returns the record.
func (e *testEnv) addRecord(t *testing.T, status models.Status, fields map[string]models.Field) models.Record {
	t.Helper()
	ctx := t.Context()
	data := pageImage(t)
	data = append(data, []byte(randomHex(8))...) // a page of its own: PNG decoders ignore trailing bytes
	sum := sha256.Sum256(data)
	hexSum := hex.EncodeToString(sum[:])
	if _, _, err := e.objects.PutOriginal(ctx, bytes.NewReader(data), int64(len(data)), hexSum,
		storage.PutOriginalOptions{ContentType: "image/png"}); err != nil {
		t.Fatal(err)
	}
	p, err := e.store.AddPage(ctx, storage.NewPage{BatchID: e.batch.ID, ObjectKey: storage.OriginalKey(hexSum), SHA256: hexSum})
	if err != nil {
		t.Fatal(err)
	}
	rec := models.Record{ID: uuid.NewString(), EntryIndex: 1, RegisterType: models.Birth, Status: status, Fields: fields}
	if err := e.store.SaveRecords(ctx, p.ID, []models.Record{rec}); err != nil {
		t.Fatal(err)
	}
	return rec
}

// addUser creates a user with password "mật khẩu tốt".
func (e *testEnv) addUser(t *testing.T, role storage.UserRole) storage.User {
	t.Helper()
	u, err := e.store.CreateUser(t.Context(), string(role)+"-"+randomHex(4), role, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

const testPassword = "mật khẩu tốt"

// client is an HTTP client with a cookie jar that does not follow
// redirects.
func client(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func strp(s string) *string { return &s }

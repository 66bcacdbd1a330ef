package queue

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/redis/go-redis/v9"

	"github.com/sohoa/sohoa/confidence"
	"github.com/sohoa/sohoa/extract"
	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/ocr"
	"github.com/sohoa/sohoa/pipeline"
	"github.com/sohoa/sohoa/preprocess"
	"github.com/sohoa/sohoa/storage"
)

// childEnv marks a test binary re-executed as a worker process (see
// startChildWorker); its configuration comes in the other childX variables.
const (
	childEnv        = "SOHOA_QUEUE_TEST_CHILD"
	childDBURL      = "SOHOA_QUEUE_TEST_DB_URL"
	childRedisDB    = "SOHOA_QUEUE_TEST_REDIS_DB"
	childBucket     = "SOHOA_QUEUE_TEST_BUCKET"
	childStall      = "SOHOA_QUEUE_TEST_STALL" // stage at which the child blocks forever
	childOCRTimeout = "SOHOA_QUEUE_TEST_OCR_TIMEOUT"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(childWorker())
	}
	os.Exit(m.Run())
}

const samples = "../testdata/samples"

// needService skips the test when the service's variable is unset, or
// fails it when SOHOA_REQUIRE_SERVICES=1 (CI).
func needService(t *testing.T, variables ...string) {
	t.Helper()
	for _, v := range variables {
		if os.Getenv(v) != "" {
			continue
		}
		if os.Getenv("SOHOA_REQUIRE_SERVICES") == "1" {
			t.Fatalf("%s is not set and SOHOA_REQUIRE_SERVICES=1: run scripts/services start and eval \"$(scripts/services env)\"", v)
		}
		t.Skipf("%s is not set (scripts/services start; eval \"$(scripts/services env)\")", v)
	}
}

// testEnv is one test's share of the servers: a database of its own
// (migrated), a bucket of its own and a Redis database number nobody else
// uses, all removed at cleanup.
type testEnv struct {
	dbURL   string
	store   *storage.Store
	objects *storage.Objects
	bucket  string
	redisDB int
	redis   asynq.RedisClientOpt
	rdb     *redis.Client
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	needService(t, "SOHOA_DATABASE_URL", "SOHOA_REDIS_ADDR", "SOHOA_S3_ENDPOINT")
	ctx := t.Context()
	e := newDatabaseEnv(t)
	e.bucket = "sohoa-queue-test-" + randomHex(6)
	e.objects = newObjects(t, e.bucket)
	if err := e.objects.EnsureBuckets(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeBucket(t, e.bucket) })

	e.redisDB, e.rdb = claimRedisDB(t)
	e.redis = asynq.RedisClientOpt{Addr: os.Getenv("SOHOA_REDIS_ADDR"), DB: e.redisDB}
	return e
}

// createDatabase creates an empty database and returns its URL; it is
// dropped at cleanup.
func createDatabase(t *testing.T, adminURL string) string {
	t.Helper()
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	name := "sohoa_queue_test_" + randomHex(6)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
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
	cfg, err := pgx.ParseConfig(adminURL)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", cfg.User, cfg.Host, cfg.Port, name)
}

func newObjects(t *testing.T, bucket string) *storage.Objects {
	t.Helper()
	o, err := storage.NewObjects(storage.ObjectsOptions{
		Endpoint:  os.Getenv("SOHOA_S3_ENDPOINT"),
		AccessKey: os.Getenv("SOHOA_S3_ACCESS_KEY"),
		SecretKey: os.Getenv("SOHOA_S3_SECRET_KEY"),
		Bucket:    bucket,
	})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func removeBucket(t *testing.T, bucket string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	mc, err := minio.New(os.Getenv("SOHOA_S3_ENDPOINT"), &minio.Options{
		Creds: credentials.NewStaticV4(os.Getenv("SOHOA_S3_ACCESS_KEY"), os.Getenv("SOHOA_S3_SECRET_KEY"), ""),
	})
	if err != nil {
		t.Errorf("remove test bucket: %v", err)
		return
	}
	for obj := range mc.ListObjects(ctx, bucket, minio.ListObjectsOptions{Recursive: true}) {
		if obj.Err == nil {
			_ = mc.RemoveObject(ctx, bucket, obj.Key, minio.RemoveObjectOptions{})
		}
	}
	if err := mc.RemoveBucket(ctx, bucket); err != nil {
		t.Errorf("remove test bucket: %v", err)
	}
}

// claimKey marks a Redis database as taken by a test run.
const claimKey = "sohoa:test:claimed-by"

// claimRedisDB finds an empty Redis database (1–15), marks it taken and
// returns its number and a client on it; it is flushed at cleanup.
func claimRedisDB(t *testing.T) (int, *redis.Client) {
	t.Helper()
	ctx := t.Context()
	order := []int{15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}
	owner := "queue-test-" + randomHex(6)
	for _, db := range order {
		c := redis.NewClient(&redis.Options{Addr: os.Getenv("SOHOA_REDIS_ADDR"), DB: db})
		n, err := c.DBSize(ctx).Result()
		if err != nil {
			c.Close()
			t.Fatal(err)
		}
		if n == 0 {
			ok, err := c.SetNX(ctx, claimKey, owner, 10*time.Minute).Result()
			if err == nil && ok {
				t.Cleanup(func() {
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					defer cancel()
					if v, _ := c.Get(ctx, claimKey).Result(); v == owner || v == "" {
						c.FlushDB(ctx)
					}
					c.Close()
				})
				return db, c
			}
		}
		c.Close()
	}
	t.Fatal("no free Redis database among 1–15")
	return 0, nil
}

// flushRedis empties the test's Redis database (FLUSHDB: the other
// databases on the server belong to others) and claims it again.
func (e *testEnv) flushRedis(t *testing.T) {
	ctx := context.Background()
	owner, _ := e.rdb.Get(ctx, claimKey).Result()
	if err := e.rdb.FlushDB(ctx).Err(); err != nil {
		t.Error(err)
	}
	e.rdb.Set(ctx, claimKey, owner, 10*time.Minute)
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// batch creates a batch with the given priority.
func (e *testEnv) batch(t *testing.T, priority int) storage.Batch {
	t.Helper()
	b, err := e.store.CreateBatch(t.Context(), storage.NewBatch{Name: t.Name(), Priority: priority})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// addPage stores data as an original and adds the page (state uploaded).
func (e *testEnv) addPage(t *testing.T, batchID, name string, data []byte) storage.Page {
	t.Helper()
	sum := sha256hex(data)
	if _, _, err := e.objects.PutOriginal(t.Context(), bytes.NewReader(data), int64(len(data)), sum, storage.PutOriginalOptions{}); err != nil {
		t.Fatal(err)
	}
	return e.addPageOnly(t, batchID, name, sum)
}

// addPageOnly adds a page whose original is not stored.
func (e *testEnv) addPageOnly(t *testing.T, batchID, name, sum string) storage.Page {
	t.Helper()
	p, err := e.store.AddPage(t.Context(), storage.NewPage{BatchID: batchID, ObjectKey: storage.OriginalKey(sum), Source: name, SHA256: sum})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func sha256hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func readSample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(samples, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// newScanner sets up extraction as `sohoa scan` does by default.
func newScanner(t testing.TB) *pipeline.Scanner {
	t.Helper()
	set, err := extract.LoadTemplates("")
	if err != nil {
		t.Fatal(err)
	}
	model, err := confidence.Default()
	if err != nil {
		t.Fatal(err)
	}
	return &pipeline.Scanner{Templates: set, Model: model, Preprocess: preprocess.DefaultOptions(), ReOCR: true}
}

// fastOptions are task options for tests: few, quick retries are not
// needed, but short timeouts keep leases short.
func fastOptions() Options {
	return Options{Timeouts: map[Stage]time.Duration{StageCleanup: 30 * time.Second, StageOCR: 45 * time.Second, StageRouting: 15 * time.Second}}
}

// worker builds a worker on the test's servers; change adjusts its config.
func (e *testEnv) worker(t *testing.T, change func(*WorkerConfig)) *Worker {
	t.Helper()
	cfg := WorkerConfig{
		Redis: e.redis, Store: e.store, Objects: e.objects, Scanner: newScanner(t),
		Concurrency: 2, Options: fastOptions(),
		ShutdownTimeout: 10 * time.Second, LeaseGrace: time.Second,
		ReconcileInterval: 300 * time.Millisecond, StuckAfter: 500 * time.Millisecond,
	}
	if testing.Verbose() {
		cfg.Logger = slogForTest(t)
	}
	if change != nil {
		change(&cfg)
	}
	w, err := NewWorker(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// run starts w.Run in the background and returns a function that stops it
// and waits for it (also called at cleanup).
func run(t *testing.T, w *Worker) func() {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("worker: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// client returns a queue client on the test's servers, closed at cleanup.
func (e *testEnv) client(t *testing.T) *Client {
	c := NewClient(e.redis, e.store, fastOptions())
	t.Cleanup(func() { c.Close() })
	return c
}

// waitState waits until every page is in one of the states or the
// deadline passes, and returns the pages as last read.
func (e *testEnv) waitState(t *testing.T, timeout time.Duration, ids []string, states ...storage.PageState) []storage.Page {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		pages := make([]storage.Page, len(ids))
		done := true
		for i, id := range ids {
			p, err := e.store.GetPage(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			pages[i] = p
			if !slices.Contains(states, p.State) {
				done = false
			}
		}
		if done {
			return pages
		}
		if time.Now().After(deadline) {
			for _, p := range pages {
				t.Logf("page %s (%s): state %s, attempts %d, last error %q", p.ID, p.Source, p.State, p.Attempts, p.LastError)
			}
			t.Fatalf("pages not %v after %v", states, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// scanRecords runs `sohoa scan`'s stage on the image, with the source name
// the page was uploaded under.
func scanRecords(t *testing.T, data []byte, source string) []models.Record {
	t.Helper()
	mats, err := preprocess.Decode(source, data, preprocess.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for i := range mats {
			mats[i].Close()
		}
	}()
	eng, err := ocr.NewEngine(ocr.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	r := pipeline.PageResult{Source: source, SHA256: sha256hex(data), Pages: 1}
	if err := newScanner(t).Stage()(t.Context(), eng, mats[0], &r); err != nil {
		t.Fatal(err)
	}
	return r.Records
}

// storedRecords returns the page's records as record-format records.
func (e *testEnv) storedRecords(t *testing.T, pageID string) []storage.Record {
	t.Helper()
	recs, err := e.store.ListRecords(t.Context(), storage.ListRecordsOptions{PageID: pageID, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(recs, func(a, b storage.Record) int { return a.EntryIndex - b.EntryIndex })
	return recs
}

// sameRecords compares records as the record format writes them.
func sameRecords(t *testing.T, got []storage.Record, want []models.Record) {
	t.Helper()
	g := make([]models.Record, len(got))
	for i, r := range got {
		g[i] = r.Record
	}
	gj, wj := canonical(t, g), canonical(t, want)
	if gj != wj {
		t.Errorf("stored records differ from scan's:\n got %s\nwant %s", gj, wj)
	}
}

func canonical(t *testing.T, recs []models.Record) string {
	t.Helper()
	out := make([]models.Record, len(recs))
	for i, r := range recs {
		if r.Warnings == nil {
			r.Warnings = []string{}
		}
		fields := map[string]models.Field{}
		for k, f := range r.Fields {
			if f.Reasons == nil {
				f.Reasons = []string{}
			}
			fields[k] = f
		}
		r.Fields = fields
		out[i] = r
	}
	slices.SortFunc(out, func(a, b models.Record) int { return a.EntryIndex - b.EntryIndex })
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func atoiEnv(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

// newDatabaseEnv is a testEnv with a migrated database of its own (store
// and dbURL set), dropped at cleanup.
func newDatabaseEnv(t *testing.T) *testEnv {
	t.Helper()
	e := &testEnv{}
	e.dbURL = createDatabase(t, os.Getenv("SOHOA_DATABASE_URL"))
	pool, err := pgxpool.New(t.Context(), e.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if err := storage.Migrate(t.Context(), pool); err != nil {
		t.Fatal(err)
	}
	e.store = storage.New(pool)
	return e
}

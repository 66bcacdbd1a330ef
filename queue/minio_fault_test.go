package queue

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"go/build"
	"hash/crc32"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/sohoa/sohoa/storage"
)

// MinIO stopped (SIGKILL) in the middle of a batch and started again on
// the same port and data: the cleanup and OCR stages that ran against it
// fail and are retried, no page is failed or lost, and every page ends
// routed with the records scan gives for the same image. The test runs a
// MinIO of its own so that the shared one is left alone.
func TestMinIOKilledMidBatch(t *testing.T) {
	needService(t, "SOHOA_DATABASE_URL", "SOHOA_REDIS_ADDR")
	m := startMinIO(t)
	e := newPrivateMinIOEnv(t, m)
	ctx := t.Context()

	type upload struct {
		name string
		data []byte
	}
	var book, urgent []upload
	sampleNames := []string{
		"p0001-birth-extract-clean.png", "p0002-birth-register-scanned.jpg",
		"p0003-marriage-extract-worn.jpg", "p0004-marriage-register-clean.png",
		"p0005-death-extract-scanned.jpg", "p0006-death-register-worn.jpg",
	}
	for _, n := range sampleNames {
		book = append(book, upload{"book-07/" + n, readSample(t, n)})
	}
	// Copies with other bytes and the same pixels: other originals, other
	// pages.
	for _, n := range []string{sampleNames[0], sampleNames[1], sampleNames[3], sampleNames[4]} {
		urgent = append(urgent, upload{"book-08/copy-" + n, withComment(t, readSample(t, n), "copy of "+n)})
	}
	c := e.client(t)
	bookBatch, urgentBatch := e.batch(t, 0), e.batch(t, 1)
	var pages []storage.Page
	var uploads []upload
	for _, u := range book {
		p := e.addPage(t, bookBatch.ID, u.name, u.data)
		pages, uploads = append(pages, p), append(uploads, u)
		if err := c.EnqueueStage(ctx, p.ID, StageCleanup, bookBatch.Priority); err != nil {
			t.Fatal(err)
		}
	}
	// The urgent batch's originals are in the store; its pages arrive as
	// MinIO goes down.
	for _, u := range urgent {
		if _, _, err := e.objects.PutOriginal(ctx, bytes.NewReader(u.data), int64(len(u.data)), sha256hex(u.data), storage.PutOriginalOptions{}); err != nil {
			t.Fatal(err)
		}
	}

	reg := prometheus.NewRegistry()
	metrics, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	// When the first OCR stage starts (a book page is cleaned; the stage
	// queues serve it before the book's other cleanups), the urgent pages
	// are added and MinIO is killed: that OCR stage fails to read its
	// cleaned page, and the urgent cleanups, served first, fail to read
	// their originals.
	killed := make(chan struct{})
	var killOnce sync.Once
	w := e.worker(t, func(cfg *WorkerConfig) {
		cfg.Metrics = metrics
		cfg.StrictPriority = true
		cfg.RetryDelay = Backoff(200*time.Millisecond, 2*time.Second)
		cfg.beforeStage = func(ctx context.Context, s Stage, _ storage.Page) {
			if s != StageOCR {
				return
			}
			killOnce.Do(func() {
				defer close(killed)
				for _, u := range urgent {
					p, err := e.store.AddPage(ctx, storage.NewPage{BatchID: urgentBatch.ID, ObjectKey: storage.OriginalKey(sha256hex(u.data)), Source: u.name, SHA256: sha256hex(u.data)})
					if err != nil {
						t.Errorf("add urgent page: %v", err)
						return
					}
					pages, uploads = append(pages, p), append(uploads, u)
					if err := c.EnqueueStage(ctx, p.ID, StageCleanup, urgentBatch.Priority); err != nil {
						t.Errorf("enqueue urgent page: %v", err)
						return
					}
				}
				m.kill(t)
			})
		}
	})
	// Every OCR stage reads its cleaned page from the store, as on a
	// worker other than the one that cleaned it: no hand-off in memory.
	w.handoff = newHandoff(0)
	stop := run(t, w)
	select {
	case <-killed: // pages and uploads are complete
	case <-time.After(30 * time.Second):
		t.Fatal("no OCR stage started")
	}
	if t.Failed() {
		t.FailNow()
	}
	retries := func(s Stage) float64 {
		return testutil.ToFloat64(metrics.pages.WithLabelValues(string(s), OutcomeRetry))
	}
	// Let stages fail against the dead store (the MinIO client retries a
	// refused connection for a few seconds before giving up).
	deadline := time.Now().Add(30 * time.Second)
	for (retries(StageCleanup) < 2 || retries(StageOCR) < 1) && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	for _, s := range Stages() {
		t.Logf("while MinIO was down, %s: %v retried, %v failed", s, retries(s),
			testutil.ToFloat64(metrics.pages.WithLabelValues(string(s), OutcomeFailed)))
	}
	if retries(StageCleanup) == 0 || retries(StageOCR) == 0 {
		t.Fatal("the cleanup and OCR stages did not both fail while MinIO was down")
	}
	m.start(t)

	ids := make([]string, len(pages))
	for i, p := range pages {
		ids[i] = p.ID
	}
	// Generous: MinIO's restart, the MinIO client's own retries and the
	// stages' backoff all stretch on a loaded machine (45 s was once too
	// short with other test suites running); the assertions are on the end
	// state, not the time.
	got := e.waitState(t, 2*time.Minute, ids, storage.PageRouted, storage.PageFailed)
	stop()
	for _, p := range got {
		if p.State != storage.PageRouted {
			t.Errorf("%s: %s (%s), want routed", p.Source, p.State, p.LastError)
		}
	}
	for _, s := range Stages() {
		if n := testutil.ToFloat64(metrics.pages.WithLabelValues(string(s), OutcomeFailed)); n != 0 {
			t.Errorf("%s: %v runs failed for good, want none", s, n)
		}
	}
	if failed, err := c.ListFailed(ctx); err != nil || len(failed) != 0 {
		t.Errorf("ListFailed = %+v, %v; want none", failed, err)
	}
	if t.Failed() {
		t.FailNow()
	}
	for i, p := range pages {
		want := scanRecords(t, uploads[i].data, p.Source)
		if len(want) == 0 {
			t.Fatalf("%s: scan found no records", p.Source)
		}
		sameRecords(t, e.storedRecords(t, p.ID), want)
	}
}

// newPrivateMinIOEnv is newTestEnv with the object store on m instead of
// the shared MinIO (whose data dir is removed with the test, so its bucket
// needs no cleanup).
func newPrivateMinIOEnv(t *testing.T, m *minioProcess) *testEnv {
	t.Helper()
	ctx := t.Context()
	e := newDatabaseEnv(t)
	var err error
	e.bucket = "sohoa-queue-fault"
	e.objects, err = storage.NewObjects(storage.ObjectsOptions{
		Endpoint: m.addr, AccessKey: m.accessKey, SecretKey: m.secretKey, Bucket: e.bucket,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.objects.EnsureBuckets(ctx); err != nil {
		t.Fatal(err)
	}
	e.redisDB, e.rdb = claimRedisDB(t)
	e.redis.Addr = os.Getenv("SOHOA_REDIS_ADDR")
	e.redis.DB = e.redisDB
	return e
}

// minioProcess is a MinIO server run by a test on a loopback port of its
// own, with its data in a temporary directory.
type minioProcess struct {
	bin, dir, logPath    string
	addr, consoleAddr    string
	accessKey, secretKey string
	cmd                  *exec.Cmd
	done                 chan struct{} // closed when cmd has exited
}

// minioBinary finds the MinIO server binary as scripts/services installs it.
func minioBinary() (string, error) {
	var candidates []string
	if v := os.Getenv("SOHOA_MINIO_BIN"); v != "" {
		candidates = append(candidates, v)
	}
	if v := os.Getenv("GOBIN"); v != "" {
		candidates = append(candidates, filepath.Join(v, "minio"))
	}
	for _, p := range filepath.SplitList(build.Default.GOPATH) {
		candidates = append(candidates, filepath.Join(p, "bin", "minio"))
	}
	if home, err := os.UserHomeDir(); err == nil {
		candidates = append(candidates, filepath.Join(home, "go", "bin", "minio"))
	}
	for _, c := range candidates {
		if st, err := os.Stat(c); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return c, nil
		}
	}
	if p, err := exec.LookPath("minio"); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("no minio binary in %s or PATH", strings.Join(candidates, ", "))
}

// startMinIO starts a MinIO server of the test's own, killed at cleanup.
func startMinIO(t *testing.T) *minioProcess {
	t.Helper()
	bin, err := minioBinary()
	if err != nil {
		if os.Getenv("SOHOA_REQUIRE_SERVICES") == "1" {
			t.Fatalf("%v and SOHOA_REQUIRE_SERVICES=1 (scripts/services start installs it)", err)
		}
		t.Skipf("%v (scripts/services start installs it)", err)
	}
	dir := t.TempDir()
	m := &minioProcess{
		bin: bin, dir: filepath.Join(dir, "data"), logPath: filepath.Join(dir, "minio.log"),
		addr: freeLoopbackAddr(t), consoleAddr: freeLoopbackAddr(t),
		accessKey: "fault-test", secretKey: "fault-" + randomHex(12),
	}
	t.Cleanup(func() {
		if m.running() {
			m.kill(t)
		}
	})
	m.start(t)
	return m
}

func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func (m *minioProcess) running() bool {
	if m.cmd == nil {
		return false
	}
	select {
	case <-m.done:
		return false
	default:
		return true
	}
}

// start starts the server on m's port and data and waits until it is
// ready.
func (m *minioProcess) start(t *testing.T) {
	t.Helper()
	logf, err := os.OpenFile(m.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.Command(m.bin, "server", "--quiet", "--address", m.addr, "--console-address", m.consoleAddr, m.dir)
	cmd.Env = append(os.Environ(),
		"MINIO_ROOT_USER="+m.accessKey, "MINIO_ROOT_PASSWORD="+m.secretKey,
		"MINIO_BROWSER=off", "MINIO_UPDATE=off", "MINIO_CALLHOME_ENABLE=off")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("start minio: %v", err)
	}
	m.cmd, m.done = cmd, make(chan struct{})
	go func(done chan struct{}) {
		cmd.Wait()
		close(done)
	}(m.done)

	ready := "http://" + m.addr + "/minio/health/ready"
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(ready)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if !m.running() {
			t.Fatalf("minio exited: %s", m.logTail())
		}
		if time.Now().After(deadline) {
			t.Fatalf("minio not ready on %s after 30 s: %s", m.addr, m.logTail())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill stops the server with SIGKILL and waits for it to exit. It may be
// called from other goroutines than the test's.
func (m *minioProcess) kill(t *testing.T) {
	if err := m.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("kill minio: %v", err)
	}
	select {
	case <-m.done:
	case <-time.After(10 * time.Second):
		t.Error("minio did not exit after SIGKILL")
	}
}

func (m *minioProcess) logTail() string {
	b, _ := os.ReadFile(m.logPath)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// withComment returns the image with a comment added (a PNG tEXt chunk
// before IEND, a JPEG COM segment after SOI): other bytes, the same pixels.
func withComment(t *testing.T, img []byte, text string) []byte {
	t.Helper()
	switch {
	case bytes.HasPrefix(img, []byte("\x89PNG\r\n\x1a\n")):
		iend := len(img) - 12
		if iend < 8 || string(img[iend+4:iend+8]) != "IEND" {
			t.Fatal("withComment: PNG does not end with IEND")
		}
		data := append([]byte("Comment\x00"), text...)
		chunk := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
		chunk = append(chunk, "tEXt"...)
		chunk = append(chunk, data...)
		chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
		return slices.Concat(img[:iend], chunk, img[iend:])
	case bytes.HasPrefix(img, []byte{0xff, 0xd8}):
		seg := []byte{0xff, 0xfe}
		seg = binary.BigEndian.AppendUint16(seg, uint16(len(text)+2))
		seg = append(seg, text...)
		return slices.Concat(img[:2], seg, img[2:])
	}
	t.Fatal("withComment: neither PNG nor JPEG")
	return nil
}

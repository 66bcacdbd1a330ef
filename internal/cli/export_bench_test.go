package cli

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sohoa/sohoa/export"
	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/preprocess"
	"github.com/sohoa/sohoa/storage"
)

// BenchmarkBookExport measures `sohoa export --format zip` (the command
// itself, in process) on a birth register book seeded into the real
// PostgreSQL and MinIO: the records read in entry order, every page image
// fetched from MinIO, the workbook, one PDF per record, the manifest, the
// zip written and uploaded to the export bucket. It reports the export's
// wall time, the peak of the Go heap in use (sampled every 50 ms) and the
// peak resident memory of the process during the export (VmHWM, reset just
// before it), per book size, so growth with the number of records shows.
//
// The book is like a real one: a register page holds two entries (as the
// synthetic register pages do), every page is its own scan stored in
// MinIO, and records are filled as verified birth entries. Page scans are
// the JPEGs of SOHOA_BENCH_EXPORT_PAGES (default testdata/samples), each
// made unique per page by a JPEG comment, so the zip holds what real scans
// of that size and kind would give.
//
// What memory an export should hold: fixed buffers (two 16 MiB upload
// parts, excelize's row chunk of up to 16 MiB before it spills to disk, a
// few page scans) plus about 1 KiB a record of manifest lines, zip
// directory and duplicate keys; never the PDFs or the scans of the book.
//
// Environment: SOHOA_BENCH_EXPORT_RECORDS, book sizes (default
// "2000 10000"); SOHOA_BENCH_EXPORT_PAGES, a directory of JPEG page
// scans; SOHOA_BENCH_EXPORT_PER_PAGE, entries per page (default 2);
// SOHOA_BENCH_EXPORT_PDF_IMAGE, the export's --pdf-image (default access:
// every page gets the access copy the worker would make, as in service).
// scripts/bench-export runs it.
func BenchmarkBookExport(b *testing.B) {
	needExportServices(b)
	sizes, err := benchInts(os.Getenv("SOHOA_BENCH_EXPORT_RECORDS"), []int{2000, 10000})
	if err != nil {
		b.Fatal(err)
	}
	perPage, err := benchInts(os.Getenv("SOHOA_BENCH_EXPORT_PER_PAGE"), []int{2})
	if err != nil || len(perPage) != 1 || perPage[0] < 1 {
		b.Fatalf("SOHOA_BENCH_EXPORT_PER_PAGE: want one number of at least 1 (%v)", err)
	}
	dir := os.Getenv("SOHOA_BENCH_EXPORT_PAGES")
	if dir == "" {
		dir = filepath.Join("..", "..", "testdata", "samples")
	}
	scans := benchScans(b, dir)
	access := benchAccessCopies(b, scans)
	pdfImage := os.Getenv("SOHOA_BENCH_EXPORT_PDF_IMAGE")
	if pdfImage == "" {
		pdfImage = "access"
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			book := seedBenchBook(b, n, perPage[0], scans, access)
			var wall time.Duration
			var stdout string
			var mem *benchMemory
			for b.Loop() {
				runtime.GC()
				debug.FreeOSMemory()
				mem = startBenchMemory()
				stopProfile := benchCPUProfile(b, n)
				start := time.Now()
				var out, stderr bytes.Buffer
				root := newRoot(&out, &stderr)
				root.SetArgs([]string{"export", "--book", book.number, "--format", "zip", "--log-level", "info", "--pdf-image", pdfImage})
				err := root.ExecuteContext(b.Context())
				stdout = out.String()
				wall = time.Since(start)
				stopProfile()
				mem.stop()
				if err != nil {
					b.Fatalf("export: %v\n%s", err, stderr.String())
				}
				if !strings.Contains(stderr.String(), "FINAL") {
					b.Fatalf("a fully verified book exported as %q", stderr.String())
				}
				b.Log(strings.TrimSpace(stderr.String()))
			}
			size, m := verifyBenchZip(b, strings.TrimSpace(stdout))
			if m.Exported != n {
				b.Fatalf("%d records exported, want %d", m.Exported, n)
			}
			b.ReportMetric(wall.Seconds(), "s/export")
			b.ReportMetric(float64(n)/wall.Seconds(), "records/s")
			b.ReportMetric(float64(size)/(1<<20), "zip-MiB")
			b.ReportMetric(float64(mem.peakHeap)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(mem.peakLive)/(1<<20), "peak-live-MiB")
			b.ReportMetric(float64(mem.peakRSS)/(1<<20), "peak-rss-MiB")
			b.Logf("%d records on %d pages (%.0f KiB a scan; access copies %.0f KiB a page, the scan where none), PDFs with the %s page images: export %.1f s, zip %.0f MiB, peak heap in use %.0f MiB (live %.0f MiB), peak RSS %.0f MiB (%.0f MiB before)",
				n, book.pages, float64(book.scanBytes)/float64(book.pages)/1024,
				float64(book.accessBytes)/float64(book.pages)/1024, pdfImage, wall.Seconds(),
				float64(size)/(1<<20), float64(mem.peakHeap)/(1<<20), float64(mem.peakLive)/(1<<20),
				float64(mem.peakRSS)/(1<<20), float64(mem.startRSS)/(1<<20))
		})
	}
}

// benchCPUProfile writes a CPU profile of the export alone (not of the
// seeding) to $SOHOA_BENCH_EXPORT_CPUPROFILE-<records> when that is set;
// the returned function stops it.
func benchCPUProfile(b *testing.B, records int) func() {
	b.Helper()
	path := os.Getenv("SOHOA_BENCH_EXPORT_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(fmt.Sprintf("%s-%d", path, records))
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			b.Error(err)
		}
	}
}

// needExportServices skips tb when PostgreSQL or MinIO is not configured,
// or fails it when SOHOA_REQUIRE_SERVICES=1 (CI).
func needExportServices(tb testing.TB) {
	tb.Helper()
	for _, v := range []string{"SOHOA_DATABASE_URL", "SOHOA_S3_ENDPOINT"} {
		if os.Getenv(v) == "" {
			if os.Getenv("SOHOA_REQUIRE_SERVICES") == "1" {
				tb.Fatalf("%s is not set and SOHOA_REQUIRE_SERVICES=1", v)
			}
			tb.Skipf("%s is not set", v)
		}
	}
}

func benchInts(s string, def []int) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return def, nil
	}
	var out []int
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q: want positive numbers", s)
		}
		out = append(out, n)
	}
	return out, nil
}

// benchScans reads the JPEG page scans of dir.
func benchScans(b *testing.B, dir string) [][]byte {
	b.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.jpg"))
	if err != nil || len(names) == 0 {
		b.Fatalf("no JPEG page scans in %s (%v)", dir, err)
	}
	slices.Sort(names)
	var scans [][]byte
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			b.Fatal(err)
		}
		scans = append(scans, data)
	}
	return scans
}

// uniqueScan is scan with a JPEG comment naming page i inserted after the
// start-of-image marker: the same picture, bytes of its own.
func uniqueScan(scan []byte, i int) []byte {
	text := fmt.Sprintf("sohoa bench page %d", i)
	out := make([]byte, 0, len(scan)+len(text)+4)
	out = append(out, scan[:2]...)
	out = append(out, 0xff, 0xfe, byte((len(text)+2)>>8), byte(len(text)+2))
	out = append(out, text...)
	return append(out, scan[2:]...)
}

type benchBook struct {
	number      string
	pages       int
	scanBytes   int64
	accessBytes int64 // of the access copies made (pages whose scan serves as its own count 0)
}

// seedBenchBook stores a verified birth register book of n records,
// perPage to a page, in a fresh database and bucket, and points the
// environment at them.
func seedBenchBook(b *testing.B, n, perPage int, scans, access [][]byte) benchBook {
	b.Helper()
	ctx := b.Context()
	store, objects := exportTestServices(b)
	book := benchBook{number: "01/2019", pages: (n + perPage - 1) / perPage}
	batch, err := store.CreateBatch(ctx, storage.NewBatch{Name: "bench " + book.number, RegisterType: models.Birth, BookNumber: book.number})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	// Four pages at a time, as a scanning station's upload would.
	pages := make(chan int)
	errs := make(chan error, 4)
	var mu sync.Mutex
	for range 4 {
		go func() {
			var err error
			for p := range pages {
				if err != nil {
					continue // drain
				}
				var size, accessSize int
				size, accessSize, err = seedBenchPage(ctx, store, objects, batch.ID, book.number, p, n, perPage, scans, access)
				mu.Lock()
				book.scanBytes += int64(size)
				book.accessBytes += int64(accessSize)
				mu.Unlock()
			}
			errs <- err
		}()
	}
	for p := range book.pages {
		pages <- p
	}
	close(pages)
	for range 4 {
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("seeded %d records on %d pages in %.1f s", n, book.pages, time.Since(start).Seconds())
	return book
}

// seedBenchPage stores page p of the book: its scan in MinIO with its
// access copy when the worker would make one, the page and its records in
// PostgreSQL. It returns the sizes of the scan and of the access copy (0
// without one).
func seedBenchPage(ctx context.Context, store *storage.Store, objects *storage.Objects, batchID, book string, p, n, perPage int, scans, access [][]byte) (int, int, error) {
	scan := uniqueScan(scans[p%len(scans)], p)
	sum := sha256.Sum256(scan)
	hexSum := hex.EncodeToString(sum[:])
	if _, _, err := objects.PutOriginal(ctx, bytes.NewReader(scan), int64(len(scan)), hexSum, storage.PutOriginalOptions{ContentType: "image/jpeg"}); err != nil {
		return 0, 0, err
	}
	var accessSize int
	if a := access[p%len(access)]; a != nil {
		a = uniqueScan(a, p)
		if _, err := objects.PutDerived(ctx, hexSum, storage.AccessName, a, "image/jpeg"); err != nil {
			return 0, 0, err
		}
		accessSize = len(a)
	}
	page, err := store.AddPage(ctx, storage.NewPage{BatchID: batchID, ObjectKey: storage.OriginalKey(hexSum), SHA256: hexSum,
		Source: fmt.Sprintf("so-01-2019/trang-%04d.jpg", p+1)})
	if err != nil {
		return 0, 0, err
	}
	var recs []models.Record
	for e := range perPage {
		if i := p*perPage + e; i < n {
			recs = append(recs, benchBirthRecord(i, e, book))
		}
	}
	return len(scan), accessSize, store.SaveRecords(ctx, page.ID, recs)
}

// benchAccessCopies makes the access copy of each scan as the worker's
// cleanup does (preprocess.AccessCopyFor at the resolution cleanup
// estimates); nil where the scan serves as its own.
func benchAccessCopies(b *testing.B, scans [][]byte) [][]byte {
	b.Helper()
	out := make([][]byte, len(scans))
	for i, scan := range scans {
		mats, err := preprocess.Decode("bench", scan, preprocess.DefaultLimits())
		if err != nil {
			b.Fatal(err)
		}
		page, err := preprocess.Clean(b.Context(), mats[0], preprocess.DefaultOptions())
		if err != nil {
			b.Fatal(err)
		}
		out[i], err = preprocess.AccessCopyFor(scan, mats[0], page.Quality.EstimatedDPI, preprocess.AccessOptions{})
		page.Close()
		for _, m := range mats {
			m.Close()
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	return out
}

// Name and place pools for the seeded records: common Vietnamese family
// names, middle and given names, and communes of a few provinces.
var (
	benchFamily = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Quách", "Lò", "Vi", "Hà"}
	benchMale   = []string{"Văn", "Đức", "Minh", "Quang", "Hữu", "Thanh", "Công", "Xuân"}
	benchFemale = []string{"Thị", "Ngọc", "Thu", "Thanh", "Hồng", "Mai", "Kim", "Phương"}
	benchGiven  = []string{"An", "Bình", "Cường", "Dũng", "Hoà", "Hải", "Hùng", "Khánh", "Lan", "Linh", "Loan", "Nam",
		"Nga", "Oanh", "Phúc", "Quyên", "Sơn", "Tâm", "Thảo", "Trâm", "Tuấn", "Uyên", "Vân", "Yến", "Ước", "Ánh"}
	benchPlaces = []string{
		"xã Tà Cạ, huyện Kỳ Sơn, tỉnh Nghệ An", "xã Quảng Nhân, huyện Quảng Xương, tỉnh Thanh Hoá",
		"phường Đông Vĩnh, thành phố Vinh, tỉnh Nghệ An", "xã Tập Sơn, huyện Trà Cú, tỉnh Trà Vinh",
		"thị trấn Mường Xén, huyện Kỳ Sơn, tỉnh Nghệ An", "xã Hải Yến, huyện Tĩnh Gia, tỉnh Thanh Hoá",
		"xã Nậm Cắn, huyện Kỳ Sơn, tỉnh Nghệ An", "phường Trường Thi, thành phố Thanh Hoá, tỉnh Thanh Hoá",
	}
	benchEthnic = []string{"Kinh", "Kinh", "Kinh", "Kinh", "Thái", "Mường", "H'Mông", "Khmer"}
)

// benchBirthRecord is the verified birth record of entry i (from 0) of
// the book, at position e on its page. Every entry registers another
// child: names and dates follow i, so no two records are duplicates.
func benchBirthRecord(i, e int, book string) models.Record {
	pick := func(pool []string, k int) string { return pool[k%len(pool)] }
	female := i%2 == 0
	middle := pick(benchMale, i/2)
	if female {
		middle = pick(benchFemale, i/2)
	}
	family := pick(benchFamily, i/7)
	born := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%360)
	reg := born.AddDate(0, 0, 10+i%50)
	place := pick(benchPlaces, i/3)
	gender := "Nam"
	if female {
		gender = "Nữ"
	}
	v := map[string]string{
		"entry_number":        strconv.Itoa(i + 1),
		"book_number":         book,
		"registration_date":   reg.Format("2006-01-02"),
		"registration_office": "UBND " + strings.SplitN(place, ",", 2)[0],
		"full_name":           family + " " + middle + " " + pick(benchGiven, i/13) + " " + pick(benchGiven, i/360),
		"date_of_birth":       born.Format("2006-01-02"),
		"gender":              gender,
		"ethnicity":           pick(benchEthnic, i/5),
		"nationality":         "Việt Nam",
		"place_of_birth":      "Trạm y tế " + place,
		"hometown":            pick(benchPlaces, i/11),
		"personal_id":         fmt.Sprintf("0403190%05d", i),
		"mother_name":         pick(benchFamily, i/3) + " " + pick(benchFemale, i/5) + " " + pick(benchGiven, i/17),
		"mother_birth_year":   strconv.Itoa(1980 + i%20),
		"mother_ethnicity":    pick(benchEthnic, i/5),
		"mother_nationality":  "Việt Nam",
		"mother_residence":    "thôn " + pick(benchGiven, i/19) + ", " + place,
		"father_name":         family + " " + pick(benchMale, i/23) + " " + pick(benchGiven, i/29),
		"father_birth_year":   strconv.Itoa(1978 + i%22),
		"father_ethnicity":    pick(benchEthnic, i/5),
		"father_nationality":  "Việt Nam",
		"father_residence":    "thôn " + pick(benchGiven, i/19) + ", " + place,
		"declarant_name":      family + " " + pick(benchMale, i/23) + " " + pick(benchGiven, i/29),
	}
	fields := make(map[string]models.Field, len(v))
	for k, s := range v {
		fields[k] = models.Field{Value: &s, Raw: s, Confidence: 0.97, Status: models.StatusVerified, Reasons: []string{}}
	}
	return models.Record{ID: uuid.NewString(), EntryIndex: e, RegisterType: models.Birth, Template: "birth/register-2015",
		Status: models.StatusVerified, Fields: fields, Warnings: []string{}}
}

// benchMemory samples the Go heap while an export runs (in use, and live
// as of the last collection, which leaves out garbage the collector has
// not reached yet) and reads the process's peak resident memory, reset
// when sampling starts.
type benchMemory struct {
	done     chan struct{}
	wg       sync.WaitGroup
	startRSS int64
	peakHeap uint64 // heap in use, garbage not yet collected included
	peakLive uint64 // heap live after a collection
	peakRSS  int64
}

func startBenchMemory() *benchMemory {
	// Writing 5 to clear_refs resets VmHWM to the current RSS (Linux).
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	m := &benchMemory{done: make(chan struct{}), startRSS: procStatusKiB("VmRSS") << 10}
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			m.peakHeap = max(m.peakHeap, ms.HeapInuse)
			metrics.Read(live)
			m.peakLive = max(m.peakLive, live[0].Value.Uint64())
			select {
			case <-m.done:
				return
			case <-t.C:
			}
		}
	}()
	return m
}

func (m *benchMemory) stop() {
	close(m.done)
	m.wg.Wait()
	m.peakRSS = procStatusKiB("VmHWM") << 10
}

// procStatusKiB reads a kB line of /proc/self/status, 0 when absent.
func procStatusKiB(key string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), key+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// verifyBenchZip downloads the export from its presigned URL and checks
// it against its manifest (after the timing: a zip is read at random, so
// it is read from a local copy).
func verifyBenchZip(b *testing.B, url string) (int64, export.Manifest) {
	b.Helper()
	resp, err := http.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: %s", url, resp.Status)
	}
	f, err := os.CreateTemp(b.TempDir(), "book-*.zip")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	size, err := io.Copy(f, resp.Body)
	if err != nil {
		b.Fatal(err)
	}
	m, err := export.VerifyBook(f, size)
	if err != nil {
		b.Fatal(err)
	}
	return size, m
}

package export

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sohoa/sohoa/models"
)

func seq(recs []models.Record) iter.Seq2[models.Record, error] {
	return func(yield func(models.Record, error) bool) {
		for _, r := range recs {
			if !yield(r, nil) {
				return
			}
		}
	}
}

// images serves one JPEG for every page and counts the fetches (made
// concurrently: the export reads pages ahead).
type images struct {
	data    []byte
	mu      sync.Mutex
	fetches int
}

func (im *images) open(_ context.Context, sum string) ([]byte, error) {
	if len(sum) != 64 {
		return nil, errors.New("no such page")
	}
	im.mu.Lock()
	im.fetches++
	im.mu.Unlock()
	return im.data, nil
}

func writeBook(t *testing.T, recs []models.Record) (Manifest, []byte, *images) {
	t.Helper()
	im := &images{data: testImage(t, "jpeg", 40, 60)}
	var b bytes.Buffer
	m, err := WriteBook(t.Context(), &b, seq(recs), BookOptions{Book: "01/2019", Images: im.open})
	if err != nil {
		t.Fatal(err)
	}
	return m, b.Bytes(), im
}

func TestBookFinal(t *testing.T) {
	recs := []models.Record{
		birth("r1", "1", "Nguyễn Thị Vân", "2019-03-05", "Lê Thị Oanh", models.StatusAccepted),
		birth("r2", "2", "Đặng Văn Ước", "2019-04-01", "Phạm Thị Hường", models.StatusVerified),
		birth("r3", "3", "Hoàng Ngọc Ánh", "", "", models.StatusRejected),
	}
	m, data, im := writeBook(t, recs)
	if !m.Final || m.Status != StatusFinal {
		t.Fatalf("status %s, want final: %+v", m.Status, m)
	}
	if im.fetches != 1 {
		t.Errorf("page fetched %d times for records of one page", im.fetches)
	}
	got, err := VerifyBook(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range got.Files {
		names = append(names, f.Name)
	}
	want := []string{"so-01-2019-final.xlsx", "pdf/so-1_r1.pdf", "pdf/so-2_r2.pdf"}
	if !slices.Equal(names, want) {
		t.Fatalf("files %q, want %q (rejected records get no PDF)", names, want)
	}
	if got.Exported != 2 || got.Records[models.StatusRejected] != 1 || !slices.Equal(got.Rejected, []string{"r3"}) {
		t.Fatalf("manifest counts: %+v", got)
	}
	zr, _ := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	for _, f := range zr.File {
		if f.Name == want[0] {
			rc, _ := f.Open()
			wb, _ := io.ReadAll(rc)
			rc.Close()
			rows := readSheet(t, wb, "Khai sinh")
			if len(rows) != 3 || rows[2][4] != "Đặng Văn Ước" {
				t.Fatalf("workbook rows %q", rows)
			}
		}
	}
	if BookFileName(m.Book, m.Final) != "so-01-2019-final.zip" {
		t.Fatal(BookFileName(m.Book, m.Final))
	}
}

func TestBookPartial(t *testing.T) {
	for name, recs := range map[string][]models.Record{
		"record in review": {
			birth("r1", "1", "A", "", "", models.StatusAccepted),
			birth("r2", "2", "B", "", "", models.StatusReview),
		},
		"unresolved duplicate": {
			birth("r1", "1", "A", "", "", models.StatusAccepted),
			birth("r2", "1", "B", "", "", models.StatusVerified),
		},
	} {
		t.Run(name, func(t *testing.T) {
			m, data, _ := writeBook(t, recs)
			if m.Final || m.Status != StatusPartial {
				t.Fatalf("status %s, want partial", m.Status)
			}
			got, err := VerifyBook(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != StatusPartial || !strings.Contains(got.Files[0].Name, "tam-thoi-partial") {
				t.Fatalf("manifest %s, workbook %s", got.Status, got.Files[0].Name)
			}
			if n := BookFileName("01/2019", false); n != "so-01-2019-tam-thoi-partial.zip" {
				t.Fatal(n)
			}
		})
	}
}

func TestVerifyBookDetectsTampering(t *testing.T) {
	_, data, _ := writeBook(t, []models.Record{birth("r1", "1", "A", "", "", models.StatusAccepted)})
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	// Rewrite the zip with one PDF's bytes changed.
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if strings.HasSuffix(f.Name, ".pdf") {
			b = append(b, '\n')
		}
		w, _ := zw.Create(f.Name)
		w.Write(b)
	}
	zw.Close()
	if _, err := VerifyBook(bytes.NewReader(out.Bytes()), int64(out.Len())); !errors.Is(err, ErrManifest) {
		t.Fatalf("err = %v, want ErrManifest", err)
	}
}

func TestBookMissingImage(t *testing.T) {
	r := birth("r1", "1", "A", "", "", models.StatusAccepted)
	r.PageSHA256 = "x"
	im := &images{data: testImage(t, "jpeg", 4, 4)}
	_, err := WriteBook(t.Context(), io.Discard, seq([]models.Record{r}), BookOptions{Book: "1", Images: im.open})
	if err == nil || !strings.Contains(err.Error(), "no such page") {
		t.Fatalf("err = %v", err)
	}
}

// pageSum is the SHA-256 (hex) naming test page i.
func pageSum(i int) string {
	sum := sha256.Sum256([]byte(strconv.Itoa(i)))
	return hex.EncodeToString(sum[:])
}

// pageImages serves a different image per page: JPEG for even pages, PNG
// for odd ones. It counts each page's fetches and the most fetches in
// flight at once.
type pageImages struct {
	t        *testing.T
	pages    map[string][]byte
	mu       sync.Mutex
	fetches  map[string]int
	inFlight int
	maxIn    int
	fail     string // a page whose fetch fails
}

func newPageImages(t *testing.T, n int) *pageImages {
	im := &pageImages{t: t, pages: map[string][]byte{}, fetches: map[string]int{}}
	for i := range n {
		format := "jpeg"
		if i%2 == 1 {
			format = "png"
		}
		im.pages[pageSum(i)] = testImage(t, format, 30+i, 40)
	}
	return im
}

func (im *pageImages) open(ctx context.Context, sum string) ([]byte, error) {
	im.mu.Lock()
	im.fetches[sum]++
	im.inFlight++
	im.maxIn = max(im.maxIn, im.inFlight)
	im.mu.Unlock()
	defer func() {
		im.mu.Lock()
		im.inFlight--
		im.mu.Unlock()
	}()
	time.Sleep(time.Millisecond) // long enough for fetches to overlap
	if sum == im.fail {
		return nil, errors.New("object store unavailable")
	}
	data, ok := im.pages[sum]
	if !ok {
		return nil, errors.New("no such page")
	}
	return data, nil
}

// pagedBook is a book of n pages holding perPage records each, entry
// numbers from 1; every fifth record is rejected.
func pagedBook(n, perPage int) []models.Record {
	var recs []models.Record
	for p := range n {
		for e := range perPage {
			i := p*perPage + e
			st := models.StatusVerified
			if i%5 == 4 {
				st = models.StatusRejected
			}
			r := birth(fmt.Sprintf("r%03d", i), strconv.Itoa(i+1), fmt.Sprintf("Nguyễn Thị Hoà %d", i), "2019-03-05", "Lê Thị Oanh", st)
			r.PageSHA256, r.EntryIndex = pageSum(p), e
			recs = append(recs, r)
		}
	}
	return recs
}

// TestBookManifestChecksums unzips a book export of many pages and checks,
// without VerifyBook, that the manifest lists exactly the other files,
// each with the SHA-256 and size of its bytes, that every exported record
// has its PDF, and that every page was fetched once with a bounded number
// of pages read ahead.
func TestBookManifestChecksums(t *testing.T) {
	const pages, perPage = 40, 3
	recs := pagedBook(pages, perPage)
	im := newPageImages(t, pages)
	font, err := LoadFont("")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	m, err := WriteBook(t.Context(), &b, seq(recs), BookOptions{Book: "01/2019", Images: im.open, Font: font})
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil {
		t.Fatal(err)
	}
	type file struct {
		sum  string
		size int64
	}
	inZip := map[string]file{}
	var manifest Manifest
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		if f.Name == ManifestName {
			if err := json.Unmarshal(data, &manifest); err != nil {
				t.Fatal(err)
			}
			continue
		}
		sum := sha256.Sum256(data)
		inZip[f.Name] = file{hex.EncodeToString(sum[:]), int64(len(data))}
		if strings.HasSuffix(f.Name, ".pdf") && !bytes.HasPrefix(data, []byte("%PDF-1.")) {
			t.Errorf("%s is not a PDF", f.Name)
		}
	}
	if manifest.Format != ManifestFormat || !manifest.Final || manifest.Status != StatusFinal {
		t.Fatalf("manifest %+v", manifest)
	}
	if len(manifest.Files) != len(inZip) {
		t.Errorf("manifest lists %d files, the zip holds %d besides it", len(manifest.Files), len(inZip))
	}
	records := map[string]bool{}
	for _, mf := range manifest.Files {
		f, ok := inZip[mf.Name]
		switch {
		case !ok:
			t.Errorf("%s is listed but not in the zip", mf.Name)
		case f.sum != mf.SHA256 || f.size != mf.Size:
			t.Errorf("%s: sha256 %s (%d bytes), manifest says %s (%d bytes)", mf.Name, f.sum, f.size, mf.SHA256, mf.Size)
		}
		if mf.RecordID != "" {
			records[mf.RecordID] = true
		}
	}
	exported := 0
	for _, r := range recs {
		if r.Status == models.StatusRejected {
			if records[r.ID] {
				t.Errorf("rejected record %s has a PDF", r.ID)
			}
			continue
		}
		exported++
		if !records[r.ID] {
			t.Errorf("record %s has no PDF", r.ID)
		}
	}
	if manifest.Exported != exported || m.Exported != exported || len(manifest.Rejected) != len(recs)-exported {
		t.Errorf("exported %d (returned %d), rejected %d; want %d and %d", manifest.Exported, m.Exported, len(manifest.Rejected), exported, len(recs)-exported)
	}
	for i := range pages {
		if n := im.fetches[pageSum(i)]; n != 1 {
			t.Errorf("page %d fetched %d times", i, n)
		}
	}
	if im.maxIn > pagesAhead+1 || im.maxIn < 2 {
		t.Errorf("%d pages fetched at once, want 2 to %d (pages read ahead, memory bounded)", im.maxIn, pagesAhead+1)
	}
}

// TestBookReadAheadStops checks that an export ending early (a failed
// fetch, a failed record read, a cancelled context) returns its error and
// leaves no fetch or reader running.
func TestBookReadAheadStops(t *testing.T) {
	recs := pagedBook(30, 2)
	failing := func(yield func(models.Record, error) bool) {
		for i, r := range recs {
			if i == 25 {
				yield(models.Record{}, errors.New("database went away"))
				return
			}
			if !yield(r, nil) {
				return
			}
		}
	}
	for _, tc := range []struct {
		name   string
		recs   iter.Seq2[models.Record, error]
		fail   string
		cancel bool
		want   string
	}{
		{"fetch fails", seq(recs), pageSum(7), false, "object store unavailable"},
		{"records fail", failing, "", false, "database went away"},
		{"cancelled", seq(recs), "", true, context.Canceled.Error()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			im := newPageImages(t, 30)
			im.fail = tc.fail
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			if tc.cancel {
				cancel()
			}
			_, err := WriteBook(ctx, io.Discard, tc.recs, BookOptions{Book: "1", Images: im.open})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one saying %q", err, tc.want)
			}
			// WriteBook waits for its goroutines; give the runtime a moment
			// to retire them.
			deadline := time.Now().Add(2 * time.Second)
			for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			if n := runtime.NumGoroutine(); n > before {
				t.Errorf("%d goroutines after the export, %d before", n, before)
			}
		})
	}
}

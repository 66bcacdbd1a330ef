package server

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	stdimage "image"
	"image/jpeg"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"github.com/sohoa/sohoa/bookexport"
	"github.com/sohoa/sohoa/export"
	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/storage"
)

// fakeExports records the exports the server queues.
type fakeExports struct {
	mu  sync.Mutex
	ids []string
	err error
}

func (f *fakeExports) EnqueueExport(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ids = append(f.ids, id)
	return f.err
}

// seedBook stores a book of two records on one page (its JPEG original in
// the object store), one verified and one still in review.
// Without image the original is left out of the object store.
func (e *testEnv) seedBook(t *testing.T, book string, image bool) (storage.Batch, string) {
	t.Helper()
	ctx := t.Context()
	var img bytes.Buffer
	g := stdimage.NewGray(stdimage.Rect(0, 0, 80, 120))
	copy(g.Pix, uuid.New().String()) // a page of its own: the tests share a database
	if err := jpeg.Encode(&img, g, nil); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(img.Bytes())
	hexSum := hex.EncodeToString(sum[:])
	if image {
		if _, _, err := e.objects.PutOriginal(ctx, bytes.NewReader(img.Bytes()), int64(img.Len()), hexSum, storage.PutOriginalOptions{ContentType: "image/jpeg"}); err != nil {
			t.Fatal(err)
		}
	}
	b, err := e.store.CreateBatch(ctx, storage.NewBatch{Name: "book", RegisterType: models.Birth, BookNumber: book})
	if err != nil {
		t.Fatal(err)
	}
	page, err := e.store.AddPage(ctx, storage.NewPage{BatchID: b.ID, ObjectKey: storage.OriginalKey(hexSum), SHA256: hexSum, Source: "p1.jpg"})
	if err != nil {
		t.Fatal(err)
	}
	rec := func(i int, entry, name string, st models.Status) models.Record {
		f := map[string]models.Field{}
		for k, v := range map[string]string{"entry_number": entry, "full_name": name} {
			f[k] = models.Field{Value: &v, Status: models.StatusAccepted, Reasons: []string{}}
		}
		return models.Record{ID: uuid.NewString(), EntryIndex: i, RegisterType: models.Birth, Status: st, Fields: f}
	}
	recs := []models.Record{rec(0, "2", "Đặng Văn Ước", models.StatusReview), rec(1, "1", "Nguyễn Thị Vân", models.StatusVerified)}
	if err := e.store.SaveRecords(ctx, page.ID, recs); err != nil {
		t.Fatal(err)
	}
	return b, hexSum
}

// TestBookExportAPI asks for book exports over the API, runs them as a
// worker does (bookexport.Run) and downloads them from the URL the API
// gives: a zip whose manifest checks out and a workbook.
func TestBookExportAPI(t *testing.T) {
	ex := &fakeExports{}
	e := newTestEnv(t, func(o *Options) { o.Exports = ex })
	ctx := t.Context()
	b, sum := e.seedBook(t, "07/2020", true)
	// The page's access copy, as the worker stores it (another picture,
	// so the PDFs show which they hold).
	var access bytes.Buffer
	if err := jpeg.Encode(&access, stdimage.NewGray(stdimage.Rect(0, 0, 40, 60)), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.objects.PutDerived(ctx, sum, storage.AccessName, access.Bytes(), "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	loader := e.tokens[storage.RoleLoader]
	const base = "/v1/books/07%2F2020/exports"
	other, err := e.store.CreateBatch(ctx, storage.NewBatch{Name: "another book", BookNumber: "08/2020"})
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name   string
		body   string
		status int
		code   string
	}{
		{"unknown format", `{"format": "pdf"}`, http.StatusBadRequest, codeBadRequest},
		{"unknown field", `{"formats": "zip"}`, http.StatusBadRequest, codeBadRequest},
		{"malformed", `{"format": `, http.StatusBadRequest, codeBadRequest},
		{"unknown batch", `{"batch_id": "` + uuid.NewString() + `"}`, http.StatusNotFound, codeNotFound},
		{"bad batch id", `{"batch_id": "nope"}`, http.StatusNotFound, codeNotFound},
		{"book without records", `{}`, http.StatusNotFound, codeNotFound},
		{"book not in the batch", `{"batch_id": "` + other.ID + `"}`, http.StatusNotFound, codeNotFound},
	} {
		path := base
		if tc.name == "book without records" {
			path = "/v1/books/99%2F1999/exports"
		}
		r := e.do(t, http.MethodPost, path, loader, strings.NewReader(tc.body), http.Header{"Content-Type": {"application/json"}})
		if r.status != tc.status || r.errBody(t).Code != tc.code {
			t.Errorf("%s: %d %s, want %d %s", tc.name, r.status, r.body, tc.status, tc.code)
		}
	}
	if len(ex.ids) != 0 {
		t.Fatalf("refused requests queued exports %v", ex.ids)
	}

	// Zip of the whole book, no body.
	r := e.do(t, http.MethodPost, base, loader, nil, nil)
	if r.status != http.StatusAccepted {
		t.Fatalf("POST: %d %s", r.status, r.body)
	}
	var queued bookExportJSON
	r.json(t, &queued)
	if queued.State != "queued" || queued.Format != "zip" || queued.Book != "07/2020" || queued.URL != "" ||
		r.header.Get("Location") != "/v1/exports/"+queued.ID || len(ex.ids) != 1 || ex.ids[0] != queued.ID {
		t.Fatalf("queued %+v, Location %q, enqueued %v", queued, r.header.Get("Location"), ex.ids)
	}
	// Asking again while it is queued gives the same export.
	r = e.doJSON(t, http.MethodPost, base, loader, map[string]string{"format": "zip"})
	var again bookExportJSON
	r.json(t, &again)
	if r.status != http.StatusOK || again.ID != queued.ID {
		t.Fatalf("second POST: %d, export %s; want 200 and %s", r.status, again.ID, queued.ID)
	}
	if err := bookexport.Run(ctx, e.store, e.objects, queued.ID, bookexport.JobOptions{}, false); err != nil {
		t.Fatal(err)
	}
	var done bookExportJSON
	e.getJSON(t, "/v1/exports/"+queued.ID, loader, http.StatusOK, &done)
	if done.State != "done" || done.Status != "partial" || done.Final == nil || *done.Final ||
		done.Exported != 2 || done.Pending != 1 || done.Attempts != 1 || done.URL == "" ||
		done.FileName != "so-07-2020-tam-thoi-partial.zip" || done.FinishedAt == nil {
		t.Fatalf("done %+v", done)
	}
	data := download(t, done.URL)
	if int64(len(data)) != done.Size {
		t.Errorf("downloaded %d bytes, the API says %d", len(data), done.Size)
	}
	m, err := export.VerifyBook(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if m.Exported != 2 || m.Final || len(m.Files) != 3 {
		t.Errorf("manifest: exported %d, final %v, %d files", m.Exported, m.Final, len(m.Files))
	}
	if m.PageImages != export.PageImagesAccess || !pdfHolds(t, data, access.Bytes()) {
		t.Errorf("page images %q: the PDFs do not hold the access copy", m.PageImages)
	}
	// Asked for the originals, the PDFs hold the original scan.
	r = e.doJSON(t, http.MethodPost, base, loader, map[string]string{"page_image": "original"})
	var orig bookExportJSON
	r.json(t, &orig)
	if r.status != http.StatusAccepted || orig.PageImage != "original" {
		t.Fatalf("POST page_image original: %d %s", r.status, r.body)
	}
	if err := bookexport.Run(ctx, e.store, e.objects, orig.ID, bookexport.JobOptions{}, false); err != nil {
		t.Fatal(err)
	}
	e.getJSON(t, "/v1/exports/"+orig.ID, loader, http.StatusOK, &orig)
	odata := download(t, orig.URL)
	om, err := export.VerifyBook(bytes.NewReader(odata), int64(len(odata)))
	if err != nil || om.PageImages != export.PageImagesOriginal || pdfHolds(t, odata, access.Bytes()) {
		t.Errorf("original page images: %q (%v)", om.PageImages, err)
	}
	if r := e.doJSON(t, http.MethodPost, base, loader, map[string]string{"page_image": "thumbnail"}); r.status != http.StatusBadRequest {
		t.Errorf("page_image thumbnail: %d %s", r.status, r.body)
	}
	// A repeated delivery of the task leaves the export as it is.
	if err := bookexport.Run(ctx, e.store, e.objects, queued.ID, bookexport.JobOptions{}, false); !errors.Is(err, bookexport.ErrDone) {
		t.Errorf("second run: %v, want ErrDone", err)
	}

	// A workbook of the batch's records.
	r = e.doJSON(t, http.MethodPost, base, e.tokens[storage.RoleAdmin], map[string]string{"format": "xlsx", "batch_id": b.ID})
	var wb bookExportJSON
	r.json(t, &wb)
	if r.status != http.StatusAccepted || wb.BatchID != b.ID {
		t.Fatalf("POST xlsx: %d %s", r.status, r.body)
	}
	if err := bookexport.Run(ctx, e.store, e.objects, wb.ID, bookexport.JobOptions{}, false); err != nil {
		t.Fatal(err)
	}
	e.getJSON(t, "/v1/exports/"+wb.ID, loader, http.StatusOK, &wb)
	f, err := excelize.OpenReader(bytes.NewReader(download(t, wb.URL)))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("Khai sinh")
	f.Close()
	if err != nil || len(rows) != 3 || rows[1][4] != "Nguyễn Thị Vân" || wb.FileName != "so-07-2020-tam-thoi-partial.xlsx" {
		t.Errorf("workbook %s: rows %q (%v)", wb.FileName, rows, err)
	}

	var list struct{ Exports []bookExportJSON }
	e.getJSON(t, base, loader, http.StatusOK, &list)
	if len(list.Exports) != 3 || list.Exports[0].ID != wb.ID || list.Exports[2].ID != queued.ID {
		t.Errorf("list: %+v", list.Exports)
	}
	e.getJSON(t, "/v1/exports/"+uuid.NewString(), loader, http.StatusNotFound, nil)
}

// TestBookExportFails checks an export whose page image is gone records
// the error, is queued again until its last attempt, then failed.
func TestBookExportFails(t *testing.T) {
	e := newTestEnv(t, nil)
	ctx := t.Context()
	e.seedBook(t, "9", false)
	ex, _, err := e.store.CreateBookExport(ctx, storage.NewBookExport{Book: "9", Format: "zip"})
	if err != nil {
		t.Fatal(err)
	}
	for i, last := range []bool{false, true} {
		if err := bookexport.Run(ctx, e.store, e.objects, ex.ID, bookexport.JobOptions{}, last); err == nil {
			t.Fatalf("attempt %d: no error", i+1)
		}
		var got bookExportJSON
		e.getJSON(t, "/v1/exports/"+ex.ID, e.tokens[storage.RoleLoader], http.StatusOK, &got)
		want := "queued"
		if last {
			want = "failed"
		}
		if got.State != want || got.Attempts != i+1 || !strings.Contains(got.Error, "not found") || got.URL != "" {
			t.Errorf("attempt %d: %+v, want %s with the error", i+1, got, want)
		}
	}
}

func download(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d, %v", url, resp.StatusCode, err)
	}
	return data
}

// pdfHolds reports whether a PDF of the zip data holds img's bytes.
func pdfHolds(t *testing.T, data, img []byte) bool {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".pdf") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, img) {
			return true
		}
	}
	return false
}

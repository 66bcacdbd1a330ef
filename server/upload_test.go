package server

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/storage"
)

func TestUploadPage(t *testing.T) {
	e := newTestEnv(t, nil)
	b := e.createBatch(t, storage.RoleScanner, NewBatch{Priority: PriorityUrgent})
	data := pagePNG(t, 100)
	sum := sumOf(data)
	name := "scans/nghệ-an/kỳ sơn/p0001.png"

	r := e.upload(t, b.ID, e.tokens[storage.RoleScanner], data, strings.ToUpper(sum), url.PathEscape(name))
	if r.status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	var res UploadResult
	r.json(t, &res)
	if res.Duplicate || !res.Queued || res.SHA256 != sum || res.BatchID != b.ID || res.Source != name ||
		res.State != "uploaded" || res.DHash == "" || res.SimilarTo == nil {
		t.Fatalf("answer = %+v", res)
	}
	info, err := e.objects.Stat(t.Context(), storage.OriginalKey(sum))
	if err != nil {
		t.Fatalf("original not in the object store: %v", err)
	}
	if info.Size != int64(len(data)) || info.ContentType != "image/png" {
		t.Errorf("object = %+v", info)
	}
	p, err := e.store.GetPageBySHA256(t.Context(), sum)
	if err != nil || p.ID != res.ID || p.DHash == nil {
		t.Fatalf("page row = %+v, %v", p, err)
	}
	if got := e.enqueuer.enqueued(); len(got) != 1 || got[0] != (enqueued{res.ID, "critical"}) {
		t.Fatalf("enqueued %v, want the page on critical", got)
	}

	// The page is visible by id and by SHA-256 (GET and HEAD).
	r = e.do(t, http.MethodGet, "/v1/pages/"+res.ID, e.tokens[storage.RoleScanner], nil, nil)
	if r.status != http.StatusOK {
		t.Fatalf("get page: %d %s", r.status, r.body)
	}
	r = e.do(t, http.MethodGet, "/v1/pages?sha256="+sum, e.tokens[storage.RoleScanner], nil, nil)
	var got Page
	r.json(t, &got)
	if r.status != http.StatusOK || got.ID != res.ID {
		t.Fatalf("find page: %d %s", r.status, r.body)
	}
	if r := e.do(t, http.MethodHead, "/v1/pages?sha256="+sum, e.tokens[storage.RoleScanner], nil, nil); r.status != http.StatusOK {
		t.Errorf("HEAD existing: %d", r.status)
	}
	if r := e.do(t, http.MethodHead, "/v1/pages?sha256="+sumOf([]byte("x")), e.tokens[storage.RoleScanner], nil, nil); r.status != http.StatusNotFound {
		t.Errorf("HEAD missing: %d", r.status)
	}
	if r := e.do(t, http.MethodGet, "/v1/pages?sha256=xyz", e.tokens[storage.RoleScanner], nil, nil); r.status != http.StatusBadRequest {
		t.Errorf("bad sha256 query: %d", r.status)
	}

	// Progress counts it.
	r = e.do(t, http.MethodGet, "/v1/batches/"+b.ID+"/progress", e.tokens[storage.RoleScanner], nil, nil)
	var prog Progress
	r.json(t, &prog)
	if r.status != http.StatusOK || prog.Pages != 1 || prog.States[storage.PageUploaded] != 1 || prog.Done {
		t.Fatalf("progress: %d %s", r.status, r.body)
	}
}

func TestUploadRefusals(t *testing.T) {
	e := newTestEnv(t, func(o *Options) { o.MaxUploadBytes = 40 << 10; o.MaxPixels = 500 * 500 })
	b := e.createBatch(t, storage.RoleScanner, NewBatch{})
	good := pagePNG(t, 200)
	if len(good) > 40<<10 {
		t.Fatalf("test page has %d bytes, over the test limit", len(good))
	}
	huge := bytes.Repeat([]byte{0xFF, 0xD8, 0xFF}, 20<<10)
	tests := []struct {
		name   string
		body   []byte
		sum    string // claimed
		status int
		code   string
		want   string // in the message
	}{
		{"wrong sha256", good, sumOf([]byte("other bytes")), http.StatusUnprocessableEntity, reasonChecksumMismatch, "checksum mismatch"},
		{"missing sha256", good, "", http.StatusBadRequest, reasonBadChecksum, "X-Content-SHA256"},
		{"malformed sha256", good, "abc", http.StatusBadRequest, reasonBadChecksum, "64 hexadecimal"},
		{"text", []byte("name,birth\nNguyễn Văn A,1990\n"), "", http.StatusUnsupportedMediaType, reasonNotImage, "not a JPEG, PNG or TIFF"},
		{"html", []byte("<html><script>alert(1)</script></html>"), "", http.StatusUnsupportedMediaType, reasonNotImage, "text/html"},
		{"broken header", good[:30], "", http.StatusUnprocessableEntity, reasonBadHeader, "PNG header"},
		{"too many pixels", encodePNG(t, pageImage(3, 600, 600)), "", http.StatusRequestEntityTooLarge, reasonTooManyPixels, "600x600"},
		{"too large", huge, "", http.StatusRequestEntityTooLarge, reasonTooLarge, "limit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			claimed := tc.sum
			if claimed == "" && tc.code != reasonBadChecksum {
				claimed = sumOf(tc.body)
			}
			r := e.upload(t, b.ID, e.tokens[storage.RoleScanner], tc.body, claimed, "x.png")
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			eb := r.errBody(t)
			if eb.Code != tc.code || !strings.Contains(eb.Error, tc.want) {
				t.Fatalf("error = %+v, want code %s mentioning %q", eb, tc.code, tc.want)
			}
			for _, s := range []string{sumOf(tc.body), claimed} {
				if len(s) != 64 {
					continue
				}
				if _, err := e.store.GetPageBySHA256(t.Context(), s); !errors.Is(err, storage.ErrNotFound) {
					t.Errorf("page row for %s: %v, want none", s[:8], err)
				}
			}
		})
	}
	if keys := e.objectKeys(t); len(keys) != 0 {
		t.Errorf("refused uploads left objects: %v", keys)
	}
	if got := e.enqueuer.enqueued(); len(got) != 0 {
		t.Errorf("refused uploads were enqueued: %v", got)
	}

	// A body of unknown length over the limit is cut off and refused too.
	t.Run("too large, chunked", func(t *testing.T) {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.http.URL+"/v1/batches/"+b.ID+"/pages",
			io.MultiReader(bytes.NewReader(huge)))
		if err != nil {
			t.Fatal(err)
		}
		req.ContentLength = -1
		req.Header.Set("Authorization", "Bearer "+e.tokens[storage.RoleScanner])
		req.Header.Set("X-Content-SHA256", sumOf(huge))
		resp, err := e.http.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})

	// Refusals are counted by reason.
	r := e.do(t, http.MethodGet, "/metrics", "", nil, nil)
	for _, want := range []string{
		`sohoa_uploads_total{outcome="refused",reason="checksum_mismatch"} 1`,
		`sohoa_uploads_total{outcome="refused",reason="not_an_image"} 2`,
		`sohoa_uploads_total{outcome="refused",reason="too_large"} 2`,
	} {
		if !strings.Contains(string(r.body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestDuplicateUpload(t *testing.T) {
	e := newTestEnv(t, nil)
	b1 := e.createBatch(t, storage.RoleScanner, NewBatch{})
	b2 := e.createBatch(t, storage.RoleAdmin, NewBatch{})
	data := pagePNG(t, 300)
	sum := sumOf(data)
	r := e.upload(t, b1.ID, e.tokens[storage.RoleScanner], data, sum, "a.png")
	if r.status != http.StatusCreated {
		t.Fatalf("first upload: %d %s", r.status, r.body)
	}
	var first UploadResult
	r.json(t, &first)
	for _, tc := range []struct {
		name, batch, secret string
	}{
		{"same batch", b1.ID, e.tokens[storage.RoleScanner]},
		{"other batch", b2.ID, e.tokens[storage.RoleAdmin]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.upload(t, tc.batch, tc.secret, data, sum, "again.png")
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			var res UploadResult
			r.json(t, &res)
			if !res.Duplicate || res.ID != first.ID || res.BatchID != b1.ID || res.Queued {
				t.Fatalf("answer = %+v, want the first page as a duplicate", res)
			}
		})
	}
	if got := e.enqueuer.enqueued(); len(got) != 1 {
		t.Fatalf("enqueued %d times, want once: %v", len(got), got)
	}
}

func TestNearDuplicateIsFlagged(t *testing.T) {
	e := newTestEnv(t, nil)
	b := e.createBatch(t, storage.RoleScanner, NewBatch{})
	img := pageImage(400, 800, 1000)
	png1 := encodePNG(t, img)
	r := e.upload(t, b.ID, e.tokens[storage.RoleScanner], png1, sumOf(png1), "p1.png")
	var first UploadResult
	r.json(t, &first)
	if r.status != http.StatusCreated || len(first.SimilarTo) != 0 {
		t.Fatalf("first upload: %d %s", r.status, r.body)
	}
	other := pagePNG(t, 401)
	r = e.upload(t, b.ID, e.tokens[storage.RoleScanner], other, sumOf(other), "p2.png")
	var second UploadResult
	r.json(t, &second)
	if r.status != http.StatusCreated || len(second.SimilarTo) != 0 {
		t.Fatalf("another page: %d %s", r.status, r.body)
	}
	// The same sheet again, as a JPEG: other bytes, nearly the same image.
	jpg := encodeJPEG(t, img, 75)
	r = e.upload(t, b.ID, e.tokens[storage.RoleScanner], jpg, sumOf(jpg), "p1-again.jpg")
	var third UploadResult
	r.json(t, &third)
	if r.status != http.StatusCreated || third.Duplicate {
		t.Fatalf("re-encoded upload: %d %s", r.status, r.body)
	}
	if len(third.SimilarTo) != 1 || third.SimilarTo[0].PageID != first.ID || third.SimilarTo[0].Source != "p1.png" {
		t.Fatalf("similar_to = %+v, want the first page", third.SimilarTo)
	}
	if len(e.enqueuer.enqueued()) != 3 {
		t.Errorf("a near-duplicate is still processed: enqueued %v", e.enqueuer.enqueued())
	}
}

func TestUploadWithoutQueue(t *testing.T) {
	e := newTestEnv(t, func(o *Options) { o.Enqueuer = nil; o.Inspector = nil })
	b := e.createBatch(t, storage.RoleScanner, NewBatch{})
	data := pagePNG(t, 500)
	r := e.upload(t, b.ID, e.tokens[storage.RoleScanner], data, sumOf(data), "a.png")
	var res UploadResult
	r.json(t, &res)
	if r.status != http.StatusCreated || res.Queued {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	if _, err := e.store.GetPageBySHA256(t.Context(), res.SHA256); err != nil {
		t.Fatal(err)
	}
	// A queue that fails does not lose the page either.
	e2 := newTestEnv(t, nil)
	e2.enqueuer.err = errors.New("redis down")
	b2 := e2.createBatch(t, storage.RoleScanner, NewBatch{})
	data2 := pagePNG(t, 501)
	r = e2.upload(t, b2.ID, e2.tokens[storage.RoleScanner], data2, sumOf(data2), "b.png")
	r.json(t, &res)
	if r.status != http.StatusCreated || res.Queued {
		t.Fatalf("upload with a failing queue: %d %s", r.status, r.body)
	}
}

// TestPageSameEntries: GET /v1/pages/{id} names the other pages whose
// records have the page's book and entry numbers (the same sheet scanned
// again), [] before there are records; a scanner sees only its own
// batches' pages there.
func TestPageSameEntries(t *testing.T) {
	e := newTestEnv(t, nil)
	book := "S" + randomHex(3) + "/2019"
	mine := e.createBatch(t, storage.RoleScanner, NewBatch{BookNumber: book})
	_, station2, err := e.store.CreateToken(t.Context(), "station-2", storage.RoleScanner)
	if err != nil {
		t.Fatal(err)
	}
	r := e.doJSON(t, http.MethodPost, "/v1/batches", station2, NewBatch{Name: "station 2", BookNumber: book})
	var theirs Batch
	r.json(t, &theirs)
	if r.status != http.StatusCreated {
		t.Fatalf("create batch: %d %s", r.status, r.body)
	}
	upload := func(batchID, secret string, seed uint64, name string) UploadResult {
		data := pagePNG(t, seed)
		r := e.upload(t, batchID, secret, data, sumOf(data), name)
		var res UploadResult
		r.json(t, &res)
		if r.status != http.StatusCreated {
			t.Fatalf("upload %s: %d %s", name, r.status, r.body)
		}
		return res
	}
	scanner := e.tokens[storage.RoleScanner]
	first := upload(mine.ID, scanner, 910, "p1.png")
	again := upload(mine.ID, scanner, 911, "p1-again.png")
	other := upload(theirs.ID, station2, 912, "p5.png")
	get := func(secret string) PageDetail {
		t.Helper()
		r := e.do(t, http.MethodGet, "/v1/pages/"+first.ID, secret, nil, nil)
		var d PageDetail
		r.json(t, &d)
		if r.status != http.StatusOK || d.ID != first.ID {
			t.Fatalf("get page: %d %s", r.status, r.body)
		}
		return d
	}
	verifier := e.tokens[storage.RoleVerifier]
	if d := get(verifier); d.SameEntries == nil || len(d.SameEntries) != 0 {
		t.Fatalf("before records: same_entries = %#v, want []", d.SameEntries)
	}
	entries := func(nums ...string) []models.Record {
		var recs []models.Record
		for i, n := range nums {
			recs = append(recs, models.Record{ID: uuid.NewString(), EntryIndex: i, RegisterType: models.Birth, Status: models.StatusAccepted,
				Fields: map[string]models.Field{"entry_number": {Value: &n, Raw: n, Confidence: 0.99, Status: models.StatusAccepted}}})
		}
		return recs
	}
	for page, nums := range map[string][]string{first.ID: {"5", "6"}, again.ID: {"5", "6"}, other.ID: {"5"}} {
		if err := e.store.SaveRecords(t.Context(), page, entries(nums...)); err != nil {
			t.Fatal(err)
		}
	}
	want := []EntryTwin{
		{PageID: again.ID, BatchID: mine.ID, Source: "p1-again.png", Entries: 2},
		{PageID: other.ID, BatchID: theirs.ID, Source: "p5.png", Entries: 1},
	}
	if d := get(verifier); !slices.Equal(d.SameEntries, want) {
		t.Errorf("verifier: same_entries = %+v, want %+v", d.SameEntries, want)
	}
	if d := get(scanner); !slices.Equal(d.SameEntries, want[:1]) {
		t.Errorf("scanner: same_entries = %+v, want only its own batch's page %+v", d.SameEntries, want[:1])
	}

	// The batch's pages with twins.
	batch := func(secret string, status int) BatchSameEntries {
		t.Helper()
		r := e.do(t, http.MethodGet, "/v1/batches/"+mine.ID+"/same-entries", secret, nil, nil)
		var out BatchSameEntries
		if r.status != status {
			t.Fatalf("batch same entries: %d %s, want %d", r.status, r.body, status)
		}
		r.json(t, &out)
		return out
	}
	firstTwin := EntryTwin{PageID: first.ID, BatchID: mine.ID, Source: "p1.png", Entries: 2}
	wantPages := []PageSameEntries{
		{PageID: first.ID, Source: "p1.png", SameEntries: want},
		{PageID: again.ID, Source: "p1-again.png", SameEntries: []EntryTwin{firstTwin, want[1]}},
	}
	eq := func(a, b PageSameEntries) bool {
		return a.PageID == b.PageID && a.Source == b.Source && slices.Equal(a.SameEntries, b.SameEntries)
	}
	if got := batch(verifier, http.StatusOK); got.BatchID != mine.ID || !slices.EqualFunc(got.Pages, wantPages, eq) {
		t.Errorf("verifier: batch same entries = %+v, want %+v", got, wantPages)
	}
	wantMine := []PageSameEntries{
		{PageID: first.ID, Source: "p1.png", SameEntries: want[:1]},
		{PageID: again.ID, Source: "p1-again.png", SameEntries: []EntryTwin{firstTwin}},
	}
	if got := batch(scanner, http.StatusOK); !slices.EqualFunc(got.Pages, wantMine, eq) {
		t.Errorf("scanner: batch same entries = %+v, want %+v", got, wantMine)
	}
	batch(station2, http.StatusForbidden)
}

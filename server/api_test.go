package server

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/storage"
)

func TestBatchMetadataIsEscaped(t *testing.T) {
	e := newTestEnv(t, nil)
	evil := `<script>alert("x")</script> & <img src=x onerror=alert(1)>`
	r := e.doJSON(t, http.MethodPost, "/v1/batches", e.tokens[storage.RoleScanner], NewBatch{
		Name: evil, Office: "UBND xã Tà Cạ", RegisterType: models.Birth, BookNumber: "01/2019", Year: 2019,
		Metadata: map[string]any{"note": evil},
	})
	if r.status != http.StatusCreated {
		t.Fatalf("%d %s", r.status, r.body)
	}
	for _, resp := range []response{r, e.do(t, http.MethodGet, "/v1/batches", e.tokens[storage.RoleAdmin], nil, nil)} {
		if bytes.Contains(resp.body, []byte("<script")) || bytes.Contains(resp.body, []byte("<img")) {
			t.Fatalf("markup not escaped: %s", resp.body)
		}
		if !bytes.Contains(resp.body, []byte(`\u003cscript\u003e`)) {
			t.Fatalf("escaped markup missing: %s", resp.body)
		}
		if ct := resp.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") || resp.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("headers %v", resp.header)
		}
	}
	var b Batch
	r.json(t, &b)
	if b.Name != evil || b.Metadata["note"] != evil || b.Priority != PriorityNormal || b.Office != "UBND xã Tà Cạ" {
		t.Fatalf("batch = %+v", b)
	}
}

func TestCreateBatchValidation(t *testing.T) {
	e := newTestEnv(t, func(o *Options) { o.MaxJSONBytes = 2048 })
	scanner := e.tokens[storage.RoleScanner]
	tests := []struct {
		name   string
		body   string
		ctype  string
		status int
		want   string
	}{
		{"syntax", `{"name": "a",}`, "", 400, "malformed JSON at byte"},
		{"cut", `{"name": "a"`, "", 400, "ends in the middle"},
		{"empty", ``, "", 400, "body is empty"},
		{"not an object", `[1,2]`, "", 400, "must be a JSON object"},
		{"unknown field", `{"name": "a", "colour": "red"}`, "", 400, `unknown field "colour"`},
		{"wrong type", `{"name": "a", "year": "1990"}`, "", 400, `field "year" must be an integer`},
		{"trailing data", `{"name": "a"} {"name": "b"}`, "", 400, "data after the JSON object"},
		{"too large", `{"name": "` + strings.Repeat("a", 3000) + `"}`, "", 413, "larger than 2048 bytes"},
		{"content type", `{"name": "a"}`, "text/plain", 415, "application/json"},
		{"no name", `{"office": "x"}`, "", 400, "name is required"},
		{"blank name", `{"name": "   "}`, "", 400, "name is required"},
		{"priority", `{"name": "a", "priority": "asap"}`, "", 400, "want urgent, normal or bulk"},
		{"register type", `{"name": "a", "register_type": "adoption"}`, "", 400, "register_type"},
		{"year", `{"name": "a", "year": 19}`, "", 400, "year 19"},
		{"reserved metadata", `{"name": "a", "metadata": {"created_by": "me"}}`, "", 400, "reserved"},
		{"control characters", `{"name": "a\u0007b"}`, "", 400, "control characters"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.ctype != "" {
				h.Set("Content-Type", tc.ctype)
			}
			r := e.do(t, http.MethodPost, "/v1/batches", scanner, strings.NewReader(tc.body), h)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if eb := r.errBody(t); !strings.Contains(eb.Error, tc.want) {
				t.Fatalf("error %q does not mention %q", eb.Error, tc.want)
			}
		})
	}
}

func TestBatchesAndPriorities(t *testing.T) {
	e := newTestEnv(t, nil)
	for _, p := range []Priority{PriorityUrgent, PriorityNormal, PriorityBulk} {
		b := e.createBatch(t, storage.RoleAdmin, NewBatch{Priority: p})
		r := e.do(t, http.MethodGet, "/v1/batches/"+b.ID, e.tokens[storage.RoleLoader], nil, nil)
		var got Batch
		r.json(t, &got)
		if r.status != http.StatusOK || got.Priority != p || got.ID != b.ID {
			t.Errorf("%s: %d %s", p, r.status, r.body)
		}
	}
	r := e.do(t, http.MethodGet, "/v1/batches?limit=2", e.tokens[storage.RoleVerifier], nil, nil)
	var list struct{ Batches []Batch }
	r.json(t, &list)
	if r.status != http.StatusOK || len(list.Batches) != 2 {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
	if r := e.do(t, http.MethodGet, "/v1/batches?limit=x", e.tokens[storage.RoleVerifier], nil, nil); r.status != http.StatusBadRequest {
		t.Fatalf("bad limit: %d", r.status)
	}
}

func TestRecords(t *testing.T) {
	e := newTestEnv(t, nil)
	b := e.createBatch(t, storage.RoleScanner, NewBatch{RegisterType: models.Birth})
	data := pagePNG(t, 900)
	r := e.upload(t, b.ID, e.tokens[storage.RoleScanner], data, sumOf(data), "r.png")
	var page UploadResult
	r.json(t, &page)
	name := "Nguyễn Thị <b>Vân</b>"
	recs := []models.Record{
		{ID: "0f8b6a4e-3c1d-4d6e-9a7b-000000000001", EntryIndex: 0, RegisterType: models.Birth, Status: models.StatusReview,
			Fields: map[string]models.Field{"full_name": {Value: &name, Raw: "NGUYỄN THỊ VÂN", Confidence: 0.5, Status: models.StatusReview}}},
		{ID: "0f8b6a4e-3c1d-4d6e-9a7b-000000000002", EntryIndex: 1, RegisterType: models.Birth, Status: models.StatusAccepted},
	}
	if err := e.store.SaveRecords(t.Context(), page.ID, recs); err != nil {
		t.Fatal(err)
	}
	loader := e.tokens[storage.RoleLoader]
	r = e.do(t, http.MethodGet, "/v1/records?batch="+b.ID+"&limit=1", loader, nil, nil)
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "application/x-ndjson") {
		t.Fatalf("list: %d %v %s", r.status, r.header, r.body)
	}
	lines := readLines(t, r.body)
	if len(lines) != 1 || lines[0].ID != recs[0].ID || *lines[0].Fields["full_name"].Value != name ||
		lines[0].PageSHA256 != page.SHA256 || lines[0].Source != "r.png" || lines[0].Warnings == nil {
		t.Fatalf("first page of records: %s", r.body)
	}
	if bytes.Contains(r.body, []byte("<b>")) {
		t.Fatalf("markup not escaped: %s", r.body)
	}
	next := r.header.Get("X-Next-After")
	if _, err := strconv.ParseInt(next, 10, 64); err != nil {
		t.Fatalf("X-Next-After = %q", next)
	}
	r = e.do(t, http.MethodGet, "/v1/records?batch="+b.ID+"&after="+next, loader, nil, nil)
	if lines := readLines(t, r.body); len(lines) != 1 || lines[0].ID != recs[1].ID {
		t.Fatalf("second page: %s", r.body)
	}
	r = e.do(t, http.MethodGet, "/v1/records?status=accepted&batch="+b.ID, e.tokens[storage.RoleVerifier], nil, nil)
	if lines := readLines(t, r.body); len(lines) != 1 || lines[0].Status != models.StatusAccepted {
		t.Fatalf("by status: %s", r.body)
	}
	r = e.do(t, http.MethodGet, "/v1/records/"+recs[0].ID, loader, nil, nil)
	var one models.Record
	r.json(t, &one)
	if r.status != http.StatusOK || one.ID != recs[0].ID || one.Fields["full_name"].Raw != "NGUYỄN THỊ VÂN" {
		t.Fatalf("get: %d %s", r.status, r.body)
	}
	for _, q := range []string{"status=done", "limit=0", "limit=10001", "after=-1", "batch=not-a-uuid"} {
		if r := e.do(t, http.MethodGet, "/v1/records?"+q, loader, nil, nil); r.status != http.StatusBadRequest {
			t.Errorf("%s: %d %s", q, r.status, r.body)
		}
	}
	if r := e.do(t, http.MethodGet, "/v1/records/nope", loader, nil, nil); r.status != http.StatusNotFound {
		t.Errorf("unknown record: %d", r.status)
	}
}

func readLines(t *testing.T, body []byte) []models.Record {
	t.Helper()
	var out []models.Record
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		var r models.Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		out = append(out, r)
	}
	return out
}

func TestFailedTasks(t *testing.T) {
	e := newTestEnv(t, nil)
	admin := e.tokens[storage.RoleAdmin]
	e.inspector.failed = []FailedTask{
		{ID: "ocr:p1", Queue: "critical:ocr", Type: "page:ocr", PageID: "p1", Error: "tesseract: out of memory", Retried: 5},
		{ID: "cleanup:p2", Queue: "default", Type: "page:cleanup", PageID: "p2", Error: "boom"}, // a legacy queue
	}
	r := e.do(t, http.MethodGet, "/v1/tasks/failed", admin, nil, nil)
	var list struct{ Tasks []FailedTask }
	r.json(t, &list)
	if r.status != http.StatusOK || len(list.Tasks) != 2 || list.Tasks[0].Error != "tesseract: out of memory" || list.Tasks[0].Queue != "critical:ocr" {
		t.Fatalf("failed: %d %s", r.status, r.body)
	}
	// A queue name's ":" is a plain path character, sent as is or escaped.
	for _, path := range []string{"/v1/tasks/critical:ocr/ocr:p1/retry", "/v1/tasks/critical%3Aocr/ocr%3Ap1/retry", "/v1/tasks/default/cleanup:p2/retry"} {
		r = e.do(t, http.MethodPost, path, admin, nil, nil)
		if r.status != http.StatusAccepted {
			t.Fatalf("retry %s: %d %s", path, r.status, r.body)
		}
	}
	if want := []string{"critical:ocr/ocr:p1", "critical:ocr/ocr:p1", "default/cleanup:p2"}; !slices.Equal(e.inspector.retried, want) {
		t.Fatalf("retried %v, want %v", e.inspector.retried, want)
	}
	var answer struct{ Queue, ID, Status string }
	r.json(t, &answer)
	if answer.Queue != "default" || answer.ID != "cleanup:p2" || answer.Status != "retrying" {
		t.Errorf("retry answer %s", r.body)
	}
	if r := e.do(t, http.MethodPost, "/v1/tasks/critical:ocr/nope/retry", admin, nil, nil); r.status != http.StatusNotFound {
		t.Fatalf("retry unknown: %d %s", r.status, r.body)
	}

	none := newTestEnv(t, func(o *Options) { o.Inspector = nil })
	for _, p := range []string{"GET /v1/tasks/failed", "POST /v1/tasks/critical:ocr/ocr:p1/retry"} {
		method, path, _ := strings.Cut(p, " ")
		if r := none.do(t, method, path, none.tokens[storage.RoleAdmin], nil, nil); r.status != http.StatusServiceUnavailable {
			t.Errorf("%s without a queue: %d", p, r.status)
		}
	}
}

func TestHealthReadinessMetrics(t *testing.T) {
	e := newTestEnv(t, nil)
	if r := e.do(t, http.MethodGet, "/healthz", "", nil, nil); r.status != http.StatusOK {
		t.Fatalf("healthz: %d", r.status)
	}
	r := e.do(t, http.MethodGet, "/readyz", "", nil, nil)
	var ready Readiness
	r.json(t, &ready)
	if r.status != http.StatusOK || ready.Status != "ok" || ready.Checks["postgres"] != "ok" ||
		ready.Checks["objects"] != "ok" || ready.Checks["queue"] != "ok" {
		t.Fatalf("readyz: %d %s", r.status, r.body)
	}
	e.do(t, http.MethodGet, "/v1/batches/"+"00000000-0000-0000-0000-000000000000", e.tokens[storage.RoleAdmin], nil, nil)
	r = e.do(t, http.MethodGet, "/metrics", "", nil, nil)
	for _, want := range []string{
		`sohoa_http_requests_total{code="404",method="GET",route="GET /v1/batches/{id}"} 1`,
		`sohoa_http_requests_total{code="200",method="GET",route="GET /readyz"} 1`,
		`sohoa_http_request_duration_seconds_count{method="GET",route="GET /healthz"} 1`,
		`sohoa_queue_depth{queue="critical:ocr"} 1`,
		`sohoa_queue_depth{queue="low:cleanup"} 3`,
	} {
		if !strings.Contains(string(r.body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}

	// A queue that does not answer makes the server unready, and its
	// metric is left out without failing the scrape.
	e.inspector.err = errFake
	r = e.do(t, http.MethodGet, "/readyz", "", nil, nil)
	r.json(t, &ready)
	if r.status != http.StatusServiceUnavailable || ready.Checks["queue"] != "unavailable" || ready.Checks["postgres"] != "ok" {
		t.Fatalf("readyz with the queue down: %d %s", r.status, r.body)
	}
	if strings.Contains(string(r.body), errFake.Error()) {
		t.Fatalf("readyz shows the error detail: %s", r.body)
	}
	r = e.do(t, http.MethodGet, "/metrics", "", nil, nil)
	if r.status != http.StatusOK || !strings.Contains(string(r.body), "sohoa_http_requests_total") {
		t.Fatalf("metrics with the queue down: %d", r.status)
	}
}

var errFake = errors.New("fake queue failure at 10.0.0.7")

func TestUnknownRoutesAnswerJSON(t *testing.T) {
	e := newTestEnv(t, nil)
	r := e.do(t, http.MethodGet, "/v2/nothing", "", nil, nil)
	if r.status != http.StatusNotFound || r.errBody(t).Code != codeNotFound {
		t.Fatalf("unknown path: %d %s", r.status, r.body)
	}
	r = e.do(t, http.MethodDelete, "/v1/batches", e.tokens[storage.RoleAdmin], nil, nil)
	if r.status != http.StatusMethodNotAllowed || r.errBody(t).Code != codeMethodNotAllowed || r.header.Get("Allow") == "" {
		t.Fatalf("wrong method: %d %v %s", r.status, r.header, r.body)
	}
}

func TestLogsCarryNoSecretsOrRecordValues(t *testing.T) {
	e := newTestEnv(t, nil)
	b := e.createBatch(t, storage.RoleScanner, NewBatch{Name: "Sổ của Trần Văn Bình"})
	data := pagePNG(t, 1000)
	e.upload(t, b.ID, e.tokens[storage.RoleScanner], data, sumOf(data), "tran-van-binh.png")
	e.upload(t, b.ID, e.tokens[storage.RoleScanner], data, sumOf([]byte("x")), "x.png")
	e.do(t, http.MethodGet, "/v1/records?batch="+b.ID, e.tokens[storage.RoleLoader], nil, nil)
	e.do(t, http.MethodGet, "/v1/batches", "sohoa_wrong-secret", nil, nil)
	logs := e.logs.String()
	for role, secret := range e.tokens {
		if strings.Contains(logs, secret) {
			t.Errorf("the %s token secret is in the logs", role)
		}
	}
	for _, leak := range []string{"sohoa_wrong-secret", "Bình", "tran-van-binh", b.ID} {
		if strings.Contains(logs, leak) {
			t.Errorf("logs contain %q:\n%s", leak, logs)
		}
	}
	for _, want := range []string{`route="POST /v1/batches/{id}/pages"`, "status=201", "status=422", "status=401", "duration=", "token_id=" + e.tokenIDs[storage.RoleScanner]} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %s:\n%s", want, logs)
		}
	}
}

package server

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/sohoa/sohoa/storage"
)

// put sends data to a presigned ticket with its headers.
func put(t *testing.T, ticket UploadTicket, data []byte) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), ticket.Method, ticket.URL, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range ticket.Headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestPresignedUpload(t *testing.T) {
	e := newTestEnv(t, nil)
	b := e.createBatch(t, storage.RoleScanner, NewBatch{Priority: PriorityBulk})
	scanner := e.tokens[storage.RoleScanner]
	data := encodeJPEG(t, pageImage(600, 400, 500), 85)
	sum := sumOf(data)
	base := "/v1/batches/" + b.ID + "/uploads"

	r := e.doJSON(t, http.MethodPost, base, scanner, UploadRequest{SHA256: sum, Filename: "p.jpg", Size: int64(len(data))})
	if r.status != http.StatusOK {
		t.Fatalf("presign: %d %s", r.status, r.body)
	}
	var ticket UploadTicket
	r.json(t, &ticket)
	if ticket.Duplicate || ticket.URL == "" || ticket.Method != http.MethodPut || len(ticket.Headers) == 0 || ticket.ExpiresAt.IsZero() {
		t.Fatalf("ticket = %+v", ticket)
	}

	// Completing before the PUT is refused.
	r = e.doJSON(t, http.MethodPost, base+"/complete", scanner, CompleteUpload{SHA256: sum, Filename: "p.jpg"})
	if r.status != http.StatusConflict || r.errBody(t).Code != reasonNotUploaded {
		t.Fatalf("complete before PUT: %d %s", r.status, r.body)
	}
	// The object store refuses other bytes through the ticket.
	if st := put(t, ticket, append(bytes.Clone(data), 0)); st < 400 {
		t.Fatalf("PUT of other bytes: status %d, want a refusal", st)
	}
	if keys := e.objectKeys(t); len(keys) != 0 {
		t.Fatalf("refused PUT left %v", keys)
	}
	if st := put(t, ticket, data); st != http.StatusOK {
		t.Fatalf("PUT: status %d", st)
	}
	r = e.doJSON(t, http.MethodPost, base+"/complete", scanner, CompleteUpload{SHA256: sum, Filename: "p.jpg"})
	if r.status != http.StatusCreated {
		t.Fatalf("complete: %d %s", r.status, r.body)
	}
	var res UploadResult
	r.json(t, &res)
	if res.SHA256 != sum || res.Source != "p.jpg" || res.BatchID != b.ID || !res.Queued || res.DHash == "" {
		t.Fatalf("answer = %+v", res)
	}
	if got := e.enqueuer.enqueued(); len(got) != 1 || got[0] != (enqueued{res.ID, "low"}) {
		t.Fatalf("enqueued %v", got)
	}

	// Asking again: the server has it.
	r = e.doJSON(t, http.MethodPost, base, scanner, UploadRequest{SHA256: sum, Filename: "p.jpg", Size: int64(len(data))})
	var again UploadTicket
	r.json(t, &again)
	if r.status != http.StatusOK || !again.Duplicate || again.Page == nil || again.Page.ID != res.ID || again.URL != "" {
		t.Fatalf("presign of a stored page: %d %s", r.status, r.body)
	}
	r = e.doJSON(t, http.MethodPost, base+"/complete", scanner, CompleteUpload{SHA256: sum, Filename: "p.jpg"})
	r.json(t, &res)
	if r.status != http.StatusOK || !res.Duplicate {
		t.Fatalf("complete again: %d %s", r.status, r.body)
	}
	if len(e.enqueuer.enqueued()) != 1 {
		t.Fatalf("completed twice, enqueued %v", e.enqueuer.enqueued())
	}
}

func TestPresignedUploadRefusals(t *testing.T) {
	e := newTestEnv(t, func(o *Options) { o.MaxUploadBytes = 1 << 20 })
	b := e.createBatch(t, storage.RoleScanner, NewBatch{})
	scanner := e.tokens[storage.RoleScanner]
	base := "/v1/batches/" + b.ID + "/uploads"
	sum := sumOf([]byte("x"))
	tests := []struct {
		name   string
		req    any
		status int
		want   string
	}{
		{"too large", UploadRequest{SHA256: sum, Filename: "x", Size: 2 << 20}, http.StatusRequestEntityTooLarge, "limit"},
		{"no size", UploadRequest{SHA256: sum, Filename: "x"}, http.StatusBadRequest, "size"},
		{"bad sha256", UploadRequest{SHA256: "nope", Size: 10}, http.StatusBadRequest, "64 hexadecimal"},
		{"unknown field", map[string]any{"sha256": sum, "size": 10, "bytes": 1}, http.StatusBadRequest, `unknown field "bytes"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.doJSON(t, http.MethodPost, base, scanner, tc.req)
			if r.status != tc.status || !strings.Contains(r.errBody(t).Error, tc.want) {
				t.Fatalf("%d %s, want %d mentioning %q", r.status, r.body, tc.status, tc.want)
			}
		})
	}

	// A non-image sent through a ticket is refused at completion and no
	// page is made.
	text := []byte("just some text, not a scan")
	r := e.doJSON(t, http.MethodPost, base, scanner, UploadRequest{SHA256: sumOf(text), Filename: "t.txt", Size: int64(len(text))})
	var ticket UploadTicket
	r.json(t, &ticket)
	if st := put(t, ticket, text); st != http.StatusOK {
		t.Fatalf("PUT: %d", st)
	}
	r = e.doJSON(t, http.MethodPost, base+"/complete", scanner, CompleteUpload{SHA256: sumOf(text), Filename: "t.txt"})
	if r.status != http.StatusUnsupportedMediaType || r.errBody(t).Code != reasonNotImage {
		t.Fatalf("complete of a non-image: %d %s", r.status, r.body)
	}
	if _, err := e.store.GetPageBySHA256(t.Context(), sumOf(text)); err == nil {
		t.Fatal("a page was made for a non-image")
	}
	if len(e.enqueuer.enqueued()) != 0 {
		t.Fatal("a non-image was enqueued")
	}
}

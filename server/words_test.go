package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sohoa/sohoa/storage"
)

// TestPageWords: a page's words are served as the worker stored them, to
// verifiers, loaders and admins; a page not read yet, or one that does not
// exist, answers 404 naming why.
func TestPageWords(t *testing.T) {
	e := newTestEnv(t, nil)
	b := e.createBatch(t, storage.RoleScanner, NewBatch{})
	data := pagePNG(t, 701)
	r := e.upload(t, b.ID, e.tokens[storage.RoleScanner], data, sumOf(data), "w.png")
	var page UploadResult
	r.json(t, &page)

	r = e.do(t, http.MethodGet, "/v1/pages/"+page.ID+"/words", e.tokens[storage.RoleVerifier], nil, nil)
	if r.status != http.StatusNotFound || !strings.Contains(string(r.body), "no words yet") || !strings.Contains(string(r.body), "uploaded") {
		t.Fatalf("words of a page not read: %d %s, want 404 naming its state", r.status, r.body)
	}
	if r := e.do(t, http.MethodGet, "/v1/pages/00000000-0000-0000-0000-000000000000/words", e.tokens[storage.RoleVerifier], nil, nil); r.status != http.StatusNotFound {
		t.Errorf("words of no page: %d %s, want 404", r.status, r.body)
	}

	doc := `{"version":1,"quality":{},"lines":[{"words":[{"text":"Nguyễn","conf":0.97,"bbox":[10,20,110,60]}],"bbox":[10,20,110,60]}]}`
	if _, err := e.objects.PutDerived(t.Context(), page.SHA256, storage.WordsName, []byte(doc), "application/json"); err != nil {
		t.Fatal(err)
	}
	for _, role := range []storage.Role{storage.RoleVerifier, storage.RoleLoader, storage.RoleAdmin} {
		r := e.do(t, http.MethodGet, "/v1/pages/"+page.ID+"/words", e.tokens[role], nil, nil)
		if r.status != http.StatusOK || string(r.body) != doc || r.header.Get("Content-Type") != "application/json" {
			t.Errorf("%s: %d %q (%s), want the stored document", role, r.status, r.body, r.header.Get("Content-Type"))
		}
	}
	if r := e.do(t, http.MethodGet, "/v1/pages/"+page.ID+"/words", e.tokens[storage.RoleScanner], nil, nil); r.status != http.StatusForbidden {
		t.Errorf("scanner: %d, want 403", r.status)
	}
}

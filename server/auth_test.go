package server

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/sohoa/sohoa/storage"
)

// roleMatrix is the matrix of doc.go: for each route, the roles that may
// call it (s scanner, v verifier, l loader, a admin; "public": no token).
var roleMatrix = map[string]string{
	"GET /healthz":                            "public",
	"GET /readyz":                             "public",
	"GET /metrics":                            "public",
	"POST /v1/batches":                        "s--a",
	"GET /v1/batches":                         "-vla",
	"GET /v1/batches/{id}":                    "svla",
	"GET /v1/batches/{id}/progress":           "svla",
	"GET /v1/batches/{id}/same-entries":       "svla",
	"POST /v1/batches/{id}/pages":             "s--a",
	"POST /v1/batches/{id}/uploads":           "s--a",
	"POST /v1/batches/{id}/uploads/complete":  "s--a",
	"GET /v1/pages":                           "svla",
	"GET /v1/pages/{id}":                      "svla",
	"GET /v1/pages/{id}/words":                "-vla",
	"GET /v1/records":                         "-vla",
	"GET /v1/records/{id}":                    "-vla",
	"GET /v1/records/{id}/audit":              "-vla",
	"GET /v1/review/quality":                  "-v-a",
	"GET /v1/books/{book}/duplicates":         "-v-a",
	"POST /v1/records/{id}/reject-duplicate":  "-v-a",
	"POST /v1/records/{id}/restore-duplicate": "-v-a",
	"POST /v1/books/{book}/exports":           "--la",
	"GET /v1/books/{book}/exports":            "--la",
	"GET /v1/exports/{id}":                    "--la",
	"GET /v1/tasks/failed":                    "---a",
	"POST /v1/tasks/{queue}/{id}/retry":       "---a",
}

// TestRoleMatrix calls every route of the route table without a token,
// with a bad and a revoked token, and with each role's token: routes with
// roles answer 401 to the first three, 403 to roles roleMatrix does not
// list, and neither to the roles it lists.
func TestRoleMatrix(t *testing.T) {
	e := newTestEnv(t, nil)
	if len(e.srv.routes()) != len(roleMatrix) {
		t.Errorf("the route table has %d routes, the matrix %d", len(e.srv.routes()), len(roleMatrix))
	}
	b := e.createBatch(t, storage.RoleScanner, NewBatch{})
	data := pagePNG(t, 700)
	r := e.upload(t, b.ID, e.tokens[storage.RoleScanner], data, sumOf(data), "m.png")
	var page UploadResult
	r.json(t, &page)
	e.inspector.failed = []FailedTask{{ID: "cleanup:" + page.ID, Queue: "default:cleanup", Type: "page:cleanup", PageID: page.ID, Error: "boom"}}

	revoked, secret, err := e.store.CreateToken(t.Context(), "revoked", storage.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.RevokeToken(t.Context(), revoked.ID); err != nil {
		t.Fatal(err)
	}
	path := func(pattern string) (method, p string) {
		method, p, _ = strings.Cut(pattern, " ")
		p = strings.NewReplacer("{id}", b.ID, "{queue}", "default:cleanup").Replace(p)
		switch {
		case strings.HasPrefix(p, "/v1/pages/"):
			p = strings.Replace(p, b.ID, page.ID, 1)
		case strings.HasPrefix(p, "/v1/records/"):
			p = strings.Replace(p, b.ID, "00000000-0000-0000-0000-000000000000", 1)
		case strings.HasPrefix(p, "/v1/tasks/default:cleanup/"):
			p = "/v1/tasks/default:cleanup/cleanup:" + page.ID + "/retry"
		case p == "/v1/pages":
			p += "?sha256=" + page.SHA256
		}
		return method, p
	}
	allRoles := []storage.Role{storage.RoleScanner, storage.RoleVerifier, storage.RoleLoader, storage.RoleAdmin}
	for _, rt := range e.srv.routes() {
		method, p := path(rt.pattern)
		t.Run(rt.pattern, func(t *testing.T) {
			want, ok := roleMatrix[rt.pattern]
			if !ok {
				t.Fatal("route missing from the role matrix")
			}
			if (want == "public") != (rt.roles == nil) {
				t.Fatalf("public: matrix %q, route roles %v", want, rt.roles)
			}
			if rt.roles == nil {
				if r := e.do(t, method, p, "", nil, nil); r.status == http.StatusUnauthorized || r.status == http.StatusForbidden {
					t.Fatalf("public route answered %d", r.status)
				}
				return
			}
			for name, secret := range map[string]string{"no token": "", "unknown token": "sohoa_nope", "revoked token": secret} {
				r := e.do(t, method, p, secret, nil, nil)
				if r.status != http.StatusUnauthorized || r.header.Get("WWW-Authenticate") == "" {
					t.Errorf("%s: %d %s, want 401 with WWW-Authenticate", name, r.status, r.body)
				}
			}
			r := e.do(t, method, p, "", nil, http.Header{"Authorization": {"Basic dXNlcjpwYXNz"}})
			if r.status != http.StatusUnauthorized {
				t.Errorf("basic auth: %d", r.status)
			}
			for _, role := range allRoles {
				r := e.do(t, method, p, e.tokens[role], bytes.NewReader(nil), nil)
				allowed := strings.ContainsRune(want, rune(role[0]))
				switch {
				case !allowed && r.status != http.StatusForbidden:
					t.Errorf("%s: %d, want 403", role, r.status)
				case !allowed && r.errBody(t).Code != codeForbidden:
					t.Errorf("%s: 403 with code %s", role, r.errBody(t).Code)
				case allowed && (r.status == http.StatusForbidden || r.status == http.StatusUnauthorized):
					t.Errorf("%s: %d %s, want the route to serve it", role, r.status, r.body)
				}
			}
		})
	}
}

func TestScannerSeesOnlyItsBatches(t *testing.T) {
	e := newTestEnv(t, nil)
	mine := e.createBatch(t, storage.RoleScanner, NewBatch{})
	_, other, err := e.store.CreateToken(t.Context(), "station-2", storage.RoleScanner)
	if err != nil {
		t.Fatal(err)
	}
	data := pagePNG(t, 800)
	r := e.upload(t, mine.ID, e.tokens[storage.RoleScanner], data, sumOf(data), "a.png")
	var page UploadResult
	r.json(t, &page)
	if mine.CreatedBy != e.tokenIDs[storage.RoleScanner] {
		t.Fatalf("created_by = %q, want the scanner token id", mine.CreatedBy)
	}
	for _, tc := range []struct{ method, path string }{
		{http.MethodGet, "/v1/batches/" + mine.ID},
		{http.MethodGet, "/v1/batches/" + mine.ID + "/progress"},
		{http.MethodGet, "/v1/pages/" + page.ID},
		{http.MethodPost, "/v1/batches/" + mine.ID + "/pages"},
	} {
		if r := e.do(t, tc.method, tc.path, other, nil, nil); r.status != http.StatusForbidden {
			t.Errorf("other scanner %s %s: %d, want 403", tc.method, tc.path, r.status)
		}
		if tc.method == http.MethodGet {
			if r := e.do(t, tc.method, tc.path, e.tokens[storage.RoleScanner], nil, nil); r.status != http.StatusOK {
				t.Errorf("owner %s: %d", tc.path, r.status)
			}
			if r := e.do(t, tc.method, tc.path, e.tokens[storage.RoleVerifier], nil, nil); r.status != http.StatusOK {
				t.Errorf("verifier %s: %d", tc.path, r.status)
			}
		}
	}
	if r := e.do(t, http.MethodGet, "/v1/batches/00000000-0000-0000-0000-000000000000", e.tokens[storage.RoleAdmin], nil, nil); r.status != http.StatusNotFound {
		t.Errorf("unknown batch: %d", r.status)
	}
}

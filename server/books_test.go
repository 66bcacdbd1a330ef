package server

import (
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/sohoa/sohoa/export"
	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/storage"
)

// duplicateBook stores, in a new book, three birth records: d1 and d2 share
// entry number 3, d1 and d3 (rejected) the person.
func duplicateBook(t *testing.T, e *testEnv) (book string, ids [3]string) {
	t.Helper()
	book = "D" + randomHex(3) + "/2021"
	b := e.createBatch(t, storage.RoleScanner, NewBatch{RegisterType: models.Birth, BookNumber: book})
	data := pagePNG(t, rand.Uint64()) // a page of its own: the package's tests share a database
	var page UploadResult
	e.upload(t, b.ID, e.tokens[storage.RoleScanner], data, sumOf(data), "d.png").json(t, &page)
	rec := func(i int, entry, name string, st models.Status) models.Record {
		f := map[string]models.Field{}
		for k, v := range map[string]string{"entry_number": entry, "full_name": name, "date_of_birth": "2021-01-02", "mother_name": "Lê Thị Oanh"} {
			f[k] = models.Field{Value: &v, Status: models.StatusAccepted}
		}
		ids[i] = uuid.NewString()
		return models.Record{ID: ids[i], EntryIndex: i, RegisterType: models.Birth, Status: st, Fields: f}
	}
	recs := []models.Record{
		rec(0, "3", "Nguyễn Thị Vân", models.StatusAccepted),
		rec(1, "3", "Trần Văn Ba", models.StatusAccepted),
		rec(2, "9", "NGUYEN THI VAN", models.StatusRejected),
	}
	if err := e.store.SaveRecords(t.Context(), page.ID, recs); err != nil {
		t.Fatal(err)
	}
	return book, ids
}

func TestBookDuplicates(t *testing.T) {
	e := newTestEnv(t, nil)
	book, _ := duplicateBook(t, e)
	path := "/v1/books/" + escapeSlash(book) + "/duplicates"
	r := e.do(t, http.MethodGet, path, e.tokens[storage.RoleVerifier], nil, nil)
	var got bookDuplicates
	r.json(t, &got)
	if r.status != http.StatusOK || got.Book != book || got.Records != 3 || len(got.Duplicates) != 2 || got.Unresolved != 1 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if d := got.Duplicates[0]; d.Kind != export.SameEntry || d.Resolved || len(d.RecordIDs) != 2 {
		t.Errorf("entry duplicate %+v", d)
	}
	if d := got.Duplicates[1]; d.Kind != export.SamePerson || !d.Resolved {
		t.Errorf("person duplicate %+v (one of the two is rejected)", d)
	}
	if r := e.do(t, http.MethodGet, path, e.tokens[storage.RoleLoader], nil, nil); r.status != http.StatusForbidden {
		t.Errorf("loader: %d", r.status)
	}
	if r := e.do(t, http.MethodGet, path, "", nil, nil); r.status != http.StatusUnauthorized {
		t.Errorf("no token: %d", r.status)
	}
	r = e.do(t, http.MethodGet, "/v1/books/none-"+randomHex(3)+"/duplicates", e.tokens[storage.RoleAdmin], nil, nil)
	if r.json(t, &got); r.status != http.StatusOK || got.Records != 0 || got.Duplicates == nil {
		t.Errorf("empty book: %d %s", r.status, r.body)
	}
}

func escapeSlash(s string) string { return strings.ReplaceAll(s, "/", "%2F") }

// TestRejectDuplicateAPI rejects one of a book's entry duplicates through
// the API: the group is resolved and the audit row names the token; only
// verifier and admin tokens may do it.
func TestRejectDuplicateAPI(t *testing.T) {
	e := newTestEnv(t, nil)
	book, ids := duplicateBook(t, e)
	reject := func(role storage.Role, id, keep string) response {
		return e.doJSON(t, http.MethodPost, "/v1/records/"+id+"/reject-duplicate", e.tokens[role],
			rejectDuplicateRequest{DuplicateOf: keep})
	}
	for _, role := range []storage.Role{storage.RoleLoader, storage.RoleScanner} {
		if r := reject(role, ids[1], ids[0]); r.status != http.StatusForbidden {
			t.Errorf("%s token: %d, want 403", role, r.status)
		}
	}
	for _, tc := range []struct {
		name     string
		id, keep string
		want     int
	}{
		{"not duplicates", ids[1], ids[2], http.StatusConflict}, // neither entry nor person shared
		{"kept record rejected", ids[0], ids[2], http.StatusConflict},
		{"unknown record", uuid.NewString(), ids[0], http.StatusNotFound},
		{"unknown kept record", ids[1], uuid.NewString(), http.StatusNotFound},
		{"no kept record", ids[1], "", http.StatusBadRequest},
	} {
		if r := reject(storage.RoleVerifier, tc.id, tc.keep); r.status != tc.want {
			t.Errorf("%s: %d %s, want %d", tc.name, r.status, r.body, tc.want)
		}
	}
	r := reject(storage.RoleVerifier, ids[1], ids[0])
	var got rejectedDuplicate
	if r.json(t, &got); r.status != http.StatusOK || got.Status != models.StatusRejected || got.DuplicateOf != ids[0] {
		t.Fatalf("reject: %d %s", r.status, r.body)
	}
	if r := reject(storage.RoleAdmin, ids[0], ids[1]); r.status != http.StatusConflict {
		t.Errorf("rejecting the record kept: %d, want 409", r.status)
	}
	var dups bookDuplicates
	e.do(t, http.MethodGet, "/v1/books/"+escapeSlash(book)+"/duplicates", e.tokens[storage.RoleVerifier], nil, nil).json(t, &dups)
	if dups.Unresolved != 0 || dups.Records != 3 {
		t.Errorf("%d groups unresolved after the rejection (of %d records): %+v", dups.Unresolved, dups.Records, dups.Duplicates)
	}
	trail, err := e.store.ListAudit(t.Context(), ids[1])
	if err != nil || len(trail) != 1 {
		t.Fatalf("audit %+v, %v", trail, err)
	}
	if a := trail[0]; a.TokenID == "" || a.Reason != storage.ReasonDuplicate+ids[0] || *a.New != "rejected" {
		t.Errorf("audit row %+v", a)
	}

	// Undone: the record is back in its status of before, the group
	// unresolved again.
	restore := func(role storage.Role, id string) response {
		return e.do(t, http.MethodPost, "/v1/records/"+id+"/restore-duplicate", e.tokens[role], nil, nil)
	}
	for _, role := range []storage.Role{storage.RoleScanner, storage.RoleLoader} {
		if r := restore(role, ids[1]); r.status != http.StatusForbidden {
			t.Errorf("restore with a %s token: %d, want 403", role, r.status)
		}
	}
	if r := restore(storage.RoleVerifier, uuid.NewString()); r.status != http.StatusNotFound {
		t.Errorf("restore an unknown record: %d, want 404", r.status)
	}
	if r := restore(storage.RoleVerifier, ids[0]); r.status != http.StatusConflict {
		t.Errorf("restore a record not rejected: %d, want 409", r.status)
	}
	var back restoredDuplicate
	r = restore(storage.RoleVerifier, ids[1])
	if r.json(t, &back); r.status != http.StatusOK || string(back.Status) != *trail[0].Old {
		t.Fatalf("restore: %d %s", r.status, r.body)
	}
	e.do(t, http.MethodGet, "/v1/books/"+escapeSlash(book)+"/duplicates", e.tokens[storage.RoleVerifier], nil, nil).json(t, &dups)
	if dups.Unresolved != 1 {
		t.Errorf("%d groups unresolved after the undo, want 1: %+v", dups.Unresolved, dups)
	}
}

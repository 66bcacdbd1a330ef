package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sohoa/sohoa/export"
	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/storage"
)

func TestBookDuplicates(t *testing.T) {
	e := newTestEnv(t, nil)
	book := "D" + randomHex(3) + "/2021"
	b := e.createBatch(t, storage.RoleScanner, NewBatch{RegisterType: models.Birth, BookNumber: book})
	data := pagePNG(t, 901)
	var page UploadResult
	e.upload(t, b.ID, e.tokens[storage.RoleScanner], data, sumOf(data), "d.png").json(t, &page)
	rec := func(id string, i int, entry, name string, st models.Status) models.Record {
		f := map[string]models.Field{}
		for k, v := range map[string]string{"entry_number": entry, "full_name": name, "date_of_birth": "2021-01-02", "mother_name": "Lê Thị Oanh"} {
			f[k] = models.Field{Value: &v, Status: models.StatusAccepted}
		}
		return models.Record{ID: id, EntryIndex: i, RegisterType: models.Birth, Status: st, Fields: f}
	}
	recs := []models.Record{
		rec("0f8b6a4e-3c1d-4d6e-9a7b-0000000000d1", 0, "3", "Nguyễn Thị Vân", models.StatusAccepted),
		rec("0f8b6a4e-3c1d-4d6e-9a7b-0000000000d2", 1, "3", "Trần Văn Ba", models.StatusAccepted),
		rec("0f8b6a4e-3c1d-4d6e-9a7b-0000000000d3", 2, "9", "NGUYEN THI VAN", models.StatusRejected),
	}
	if err := e.store.SaveRecords(t.Context(), page.ID, recs); err != nil {
		t.Fatal(err)
	}
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

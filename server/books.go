package server

import (
	"net/http"

	"github.com/sohoa/sohoa/export"
)

// bookDuplicates is the answer of GET /v1/books/{book}/duplicates.
type bookDuplicates struct {
	Book       string             `json:"book"`
	Records    int                `json:"records"`
	Unresolved int                `json:"unresolved"`
	Duplicates []export.Duplicate `json:"duplicates"`
}

// bookDuplicates serves GET /v1/books/{book}/duplicates[?batch=ID]: the
// groups of the book's records that share an entry number or register the
// same person, for verifiers to resolve (by rejecting all but one). A book
// number holding "/" is passed escaped (01%2F2019).
func (s *Server) bookDuplicates(w http.ResponseWriter, r *http.Request) error {
	book := r.PathValue("book")
	var d export.Detector
	n := 0
	for rec, err := range s.store.BookRecords(r.Context(), book, r.URL.Query().Get("batch"), 1000) {
		if err != nil {
			return err
		}
		d.Add(rec.Record)
		n++
	}
	dups := d.Duplicates()
	if dups == nil {
		dups = []export.Duplicate{}
	}
	writeJSON(w, http.StatusOK, bookDuplicates{Book: book, Records: n, Unresolved: export.Unresolved(dups), Duplicates: dups})
	return nil
}

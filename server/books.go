package server

import (
	"errors"
	"net/http"

	"github.com/sohoa/sohoa/export"
	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/storage"
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

// rejectDuplicateRequest is the body of POST /v1/records/{id}/reject-duplicate.
type rejectDuplicateRequest struct {
	DuplicateOf string `json:"duplicate_of"` // the record kept
}

// rejectedDuplicate is its answer.
type rejectedDuplicate struct {
	RecordID    string        `json:"record_id"`
	Status      models.Status `json:"status"`
	DuplicateOf string        `json:"duplicate_of"`
}

// rejectDuplicate serves POST /v1/records/{id}/reject-duplicate
// {"duplicate_of": KEPT}: it rejects the record as a duplicate of KEPT, as a
// verifier does in the web UI, with an audit row naming the token. The two
// records must form a duplicate group (export.Duplicates) and neither may
// be rejected already (409).
func (s *Server) rejectDuplicate(w http.ResponseWriter, r *http.Request) error {
	var req rejectDuplicateRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		return err
	}
	id := r.PathValue("id")
	if req.DuplicateOf == "" {
		return badRequest("duplicate_of: want the id of the record kept")
	}
	var recs [2]models.Record
	for i, rid := range []string{id, req.DuplicateOf} {
		rec, err := s.store.GetRecord(r.Context(), rid)
		if errors.Is(err, storage.ErrNotFound) {
			return notFoundf("no record %q", rid)
		}
		if err != nil {
			return err
		}
		recs[i] = rec.Record
	}
	if len(export.Duplicates(recs[:])) == 0 {
		return errorf(http.StatusConflict, codeConflict,
			"records %s and %s share neither book and entry number nor the registered person", recs[0].ID, recs[1].ID)
	}
	tok, _ := tokenFrom(r.Context())
	rec, err := s.store.RejectDuplicate(r.Context(), storage.DuplicateRejection{
		RecordID: recs[0].ID, KeepID: recs[1].ID, Actor: tok.Name, TokenID: tok.ID,
	})
	if err != nil {
		return err
	}
	s.log.Info("duplicate rejected", "record", rec.ID, "kept", recs[1].ID, "token", tok.ID)
	writeJSON(w, http.StatusOK, rejectedDuplicate{RecordID: rec.ID, Status: rec.Status, DuplicateOf: recs[1].ID})
	return nil
}

// restoredDuplicate is the answer of POST /v1/records/{id}/restore-duplicate.
type restoredDuplicate struct {
	RecordID string        `json:"record_id"`
	Status   models.Status `json:"status"`
}

// restoreDuplicate serves POST /v1/records/{id}/restore-duplicate: it
// undoes the rejection of the record as a duplicate (a wrong decision), as
// a verifier does in the web UI: the record gets back its status of
// before, with an audit row naming the token. A record not rejected as a
// duplicate is a 409.
func (s *Server) restoreDuplicate(w http.ResponseWriter, r *http.Request) error {
	tok, _ := tokenFrom(r.Context())
	rec, err := s.store.RestoreDuplicate(r.Context(), storage.DuplicateRestore{
		RecordID: r.PathValue("id"), Actor: tok.Name, TokenID: tok.ID,
	})
	if errors.Is(err, storage.ErrNotFound) {
		return notFoundf("no record %q", r.PathValue("id"))
	}
	if err != nil {
		return err
	}
	s.log.Info("duplicate rejection undone", "record", rec.ID, "token", tok.ID)
	writeJSON(w, http.StatusOK, restoredDuplicate{RecordID: rec.ID, Status: rec.Status})
	return nil
}

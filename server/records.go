package server

import (
	"errors"
	"net/http"

	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/storage"
)

// getRecord serves GET /v1/records/{id}: one record in the record format.
func (s *Server) getRecord(w http.ResponseWriter, r *http.Request) error {
	rec, err := s.store.GetRecord(r.Context(), r.PathValue("id"))
	if errors.Is(err, storage.ErrNotFound) {
		return notFoundf("no record %q", r.PathValue("id"))
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, recordJSON(rec))
	return nil
}

// recordJSON is a stored record in the record format (empty fields and
// warnings as {} and [], never null).
func recordJSON(r storage.Record) models.Record {
	out := r.Record
	if out.Fields == nil {
		out.Fields = map[string]models.Field{}
	}
	if out.Warnings == nil {
		out.Warnings = []string{}
	}
	return out
}

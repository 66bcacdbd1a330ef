package server

import (
	"errors"
	"net/http"
	"time"

	"github.com/sohoa/sohoa/storage"
)

// auditJSON is one row of a record's history.
type auditJSON struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Field  string    `json:"field"`
	Old    *string   `json:"old"`
	New    *string   `json:"new"`
	Reason string    `json:"reason"`
}

// recordAudit answers a record's audit trail, oldest first.
func (s *Server) recordAudit(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if _, err := s.store.GetRecord(r.Context(), id); errors.Is(err, storage.ErrNotFound) {
		return notFoundf("no record %q", id)
	} else if err != nil {
		return err
	}
	entries, err := s.store.ListAudit(r.Context(), id)
	if err != nil {
		return err
	}
	out := make([]auditJSON, len(entries))
	for i, e := range entries {
		out[i] = auditJSON{ID: e.ID, At: e.At, Actor: e.Actor, Field: e.Field, Old: e.Old, New: e.New, Reason: e.Reason}
	}
	writeJSON(w, http.StatusOK, map[string]any{"record_id": id, "audit": out})
	return nil
}

// qualityJSON is the measured error rate of auto-accepted fields.
type qualityJSON struct {
	SampledRecords int     `json:"sampled_records"`
	PendingSamples int     `json:"pending_samples"`
	Fields         int     `json:"fields"`
	Errors         int     `json:"errors"`
	ErrorRate      float64 `json:"error_rate"`
	Budget         float64 `json:"budget"`
	WithinBudget   bool    `json:"within_budget"`
	SampleRate     float64 `json:"sample_rate"`
	DoubleEntry    bool    `json:"double_entry"`
}

// reviewQuality reports the error rate measured by quality sampling, for
// one batch (?batch=ID) or all.
func (s *Server) reviewQuality(w http.ResponseWriter, r *http.Request) error {
	batch := r.URL.Query().Get("batch")
	q, err := s.store.ReviewQuality(r.Context(), batch)
	if errors.Is(err, storage.ErrInvalid) {
		return badRequest("batch=%q: want a batch id", batch)
	}
	if err != nil {
		return err
	}
	rs, err := s.store.GetReviewSettings(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, qualityJSON{
		SampledRecords: q.SampledRecords, PendingSamples: q.PendingSamples, Fields: q.Fields, Errors: q.Errors,
		ErrorRate: q.Rate, Budget: q.Budget, WithinBudget: q.WithinBudget(),
		SampleRate: rs.SampleRate, DoubleEntry: rs.DoubleEntry,
	})
	return nil
}

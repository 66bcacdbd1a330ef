package server

import (
	"bufio"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/storage"
)

// listRecords serves GET /v1/records?batch=&page=&status=&limit=&since= as
// JSON Lines in the record format, in change order. The X-Next-After
// header holds the cursor to pass as since= (or its older name after=) for
// the next page of results.
func (s *Server) listRecords(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit, err := intParam(q.Get("limit"), "limit", 1, 1000)
	if err != nil {
		return err
	}
	var after int64
	v := q.Get("since")
	if v == "" {
		v = q.Get("after")
	}
	if v != "" {
		after, err = strconv.ParseInt(v, 10, 64)
		if err != nil || after < 0 {
			return badRequest("since=%q: want a record cursor (a non-negative integer) from X-Next-After", v)
		}
	}
	status := models.Status(q.Get("status"))
	switch status {
	case "", models.StatusAccepted, models.StatusReview, models.StatusVerified, models.StatusRejected:
	default:
		return badRequest("status=%q: want accepted, review, verified or rejected", status)
	}
	recs, err := s.store.ListRecords(r.Context(), storage.ListRecordsOptions{
		BatchID: q.Get("batch"), PageID: q.Get("page"), Status: status, AfterSeq: after, Limit: limit,
	})
	if err != nil {
		return err
	}
	next := after
	if len(recs) > 0 {
		next = recs[len(recs)-1].ChangeSeq
	}
	w.Header().Set("Content-Type", "application/x-ndjson; charset=utf-8")
	w.Header().Set("X-Next-After", strconv.FormatInt(next, 10))
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	for _, rec := range recs {
		if err := enc.Encode(recordJSON(rec)); err != nil {
			return nil // the client went away; the status is sent
		}
	}
	_ = bw.Flush()
	return nil
}

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

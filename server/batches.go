package server

import (
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/storage"
)

// maxTextLen bounds the batch's text fields, in characters.
const maxTextLen = 500

func (s *Server) createBatch(w http.ResponseWriter, r *http.Request) error {
	var nb NewBatch
	if err := s.decodeJSON(w, r, &nb); err != nil {
		return err
	}
	sb, err := validateBatch(nb)
	if err != nil {
		return err
	}
	tok, _ := tokenFrom(r.Context())
	sb.Metadata[metaCreatedBy] = tok.ID
	b, err := s.store.CreateBatch(r.Context(), sb)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, batchJSON(b))
	return nil
}

// validateBatch checks and normalises (NFC, trimmed) a NewBatch.
func validateBatch(nb NewBatch) (storage.NewBatch, error) {
	out := storage.NewBatch{RegisterType: nb.RegisterType, Year: nb.Year, Metadata: map[string]any{}}
	for _, f := range []struct {
		name string
		in   string
		out  *string
	}{
		{"name", nb.Name, &out.Name},
		{"office", nb.Office, &out.Office},
		{"book_number", nb.BookNumber, &out.BookNumber},
	} {
		v := strings.TrimSpace(norm.NFC.String(f.in))
		if utf8.RuneCountInString(v) > maxTextLen {
			return storage.NewBatch{}, badRequest("%s is longer than %d characters", f.name, maxTextLen)
		}
		if strings.ContainsFunc(v, unicode.IsControl) {
			return storage.NewBatch{}, badRequest("%s contains control characters", f.name)
		}
		*f.out = v
	}
	if out.Name == "" {
		return storage.NewBatch{}, badRequest("name is required")
	}
	switch nb.RegisterType {
	case "", models.Birth, models.Marriage, models.Death:
	default:
		return storage.NewBatch{}, badRequest("register_type %q: want birth, marriage or death (or leave it out for a mixed batch)", nb.RegisterType)
	}
	if nb.Year != 0 && (nb.Year < 1800 || nb.Year > 2200) {
		return storage.NewBatch{}, badRequest("year %d: want a year between 1800 and 2200 (or leave it out)", nb.Year)
	}
	p := nb.Priority
	if p == "" {
		p = PriorityNormal
	}
	if !p.Valid() {
		return storage.NewBatch{}, badRequest("priority %q: want urgent, normal or bulk", nb.Priority)
	}
	out.Priority = p.rank()
	for k, v := range nb.Metadata {
		if k == metaCreatedBy {
			return storage.NewBatch{}, badRequest("metadata key %q is reserved", k)
		}
		out.Metadata[k] = v
	}
	return out, nil
}

func (s *Server) listBatches(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit, err := intParam(q.Get("limit"), "limit", 0, 1000)
	if err != nil {
		return err
	}
	offset, err := intParam(q.Get("offset"), "offset", 0, 1<<31-1)
	if err != nil {
		return err
	}
	bs, err := s.store.ListBatches(r.Context(), storage.ListBatchesOptions{Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	out := make([]Batch, len(bs))
	for i, b := range bs {
		out[i] = batchJSON(b)
	}
	writeJSON(w, http.StatusOK, struct {
		Batches []Batch `json:"batches"`
	}{out})
	return nil
}

func (s *Server) getBatch(w http.ResponseWriter, r *http.Request) error {
	b, err := s.batchFor(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, batchJSON(b))
	return nil
}

func (s *Server) batchProgress(w http.ResponseWriter, r *http.Request) error {
	b, err := s.batchFor(r)
	if err != nil {
		return err
	}
	p, err := s.store.BatchProgress(r.Context(), b.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, Progress{
		BatchID: p.BatchID, Pages: p.Pages, States: p.States, Records: p.Records,
		Done: p.States[storage.PageRouted]+p.States[storage.PageFailed] == p.Pages,
	})
	return nil
}

// intParam parses an optional integer query parameter within [lo, hi].
func intParam(v, name string, lo, hi int) (int, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, badRequest("%s=%q: want an integer from %d to %d", name, v, lo, hi)
	}
	return n, nil
}

package server

import (
	"context"
	"errors"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/sohoa/sohoa/storage"
)

// ExportEnqueuer puts a stored book export's task on the queue. It must be
// idempotent: an export whose enqueue failed stays queued in PostgreSQL
// and the reconciler enqueues it again.
type ExportEnqueuer interface {
	EnqueueExport(ctx context.Context, exportID string) error
}

// bookExportRequest is the body of POST /v1/books/{book}/exports; it may
// be empty.
type bookExportRequest struct {
	Format  string `json:"format"`   // zip (default), xlsx, csv or jsonl
	BatchID string `json:"batch_id"` // only this batch's records
	// What a zip's PDFs hold of their page: access (default: its access
	// copy, at most 200 dpi, where one was made) or original.
	PageImage string `json:"page_image"`
}

// bookExportJSON is a book export as the API shows it.
type bookExportJSON struct {
	ID         string     `json:"id"`
	Book       string     `json:"book"`
	BatchID    string     `json:"batch_id,omitempty"`
	Format     string     `json:"format"`
	PageImage  string     `json:"page_image"`
	State      string     `json:"state"`
	Attempts   int        `json:"attempts"`
	Error      string     `json:"error,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	StartedAt  *time.Time `json:"started_at,omitempty"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	// Once done: whether the export is final, what it holds, its file name
	// and a download URL valid until URLExpires.
	Final      *bool      `json:"final,omitempty"`
	Status     string     `json:"status,omitempty"` // final or partial
	FileName   string     `json:"file_name,omitempty"`
	Size       int64      `json:"size,omitempty"`
	Exported   int        `json:"exported"`
	Pending    int        `json:"pending"`
	Rejected   int        `json:"rejected"`
	Duplicates int        `json:"duplicates"`
	Unresolved int        `json:"unresolved_duplicates"`
	URL        string     `json:"url,omitempty"`
	URLExpires *time.Time `json:"url_expires,omitempty"`
}

// exportURLExpiry is the lifetime of a done export's download URL; each
// GET gives a fresh one.
const exportURLExpiry = time.Hour

// createBookExport serves POST /v1/books/{book}/exports
// [{"format": "zip|xlsx|csv|jsonl", "batch_id": ID}]: it stores the export
// as queued, queues its task and answers 202 with the export and its
// Location; an export of the same book, batch, format and page image
// queued or running already is answered instead (200), so a loader may
// repeat its request safely. A worker writes it into the object store
// (package bookexport);
// GET /v1/exports/{id} tells when it is done and gives its download URL.
// A book number holding "/" is passed escaped (01%2F2019).
func (s *Server) createBookExport(w http.ResponseWriter, r *http.Request) error {
	book := strings.TrimSpace(r.PathValue("book"))
	if book == "" {
		return badRequest("the book number is empty")
	}
	var req bookExportRequest
	if r.ContentLength != 0 {
		if err := s.decodeJSON(w, r, &req); err != nil {
			return err
		}
	}
	if req.Format == "" {
		req.Format = "zip"
	}
	if req.BatchID != "" {
		if _, err := s.store.GetBatch(r.Context(), req.BatchID); errors.Is(err, storage.ErrNotFound) {
			return notFoundf("no batch %q", req.BatchID)
		} else if err != nil {
			return err
		}
	}
	// A book with no records would export as an empty "final" book.
	some, _, err := s.store.ListBookRecords(r.Context(), storage.BookRecordsOptions{Book: book, BatchID: req.BatchID, Limit: 1})
	if err != nil {
		return err
	}
	if len(some) == 0 {
		if req.BatchID != "" {
			return notFoundf("book %q has no records in batch %s", book, req.BatchID)
		}
		return notFoundf("book %q has no records", book)
	}
	tok, _ := tokenFrom(r.Context())
	e, existing, err := s.store.CreateBookExport(r.Context(), storage.NewBookExport{
		Book: book, BatchID: req.BatchID, Format: req.Format, PageImage: req.PageImage, RequestedBy: tok.ID,
	})
	if errors.Is(err, storage.ErrNotFound) {
		return notFoundf("no batch %q", req.BatchID)
	}
	if err != nil {
		return err // an unknown format is storage.ErrInvalid: 400
	}
	if s.exports != nil {
		if err := s.exports.EnqueueExport(r.Context(), e.ID); err != nil {
			// Stored as queued: the reconciler enqueues it.
			s.log.Warn("cannot enqueue book export; the reconciler will", "export", e.ID, "err", err)
		}
	}
	w.Header().Set("Location", "/v1/exports/"+e.ID)
	status := http.StatusAccepted
	if existing {
		status = http.StatusOK // the same export, queued or running already
	}
	writeJSON(w, status, s.exportJSON(r, e))
	return nil
}

// getExport serves GET /v1/exports/{id}.
func (s *Server) getExport(w http.ResponseWriter, r *http.Request) error {
	e, err := s.store.GetBookExport(r.Context(), r.PathValue("id"))
	if errors.Is(err, storage.ErrNotFound) {
		return notFoundf("no export %q", r.PathValue("id"))
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.exportJSON(r, e))
	return nil
}

// listBookExports serves GET /v1/books/{book}/exports: the book's
// exports, newest first.
func (s *Server) listBookExports(w http.ResponseWriter, r *http.Request) error {
	es, err := s.store.ListBookExports(r.Context(), strings.TrimSpace(r.PathValue("book")), 100)
	if err != nil {
		return err
	}
	out := make([]bookExportJSON, 0, len(es))
	for _, e := range es {
		out = append(out, s.exportJSON(r, e))
	}
	writeJSON(w, http.StatusOK, map[string]any{"exports": out})
	return nil
}

// exportJSON shows e; a done export gets a fresh download URL (none when
// presigning fails, which is logged).
func (s *Server) exportJSON(r *http.Request, e storage.BookExport) bookExportJSON {
	j := bookExportJSON{
		ID: e.ID, Book: e.Book, BatchID: e.BatchID, Format: e.Format, PageImage: e.PageImage, State: string(e.State),
		Attempts: e.Attempts, Error: e.Error, CreatedAt: e.CreatedAt,
	}
	if !e.StartedAt.IsZero() {
		j.StartedAt = &e.StartedAt
	}
	if !e.FinishedAt.IsZero() {
		j.FinishedAt = &e.FinishedAt
	}
	if e.State != storage.ExportDone {
		return j
	}
	final := e.Final
	j.Final, j.Status = &final, "partial"
	if final {
		j.Status = "final"
	}
	j.FileName, j.Size = path.Base(e.Key), e.Size
	j.Exported, j.Pending, j.Rejected, j.Duplicates, j.Unresolved = e.Exported, e.Pending, e.Rejected, e.Duplicates, e.Unresolved
	u, err := s.objects.PresignedGet(r.Context(), storage.ExportKey(e.Key), exportURLExpiry)
	if err != nil {
		s.log.Warn("cannot presign a book export", "export", e.ID, "err", err)
		return j
	}
	exp := time.Now().Add(exportURLExpiry).UTC().Truncate(time.Second)
	j.URL, j.URLExpires = u.String(), &exp
	return j
}

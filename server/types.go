package server

import (
	"fmt"
	"time"

	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/storage"
)

// Priority is how soon a batch's pages are processed.
type Priority string

// Priorities, each served by its own queues so that a small urgent batch is
// not stuck behind a huge one.
const (
	PriorityUrgent Priority = "urgent"
	PriorityNormal Priority = "normal"
	PriorityBulk   Priority = "bulk"
)

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool {
	return p == PriorityUrgent || p == PriorityNormal || p == PriorityBulk
}

// QueueClass is the queue priority class of the priority: critical,
// default or low. Each class has a queue per pipeline stage (see package
// queue), weighted so that an urgent batch goes first.
func (p Priority) QueueClass() string {
	switch p {
	case PriorityUrgent:
		return "critical"
	case PriorityBulk:
		return "low"
	}
	return "default"
}

// rank is the priority as stored in batches.priority (higher first).
func (p Priority) rank() int {
	switch p {
	case PriorityUrgent:
		return 10
	case PriorityBulk:
		return -10
	}
	return 0
}

// priorityOf maps a stored rank back to a Priority.
func priorityOf(rank int) Priority {
	switch {
	case rank > 0:
		return PriorityUrgent
	case rank < 0:
		return PriorityBulk
	}
	return PriorityNormal
}

// metaCreatedBy is the batch metadata key holding the id of the token that
// created it; clients may not set it.
const metaCreatedBy = "created_by"

// NewBatch is the body of POST /v1/batches: the book's metadata. Name is
// required; Priority defaults to normal; Metadata holds anything else
// worth keeping about the book (notes, shelf mark, …).
type NewBatch struct {
	Name         string              `json:"name"`
	Office       string              `json:"office"`
	RegisterType models.RegisterType `json:"register_type"`
	BookNumber   string              `json:"book_number"`
	Year         int                 `json:"year"`
	Priority     Priority            `json:"priority"`
	Metadata     map[string]any      `json:"metadata"`
}

// Batch is a batch as the API shows it.
type Batch struct {
	ID           string              `json:"id"`
	Name         string              `json:"name"`
	Office       string              `json:"office"`
	RegisterType models.RegisterType `json:"register_type"`
	BookNumber   string              `json:"book_number"`
	Year         int                 `json:"year,omitempty"`
	Priority     Priority            `json:"priority"`
	CreatedBy    string              `json:"created_by,omitempty"` // token id
	CreatedAt    time.Time           `json:"created_at"`
	Metadata     map[string]any      `json:"metadata"`
}

func batchJSON(b storage.Batch) Batch {
	meta := map[string]any{}
	var createdBy string
	for k, v := range b.Metadata {
		if k == metaCreatedBy {
			createdBy, _ = v.(string)
			continue
		}
		meta[k] = v
	}
	return Batch{
		ID: b.ID, Name: b.Name, Office: b.Office, RegisterType: b.RegisterType, BookNumber: b.BookNumber,
		Year: b.Year, Priority: priorityOf(b.Priority), CreatedBy: createdBy, CreatedAt: b.CreatedAt, Metadata: meta,
	}
}

// Progress counts a batch's pages per state and records per status.
type Progress struct {
	BatchID string                    `json:"batch_id"`
	Pages   int                       `json:"pages"`
	States  map[storage.PageState]int `json:"states"`
	Records map[models.Status]int     `json:"records"`
	// Done: every page is routed or failed.
	Done bool `json:"done"`
}

// Page is a page as the API shows it.
type Page struct {
	ID             string    `json:"id"`
	BatchID        string    `json:"batch_id"`
	SHA256         string    `json:"sha256"`
	Source         string    `json:"source"`
	State          string    `json:"state"`
	Attempts       int       `json:"attempts"`
	LastError      string    `json:"last_error,omitempty"`
	DHash          string    `json:"dhash,omitempty"` // 16 hex digits
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	StateChangedAt time.Time `json:"state_changed_at"`
}

func pageJSON(p storage.Page) Page {
	out := Page{
		ID: p.ID, BatchID: p.BatchID, SHA256: p.SHA256, Source: p.Source, State: string(p.State),
		Attempts: p.Attempts, LastError: p.LastError, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
		StateChangedAt: p.StateChangedAt,
	}
	if p.DHash != nil {
		out.DHash = fmt.Sprintf("%016x", *p.DHash)
	}
	return out
}

// PageDetail answers GET /v1/pages/{id}: the page and the other pages
// that hold records of the same book and entry numbers.
type PageDetail struct {
	Page
	// SameEntries: the pages, other than this one, with records of the same
	// register book and entry number as one of its records (rejected
	// records aside), most shared entries first: the same sheet scanned
	// again when all its entries are shared. Unlike "similar_to" on
	// upload, which compares whole-page images and cannot tell apart two
	// sheets of one printed form, this compares what was read. Empty
	// until the page's records are extracted; a scanner sees those of its
	// own batches only.
	SameEntries []EntryTwin `json:"same_entries"`
}

// EntryTwin is a page holding Entries of another page's entries.
type EntryTwin struct {
	PageID  string `json:"page_id"`
	BatchID string `json:"batch_id"`
	Source  string `json:"source"`
	Entries int    `json:"entries"`
}

// BatchSameEntries answers GET /v1/batches/{id}/same-entries.
type BatchSameEntries struct {
	BatchID string            `json:"batch_id"`
	Pages   []PageSameEntries `json:"pages"`
}

// PageSameEntries is a page of the batch and the other pages holding some
// of its entries.
type PageSameEntries struct {
	PageID      string      `json:"page_id"`
	Source      string      `json:"source"`
	SameEntries []EntryTwin `json:"same_entries"`
}

// SimilarPage is another page whose image is Distance bits (of 64) from an
// upload's: probably the same sheet scanned again.
type SimilarPage struct {
	PageID   string `json:"page_id"`
	BatchID  string `json:"batch_id"`
	Source   string `json:"source"`
	Distance int    `json:"distance"`
}

// UploadResult answers a page upload (201) or an upload of an image the
// server has already (200, Duplicate set, the existing page, nothing
// processed again).
type UploadResult struct {
	Page
	Duplicate bool          `json:"duplicate"`
	SimilarTo []SimilarPage `json:"similar_to"`
	// Queued: the cleanup stage was enqueued. When false the page waits in
	// state uploaded for the reconciler.
	Queued bool `json:"queued"`
}

// UploadRequest is the body of POST /v1/batches/{id}/uploads, which asks
// for a presigned PUT URL.
type UploadRequest struct {
	SHA256   string `json:"sha256"`
	Filename string `json:"filename"`
	Size     int64  `json:"size"`
}

// UploadTicket answers an UploadRequest: PUT the bytes to URL with Headers,
// then call POST /v1/batches/{id}/uploads/complete. When the server has
// the image already, Duplicate is set, Page is the existing page and there
// is nothing to upload.
type UploadTicket struct {
	Duplicate bool              `json:"duplicate"`
	Page      *Page             `json:"page,omitempty"`
	URL       string            `json:"url,omitempty"`
	Method    string            `json:"method,omitempty"`
	Headers   map[string]string `json:"headers,omitempty"`
	ExpiresAt time.Time         `json:"expires_at,omitzero"`
}

// CompleteUpload is the body of POST /v1/batches/{id}/uploads/complete.
type CompleteUpload struct {
	SHA256   string `json:"sha256"`
	Filename string `json:"filename"`
}

// FailedTask is a task that ran out of retries (archived), with its error.
type FailedTask struct {
	ID       string    `json:"id"`
	Queue    string    `json:"queue"` // e.g. "critical:ocr" (priority class:stage)
	Type     string    `json:"type"`
	PageID   string    `json:"page_id,omitempty"`
	ExportID string    `json:"export_id,omitempty"` // a book export's task
	Error    string    `json:"error"`
	FailedAt time.Time `json:"failed_at"`
	Retried  int       `json:"retried"`
}

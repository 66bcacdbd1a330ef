// Package models holds the record contract shared by the pipeline, the
// service and every export: the types of ../shared/spec/record-format.md (v1).
package models

// RegisterType names the civil-status register a record belongs to.
type RegisterType string

// Register types known to the record format.
const (
	Birth    RegisterType = "birth"
	Marriage RegisterType = "marriage"
	Death    RegisterType = "death"
)

// Status of a record or a field.
type Status string

// Statuses defined by the record format.
const (
	StatusAccepted Status = "accepted"
	StatusReview   Status = "review"
	StatusVerified Status = "verified"
	StatusRejected Status = "rejected"
	// StatusDeleted is never stored: the pull API (GET /v1/records) sends
	// a record deleted since the cursor with this status and no fields (a
	// page extracted again with fewer entries, or deleted).
	StatusDeleted Status = "deleted"
)

// BBox is x0, y0, x1, y1 in original-page pixels.
type BBox [4]int

// Field is one extracted value with its provenance and routing decision.
type Field struct {
	Value      *string  `json:"value"`
	Raw        string   `json:"raw"`
	Confidence float64  `json:"confidence"`
	Status     Status   `json:"status"`
	Reasons    []string `json:"reasons"`
	BBox       BBox     `json:"bbox"`
}

// Record is one entry of a register page.
type Record struct {
	ID           string           `json:"id"`
	Source       string           `json:"source"`
	PageSHA256   string           `json:"page_sha256"`
	EntryIndex   int              `json:"entry_index"`
	RegisterType RegisterType     `json:"register_type"`
	Template     string           `json:"template"`
	Status       Status           `json:"status"`
	Fields       map[string]Field `json:"fields"`
	Warnings     []string         `json:"warnings"`
	// Error is set when the page could not be processed (proposed addition
	// to the v1 format: such a page still appears in the output, with status
	// review and no fields, so nothing is dropped silently).
	Error string `json:"error,omitempty"`
}

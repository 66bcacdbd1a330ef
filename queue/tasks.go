package queue

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/sohoa/sohoa/storage"
)

// Stage is one step of a page's processing, run by one task.
type Stage string

// The pipeline's stages, in order.
const (
	// StageCleanup decodes the original, cleans it up (deskew, enhance,
	// binarise) and stores the cleaned page: uploaded → cleaned.
	StageCleanup Stage = "cleanup"
	// StageOCR reads the cleaned page and extracts its records:
	// cleaned → recognized → extracted.
	StageOCR Stage = "ocr"
	// StageRouting counts the page's accepted and review fields and marks
	// it done: extracted → routed.
	StageRouting Stage = "routing"
)

// Stages lists every stage in pipeline order.
func Stages() []Stage { return []Stage{StageCleanup, StageOCR, StageRouting} }

// Task type names, one per stage.
const (
	TypeCleanup = "page:cleanup"
	TypeOCR     = "page:ocr"
	TypeRouting = "page:routing"
)

// TaskType is the asynq task type name of the stage.
func (s Stage) TaskType() string { return "page:" + string(s) }

// Valid reports whether s is a known stage.
func (s Stage) Valid() bool {
	switch s {
	case StageCleanup, StageOCR, StageRouting:
		return true
	}
	return false
}

// stageOfType returns the stage whose task type is typ.
func stageOfType(typ string) (Stage, bool) {
	s := Stage(strings.TrimPrefix(typ, "page:"))
	return s, s.Valid() && s.TaskType() == typ
}

// StageFor is the stage that works on a page in state st; false for a
// terminal state. A page found in recognized (a state the OCR stage passes
// through within one transaction) is given to the OCR stage again.
func StageFor(st storage.PageState) (Stage, bool) {
	switch st {
	case storage.PageUploaded:
		return StageCleanup, true
	case storage.PageCleaned, storage.PageRecognized:
		return StageOCR, true
	case storage.PageExtracted:
		return StageRouting, true
	}
	return "", false
}

// accepts reports whether the stage works on a page in state st.
func (s Stage) accepts(st storage.PageState) bool {
	got, ok := StageFor(st)
	return ok && got == s
}

// Queue names. A page's tasks all go to the queue of its batch's priority
// (QueueFor); the worker serves them with weights (DefaultQueues), so a
// small urgent batch is not stuck behind a huge one.
const (
	QueueCritical = "critical"
	QueueDefault  = "default"
	QueueLow      = "low"
)

// Queues lists the queue names, most urgent first.
func Queues() []string { return []string{QueueCritical, QueueDefault, QueueLow} }

// DefaultQueues are the weights `sohoa worker` serves the queues with: of
// every ten tasks taken while all queues are busy, about six are critical,
// three default and one low.
func DefaultQueues() map[string]int {
	return map[string]int{QueueCritical: 6, QueueDefault: 3, QueueLow: 1}
}

// QueueFor maps a batch priority (storage.Batch.Priority, higher first) to
// a queue: above 0 critical, 0 default, below 0 low.
func QueueFor(priority int) string {
	switch {
	case priority > 0:
		return QueueCritical
	case priority < 0:
		return QueueLow
	}
	return QueueDefault
}

// Payload is the body of every stage task.
type Payload struct {
	PageID string `json:"page_id"`
}

func encodePayload(pageID string) []byte {
	b, _ := json.Marshal(Payload{PageID: pageID}) // cannot fail
	return b
}

func decodePayload(b []byte) (Payload, error) {
	var p Payload
	if err := json.Unmarshal(b, &p); err != nil {
		return Payload{}, fmt.Errorf("queue: task payload: %w", err)
	}
	if p.PageID == "" {
		return Payload{}, fmt.Errorf("queue: task payload has no page_id")
	}
	return p, nil
}

// TaskID is the id of the stage's task for a page: "<stage>:<page_id>" for
// the first task, "<stage>:<page_id>:<n>" (n ≥ 2) for the n-th, which is
// only drawn while the earlier ids are still retained by asynq as
// completed (see Client.EnqueueStage).
func TaskID(stage Stage, pageID string, n int) string {
	if n <= 1 {
		return string(stage) + ":" + pageID
	}
	return string(stage) + ":" + pageID + ":" + strconv.Itoa(n)
}

package queue

import (
	"encoding/json"
	"fmt"
	"slices"
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

// Priority classes: the first part of a queue name (ClassFor).
const (
	ClassCritical = "critical"
	ClassDefault  = "default"
	ClassLow      = "low"
)

// Classes lists the priority classes, most urgent first.
func Classes() []string { return []string{ClassCritical, ClassDefault, ClassLow} }

// ClassFor maps a batch priority (storage.Batch.Priority, higher first) to
// its class: above 0 critical, 0 default, below 0 low.
func ClassFor(priority int) string {
	switch {
	case priority > 0:
		return ClassCritical
	case priority < 0:
		return ClassLow
	}
	return ClassDefault
}

// classWeight is the share of the workers a class gets against the others
// (6:3:1, the weights of the old per-class queues); 0 for an unknown class.
func classWeight(class string) int {
	switch class {
	case ClassCritical:
		return 6
	case ClassDefault:
		return 3
	case ClassLow:
		return 1
	}
	return 0
}

// weight is how strongly the stage is preferred over the earlier ones of
// the same class: doubled at each stage, so that a backlog of a later stage
// shrinks faster than the earlier stage can feed it (see Queues).
func (s Stage) weight() int {
	switch s {
	case StageCleanup:
		return 1
	case StageOCR:
		return 2
	case StageRouting:
		return 4
	}
	return 0
}

// QueueName is the queue of the stage's tasks in the class: "<class>:<stage>".
func QueueName(class string, s Stage) string { return class + ":" + string(s) }

// QueueFor is the queue of the stage's tasks for a page of a batch of the
// given priority.
func QueueFor(priority int, s Stage) string { return QueueName(ClassFor(priority), s) }

// Queues lists every queue workers serve, most urgent first: by class,
// critical first, and within a class the stage queues, later stages
// first, then the class's legacy queue; last the book exports' queue
// (QueueExports).
//
// A page's task goes to the queue of its batch's priority class and of the
// task's stage, named "<class>:<stage>" (QueueName): "critical:routing",
// "default:ocr", "low:cleanup"… ":" is safe in both places a name goes: in
// asynq's Redis keys it sits inside "{…}" and nothing parses it back, and in
// the URL POST /v1/tasks/{queue}/{id}/retry it is a plain path character
// (task ids hold one already).
//
// How the weights order the work. asynq v0.26 (processor.queues, then
// rdb.Dequeue) takes each task from the first non-empty queue of a list in
// which each queue appears weight times, shuffled: the queue it takes from
// is the one of the first copy of a non-empty queue, that is a non-empty
// queue q with probability weight(q) / (the sum of the weights of the
// non-empty queues), however many tasks each holds. A queue's weight is its
// class weight (critical 6, default 3, low 1) times its stage weight
// (routing 4, ocr 2, cleanup 1: DefaultQueues):
//
//   - Within a class a page already started goes first. With cleanup and OCR
//     tasks waiting the next task is an OCR one with probability 2/3
//     (routing against cleanup 4/5; all three: routing 4/7, OCR 2/7, cleanup
//     1/7). An OCR task queued behind 1,000 cleanups waits for 0.5 of them
//     on average, and is taken within the next 2 tasks with probability 8/9
//     and 3 with 26/27, where FIFO made it wait for all 1,000. The OCR
//     backlog grows by one with probability at most 1/3 and shrinks with at
//     least 2/3, so it stays short (about 1.3 pages on average, and under
//     20 at its peak, in 20,000 simulated 60-page batches): pages flow through, and a
//     big batch's first records come after a few cleanups, not at the end.
//   - Between classes the ratio is 6:3:1 as before whenever the classes are
//     at the same mix of stages (two batches both in flow: 42:21). Only a
//     batch that has just started is diluted: its first cleanups (6 for an
//     urgent one) compete with the later stages of a batch in flow, and take
//     at least 6/13 of the tasks against a low batch (1+2+4), 6/27 against a
//     default one (3+6+12), until its first page is cleaned: its OCR weighs
//     12, its routing 24, so an urgent batch is not stuck behind a big one.
//
// Not StrictPriority: asynq's strict mode orders all of a worker's queues
// at once, so preferring later stages strictly would also serve classes
// strictly, and a bulk batch would wait for every urgent and normal page.
// Weights keep every class moving. (Workers may still choose it:
// WorkerConfig.StrictPriority.)
//
// Before the stage queues, all of a page's tasks went to the queue named
// after its class alone: "critical", "default", "low" (LegacyQueues).
// Workers still serve those, at the weight of their class's cleanup queue
// (what an upgrade leaves there is mostly a backlog of cleanups), and the
// next stage of a task taken from one goes to the stage queues. This is
// simpler and safer than moving the tasks: asynq has no move, deleting and
// adding again races with the workers running them, and workers of the old
// version, during a rolling upgrade, keep adding to those queues. A page
// waiting there long enough for the reconciler to find it may get a second
// task in its stage queue (a task id is unique within a queue only); the
// run that comes second finds the page moved and does nothing. Drop the
// legacy queues once sohoa_queue_depth and sohoa_queue_failed_tasks show
// them empty on every deployment.
func Queues() []string { return append(PageQueues(), QueueExports) }

// PageQueues lists the queues of page tasks (Queues without QueueExports),
// most urgent first.
func PageQueues() []string {
	var out []string
	for _, c := range Classes() {
		for _, s := range stagesLastFirst() {
			out = append(out, QueueName(c, s))
		}
		out = append(out, c)
	}
	return out
}

// LegacyQueues are the queues of before the stage queues, one per class
// and named after it, still served while tasks may be left in them (see
// Queues).
func LegacyQueues() []string { return Classes() }

// stagesLastFirst lists the stages in reverse pipeline order.
func stagesLastFirst() []Stage {
	s := Stages()
	slices.Reverse(s)
	return s
}

// DefaultQueues are the weights `sohoa worker` serves the queues with: each
// stage queue its class weight times its stage weight, each legacy queue
// its class weight (as its class's cleanup queue). See Queues for what
// they make asynq do.
func DefaultQueues() map[string]int {
	out := map[string]int{}
	for _, c := range Classes() {
		classQueues(out, c, classWeight(c))
	}
	return out
}

// classQueues sets in m the weights of the class's queues for a class
// weight w: each stage queue w times its stage weight, the legacy queue w
// (that of the cleanup queue).
func classQueues(m map[string]int, class string, w int) {
	for _, s := range Stages() {
		m[QueueName(class, s)] = w * s.weight()
	}
	m[class] = w * StageCleanup.weight()
}

// parseQueue splits a queue name into its class and stage; the stage is ""
// for a legacy queue. ok is false for a name that is not a queue of this
// package.
func parseQueue(name string) (class string, stage Stage, ok bool) {
	class, st, staged := strings.Cut(name, ":")
	if classWeight(class) == 0 {
		return "", "", false
	}
	if !staged {
		return class, "", true
	}
	stage = Stage(st)
	return class, stage, stage.Valid()
}

// knownQueue reports whether name is a queue of this package (a stage
// queue or a legacy one).
func knownQueue(name string) bool {
	_, _, ok := parseQueue(name)
	return ok || name == QueueExports
}

// classOf is the class of a queue of this package.
func classOf(queue string) (string, bool) {
	class, _, ok := parseQueue(queue)
	return class, ok
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

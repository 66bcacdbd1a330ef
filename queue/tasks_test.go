package queue

import (
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/sohoa/sohoa/storage"
)

func TestStageFor(t *testing.T) {
	tests := []struct {
		state storage.PageState
		want  Stage
		ok    bool
	}{
		{storage.PageUploaded, StageCleanup, true},
		{storage.PageCleaned, StageOCR, true},
		{storage.PageRecognized, StageOCR, true},
		{storage.PageExtracted, StageRouting, true},
		{storage.PageRouted, "", false},
		{storage.PageFailed, "", false},
	}
	for _, tc := range tests {
		got, ok := StageFor(tc.state)
		if got != tc.want || ok != tc.ok {
			t.Errorf("StageFor(%s) = %q, %v; want %q, %v", tc.state, got, ok, tc.want, tc.ok)
		}
	}
}

func TestTaskNames(t *testing.T) {
	for _, tc := range []struct {
		stage Stage
		typ   string
	}{{StageCleanup, TypeCleanup}, {StageOCR, TypeOCR}, {StageRouting, TypeRouting}} {
		if got := tc.stage.TaskType(); got != tc.typ {
			t.Errorf("%s.TaskType() = %q, want %q", tc.stage, got, tc.typ)
		}
		if s, ok := stageOfType(tc.typ); !ok || s != tc.stage {
			t.Errorf("stageOfType(%q) = %q, %v", tc.typ, s, ok)
		}
	}
	if _, ok := stageOfType("page:nonsense"); ok {
		t.Error("stageOfType accepted an unknown type")
	}
	id := "0b6c3f8e-2f43-4f0e-9d8e-5d3b8f2a9c11"
	if got := TaskID(StageOCR, id, 1); got != "ocr:"+id {
		t.Errorf("TaskID n=1 = %q", got)
	}
	if got := TaskID(StageOCR, id, 3); got != "ocr:"+id+":3" {
		t.Errorf("TaskID n=3 = %q", got)
	}
	p, err := decodePayload(encodePayload(id))
	if err != nil || p.PageID != id {
		t.Errorf("payload round trip = %+v, %v", p, err)
	}
	if string(encodePayload(id)) != `{"page_id":"`+id+`"}` {
		t.Errorf("payload = %s", encodePayload(id))
	}
	for _, bad := range []string{``, `{}`, `{"page_id":""}`, `[1]`} {
		if _, err := decodePayload([]byte(bad)); err == nil {
			t.Errorf("decodePayload(%q) accepted", bad)
		}
	}
}

func TestQueueFor(t *testing.T) {
	tests := []struct {
		priority int
		stage    Stage
		want     string
	}{
		{10, StageCleanup, "critical:cleanup"},
		{1, StageRouting, "critical:routing"},
		{0, StageOCR, "default:ocr"},
		{0, StageCleanup, "default:cleanup"},
		{-1, StageRouting, "low:routing"},
		{-7, StageOCR, "low:ocr"},
	}
	for _, tc := range tests {
		if got := QueueFor(tc.priority, tc.stage); got != tc.want {
			t.Errorf("QueueFor(%d, %s) = %q, want %q", tc.priority, tc.stage, got, tc.want)
		}
	}
}

func TestParseQueueName(t *testing.T) {
	tests := []struct {
		name  string
		class string
		stage Stage
		ok    bool
	}{
		{"critical:routing", ClassCritical, StageRouting, true},
		{"default:ocr", ClassDefault, StageOCR, true},
		{"low:cleanup", ClassLow, StageCleanup, true},
		{"default", ClassDefault, "", true}, // legacy
		{"low", ClassLow, "", true},         // legacy
		{"urgent:ocr", "", "", false},
		{"critical:print", "", "", false},
		{"critical:", "", "", false},
		{":ocr", "", "", false},
		{"critical:ocr:2", "", "", false},
		{"", "", "", false},
	}
	for _, tc := range tests {
		class, stage, ok := parseQueue(tc.name)
		if ok != tc.ok || (ok && (class != tc.class || stage != tc.stage)) {
			t.Errorf("parseQueue(%q) = %q, %q, %v; want %q, %q, %v", tc.name, class, stage, ok, tc.class, tc.stage, tc.ok)
		}
		if knownQueue(tc.name) != tc.ok {
			t.Errorf("knownQueue(%q) = %v", tc.name, !tc.ok)
		}
	}
	for _, c := range Classes() {
		for _, s := range Stages() {
			if got, ok := classOf(QueueName(c, s)); !ok || got != c {
				t.Errorf("classOf(QueueName(%s, %s)) = %q, %v", c, s, got, ok)
			}
		}
	}
}

func TestQueuesList(t *testing.T) {
	want := []string{
		"critical:routing", "critical:ocr", "critical:cleanup", "critical",
		"default:routing", "default:ocr", "default:cleanup", "default",
		"low:routing", "low:ocr", "low:cleanup", "low",
		"exports",
	}
	if got := Queues(); !slices.Equal(got, want) {
		t.Errorf("Queues() = %v, want %v", got, want)
	}
	if got := LegacyQueues(); !slices.Equal(got, []string{"critical", "default", "low"}) {
		t.Errorf("LegacyQueues() = %v", got)
	}
	for _, q := range Queues() {
		if !knownQueue(q) {
			t.Errorf("Queues() lists %q, which knownQueue refuses", q)
		}
	}
}

func TestDefaultQueueWeights(t *testing.T) {
	want := map[string]int{
		"critical:routing": 24, "critical:ocr": 12, "critical:cleanup": 6, "critical": 6,
		"default:routing": 12, "default:ocr": 6, "default:cleanup": 3, "default": 3,
		"low:routing": 4, "low:ocr": 2, "low:cleanup": 1, "low": 1,
	}
	if got := DefaultQueues(); !maps.Equal(got, want) {
		t.Errorf("DefaultQueues() = %v, want %v", got, want)
	}
}

// pickChance is the probability that asynq v0.26 takes the next task from
// queue q when the queues in busy (q among them) are the non-empty ones:
// processor.queues shuffles a list holding each queue weight times and
// rdb.Dequeue takes from the first non-empty one, so each non-empty queue
// is first with a chance in proportion to its weight.
func pickChance(weights map[string]int, q string, busy ...string) float64 {
	sum := 0
	for _, b := range busy {
		sum += weights[b]
	}
	return float64(weights[q]) / float64(sum)
}

// The default weights do what Queues says: within a class a started page
// goes before a new one, by at least 2 to 1 at each stage (so a backlog of
// the later stage shrinks faster than the earlier one feeds it); between
// classes the old 6:3:1 holds stage for stage; an urgent batch's first
// cleanups are not starved by a big batch in full flow; a legacy queue
// weighs as its class's cleanup queue.
func TestDefaultWeightsOrderTheWork(t *testing.T) {
	w := DefaultQueues()
	for _, c := range Classes() {
		cleanup, ocr, routing := QueueName(c, StageCleanup), QueueName(c, StageOCR), QueueName(c, StageRouting)
		for _, tc := range []struct {
			later, earlier string
		}{{ocr, cleanup}, {routing, ocr}, {routing, cleanup}} {
			if p := pickChance(w, tc.later, tc.later, tc.earlier); p < 2.0/3 {
				t.Errorf("%s against %s: taken first with probability %.2f, want at least 2/3", tc.later, tc.earlier, p)
			}
		}
		if p := pickChance(w, cleanup, cleanup, ocr, routing); p > 1.0/7+1e-9 {
			t.Errorf("%s with all of its class busy: probability %.2f, want at most 1/7", cleanup, p)
		}
		if w[c] != w[cleanup] {
			t.Errorf("legacy queue %s weighs %d, its cleanup queue %d", c, w[c], w[cleanup])
		}
	}
	for _, pair := range [][2]string{{ClassCritical, ClassDefault}, {ClassDefault, ClassLow}, {ClassCritical, ClassLow}} {
		hi, lo := pair[0], pair[1]
		for _, s := range Stages() {
			got := float64(w[QueueName(hi, s)]) / float64(w[QueueName(lo, s)])
			if want := float64(classWeight(hi)) / float64(classWeight(lo)); got != want {
				t.Errorf("%s against %s at stage %s: ratio %.2f, want %.2f", hi, lo, s, got, want)
			}
		}
		// A new batch of class hi (cleanups only) against a batch of
		// class lo with all its stages busy.
		busy := []string{QueueName(hi, StageCleanup), QueueName(lo, StageCleanup), QueueName(lo, StageOCR), QueueName(lo, StageRouting)}
		if p := pickChance(w, busy[0], busy...); p < 0.2 {
			t.Errorf("a new %s batch against a %s batch in flow gets %.2f of the tasks, want at least 1/5", hi, lo, p)
		}
	}
}

func TestServerQueues(t *testing.T) {
	d := DefaultQueues()
	if got := serverQueues(d, false); !maps.Equal(got, d) {
		t.Errorf("serverQueues(weighted) = %v, want the weights as given", got)
	}
	strict := serverQueues(d, true)
	qs := PageQueues()
	if len(strict) != len(qs) {
		t.Fatalf("serverQueues(strict) = %v: not every queue", strict)
	}
	for i := 1; i < len(qs); i++ {
		if strict[qs[i-1]] <= strict[qs[i]] {
			t.Errorf("strict: %s (%d) is not served before %s (%d)", qs[i-1], strict[qs[i-1]], qs[i], strict[qs[i]])
		}
	}
	some := serverQueues(map[string]int{"low:cleanup": 9, "critical:ocr": 1, "default:routing": 5}, true)
	if len(some) != 3 || !(some["critical:ocr"] > some["default:routing"] && some["default:routing"] > some["low:cleanup"]) {
		t.Errorf("serverQueues(strict, three queues) = %v, want critical:ocr > default:routing > low:cleanup", some)
	}
}

func TestParseQueues(t *testing.T) {
	tests := []struct {
		in   string
		want map[string]int
		err  bool
	}{
		// The old per-class form means all of each class's queues.
		{"critical=6,default=3,low=1", DefaultQueues(), false},
		{" default = 2 ", map[string]int{"default:routing": 8, "default:ocr": 4, "default:cleanup": 2, "default": 2}, false},
		{"critical:ocr=1,", map[string]int{"critical:ocr": 1}, false},
		{"critical:ocr=5,low=1", map[string]int{"critical:ocr": 5, "low:routing": 4, "low:ocr": 2, "low:cleanup": 1, "low": 1}, false},
		{"", nil, true},
		{"default", nil, true},
		{"default=0", nil, true},
		{"default:ocr=0", nil, true},
		{"default=x", nil, true},
		{"urgent=3", nil, true},
		{"critical:print=3", nil, true},
		{"low=1,low=2", nil, true},
		{"low:ocr=1,low:ocr=2", nil, true},
		{"critical=6,critical:ocr=3", nil, true},
		{"critical:cleanup=3,critical=6", nil, true},
	}
	for _, tc := range tests {
		got, err := ParseQueues(tc.in)
		if (err != nil) != tc.err {
			t.Errorf("ParseQueues(%q) error = %v, want error %v", tc.in, err, tc.err)
			continue
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseQueues(%q) error %v is not ErrInvalid", tc.in, err)
		}
		if !tc.err && !maps.Equal(got, tc.want) {
			t.Errorf("ParseQueues(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestParseRedis(t *testing.T) {
	opt, err := ParseRedis("127.0.0.1:56379")
	if err != nil || opt.(asynq.RedisClientOpt).Addr != "127.0.0.1:56379" {
		t.Errorf("host:port = %+v, %v", opt, err)
	}
	opt, err = ParseRedis("redis://127.0.0.1:6379/4")
	if err != nil {
		t.Fatal(err)
	}
	if o := opt.(asynq.RedisClientOpt); o.Addr != "127.0.0.1:6379" || o.DB != 4 {
		t.Errorf("URL = %+v", o)
	}
	for _, bad := range []string{"", "redis://host:1/notanumber", "http://x"} {
		if _, err := ParseRedis(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseRedis(%q) error = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestOptionsDefaults(t *testing.T) {
	o := Options{Timeouts: map[Stage]time.Duration{StageOCR: time.Second}}.withDefaults()
	d := DefaultOptions()
	if o.Timeouts[StageOCR] != time.Second || o.Timeouts[StageCleanup] != d.Timeouts[StageCleanup] ||
		o.MaxRetry != d.MaxRetry || o.Retention != d.Retention {
		t.Errorf("withDefaults = %+v", o)
	}
}

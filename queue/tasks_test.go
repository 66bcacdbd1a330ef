package queue

import (
	"errors"
	"maps"
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
	for prio, want := range map[int]string{10: QueueCritical, 1: QueueCritical, 0: QueueDefault, -1: QueueLow, -7: QueueLow} {
		if got := QueueFor(prio); got != want {
			t.Errorf("QueueFor(%d) = %q, want %q", prio, got, want)
		}
	}
}

func TestParseQueues(t *testing.T) {
	tests := []struct {
		in   string
		want map[string]int
		err  bool
	}{
		{"critical=6,default=3,low=1", DefaultQueues(), false},
		{" default = 2 ", map[string]int{"default": 2}, false},
		{"critical=1,", map[string]int{"critical": 1}, false},
		{"", nil, true},
		{"default", nil, true},
		{"default=0", nil, true},
		{"default=x", nil, true},
		{"urgent=3", nil, true},
		{"low=1,low=2", nil, true},
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

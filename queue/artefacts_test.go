package queue

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"testing"

	"github.com/sohoa/sohoa/storage"
)

// TestSplitCleaned: the one object of a cleaned page parses back into its
// JSON and its two blocks; anything else is an error naming what is wrong,
// and a page cleaned under another version reads as missing (the OCR task
// then cleans the original again).
func TestSplitCleaned(t *testing.T) {
	object := func(bin, gray string, meta cleanedPage) []byte {
		j, err := json.Marshal(meta)
		if err != nil {
			t.Fatal(err)
		}
		b := append(append([]byte(bin), gray...), j...)
		return binary.BigEndian.AppendUint32(b, uint32(len(j)))
	}
	good := cleanedPage{Version: cleanedPageVersion, Width: 3, Height: 2, BinaryBytes: 4, GrayBytes: 6}
	meta, bin, gray, err := splitCleaned(object("BBBB", "GGGGGG", good))
	if err != nil || string(bin) != "BBBB" || string(gray) != "GGGGGG" || meta.Width != 3 {
		t.Fatalf("split = %+v %q %q %v", meta, bin, gray, err)
	}
	old := good
	old.Version = 2
	if _, _, _, err := splitCleaned(object("BBBB", "GGGGGG", old)); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("another version: %v, want ErrNotFound", err)
	}
	short := good
	short.GrayBytes = 5
	whole := object("BBBB", "GGGGGG", good)
	for name, data := range map[string][]byte{
		"empty":              nil,
		"length past start":  binary.BigEndian.AppendUint32([]byte("{}"), 99),
		"not JSON":           binary.BigEndian.AppendUint32([]byte("BBnot json"), 8),
		"blocks do not fill": object("BBBB", "GGGGGG", short),
		"truncated":          whole[1:],
	} {
		if _, _, _, err := splitCleaned(data); err == nil || errors.Is(err, storage.ErrNotFound) {
			t.Errorf("%s: %v, want an error other than missing", name, err)
		}
	}
}

package queue

import (
	"testing"

	"gocv.io/x/gocv"

	"github.com/sohoa/sohoa/preprocess"
)

func handoffTestPage() *preprocess.Page {
	return &preprocess.Page{Binary: gocv.NewMatWithSize(4, 4, gocv.MatTypeCV8UC1), Gray: gocv.NewMatWithSize(4, 4, gocv.MatTypeCV8UC1)}
}

func closed(p *preprocess.Page) bool { return p.Binary.Ptr() == nil && p.Gray.Ptr() == nil }

// TestHandoff checks the hand-off of cleaned pages: taken once, by the
// original's SHA-256; a page put again for the same original replaces
// (and closes) the one held; the oldest is closed to make room; close
// closes the rest; and a hand-off of no pages closes what it is given.
func TestHandoff(t *testing.T) {
	h := newHandoff(2)
	a, b, c, a2 := handoffTestPage(), handoffTestPage(), handoffTestPage(), handoffTestPage()
	h.put("a", a)
	h.put("b", b)
	if got := h.take("a"); got != a || closed(a) {
		t.Fatalf("take(a) = %p, want %p open", got, a)
	}
	if got := h.take("a"); got != nil {
		t.Fatalf("take(a) again = %p, want nil", got)
	}
	h.put("a", a)
	h.put("a", a2) // cleaned again: replaces
	if !closed(a) || closed(a2) {
		t.Errorf("replaced page closed %v, new one closed %v", closed(a), closed(a2))
	}
	h.put("c", c) // room for two: b, the oldest, goes
	if !closed(b) || h.take("b") != nil {
		t.Errorf("oldest page not closed and dropped")
	}
	if got := h.take("c"); got != c {
		t.Errorf("take(c) = %p, want %p", got, c)
	}
	c.Close()
	h.close()
	if !closed(a2) || h.take("a") != nil {
		t.Errorf("close left a page open or held")
	}

	none := newHandoff(0)
	d := handoffTestPage()
	none.put("d", d)
	if !closed(d) || none.take("d") != nil {
		t.Errorf("a hand-off of no pages kept one")
	}
}

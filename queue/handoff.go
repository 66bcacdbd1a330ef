package queue

import (
	"sync"

	"github.com/sohoa/sohoa/preprocess"
)

// handoff holds the pages this worker cleaned last, so that the OCR task
// of such a page, when this worker is the one that runs it, starts from
// the cleaned page in memory instead of reading back and decompressing
// the two images its cleanup task has just stored (about 30 ms of CPU for
// a 300 dpi page, and two requests to the object store). The stored
// artefacts stay the source of truth: an OCR task run by another worker,
// after a restart, or once the page has left the hand-off, reads them.
// They hold the same pixels and geometry as the page in memory.
//
// At most max pages are held (each is two 8-bit images of the page, about
// 17 MB at 300 dpi); the oldest is closed to make room. Safe for
// concurrent use.
type handoff struct {
	mu    sync.Mutex
	max   int
	pages []handoffPage // oldest first
}

type handoffPage struct {
	sum  string // the original's SHA-256
	page *preprocess.Page
}

func newHandoff(max int) *handoff { return &handoff{max: max} }

// put hands p, the cleaned page of the original sum, over: the handoff
// owns it from now on. A page already held for sum is closed and replaced.
func (h *handoff) put(sum string, p *preprocess.Page) {
	if h.max <= 0 {
		p.Close()
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.drop(sum)
	for len(h.pages) >= h.max {
		h.pages[0].page.Close()
		h.pages = h.pages[1:]
	}
	h.pages = append(h.pages, handoffPage{sum, p})
}

// take removes and returns the cleaned page of the original sum, nil when
// none is held. The caller owns (and closes) it.
func (h *handoff) take(sum string) *preprocess.Page {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, e := range h.pages {
		if e.sum == sum {
			h.pages = append(h.pages[:i], h.pages[i+1:]...)
			return e.page
		}
	}
	return nil
}

// drop closes and forgets the page held for sum, if any (h.mu held).
func (h *handoff) drop(sum string) {
	for i, e := range h.pages {
		if e.sum == sum {
			e.page.Close()
			h.pages = append(h.pages[:i], h.pages[i+1:]...)
			return
		}
	}
}

// close closes every page held.
func (h *handoff) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, e := range h.pages {
		e.page.Close()
	}
	h.pages = nil
}

package preprocess

import (
	"fmt"
	"sort"
	"unsafe"

	"gocv.io/x/gocv"
)

// comp is one connected component of ink.
type comp struct {
	x, y, w, h, area int
}

func (c comp) x1() int { return c.x + c.w } // exclusive
func (c comp) y1() int { return c.y + c.h } // exclusive

// components labels the non-zero pixels of ink (8-connected). It returns the
// components indexed by label (index 0 is the background) and the label
// image, which the caller closes.
func components(ink gocv.Mat) ([]comp, gocv.Mat, error) {
	labels := gocv.NewMat()
	stats := gocv.NewMat()
	cents := gocv.NewMat()
	defer stats.Close()
	defer cents.Close()
	n := gocv.ConnectedComponentsWithStatsWithParams(ink, &labels, &stats, &cents, 8, gocv.MatTypeCV32S, gocv.CCL_DEFAULT)
	if n <= 0 || stats.Empty() {
		labels.Close()
		return nil, gocv.Mat{}, fmt.Errorf("preprocess: connected components failed")
	}
	s, err := int32sOf(stats)
	if err != nil {
		labels.Close()
		return nil, gocv.Mat{}, err
	}
	cs := make([]comp, n)
	for i := range cs {
		r := s[i*5 : i*5+5]
		cs[i] = comp{x: int(r[0]), y: int(r[1]), w: int(r[2]), h: int(r[3]), area: int(r[4])}
	}
	return cs, labels, nil
}

// int32sOf views a continuous CV_32S Mat as []int32. gocv 0.31 has no
// DataPtrInt32, so the byte view is reinterpreted; the slice is valid while
// the Mat is open.
func int32sOf(m gocv.Mat) ([]int32, error) {
	if m.Type() != gocv.MatTypeCV32S && m.Type() != gocv.MatTypeCV32SC1 {
		return nil, fmt.Errorf("preprocess: expected CV_32S, got %v", m.Type())
	}
	b, err := m.DataPtrUint8()
	if err != nil {
		return nil, fmt.Errorf("preprocess: label access: %w", err)
	}
	if len(b) < 4 {
		return nil, nil
	}
	return unsafe.Slice((*int32)(unsafe.Pointer(&b[0])), len(b)/4), nil
}

// modeHeight estimates the x-height as the most common height among
// letter-sized components. Marks, dots and leader dots can outnumber
// letters on a form, so heights below 55% of the 90th percentile (about the
// height of capitals and ascenders) are ignored first; of the rest,
// lower-case letters without ascenders form the lowest strong peak. The peak is
// refined by a weighted mean over neighbouring heights. Components shorter
// than minH or taller than maxH are ignored. It returns 0 when fewer than
// 20 components qualify.
func modeHeight(cs []comp, minH, maxH int) float64 {
	if maxH <= minH {
		return 0
	}
	hist := make([]int, maxH+2)
	n := 0
	for _, c := range cs[1:] {
		if c.h < minH || c.h > maxH || c.w > 4*c.h || c.area < 3 {
			continue
		}
		hist[c.h]++
		n++
	}
	if n < 20 {
		return 0
	}
	acc, p90 := 0, maxH
	for hh := minH; hh <= maxH; hh++ {
		acc += hist[hh]
		if acc*10 >= n*9 {
			p90 = hh
			break
		}
	}
	lo := max(minH, int(0.55*float64(p90)+0.5))
	// Forms are heavy in capitals and digits, so the capital/ascender peak
	// (about 1.45 x-height) can be the larger one: take the lowest peak that
	// holds at least 30% of the largest.
	sm := make([]int, maxH+2)
	top := 0
	for hh := lo; hh <= maxH; hh++ {
		sm[hh] = 2*hist[hh] + hist[hh+1]
		if hh > lo {
			sm[hh] += hist[hh-1]
		}
		top = max(top, sm[hh])
	}
	bi := lo
	for hh := lo; hh <= maxH; hh++ {
		if sm[hh]*10 >= top*3 && sm[hh] >= sm[hh+1] && (hh == lo || sm[hh] >= sm[hh-1]) {
			bi = hh
			break
		}
	}
	var sw, sx float64
	for hh := max(lo, bi-1); hh <= min(maxH, bi+1); hh++ {
		sw += float64(hist[hh])
		sx += float64(hist[hh] * hh)
	}
	if sw == 0 {
		return float64(bi)
	}
	return sx / sw
}

// colIndex buckets components by x so that neighbours above/below are found
// without scanning all of them.
type colIndex struct {
	cell    int
	buckets [][]int
}

func newColIndex(cs []comp, ids []int, width, cell int) colIndex {
	cell = max(cell, 1)
	ix := colIndex{cell: cell, buckets: make([][]int, width/cell+1)}
	for _, id := range ids {
		c := cs[id]
		for b := c.x / cell; b <= (c.x1()-1)/cell && b < len(ix.buckets); b++ {
			if b >= 0 {
				ix.buckets[b] = append(ix.buckets[b], id)
			}
		}
	}
	for _, b := range ix.buckets {
		sort.Ints(b)
	}
	return ix
}

// near calls fn for each indexed component whose x-range intersects
// [x0, x1) (possibly more than once per component).
func (ix colIndex) near(x0, x1 int, fn func(id int) bool) {
	for b := max(0, x0/ix.cell); b <= (x1-1)/ix.cell && b < len(ix.buckets); b++ {
		for _, id := range ix.buckets[b] {
			if !fn(id) {
				return
			}
		}
	}
}

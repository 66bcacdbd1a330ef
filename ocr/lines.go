package ocr

import (
	"sort"
	"strings"

	"github.com/sohoa/sohoa/models"
)

// groupLines assembles words into printed lines by their geometry rather
// than by Tesseract's block structure: on forms Tesseract often splits one
// printed line ("Giới tính: Nam   Dân tộc: Kinh") into several blocks, which
// would break reading order. Words whose vertical extents overlap by more
// than half of the smaller core height belong to the same line.
func groupLines(words []Word) []Line {
	ws := make([]Word, 0, len(words))
	for _, w := range words {
		if strings.TrimSpace(w.Text) != "" {
			ws = append(ws, w)
		}
	}
	sort.SliceStable(ws, func(i, j int) bool { return center(ws[i]) < center(ws[j]) })

	type band struct {
		y0, y1 int
		words  []Word
	}
	var bands []*band
	for _, w := range ws {
		var best *band
		bestOv := 0.0
		for i := len(bands) - 1; i >= 0 && i >= len(bands)-4; i-- {
			b := bands[i]
			ov := overlap(b.y0, b.y1, w.BBox[1], w.BBox[3])
			h := float64(min(b.y1-b.y0, w.BBox[3]-w.BBox[1]))
			if h <= 0 {
				continue
			}
			if r := float64(ov) / h; r > 0.5 && r > bestOv {
				best, bestOv = b, r
			}
		}
		if best == nil {
			bands = append(bands, &band{y0: w.BBox[1], y1: w.BBox[3], words: []Word{w}})
			continue
		}
		best.words = append(best.words, w)
		// Keep the band's extent to its median-like core: grow slowly so a
		// tall word (a capital with two marks) does not swallow the next line.
		best.y0 = (best.y0*3 + w.BBox[1]) / 4
		best.y1 = (best.y1*3 + w.BBox[3]) / 4
	}
	lines := make([]Line, 0, len(bands))
	for _, b := range bands {
		sort.SliceStable(b.words, func(i, j int) bool { return b.words[i].BBox[0] < b.words[j].BBox[0] })
		lines = append(lines, Line{Words: b.words, BBox: union(b.words)})
	}
	sort.SliceStable(lines, func(i, j int) bool { return lineCenter(lines[i].BBox) < lineCenter(lines[j].BBox) })
	return lines
}

func center(w Word) int { return (w.BBox[1] + w.BBox[3]) / 2 }

func lineCenter(b models.BBox) int { return (b[1] + b[3]) / 2 }

func overlap(a0, a1, b0, b1 int) int {
	lo, hi := max(a0, b0), min(a1, b1)
	if hi <= lo {
		return 0
	}
	return hi - lo
}

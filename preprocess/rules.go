package preprocess

import (
	"image"
	"math"

	"gocv.io/x/gocv"
)

// ruleParams sizes ruling-line removal for x-height xh.
type ruleParams struct {
	minLen   int // shortest run that counts as a rule
	maxThick int // thicker runs are blobs or bold text, not rules
}

func newRuleParams(xh float64) ruleParams {
	return ruleParams{
		minLen:   max(25, int(math.Round(5*xh))),
		maxThick: max(3, int(math.Round(0.45*xh))),
	}
}

// removeRules deletes long thin horizontal and vertical lines from the ink
// image (ink 255, continuous) inside the regions of components at least
// minLen long. Strokes that touch or cross a rule survive: along each
// column (for a horizontal rule), a run of rule pixels is kept when a
// stroke at least two pixels long continues it above or below — letters
// crossing the rule, resting on it or hanging from it keep their ink, and
// the counters of letters struck through are not filled. removed, when not
// nil, receives the deleted pixels (255). It reports how many regions were
// processed.
func removeRules(ink gocv.Mat, removed *gocv.Mat, cs []comp, p ruleParams) (int, error) {
	w, h := ink.Cols(), ink.Rows()
	ib, err := bytesOf(ink)
	if err != nil {
		return 0, err
	}
	var rb []byte
	if removed != nil {
		if rb, err = bytesOf(*removed); err != nil {
			return 0, err
		}
	}
	n := 0
	for _, c := range cs[1:] {
		horiz, vert := c.w >= p.minLen, c.h >= p.minLen
		if !horiz && !vert {
			continue
		}
		pad := p.maxThick + 2
		r := image.Rect(max(0, c.x-pad), max(0, c.y-pad), min(w, c.x1()+pad), min(h, c.y1()+pad))
		if horiz {
			rulesIn(ink, ib, rb, w, r, true, p)
		}
		if vert {
			rulesIn(ink, ib, rb, w, r, false, p)
		}
		n++
	}
	return n, nil
}

// rulesIn removes rules of one direction inside r.
func rulesIn(ink gocv.Mat, ib, rb []byte, stride int, r image.Rectangle, horiz bool, p ruleParams) {
	roi := ink.Region(r)
	defer roi.Close()
	along := func(n int) image.Point { // kernel size along the rule
		if horiz {
			return image.Pt(n, 1)
		}
		return image.Pt(1, n)
	}
	across := func(n int) image.Point {
		if horiz {
			return image.Pt(1, n)
		}
		return image.Pt(n, 1)
	}
	kLong := gocv.GetStructuringElement(gocv.MorphRect, along(p.minLen))
	defer kLong.Close()
	lines := gocv.NewMat()
	defer lines.Close()
	gocv.MorphologyEx(roi, &lines, gocv.MorphOpen, kLong)
	if gocv.CountNonZero(lines) == 0 {
		return
	}
	// Drop thick parts (filled areas, bold blocks): runs across the rule
	// longer than maxThick.
	kThick := gocv.GetStructuringElement(gocv.MorphRect, across(p.maxThick+1))
	defer kThick.Close()
	thick := gocv.NewMat()
	defer thick.Close()
	gocv.MorphologyEx(lines, &thick, gocv.MorphOpen, kThick)
	gocv.Subtract(lines, thick, &lines)
	// Widen by one pixel across the rule to take its ragged edges, but only
	// where there is ink.
	k3 := gocv.GetStructuringElement(gocv.MorphRect, across(3))
	defer k3.Close()
	gocv.Dilate(lines, &lines, k3)
	gocv.BitwiseAnd(lines, roi, &lines)
	lb, err := bytesOf(lines)
	if err != nil {
		return
	}
	rw, rh := r.Dx(), r.Dy()
	// Walk across the rule: along columns for a horizontal rule.
	outer, inner := rw, rh
	if !horiz {
		outer, inner = rh, rw
	}
	at := func(o, i int) (int, int) { // mask index, ink index
		x, y := o, i
		if !horiz {
			x, y = i, o
		}
		return y*rw + x, (r.Min.Y+y)*stride + r.Min.X + x
	}
	stroke := func(o, i, dir int) bool { // two ink pixels beyond the run
		for k := 1; k <= 2; k++ {
			j := i + dir*k
			if j < 0 || j >= inner {
				return false
			}
			_, ii := at(o, j)
			if ib[ii] == 0 {
				return false
			}
		}
		return true
	}
	for o := 0; o < outer; o++ {
		for i := 0; i < inner; {
			if mi, _ := at(o, i); lb[mi] == 0 {
				i++
				continue
			}
			j := i
			for j < inner {
				if mi, _ := at(o, j); lb[mi] == 0 {
					break
				}
				j++
			}
			// Run [i, j) of rule pixels.
			if !stroke(o, i, -1) && !stroke(o, j-1, +1) {
				for k := i; k < j; k++ {
					_, ii := at(o, k)
					ib[ii] = 0
					if rb != nil {
						rb[ii] = 255
					}
				}
			}
			i = j
		}
	}
}

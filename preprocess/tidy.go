package preprocess

import (
	"context"
	"image"

	"gocv.io/x/gocv"
)

// binariseAndTidy thresholds the upright enhanced page gray (Otsu; the page
// is already flattened and stretched, so one global threshold suffices),
// removes rules, leaders, specks and tick boxes (reported in *boxes),
// paints what was removed white in gray
// too, and returns the binary page (ink 0 on 255).
//
// Components are measured on a half-resolution copy made by 2×2 max-pooling
// (so no ink is lost; only components less than two pixels apart merge):
// labelling a full page costs more than the rest of the cleanup together,
// and at the normalised text size (x-height about 24 px) dots and specks keep
// a few pixels at half resolution.
func binariseAndTidy(ctx context.Context, gray gocv.Mat, xh float64, opts Options, q *Quality, boxes *[]Checkbox) (gocv.Mat, error) {
	ink := gocv.NewMat()
	gocv.Threshold(gray, &ink, 0, 255, gocv.ThresholdBinaryInv|gocv.ThresholdOtsu)
	fail := func(err error) (gocv.Mat, error) {
		ink.Close()
		return gocv.Mat{}, err
	}
	cs, err := halfComponents(ink)
	if err != nil {
		return fail(err)
	}
	if opts.RemoveRules {
		rp := newRuleParams(xh)
		var long []comp
		for _, c := range cs[1:] {
			if c.w*2 >= rp.minLen || c.h*2 >= rp.minLen {
				long = append(long, comp{x: 2 * c.x, y: 2 * c.y, w: 2 * c.w, h: 2 * c.h, area: 4 * c.area})
			}
		}
		if len(long) > 0 {
			n, changed, err := removeRulesPainting(ink, gray, long, rp)
			if err != nil {
				return fail(err)
			}
			q.Removed.RuleRegions = n
			if changed {
				if cs, err = halfComponents(ink); err != nil {
					return fail(err)
				}
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	if opts.RemoveLeaders || opts.RemoveSpecks {
		verdict := classify(cs, (ink.Cols()+1)/2, newCleanupParams(xh/2, opts.RemoveLeaders, opts.RemoveSpecks))
		if opts.RemoveCheckboxes {
			ib, err := bytesOf(ink)
			if err != nil {
				return fail(err)
			}
			*boxes = findCheckboxes(ib, ink.Cols(), ink.Rows(), cs, xh, verdict)
		}
		if err := erase(ink, gray, cs, verdict, q); err != nil {
			return fail(err)
		}
	}
	gocv.BitwiseNot(ink, &ink)
	return ink, nil
}

// removeRulesPainting removes rules (see removeRules) and paints them and
// their grey fringe white in gray. changed reports whether any ink went.
func removeRulesPainting(ink, gray gocv.Mat, long []comp, rp ruleParams) (n int, changed bool, err error) {
	removed := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(0, 0, 0, 0), ink.Rows(), ink.Cols(), gocv.MatTypeCV8UC1)
	defer removed.Close()
	// removeRules skips the background entry 0.
	n, err = removeRules(ink, &removed, append([]comp{{}}, long...), rp)
	if err != nil || n == 0 || gocv.CountNonZero(removed) == 0 {
		return n, false, err
	}
	k := gocv.GetStructuringElement(gocv.MorphRect, image.Pt(3, 3))
	defer k.Close()
	gocv.Dilate(removed, &removed, k)
	gocv.Subtract(removed, ink, &removed)
	gocv.BitwiseOr(gray, removed, &gray)
	return n, true, nil
}

// halfComponents labels ink after 2×2 max-pooling and returns the
// components in half-resolution coordinates.
func halfComponents(ink gocv.Mat) ([]comp, error) {
	w, h := ink.Cols()&^1, ink.Rows()&^1
	if w < 2 || h < 2 {
		cs, labels, err := components(ink)
		labels.Close()
		return cs, err
	}
	even := ink.Region(image.Rect(0, 0, w, h))
	defer even.Close()
	half := gocv.NewMat()
	defer half.Close()
	gocv.Resize(even, &half, image.Pt(w/2, h/2), 0, 0, gocv.InterpolationArea)
	gocv.Threshold(half, &half, 0, 255, gocv.ThresholdBinary)
	cs, labels, err := components(half)
	labels.Close()
	return cs, err
}

// erase clears the ink of removed components (cs in half-resolution
// coordinates) and paints them white in gray; leaders get a one-pixel
// margin in gray for their grey fringe.
func erase(ink, gray gocv.Mat, cs []comp, verdict []removal, q *Quality) error {
	ib, err := bytesOf(ink)
	if err != nil {
		return err
	}
	gb, err := bytesOf(gray)
	if err != nil {
		return err
	}
	w, h := ink.Cols(), ink.Rows()
	for id, v := range verdict {
		if v == keep {
			continue
		}
		c := cs[id]
		x0, y0, x1, y1 := 2*c.x, 2*c.y, 2*c.x1(), 2*c.y1()
		if x1 >= w&^1 { // the odd last column was pooled away
			x1 = w
		}
		if y1 >= h&^1 {
			y1 = h
		}
		m := 0
		switch v {
		case asLeader:
			q.Removed.LeaderDots++
			m = 1
		case asSpeck:
			q.Removed.Specks++
		case asCheckbox:
			q.Removed.Checkboxes++
			m = 1
		}
		for y := max(0, y0-m); y < min(h, y1+m); y++ {
			row := y * w
			for x := max(0, x0-m); x < min(w, x1+m); x++ {
				if y >= y0 && y < y1 && x >= x0 && x < x1 {
					if ib[row+x] != 0 {
						ib[row+x] = 0
						gb[row+x] = 255
					}
				} else if ib[row+x] == 0 {
					gb[row+x] = 255
				}
			}
		}
	}
	return nil
}

package preprocess

import (
	"context"
	"image"

	"gocv.io/x/gocv"
)

// binariseAndTidy thresholds the upright enhanced page gray (Otsu; the page
// is already flattened and stretched, so one global threshold suffices),
// removes rules, leaders and specks, paints what was removed white in gray
// too, and returns the binary page (ink 0 on 255).
func binariseAndTidy(ctx context.Context, gray gocv.Mat, xh float64, opts Options, q *Quality) (gocv.Mat, error) {
	ink := gocv.NewMat()
	gocv.Threshold(gray, &ink, 0, 255, gocv.ThresholdBinaryInv|gocv.ThresholdOtsu)
	fail := func(err error) (gocv.Mat, error) {
		ink.Close()
		return gocv.Mat{}, err
	}
	cs, labels, err := components(ink)
	if err != nil {
		return fail(err)
	}
	if opts.RemoveRules {
		removed := gocv.NewMatWithSize(ink.Rows(), ink.Cols(), gocv.MatTypeCV8UC1)
		removed.SetTo(gocv.NewScalar(0, 0, 0, 0))
		n, err := removeRules(ink, &removed, cs, newRuleParams(xh))
		if err != nil {
			removed.Close()
			return fail(err)
		}
		q.Removed.RuleRegions = n
		if n > 0 && gocv.CountNonZero(removed) > 0 {
			// Paint the rules (and their grey fringe) white in gray.
			k := gocv.GetStructuringElement(gocv.MorphRect, image.Pt(3, 3))
			gocv.Dilate(removed, &removed, k)
			k.Close()
			gocv.Subtract(removed, ink, &removed)
			gocv.BitwiseOr(gray, removed, &gray)
			labels.Close()
			cs, labels, err = components(ink)
			if err != nil {
				removed.Close()
				return fail(err)
			}
		}
		removed.Close()
	}
	defer labels.Close()
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	if opts.RemoveLeaders || opts.RemoveSpecks {
		verdict := classify(cs, ink.Cols(), newCleanupParams(xh, opts.RemoveLeaders, opts.RemoveSpecks))
		if err := erase(ink, gray, labels, cs, verdict, q); err != nil {
			return fail(err)
		}
	}
	gocv.BitwiseNot(ink, &ink)
	return ink, nil
}

// erase clears the pixels of removed components in ink and paints them
// (leaders with a one-pixel margin, for their grey fringe) white in gray.
func erase(ink, gray, labels gocv.Mat, cs []comp, verdict []removal, q *Quality) error {
	lab, err := int32sOf(labels)
	if err != nil {
		return err
	}
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
		switch v {
		case asLeader:
			q.Removed.LeaderDots++
			for y := max(0, c.y-1); y < min(h, c.y1()+1); y++ {
				for x := max(0, c.x-1); x < min(w, c.x1()+1); x++ {
					i := y*w + x
					if lab[i] == int32(id) {
						ib[i] = 0
					}
					if lab[i] == 0 || lab[i] == int32(id) {
						gb[i] = 255
					}
				}
			}
		case asSpeck:
			q.Removed.Specks++
			for y := c.y; y < c.y1(); y++ {
				for x := c.x; x < c.x1(); x++ {
					if i := y*w + x; lab[i] == int32(id) {
						ib[i] = 0
						gb[i] = 255
					}
				}
			}
		}
	}
	return nil
}

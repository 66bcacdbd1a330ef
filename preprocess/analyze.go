package preprocess

import (
	"context"
	"image"
	"image/color"
	"math"

	"gocv.io/x/gocv"
)

// layout is what analysis learned about a page.
type layout struct {
	skewDeg     float64 // residual tilt of text lines after RotationDeg, CCW positive
	rotation    int     // clockwise quarter turns to apply, in degrees
	xHeight     float64 // in original pixels; 0 when unknown
	votesH      int     // letters whose nearest neighbour is beside them
	votesV      int     // letters whose nearest neighbour is above or below
	borderComps int     // dark areas along the image edge painted white
	marksUp     int     // diacritics found above letters on the corrected page
	marksDown   int     // and below them
}

// analyse measures the page enh (enhanced grey, ink dark) and paints white
// in it the dark areas along the image edge (scanner background around the
// sheet, shadows of the binding). Skew comes from projection profiles of
// letter-sized components, the 90° question from where letters' nearest
// neighbours are, the text size from the most common letter height, and
// the 180° question from marks above and below letters (see upsideDownCounts).
//
// small is enh downscaled by the integer factor k (see flattenAndStretch).
func analyse(ctx context.Context, enh, small gocv.Mat, k int, maxSkew float64, orient bool) (layout, error) {
	var lay layout
	a := 1 / float64(k)
	bin := gocv.NewMat()
	defer bin.Close()
	gocv.Threshold(small, &bin, 0, 255, gocv.ThresholdBinaryInv|gocv.ThresholdOtsu)

	cs, labels, err := components(bin)
	if err != nil {
		return lay, err
	}
	pts, err := textPoints(cs, labels, small.Cols(), small.Rows())
	if err == nil {
		lay.borderComps, err = eraseBorder(enh, cs, labels)
	}
	labels.Close()
	if err != nil {
		return lay, err
	}
	if len(pts) < 200 {
		return lay, nil // blank or nearly blank page
	}
	if err := ctx.Err(); err != nil {
		return lay, err
	}
	sw, sh := float64(small.Cols()), float64(small.Rows())
	diag := math.Hypot(sw, sh)
	if orient {
		lay.votesH, lay.votesV = neighbourVotes(cs)
		if lay.votesV > 20 && float64(lay.votesV) > 1.5*float64(lay.votesH) {
			lay.rotation = 90
			pts = rotate90(pts)
		}
	}
	lay.skewDeg = findSkew(pts, diag, maxSkew)
	if err := ctx.Err(); err != nil {
		return lay, err
	}

	// Components as they will sit on the corrected page: sizes untilted,
	// centres rotated.
	fwd, ow, oh := correction(sw, sh, lay.skewDeg, lay.rotation, 1)
	up := uprightBoxes(cs, lay.skewDeg, lay.rotation)
	for i := 1; i < len(up); i++ {
		x, y := fwd.Apply(float64(cs[i].x)+float64(cs[i].w)/2, float64(cs[i].y)+float64(cs[i].h)/2)
		up[i].x, up[i].y = int(math.Round(x-float64(up[i].w)/2)), int(math.Round(y-float64(up[i].h)/2))
	}
	xh := modeHeight(up, 3, max(4, oh/20))
	if xh == 0 {
		return lay, nil
	}
	lay.xHeight = xh / a
	if orient {
		for i := 1; i < len(up); i++ { // keep the index's coordinates non-negative
			up[i].x, up[i].y = max(0, up[i].x), max(0, up[i].y)
		}
		lay.marksUp, lay.marksDown, _ = markBalance(up, xh, ow+1)
		if upsideDownCounts(lay.marksUp, lay.marksDown) {
			lay.rotation = (lay.rotation + 180) % 360
		}
	}
	return lay, nil
}

// uprightBoxes estimates the bounding boxes components would have on the
// corrected page: a w×h box tilted by θ has a bounding box of
// (w·cosθ + h·|sinθ|) × (w·|sinθ| + h·cosθ), which is inverted here (after
// swapping sides for a quarter turn). Only sizes are meaningful.
func uprightBoxes(cs []comp, skew float64, rot int) []comp {
	s, c := math.Sincos(math.Abs(skew) * math.Pi / 180)
	den := c*c - s*s
	out := make([]comp, len(cs))
	for i, b := range cs {
		W, H := float64(b.w), float64(b.h)
		if rot == 90 || rot == 270 {
			W, H = H, W
		}
		w := math.Max(1, (W*c-H*s)/den)
		h := math.Max(1, (H*c-W*s)/den)
		out[i] = comp{x: b.x, y: b.y, w: int(math.Round(w)), h: int(math.Round(h)), area: b.area}
	}
	return out
}

// textPoints collects the pixels of letter-sized components: long rules,
// big blobs and single-pixel noise would bias the profiles (vertical table
// rules in particular would vote for a sideways page). At most ~200k points
// are kept, evenly sub-sampled.
func textPoints(cs []comp, labels gocv.Mat, w, h int) ([]point, error) {
	lab, err := int32sOf(labels)
	if err != nil {
		return nil, err
	}
	maxDim := max(w, h)
	keep := make([]bool, len(cs))
	total := 0
	for i, c := range cs[1:] {
		if c.area < 2 || c.w > maxDim/15 || c.h > maxDim/15 {
			continue
		}
		keep[i+1] = true
		total += c.area
	}
	step := max(1, total/200000)
	pts := make([]point, 0, total/step+1)
	k := 0
	for y := 0; y < h; y++ {
		row := lab[y*w : y*w+w]
		for x, l := range row {
			if l > 0 && keep[l] {
				if k%step == 0 {
					pts = append(pts, point{float32(x), float32(y)})
				}
				k++
			}
		}
	}
	return pts, nil
}

// upsideDownCounts decides from markBalance's counts whether a deskewed
// page is upside down: in upright Vietnamese (and Latin) text far more
// small marks — tone marks, circumflexes, breves, i-dots — sit just above
// letters than below them (only the dot below of ạ, ệ, ọ…), and turning
// the page swaps the counts. It needs a clear majority of at least a dozen
// marks.
func upsideDownCounts(up, down int) bool {
	return down > 12 && float64(down) > 1.5*float64(up)
}

// markBalance counts small marks sitting just above and just below
// letter-sized components, in a page of x-height xh.
func markBalance(cs []comp, xh float64, width int) (up, down, letters int) {
	var letterIDs, markIDs []int
	for i, c := range cs[1:] {
		id := i + 1
		fh := float64(c.h)
		switch {
		case fh >= 0.75*xh && fh <= 2.2*xh && float64(c.w) <= 3*xh:
			letterIDs = append(letterIDs, id)
		case fh <= 0.6*xh && float64(c.w) <= 1.3*xh && c.area >= 2:
			markIDs = append(markIDs, id)
		}
	}
	ix := newColIndex(cs, letterIDs, width, int(2*xh)+1)
	gap := 0.7 * xh
	for _, m := range markIDs {
		mc := cs[m]
		cx := mc.x + mc.w/2
		var isUp, isDown bool
		ix.near(cx, cx+1, func(id int) bool {
			l := cs[id]
			if cx < l.x || cx >= l.x1() {
				return true
			}
			if d := float64(l.y - mc.y1()); d >= -1 && d <= gap && mc.y < l.y {
				isUp = true
			}
			if d := float64(mc.y - l.y1()); d >= -1 && d <= gap && mc.y1() > l.y1() {
				isDown = true
			}
			return true
		})
		switch {
		case isUp && !isDown:
			up++
		case isDown && !isUp:
			down++
		}
	}
	return up, down, len(letterIDs)
}

// correction returns the forward map original→cleaned for a page of size
// w×h whose content is tilted by skew degrees (CCW) after turning it
// clockwise by rot degrees, scaled by s, and the size of the result, which
// holds the whole rotated page.
func correction(w, h, skew float64, rot int, s float64) (Affine, int, int) {
	// Rotate clockwise by rot+skew about the page centre.
	th := (float64(rot) + skew) * math.Pi / 180
	sn, cs := math.Sincos(th)
	// Clockwise on screen (y down): x' = cos·x − sin·y, y' = sin·x + cos·y.
	ow := (math.Abs(cs)*w + math.Abs(sn)*h) * s
	oh := (math.Abs(sn)*w + math.Abs(cs)*h) * s
	iw, ih := int(math.Round(ow)), int(math.Round(oh))
	cx, cy := w/2, h/2
	m := Affine{cs * s, -sn * s, 0, sn * s, cs * s, 0}
	m[2] = float64(iw)/2 - (m[0]*cx + m[1]*cy)
	m[5] = float64(ih)/2 - (m[3]*cx + m[4]*cy)
	return m, max(1, iw), max(1, ih)
}

// warp applies the forward map m to src with a white border.
func warp(src gocv.Mat, dst *gocv.Mat, m Affine, w, h int, interp gocv.InterpolationFlags) {
	mm := gocv.NewMatWithSize(2, 3, gocv.MatTypeCV64F)
	defer mm.Close()
	for i := 0; i < 6; i++ {
		mm.SetDoubleAt(i/3, i%3, m[i])
	}
	gocv.WarpAffineWithParams(src, dst, mm, image.Pt(w, h), interp, gocv.BorderConstant, color.RGBA{255, 255, 255, 255})
}

// eraseBorder paints white, in the full-size page enh, the ink components of
// the analysis image (labels, a downscaled enh) that touch its edge and are
// long: the scanner background or binding shadow seen around the sheet,
// which flattening cannot remove when it is thinner than its window.
func eraseBorder(enh gocv.Mat, cs []comp, labels gocv.Mat) (int, error) {
	w, h := labels.Cols(), labels.Rows()
	minLen := max(8, max(w, h)/50)
	var ids []int
	for i, c := range cs[1:] {
		touches := c.x <= 1 || c.y <= 1 || c.x1() >= w-1 || c.y1() >= h-1
		if touches && max(c.w, c.h) >= minLen {
			ids = append(ids, i+1)
		}
	}
	if len(ids) == 0 {
		return 0, nil
	}
	lab, err := int32sOf(labels)
	if err != nil {
		return 0, err
	}
	drop := make(map[int32]bool, len(ids))
	for _, id := range ids {
		drop[int32(id)] = true
	}
	mask := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(0, 0, 0, 0), h, w, gocv.MatTypeCV8UC1)
	defer mask.Close()
	mb, err := bytesOf(mask)
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		c := cs[id]
		for y := c.y; y < c.y1(); y++ {
			for x := c.x; x < c.x1(); x++ {
				if drop[lab[y*w+x]] {
					mb[y*w+x] = 255
				}
			}
		}
	}
	// Grow by a pixel of the analysis image to cover the blurred rim.
	k := gocv.GetStructuringElement(gocv.MorphRect, image.Pt(3, 3))
	defer k.Close()
	gocv.Dilate(mask, &mask, k)
	big := gocv.NewMat()
	defer big.Close()
	gocv.Resize(mask, &big, image.Pt(enh.Cols(), enh.Rows()), 0, 0, gocv.InterpolationNearestNeighbor)
	gocv.BitwiseOr(enh, big, &enh)
	return len(ids), nil
}

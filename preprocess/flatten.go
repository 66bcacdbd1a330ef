package preprocess

import (
	"fmt"
	"image"

	"gocv.io/x/gocv"
)

// flatStats describes the page before contrast stretching.
type flatStats struct {
	paper, ink float64 // grey levels after flattening (paper ≈ 255)
	inkFrac    float64 // fraction of sampled pixels darker than the Otsu threshold
	stretched  bool
}

// analysisDim is the typical longer side of the analysis image used to
// measure skew, orientation and text size (about 150 dpi for an A4 page);
// the downscaling factor is the integer nearest to longer side/analysisDim,
// so 200 dpi pages are analysed at full resolution.
const analysisDim = 1700

// flattenAndStretch divides gray by an estimate of the paper background
// (illumination, yellowing, stains: a morphological closing of a downscaled
// copy, which removes all strokes thinner than its window but, unlike a
// plain max filter, keeps the step at the paper's edge in place; smoothed by
// a median) and then stretches the result linearly so that the typical ink
// level becomes 0 and paper 255. It returns the enhanced page and the same
// enhancement of a copy downscaled by the integer factor k (area averaging)
// for analysis; both are new.
func flattenAndStretch(gray gocv.Mat) (enh, small gocv.Mat, k int, st flatStats, err error) {
	w, h := gray.Cols(), gray.Rows()
	k = max(1, int(float64(max(w, h))/analysisDim+0.5))
	sw, sh := max(1, w/k), max(1, h/k)
	sgray := gocv.NewMat()
	defer sgray.Close()
	if k == 1 {
		gray.CopyTo(&sgray)
	} else {
		// An exact integer factor takes OpenCV's fast area path.
		even := gray.Region(image.Rect(0, 0, sw*k, sh*k))
		gocv.Resize(even, &sgray, image.Pt(sw, sh), 0, 0, gocv.InterpolationArea)
		even.Close()
	}
	// Background at about 1/8 of a 300 dpi page: a 7x7 closing there is a
	// ~56 px window at full resolution, wider than any pen or print stroke.
	bs := 400.0 / float64(max(w, h))
	if bs > 0.5 {
		bs = 0.5
	}
	bw, bh := max(1, int(float64(w)*bs+0.5)), max(1, int(float64(h)*bs+0.5))
	tiny := gocv.NewMat()
	defer tiny.Close()
	gocv.Resize(sgray, &tiny, image.Pt(bw, bh), 0, 0, gocv.InterpolationArea)
	kern := gocv.GetStructuringElement(gocv.MorphRect, image.Pt(7, 7))
	defer kern.Close()
	gocv.MorphologyEx(tiny, &tiny, gocv.MorphClose, kern)
	gocv.MedianBlur(tiny, &tiny, 5)
	tb, err := bytesOf(tiny)
	if err != nil {
		return gocv.Mat{}, gocv.Mat{}, 0, st, err
	}
	for i, v := range tb {
		if v == 0 {
			tb[i] = 1 // 0 marks off-paper areas
		}
	}
	offPaper(tb, tiny.Cols(), tiny.Rows())
	bg := gocv.NewMat()
	defer bg.Close()
	gocv.Resize(tiny, &bg, image.Pt(w, h), 0, 0, gocv.InterpolationLinear)

	g, err := bytesOf(gray)
	if err != nil {
		return gocv.Mat{}, gocv.Mat{}, 0, st, err
	}
	b, err := bytesOf(bg)
	if err != nil {
		return gocv.Mat{}, gocv.Mat{}, 0, st, err
	}
	// Histogram of the flattened page on a sparse grid.
	ft := flatTable()
	var hist [256]int
	step := max(1, int(float64(max(w, h))/1000))
	n := 0
	for y := 0; y < h; y += step {
		row := y * w
		for x := 0; x < w; x += step {
			if b[row+x] != 0 {
				hist[ft[b[row+x]][g[row+x]]]++
				n++
			}
		}
	}
	lut, st := stretchLUT(hist, n)
	lut2 := flatLUT(ft, &lut)
	if enh, err = applyFlat(gray, bg, lut2); err != nil {
		return gocv.Mat{}, gocv.Mat{}, 0, st, err
	}
	sbg := gocv.NewMat()
	defer sbg.Close()
	gocv.Resize(tiny, &sbg, image.Pt(sw, sh), 0, 0, gocv.InterpolationLinear)
	if small, err = applyFlat(sgray, sbg, lut2); err != nil {
		enh.Close()
		return gocv.Mat{}, gocv.Mat{}, 0, st, err
	}
	return enh, small, k, st, nil
}

// flatTable holds g·255/bg, saturated, at [bg][g] (bg 0 counts as 1).
func flatTable() *[256][256]uint8 {
	var t [256][256]uint8
	for b := 0; b < 256; b++ {
		for g := 0; g < 256; g++ {
			t[b][g] = uint8(min(255, g*255/max(b, 1)))
		}
	}
	return &t
}

// offPaper zeroes, in the background estimate tb (w×h), the areas that are
// not paper: darker than half the median background and connected to the
// image edge (scanner lid, table, binding shadow around the sheet), grown by
// a pixel so the interpolated background stays below the paper there.
// Dividing by such a background would only amplify its noise. Dark areas
// inside the sheet (a black block, a photo) are left alone.
func offPaper(tb []byte, w, h int) {
	var hist [256]int
	for _, v := range tb {
		hist[v]++
	}
	dark := byte(medianOf(hist[:], 0, 255, len(tb)) / 2)
	seen := make([]bool, len(tb))
	var stack []int
	push := func(i int) {
		if !seen[i] && tb[i] < dark {
			seen[i] = true
			stack = append(stack, i)
		}
	}
	for x := 0; x < w; x++ {
		push(x)
		push((h-1)*w + x)
	}
	for y := 0; y < h; y++ {
		push(y * w)
		push(y*w + w - 1)
	}
	if len(stack) == 0 {
		return
	}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		x, y := i%w, i/w
		if x > 0 {
			push(i - 1)
		}
		if x < w-1 {
			push(i + 1)
		}
		if y > 0 {
			push(i - w)
		}
		if y < h-1 {
			push(i + w)
		}
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if !seen[y*w+x] {
				continue
			}
			for yy := max(0, y-1); yy <= min(h-1, y+1); yy++ {
				for xx := max(0, x-1); xx <= min(w-1, x+1); xx++ {
					tb[yy*w+xx] = 0
				}
			}
		}
	}
}

// flatLUT maps (background, grey) straight to the output: the stretch
// lut of g·255/bg, or white where the background is 0 (off the paper).
func flatLUT(ft *[256][256]uint8, lut *[256]uint8) *[256][256]uint8 {
	var t [256][256]uint8
	for b := 0; b < 256; b++ {
		for g := 0; g < 256; g++ {
			if b == 0 {
				t[b][g] = 255
			} else {
				t[b][g] = lut[ft[b][g]]
			}
		}
	}
	return &t
}

// applyFlat returns lut[bg][gray] as a new Mat.
func applyFlat(gray, bg gocv.Mat, lut *[256][256]uint8) (gocv.Mat, error) {
	g, err := bytesOf(gray)
	if err != nil {
		return gocv.Mat{}, err
	}
	b, err := bytesOf(bg)
	if err != nil {
		return gocv.Mat{}, err
	}
	out := gocv.NewMatWithSize(gray.Rows(), gray.Cols(), gocv.MatTypeCV8UC1)
	o, err := bytesOf(out)
	if err != nil {
		out.Close()
		return gocv.Mat{}, err
	}
	b = b[:len(o)]
	g = g[:len(o)]
	for i := range o {
		o[i] = lut[b[i]][g[i]]
	}
	return out, nil
}

// stretchLUT finds paper and ink levels in a histogram of the flattened page
// and builds the linear stretch ink→0, paper→255. Pages with too little ink
// or already full contrast are left alone (identity).
func stretchLUT(hist [256]int, n int) ([256]uint8, flatStats) {
	var lut [256]uint8
	for i := range lut {
		lut[i] = uint8(i)
	}
	st := flatStats{paper: 255, ink: 0}
	if n == 0 {
		return lut, st
	}
	t := otsu(hist[:])
	// Paper: median of the pixels above the threshold; ink: median of those
	// below (stroke centres are darker, edges lighter).
	var above, below int
	for v := 0; v < 256; v++ {
		if v > t {
			above += hist[v]
		} else {
			below += hist[v]
		}
	}
	st.inkFrac = float64(below) / float64(n)
	st.paper = float64(medianOf(hist[:], t+1, 255, above))
	if below < n/2000 || below == 0 {
		return lut, st // blank page: nothing to stretch against
	}
	st.ink = float64(medianOf(hist[:], 0, t, below))
	// Aim the ink median a little below 0 so strokes become solid; never
	// amplify more than 4x (noise), never compress.
	lo := st.ink - 0.15*(st.paper-st.ink)
	if lo < 0 {
		lo = 0
	}
	hi := st.paper
	if hi-lo < 255.0/4 {
		lo = hi - 255.0/4
	}
	if lo <= 1 && hi >= 254 {
		return lut, st
	}
	st.stretched = true
	for v := range lut {
		f := (float64(v) - lo) * 255 / (hi - lo)
		switch {
		case f < 0:
			f = 0
		case f > 255:
			f = 255
		}
		lut[v] = uint8(f + 0.5)
	}
	return lut, st
}

// otsu returns the threshold t maximising between-class variance; values
// ≤ t are one class.
func otsu(hist []int) int {
	var total, sum float64
	for v, c := range hist {
		total += float64(c)
		sum += float64(v) * float64(c)
	}
	var wB, sumB, best float64
	t := 127
	for v, c := range hist {
		wB += float64(c)
		if wB == 0 {
			continue
		}
		wF := total - wB
		if wF == 0 {
			break
		}
		sumB += float64(v) * float64(c)
		mB, mF := sumB/wB, (sum-sumB)/wF
		if bv := wB * wF * (mB - mF) * (mB - mF); bv > best {
			best, t = bv, v
		}
	}
	return t
}

// medianOf returns the median value of hist restricted to [lo, hi] holding
// count samples.
func medianOf(hist []int, lo, hi, count int) int {
	if count == 0 {
		return (lo + hi) / 2
	}
	acc := 0
	for v := lo; v <= hi; v++ {
		acc += hist[v]
		if acc*2 >= count {
			return v
		}
	}
	return hi
}

// bytesOf returns the pixel bytes of a continuous 8-bit Mat.
func bytesOf(m gocv.Mat) ([]byte, error) {
	b, err := m.DataPtrUint8()
	if err != nil {
		return nil, fmt.Errorf("preprocess: pixel access: %w", err)
	}
	return b, nil
}

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

// flattenAndStretch divides gray by an estimate of the paper background
// (illumination, yellowing, stains: a morphological closing of a downscaled
// copy, which removes all strokes thinner than its window but, unlike a
// plain max filter, keeps the step at the paper's edge in place; smoothed by
// a median) and then
// stretches the result linearly so that the typical ink level becomes 0 and
// paper 255. It returns a new CV_8UC1 Mat.
func flattenAndStretch(gray gocv.Mat) (gocv.Mat, flatStats, error) {
	w, h := gray.Cols(), gray.Rows()
	var st flatStats
	// Background at about 1/8 of a 300 dpi page: a 7x7 closing there is a
	// ~56 px window at full resolution, wider than any pen or print stroke.
	bs := 400.0 / float64(max(w, h))
	if bs > 0.5 {
		bs = 0.5
	}
	bw, bh := max(1, int(float64(w)*bs+0.5)), max(1, int(float64(h)*bs+0.5))
	small := gocv.NewMat()
	defer small.Close()
	gocv.Resize(gray, &small, image.Pt(bw, bh), 0, 0, gocv.InterpolationArea)
	k := gocv.GetStructuringElement(gocv.MorphRect, image.Pt(7, 7))
	defer k.Close()
	gocv.MorphologyEx(small, &small, gocv.MorphClose, k)
	gocv.MedianBlur(small, &small, 5)
	bg := gocv.NewMat()
	defer bg.Close()
	gocv.Resize(small, &bg, image.Pt(w, h), 0, 0, gocv.InterpolationLinear)

	g, err := bytesOf(gray)
	if err != nil {
		return gocv.Mat{}, st, err
	}
	b, err := bytesOf(bg)
	if err != nil {
		return gocv.Mat{}, st, err
	}
	// recip[v] = 255/v in 16.16 fixed point.
	var recip [256]uint32
	for v := 1; v < 256; v++ {
		recip[v] = uint32(255*65536/v) + 1
	}
	recip[0] = recip[1]
	flat := func(i int) uint8 {
		f := (uint32(g[i]) * recip[b[i]]) >> 16
		if f > 255 {
			return 255
		}
		return uint8(f)
	}
	// Histogram of the flattened page on a sparse grid.
	var hist [256]int
	step := max(1, int(float64(max(w, h))/1000))
	n := 0
	for y := 0; y < h; y += step {
		row := y * w
		for x := 0; x < w; x += step {
			hist[flat(row+x)]++
			n++
		}
	}
	lut, st := stretchLUT(hist, n)

	out := gocv.NewMatWithSize(h, w, gocv.MatTypeCV8UC1)
	o, err := bytesOf(out)
	if err != nil {
		out.Close()
		return gocv.Mat{}, st, err
	}
	for i := range o {
		f := (uint32(g[i]) * recip[b[i]]) >> 16
		if f > 255 {
			f = 255
		}
		o[i] = lut[f]
	}
	return out, st, nil
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

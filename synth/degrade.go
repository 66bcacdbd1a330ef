package synth

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand/v2"

	"gocv.io/x/gocv"
)

// scan is the simulated acquisition of one page: geometry (rotation, scale,
// resolution) and the appearance of paper and inks.
type scan struct {
	quality    Quality
	dpi        int
	skew       float64 // degrees, positive = counter-clockwise as seen
	scale      float64
	outW, outH int
	m          [6]float64 // render pixel → output pixel: x' = m0 x + m1 y + m2, y' = m3 x + m4 y + m5

	blur, noise float64
	jpegQ       int
	paper       [3]float64 // RGB
	ink         [3]float64
	pen, stamp  [3]float64
	background  [3]float64 // outside the sheet
	inkVar      float64    // spatial variation of ink strength (0 none)
	gradX       float64    // illumination gradients and vignette
	gradY       float64
	vignette    float64
	blotch      float64
	specks      int
}

// planScan draws the acquisition parameters of a quality.
func planScan(rng *rand.Rand, q Quality) scan {
	s := scan{quality: q, dpi: 300, scale: 1, pen: [3]float64{30, 45, 150}, stamp: [3]float64{205, 35, 45}}
	u := func(a, b float64) float64 { return a + (b-a)*rng.Float64() }
	switch q {
	case QualityClean:
		if rng.IntN(2) == 0 {
			s.skew = u(-0.3, 0.3)
		}
		s.paper = [3]float64{255, 255, 255}
		s.ink = [3]float64{0, 0, 0}
		s.background = s.paper
	case QualityScanned:
		s.skew = u(-3, 3)
		s.scale = u(0.985, 1.015)
		s.blur = u(0.45, 0.85)
		s.noise = u(1.2, 2.2)
		s.jpegQ = 80 + rng.IntN(9)
		p := u(238, 250)
		s.paper = [3]float64{p + u(0, 4), p + u(0, 3), p - u(0, 6)}
		k := u(15, 45)
		s.ink = [3]float64{k, k, k + u(0, 8)}
		s.background = [3]float64{252, 252, 252}
		s.gradX, s.gradY = u(-0.03, 0.03), u(-0.03, 0.03)
		s.vignette = u(0, 0.04)
		s.inkVar = u(0, 0.1)
	case QualityWorn:
		s.dpi = 200
		s.skew = u(-6, 6)
		s.scale = u(0.955, 0.995)
		s.blur = u(0.55, 0.95)
		s.noise = u(3.5, 6)
		s.jpegQ = 60
		r := u(228, 244)
		s.paper = [3]float64{r, r - u(8, 16), r - u(32, 60)}
		k := u(90, 140)
		s.ink = [3]float64{k, k - u(0, 8), k - u(5, 20)}
		s.pen = [3]float64{70, 80, 150}
		s.stamp = [3]float64{190, 80, 80}
		if rng.IntN(2) == 0 {
			g := u(35, 90)
			s.background = [3]float64{g, g, g}
		} else {
			s.background = [3]float64{246, 246, 244}
		}
		s.gradX, s.gradY = u(-0.12, 0.12), u(-0.1, 0.1)
		s.vignette = u(0.08, 0.2)
		s.blotch = u(0.03, 0.07)
		s.inkVar = u(0.15, 0.35)
		s.specks = 250 + rng.IntN(700)
	}
	s.setGeometry()
	return s
}

// setGeometry computes the output size and the transform from dpi, skew
// and scale: rotation by skew (counter-clockwise as seen for positive
// values, as OpenCV's getRotationMatrix2D) and scaling about the page
// centre, which lands on the output centre.
func (s *scan) setGeometry() {
	k := float64(s.dpi) / renderDPI
	s.outW, s.outH = int(math.Round(pageW*k)), int(math.Round(pageH*k))
	rad := s.skew * math.Pi / 180
	a, b := k*s.scale*math.Cos(rad), k*s.scale*math.Sin(rad)
	cx, cy := pageW/2.0, pageH/2.0
	ox, oy := float64(s.outW)/2, float64(s.outH)/2
	s.m = [6]float64{a, b, ox - a*cx - b*cy, -b, a, oy + b*cx - a*cy}
}

// identity reports whether the geometry leaves the page untouched.
func (s scan) identity() bool { return s.skew == 0 && s.scale == 1 && s.dpi == renderDPI }

// mapPoint applies the page transform.
func (s scan) mapPoint(x, y float64) (float64, float64) {
	return s.m[0]*x + s.m[1]*y + s.m[2], s.m[3]*x + s.m[4]*y + s.m[5]
}

// mapRect maps a rendering rectangle to the axis-aligned box of its image,
// clipped to the output.
func (s scan) mapRect(r image.Rectangle) [4]int {
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range [4][2]float64{{float64(r.Min.X), float64(r.Min.Y)}, {float64(r.Max.X), float64(r.Min.Y)}, {float64(r.Min.X), float64(r.Max.Y)}, {float64(r.Max.X), float64(r.Max.Y)}} {
		x, y := s.mapPoint(p[0], p[1])
		x0, y0, x1, y1 = math.Min(x0, x), math.Min(y0, y), math.Max(x1, x), math.Max(y1, y)
	}
	clamp := func(v float64, hi int) int { return max(0, min(hi, int(v))) }
	return [4]int{clamp(math.Floor(x0), s.outW), clamp(math.Floor(y0), s.outH), clamp(math.Ceil(x1), s.outW), clamp(math.Ceil(y1), s.outH)}
}

// toMat copies a grey image into a new Mat.
func toMat(g *image.Gray) (gocv.Mat, error) {
	m := gocv.NewMatWithSize(g.Rect.Dy(), g.Rect.Dx(), gocv.MatTypeCV8U)
	data, err := m.DataPtrUint8()
	if err != nil {
		m.Close()
		return gocv.Mat{}, fmt.Errorf("synth: mat data: %w", err)
	}
	copy(data, g.Pix)
	return m, nil
}

// fromMat copies a CV8U Mat into a grey image.
func fromMat(m gocv.Mat) (*image.Gray, error) {
	data, err := m.DataPtrUint8()
	if err != nil {
		return nil, fmt.Errorf("synth: mat data: %w", err)
	}
	g := image.NewGray(image.Rect(0, 0, m.Cols(), m.Rows()))
	copy(g.Pix, data)
	return g, nil
}

// warpBlur applies the page transform and the blur to a coverage layer.
func (s scan) warpBlur(g *image.Gray, fillValue uint8) (*image.Gray, error) {
	if s.identity() && s.blur == 0 {
		return g, nil
	}
	src, err := toMat(g)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	cur := src
	if !s.identity() {
		mm := gocv.NewMatWithSize(2, 3, gocv.MatTypeCV64F)
		defer mm.Close()
		for i, v := range s.m {
			mm.SetDoubleAt(i/3, i%3, v)
		}
		dst := gocv.NewMat()
		defer dst.Close()
		gocv.WarpAffineWithParams(src, &dst, mm, image.Pt(s.outW, s.outH), gocv.InterpolationLinear, gocv.BorderConstant, color.RGBA{fillValue, fillValue, fillValue, 255})
		cur = dst
	}
	if s.blur > 0 {
		bl := gocv.NewMat()
		defer bl.Close()
		gocv.GaussianBlur(cur, &bl, image.Pt(0, 0), s.blur, s.blur, gocv.BorderReplicate)
		cur = bl
	}
	return fromMat(cur)
}

// finish turns the rendered layers into the encoded page image: PNG grey
// for clean pages, colour JPEG otherwise.
func (s scan) finish(ly *layers, hasPen, hasStamp bool, rng *rand.Rand) (data []byte, ext string, err error) {
	print, err := s.warpBlur(ly.print, 0)
	if err != nil {
		return nil, "", err
	}
	var pen, stamp, sheet *image.Gray
	if hasPen {
		if pen, err = s.warpBlur(ly.pen, 0); err != nil {
			return nil, "", err
		}
	}
	if hasStamp {
		if stamp, err = s.warpBlur(ly.stamp, 0); err != nil {
			return nil, "", err
		}
	}
	if s.quality == QualityClean {
		return s.encodeGrey(print, pen, stamp)
	}
	full := image.NewGray(image.Rect(0, 0, pageW, pageH))
	for i := range full.Pix {
		full.Pix[i] = 255
	}
	if sheet, err = s.warpBlur(full, 0); err != nil {
		return nil, "", err
	}
	for range s.specks {
		x, y := rng.Float64()*float64(s.outW), rng.Float64()*float64(s.outH)
		stampDisc(print, x, y, 0.6+1.8*rng.Float64()*rng.Float64(), 0.5+0.5*rng.Float64())
	}
	rgb := s.composite(print, pen, stamp, sheet, rng)
	return s.encodeJPEG(rgb)
}

// encodeGrey writes a clean page as a grey PNG.
func (s scan) encodeGrey(print, pen, stamp *image.Gray) ([]byte, string, error) {
	out := image.NewGray(print.Rect)
	for i, p := range print.Pix {
		v := 1 - float64(p)/255
		if pen != nil {
			v *= 1 - 0.7*float64(pen.Pix[i])/255
		}
		if stamp != nil {
			v *= 1 - 0.5*float64(stamp.Pix[i])/255
		}
		out.Pix[i] = uint8(v*255 + 0.5)
	}
	m, err := toMat(out)
	if err != nil {
		return nil, "", err
	}
	defer m.Close()
	buf, err := gocv.IMEncodeWithParams(gocv.PNGFileExt, m, []int{gocv.IMWritePngCompression, 6})
	if err != nil {
		return nil, "", fmt.Errorf("synth: encode png: %w", err)
	}
	defer buf.Close()
	return append([]byte(nil), buf.GetBytes()...), ".png", nil
}

// composite paints paper, inks, background and noise into BGR bytes.
func (s scan) composite(print, pen, stamp, sheet *image.Gray, rng *rand.Rand) []byte {
	w, h := s.outW, s.outH
	out := make([]byte, w*h*3)
	// low-frequency fields on a coarse grid: paper blotches and ink strength
	const gw, gh = 13, 18
	var blot, inkf [gw * gh]float64
	for i := range blot {
		blot[i] = 1 - s.blotch*rng.Float64()
		inkf[i] = 1 - s.inkVar*rng.Float64()
	}
	var gauss [4096]float64
	for i := range gauss {
		gauss[i] = rng.NormFloat64() * s.noise
	}
	seed := rng.Uint64() | 1
	colB := make([]float64, w)
	for x := range colB {
		colB[x] = float64(x) / float64(w) * (gw - 1)
	}
	for y := range h {
		fy := float64(y) / float64(h)
		gyf := fy * (gh - 1)
		gy := min(int(gyf), gh-2)
		ty := gyf - float64(gy)
		for x := range w {
			fx := float64(x) / float64(w)
			gxf := colB[x]
			gx := min(int(gxf), gw-2)
			tx := gxf - float64(gx)
			bil := func(f *[gw * gh]float64) float64 {
				a := f[gy*gw+gx]*(1-tx) + f[gy*gw+gx+1]*tx
				b := f[(gy+1)*gw+gx]*(1-tx) + f[(gy+1)*gw+gx+1]*tx
				return a*(1-ty) + b*ty
			}
			dx, dy := fx-0.5, fy-0.5
			light := (1 + s.gradX*dx*2 + s.gradY*dy*2) * (1 - s.vignette*(dx*dx+dy*dy)*2)
			i := y*w + x
			pk := float64(print.Pix[i]) / 255
			if pk > 0 && s.inkVar > 0 {
				pk *= bil(&inkf)
			}
			var pn, st float64
			if pen != nil {
				pn = float64(pen.Pix[i]) / 255 * 0.9
			}
			if stamp != nil {
				st = float64(stamp.Pix[i]) / 255 * 0.8
			}
			paperF := light
			if s.blotch > 0 {
				paperF *= bil(&blot)
			}
			sh := float64(sheet.Pix[i]) / 255
			seed ^= seed << 13
			seed ^= seed >> 7
			seed ^= seed << 17
			n := gauss[seed&4095]
			for c := range 3 {
				v := s.paper[c] * paperF
				v = v*(1-st) + s.stamp[c]*st
				v = v*(1-pn) + s.pen[c]*pn
				v = v*(1-pk) + s.ink[c]*light*pk
				v = v*sh + s.background[c]*light*(1-sh)
				v += n
				out[i*3+2-c] = uint8(math.Max(0, math.Min(255, v+0.5)))
			}
		}
	}
	return out
}

// encodeJPEG writes BGR bytes as a colour JPEG.
func (s scan) encodeJPEG(bgr []byte) ([]byte, string, error) {
	m := gocv.NewMatWithSize(s.outH, s.outW, gocv.MatTypeCV8UC3)
	defer m.Close()
	data, err := m.DataPtrUint8()
	if err != nil {
		return nil, "", fmt.Errorf("synth: mat data: %w", err)
	}
	copy(data, bgr)
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, m, []int{gocv.IMWriteJpegQuality, s.jpegQ})
	if err != nil {
		return nil, "", fmt.Errorf("synth: encode jpeg: %w", err)
	}
	defer buf.Close()
	return append([]byte(nil), buf.GetBytes()...), ".jpg", nil
}

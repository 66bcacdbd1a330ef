package synth

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand/v2"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
)

// layers are the ink coverages (0 none … 255 full) of a page at the
// rendering resolution: printed text and lines, pen (signatures) and the
// red seal.
type layers struct {
	print, pen, stamp *image.Gray
}

func newLayers() *layers {
	r := image.Rect(0, 0, pageW, pageH)
	return &layers{print: image.NewGray(r), pen: image.NewGray(r), stamp: image.NewGray(r)}
}

// renderLayers draws a laid-out page.
func renderLayers(fc *faceCache, g geometry, res *layoutResult, rng *rand.Rand) (*layers, error) {
	ly := newLayers()
	white := image.NewUniform(color.Gray{Y: 255})
	for _, t := range res.texts {
		face, err := fc.face(t.style, t.size)
		if err != nil {
			return nil, err
		}
		d := font.Drawer{Dst: ly.print, Src: white, Face: face, Dot: t.origin}
		d.DrawString(t.text)
	}
	if err := drawLeaders(fc, g, res.leaders, ly.print); err != nil {
		return nil, err
	}
	for _, r := range res.rules {
		fillRect(ly.print, r, 255)
	}
	for _, b := range res.boxes {
		drawBox(ly.print, b)
	}
	for _, s := range res.sigs {
		drawSignature(ly.pen, s.r, rng)
		if s.stamp {
			drawSeal(ly.stamp, s.r, rng)
		}
	}
	return ly, nil
}

// drawLeaders fills the leader runs with dots of the page's leader kind.
// Dots sit on a grid common to the whole page, like tab leaders.
func drawLeaders(fc *faceCache, g geometry, runs []leaderRun, dst *image.Gray) error {
	white := image.NewUniform(color.Gray{Y: 255})
	for _, r := range runs {
		em := px(r.size)
		switch g.leader {
		case leaderNone:
			continue
		case leaderDrawn:
			step := em * 0.3
			rad := math.Max(1.2, em*0.045)
			for x := math.Ceil(r.x0/step) * step; x+rad <= r.x1; x += step {
				stampDisc(dst, x, r.y-rad, rad, 1)
			}
		default:
			dot := "."
			if g.leader == leaderEllipsis {
				dot = "…"
			}
			if err := fc.set.checkGlyphs(fc.family, styleRegular, dot); err != nil {
				return err
			}
			face, err := fc.face(styleRegular, r.size)
			if err != nil {
				return err
			}
			step := fixedToFloat(font.MeasureString(face, dot))
			if step <= 0 {
				return fmt.Errorf("synth: leader glyph %q of %s has no advance", dot, fc.family)
			}
			for x := math.Ceil(r.x0/step) * step; x+step <= r.x1; x += step {
				d := font.Drawer{Dst: dst, Src: white, Face: face, Dot: fixed.Point26_6{X: floatToFixed(x), Y: floatToFixed(r.y)}}
				d.DrawString(dot)
			}
		}
	}
	return nil
}

func fillRect(dst *image.Gray, r image.Rectangle, v uint8) {
	r = r.Intersect(dst.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := dst.Pix[dst.PixOffset(r.Min.X, y):dst.PixOffset(r.Max.X, y)]
		for i := range row {
			row[i] = max(row[i], v)
		}
	}
}

// stampDisc draws an anti-aliased disc, keeping the larger coverage.
func stampDisc(dst *image.Gray, cx, cy, r, alpha float64) {
	x0, x1 := int(math.Floor(cx-r-1)), int(math.Ceil(cx+r+1))
	y0, y1 := int(math.Floor(cy-r-1)), int(math.Ceil(cy+r+1))
	b := dst.Rect
	for y := max(y0, b.Min.Y); y < min(y1, b.Max.Y); y++ {
		for x := max(x0, b.Min.X); x < min(x1, b.Max.X); x++ {
			d := math.Hypot(float64(x)+0.5-cx, float64(y)+0.5-cy)
			c := math.Min(1, math.Max(0, r+0.5-d)) * alpha
			if c <= 0 {
				continue
			}
			i := dst.PixOffset(x, y)
			dst.Pix[i] = max(dst.Pix[i], uint8(c*255+0.5))
		}
	}
}

// strokeLine draws a round-capped line of width w.
func strokeLine(dst *image.Gray, x0, y0, x1, y1, w, alpha float64) {
	n := int(math.Ceil(math.Hypot(x1-x0, y1-y0)/(w*0.35))) + 1
	for i := 0; i <= n; i++ {
		t := float64(i) / float64(n)
		stampDisc(dst, x0+(x1-x0)*t, y0+(y1-y0)*t, w/2, alpha)
	}
}

// drawBox draws a check box, crossed when checked.
func drawBox(dst *image.Gray, b boxMark) {
	r := b.r
	t := max(2, r.Dx()/12)
	fillRect(dst, image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+t), 255)
	fillRect(dst, image.Rect(r.Min.X, r.Max.Y-t, r.Max.X, r.Max.Y), 255)
	fillRect(dst, image.Rect(r.Min.X, r.Min.Y, r.Min.X+t, r.Max.Y), 255)
	fillRect(dst, image.Rect(r.Max.X-t, r.Min.Y, r.Max.X, r.Max.Y), 255)
	if b.checked {
		m := float64(r.Dx()) * 0.2
		x0, y0 := float64(r.Min.X)+m, float64(r.Min.Y)+m
		x1, y1 := float64(r.Max.X)-m, float64(r.Max.Y)-m
		strokeLine(dst, x0, y0, x1, y1, float64(t)*1.3, 1)
		strokeLine(dst, x0, y1, x1, y0, float64(t)*1.3, 1)
	}
}

// drawSignature scribbles a handwritten-looking signature in the area.
func drawSignature(dst *image.Gray, area image.Rectangle, rng *rand.Rand) {
	w := float64(area.Dx()) * (0.45 + 0.2*rng.Float64())
	h := float64(area.Dy()) * 0.45
	x0 := float64(area.Min.X) + (float64(area.Dx())-w)/2
	yc := float64(area.Min.Y) + float64(area.Dy())*0.5
	pen := 4 + 2*rng.Float64()
	f1, f2 := 9+6*rng.Float64(), 2+2*rng.Float64()
	p1, p2 := rng.Float64()*6, rng.Float64()*6
	const n = 900
	px, py := 0.0, 0.0
	for i := 0; i <= n; i++ {
		t := float64(i) / n
		env := math.Sin(math.Pi * math.Min(1, t*1.3))
		x := x0 + w*t + 0.08*w*math.Sin(f1*2*math.Pi*t+p1)
		y := yc + h*0.5*env*math.Sin(f1*math.Pi*t+p2)*math.Cos(f2*math.Pi*t)
		if i > 0 {
			strokeLine(dst, px, py, x, y, pen, 0.95)
		}
		px, py = x, y
	}
	// the closing flourish
	strokeLine(dst, x0+w*0.1, yc+h*0.45, x0+w*1.05, yc+h*0.3, pen*0.8, 0.9)
}

// drawSeal draws a round red seal over the left part of the signature area:
// two rings, a band of letter-like ticks and a star.
func drawSeal(dst *image.Gray, area image.Rectangle, rng *rand.Rand) {
	r := 190 + 25*rng.Float64()
	cx := float64(area.Min.X) + float64(area.Dx())*(0.22+0.1*rng.Float64())
	cy := float64(area.Min.Y+area.Max.Y)/2 + (rng.Float64()-0.5)*40
	ring(dst, cx, cy, r, 7)
	ring(dst, cx, cy, r-34, 3)
	// letter-like marks between the rings
	for a := 0.0; a < 2*math.Pi-0.2; a += 0.075 + 0.03*rng.Float64() {
		if rng.IntN(9) == 0 {
			continue
		}
		ri, ro := r-28, r-9
		x0, y0 := cx+ri*math.Cos(a), cy+ri*math.Sin(a)
		x1, y1 := cx+ro*math.Cos(a+0.02), cy+ro*math.Sin(a+0.02)
		strokeLine(dst, x0, y0, x1, y1, 4, 0.9)
	}
	star(dst, cx, cy, r*0.26)
	// uneven inking
	mottle(dst, image.Rect(int(cx-r-6), int(cy-r-6), int(cx+r+6), int(cy+r+6)), rng)
}

func ring(dst *image.Gray, cx, cy, r, w float64) {
	b := image.Rect(int(cx-r-w), int(cy-r-w), int(cx+r+w)+1, int(cy+r+w)+1).Intersect(dst.Rect)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			d := math.Abs(math.Hypot(float64(x)+0.5-cx, float64(y)+0.5-cy) - r)
			c := math.Min(1, math.Max(0, w/2+0.5-d))
			if c > 0 {
				i := dst.PixOffset(x, y)
				dst.Pix[i] = max(dst.Pix[i], uint8(c*255))
			}
		}
	}
}

// star fills a five-pointed star.
func star(dst *image.Gray, cx, cy, r float64) {
	var pts [10][2]float64
	for i := range pts {
		rr := r
		if i%2 == 1 {
			rr = r * 0.4
		}
		a := -math.Pi/2 + float64(i)*math.Pi/5
		pts[i] = [2]float64{cx + rr*math.Cos(a), cy + rr*math.Sin(a)}
	}
	b := image.Rect(int(cx-r)-1, int(cy-r)-1, int(cx+r)+2, int(cy+r)+2).Intersect(dst.Rect)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if inPolygon(pts[:], float64(x)+0.5, float64(y)+0.5) {
				dst.Pix[dst.PixOffset(x, y)] = 255
			}
		}
	}
}

func inPolygon(pts [][2]float64, x, y float64) bool {
	in := false
	for i, j := 0, len(pts)-1; i < len(pts); j, i = i, i+1 {
		xi, yi, xj, yj := pts[i][0], pts[i][1], pts[j][0], pts[j][1]
		if (yi > y) != (yj > y) && x < (xj-xi)*(y-yi)/(yj-yi)+xi {
			in = !in
		}
	}
	return in
}

// mottle scales coverage in r by a blotchy factor in [0.55, 1].
func mottle(dst *image.Gray, r image.Rectangle, rng *rand.Rand) {
	r = r.Intersect(dst.Rect)
	fx, fy := 0.02+0.02*rng.Float64(), 0.02+0.02*rng.Float64()
	p1, p2 := rng.Float64()*6, rng.Float64()*6
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			i := dst.PixOffset(x, y)
			if dst.Pix[i] == 0 {
				continue
			}
			f := 0.775 + 0.225*math.Sin(float64(x)*fx+p1)*math.Cos(float64(y)*fy+p2)
			dst.Pix[i] = uint8(float64(dst.Pix[i]) * f)
		}
	}
}

package synth

import (
	"image"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// centroid returns the coverage-weighted centre of a grey layer.
func centroid(g *image.Gray) (float64, float64, float64) {
	var sx, sy, sw float64
	for y := g.Rect.Min.Y; y < g.Rect.Max.Y; y++ {
		for x := g.Rect.Min.X; x < g.Rect.Max.X; x++ {
			w := float64(g.Pix[g.PixOffset(x, y)])
			sx += w * (float64(x) + 0.5)
			sy += w * (float64(y) + 0.5)
			sw += w
		}
	}
	return sx / sw, sy / sw, sw
}

func TestScanGeometryMatchesTruthMapping(t *testing.T) {
	for _, q := range []Quality{QualityClean, QualityScanned, QualityWorn} {
		for seed := uint64(1); seed <= 3; seed++ {
			s := planScan(rand.New(rand.NewPCG(seed, 99)), q)
			if q == QualityClean {
				s.skew = 0.3 // force a warp
				s.setGeometry()
			}
			src := image.NewGray(image.Rect(0, 0, pageW, pageH))
			// a blob right of and above the centre
			bx, by := 2000.0, 600.0
			stampDisc(src, bx, by, 12, 1)
			out, err := s.warpBlur(src, 0)
			if err != nil {
				t.Fatal(err)
			}
			if out.Rect.Dx() != s.outW || out.Rect.Dy() != s.outH {
				t.Fatalf("%s: output %v, want %dx%d", q, out.Rect, s.outW, s.outH)
			}
			cx, cy, _ := centroid(out)
			wx, wy := s.mapPoint(bx, by)
			if math.Hypot(cx-wx, cy-wy) > 1.5 {
				t.Errorf("%s skew %.2f: blob at (%.1f, %.1f), mapping says (%.1f, %.1f)", q, s.skew, cx, cy, wx, wy)
			}
			box := s.mapRect(image.Rect(int(bx-12), int(by-12), int(bx+12), int(by+12)))
			if float64(box[0]) > cx || float64(box[2]) < cx || float64(box[1]) > cy || float64(box[3]) < cy {
				t.Errorf("%s: mapped box %v misses the blob at (%.1f, %.1f)", q, box, cx, cy)
			}
		}
	}
}

func TestPositiveSkewIsCounterClockwise(t *testing.T) {
	s := scan{dpi: 300, scale: 1, skew: 5}
	s.setGeometry()
	// a point right of the centre goes up when the page turns
	// counter-clockwise as seen (y grows downwards)
	_, y := s.mapPoint(pageW/2.0+1000, pageH/2.0)
	if y >= pageH/2.0 {
		t.Errorf("point right of centre moved to y=%.1f, want above %.1f", y, pageH/2.0)
	}
	// and a point above the centre goes left
	x, _ := s.mapPoint(pageW/2.0, pageH/2.0-1000)
	if x >= pageW/2.0 {
		t.Errorf("point above centre moved to x=%.1f, want left of %.1f", x, pageW/2.0)
	}
}

// TestFieldBoxesHoldInk decodes every page image of the shared corpus and
// checks that each field box contains dark ink, i.e. that boxes and
// pixels agree after all transforms.
func TestFieldBoxesHoldInk(t *testing.T) {
	dir, truths := testCorpus(t)
	checked := 0
	defer func() {
		if checked == 0 {
			t.Error("no clean page checked")
		}
	}()
	for _, pt := range truths {
		f, err := os.Open(filepath.Join(dir, pt.Image))
		if err != nil {
			t.Fatal(err)
		}
		img, _, err := image.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range pt.Records {
			for k, fl := range r.Fields {
				b := fl.BBox
				inner := image.Rect(b[0], b[1], b[2], b[3])
				if darkest(img, inner) > 150 {
					t.Errorf("%s %s %q: box %v holds no ink", pt.Name, k, fl.Raw, b)
				}
			}
		}
		if pt.Quality == QualityClean {
			checked++
			// clean pages: ink stays inside the boxes, so a thin band just
			// above and below each field box is blank
			for _, r := range pt.Records {
				for k, fl := range r.Fields {
					b := fl.BBox
					above := image.Rect(b[0], b[1]-3, b[2], b[1]-1)
					below := image.Rect(b[0], b[3]+1, b[2], b[3]+3)
					if darkest(img, above) < 128 || darkest(img, below) < 128 {
						t.Errorf("%s %s: ink right outside box %v", pt.Name, k, b)
					}
				}
			}
		}
	}
}

func darkest(img image.Image, r image.Rectangle) int {
	r = r.Intersect(img.Bounds())
	m := 255
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			l := int((299*cr + 587*cg + 114*cb) / 1000 >> 8)
			m = min(m, l)
		}
	}
	return m
}

package preprocess

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"strings"
	"testing"

	"gocv.io/x/gocv"
)

// testPage renders the register-like form lines at 12 pt, 300 dpi.
func testPage(t testing.TB) (*image.Gray, truth) {
	t.Helper()
	return renderForm(t, formLines, 2000, 1250, 12, 300, false)
}

// input builds a Clean input from an upright page: rotated by deg
// (CCW), optionally worn. It returns the Mat and the upright→input map.
func input(t testing.TB, page *image.Gray, deg float64, worn bool, seed int64) (gocv.Mat, Affine) {
	t.Helper()
	m := matFromGray(t, page)
	defer m.Close()
	r, a := rotateFit(m, deg, 255)
	if !worn {
		return r, a
	}
	defer r.Close()
	return wear(t, imgOf(t, r), seed), a
}

func mustClean(t testing.TB, m gocv.Mat, opts Options) *Page {
	t.Helper()
	p, err := Clean(context.Background(), m, opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDeskewAngle(t *testing.T) {
	page, _ := testPage(t)
	tests := []struct {
		deg  float64
		worn bool
	}{
		{-6, false}, {-3.5, false}, {-1.2, false}, {0, false}, {0.4, false},
		{2, false}, {4.5, false}, {6, false}, {12, false}, {-12, false},
		{-5.2, true}, {-0.7, true}, {3.1, true}, {6, true},
	}
	for i, tc := range tests {
		t.Run(fmt.Sprintf("%+.1f_worn=%v", tc.deg, tc.worn), func(t *testing.T) {
			in, _ := input(t, page, tc.deg, tc.worn, int64(i))
			defer in.Close()
			p := mustClean(t, in, DefaultOptions())
			defer p.Close()
			q := p.Quality
			if math.Abs(q.SkewDeg-tc.deg) > 0.3 || q.RotationDeg != 0 {
				t.Fatalf("skew %.2f° rotation %d°, want %.2f° and 0", q.SkewDeg, q.RotationDeg, tc.deg)
			}
			hasWarn := false
			for _, w := range q.Warnings {
				hasWarn = hasWarn || strings.HasPrefix(w, "skew ")
			}
			if hasWarn != (math.Abs(tc.deg) >= 1) {
				t.Errorf("warnings %q for skew %.1f", q.Warnings, tc.deg)
			}
		})
	}
}

func TestOrientation(t *testing.T) {
	page, _ := testPage(t)
	tests := []struct {
		name string
		turn func(src gocv.Mat, dst *gocv.Mat)
		want int
	}{
		{"upright", func(s gocv.Mat, d *gocv.Mat) { s.CopyTo(d) }, 0},
		{"turned ccw", func(s gocv.Mat, d *gocv.Mat) { gocv.Rotate(s, d, gocv.Rotate90CounterClockwise) }, 90},
		{"upside down", func(s gocv.Mat, d *gocv.Mat) { gocv.Rotate(s, d, gocv.Rotate180Clockwise) }, 180},
		{"turned cw", func(s gocv.Mat, d *gocv.Mat) { gocv.Rotate(s, d, gocv.Rotate90Clockwise) }, 270},
	}
	for i, tc := range tests {
		for _, worn := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s_worn=%v", tc.name, worn), func(t *testing.T) {
				base, _ := input(t, page, 1.5, worn, int64(10+i))
				defer base.Close()
				in := gocv.NewMat()
				defer in.Close()
				tc.turn(base, &in)
				p := mustClean(t, in, DefaultOptions())
				defer p.Close()
				q := p.Quality
				if q.RotationDeg != tc.want || math.Abs(q.SkewDeg-1.5) > 0.3 {
					t.Fatalf("rotation %d° skew %.2f°, want %d° and 1.5°", q.RotationDeg, q.SkewDeg, tc.want)
				}
				// Upright pages are wider than tall here.
				if p.Binary.Cols() < p.Binary.Rows() {
					t.Errorf("cleaned page is %dx%d, expected landscape", p.Binary.Cols(), p.Binary.Rows())
				}
			})
		}
	}
}

// TestUpsideDownStatistic justifies the 180° rule: in upright Vietnamese
// text far more small marks sit above letters than below them, and turning
// the page swaps the counts.
func TestUpsideDownStatistic(t *testing.T) {
	page, _ := testPage(t)
	m := matFromGray(t, page)
	defer m.Close()
	flipped := gocv.NewMat()
	defer flipped.Close()
	gocv.Rotate(m, &flipped, gocv.Rotate180Clockwise)
	count := func(m gocv.Mat) (up, down int, turned bool) {
		ink := gocv.NewMat()
		defer ink.Close()
		gocv.Threshold(m, &ink, 128, 255, gocv.ThresholdBinaryInv)
		cs, labels, err := components(ink)
		if err != nil {
			t.Fatal(err)
		}
		labels.Close()
		xh := modeHeight(cs, 3, 100)
		up, down, _ = markBalance(cs, xh, m.Cols())
		return up, down, upsideDownCounts(up, down)
	}
	u, d, turned := count(m)
	fu, fd, fturned := count(flipped)
	t.Logf("upright: %d above, %d below; turned: %d above, %d below", u, d, fu, fd)
	if u < 3*d || u < 30 || turned {
		t.Errorf("upright page: %d marks above vs %d below (upside down: %v)", u, d, turned)
	}
	if fd < 3*fu || !fturned {
		t.Errorf("turned page: %d marks above vs %d below (upside down: %v)", fu, fd, fturned)
	}
}

// inkIn counts ink (dark) pixels of a binary or grey page inside r.
func inkIn(t testing.TB, m gocv.Mat, r image.Rectangle) int {
	t.Helper()
	r = r.Intersect(image.Rect(0, 0, m.Cols(), m.Rows()))
	if r.Empty() {
		return 0
	}
	roi := m.Region(r)
	defer roi.Close()
	ink := gocv.NewMat()
	defer ink.Close()
	gocv.Threshold(roi, &ink, 128, 255, gocv.ThresholdBinaryInv)
	return gocv.CountNonZero(ink)
}

func countLeaderDots(lines [][]seg) int {
	n := 0
	for _, l := range lines {
		for _, s := range l {
			if s.leader {
				n += strings.Count(s.text, ".")
			}
		}
	}
	return n
}

func TestLeaderRemoval(t *testing.T) {
	page, tr := testPage(t)
	ref := matFromGray(t, page)
	defer ref.Close()
	dots := countLeaderDots(formLines)
	for _, worn := range []bool{false, true} {
		t.Run(fmt.Sprintf("worn=%v", worn), func(t *testing.T) {
			in, _ := input(t, page, 0, worn, 3)
			defer in.Close()
			p := mustClean(t, in, DefaultOptions())
			defer p.Close()
			fwd, _ := p.ToOriginal.Invert()
			where := func(r image.Rectangle) image.Rectangle {
				x0, y0, x1, y1 := fwd.MapRect(float64(r.Min.X), float64(r.Min.Y), float64(r.Max.X), float64(r.Max.Y))
				return image.Rect(x0, y0, x1, y1)
			}
			var before, after int
			for _, r := range tr.leaders {
				before += inkIn(t, ref, r)
				after += inkIn(t, p.Binary, where(r))
			}
			if before == 0 || after > before/100 {
				t.Errorf("leader ink %d → %d, want (almost) none left", before, after)
			}
			before, after = 0, 0
			for _, r := range tr.words {
				before += inkIn(t, ref, r)
				after += inkIn(t, p.Binary, where(r))
			}
			lo, hi := 0.97, 1.06 // Otsu keeps a little more anti-aliasing than 128
			if worn {
				lo, hi = 0.85, 1.25 // blur and JPEG change stroke width
			}
			if ratio := float64(after) / float64(before); ratio < lo || ratio > hi {
				t.Errorf("word ink %d → %d (%.3f), want within [%.2f, %.2f]", before, after, ratio, lo, hi)
			}
			if !worn {
				// Only touching marks may merge (ế's two marks, say).
				if b, a := componentsIn(t, ref, tr.words), componentsIn(t, p.Binary, tr.words); a > b || a < b*99/100 {
					t.Errorf("components inside words: %d before, %d after", b, a)
				}
			}
			for _, r := range tr.dotsBelow {
				b, a := inkIn(t, ref, r), inkIn(t, p.Binary, where(r))
				if b == 0 || a*3 < b {
					t.Errorf("dot below at %v: ink %d → %d", r, b, a)
				}
			}
			if got := p.Quality.Removed.LeaderDots; got < dots*95/100 || got > dots*105/100 {
				t.Errorf("removed %d leader dots, drew %d", got, dots)
			}
		})
	}
}

// componentsIn counts ink components whose centre lies in one of boxes.
func componentsIn(t testing.TB, m gocv.Mat, boxes []image.Rectangle) int {
	t.Helper()
	ink := gocv.NewMat()
	defer ink.Close()
	gocv.Threshold(m, &ink, 128, 255, gocv.ThresholdBinaryInv)
	cs, labels, err := components(ink)
	if err != nil {
		t.Fatal(err)
	}
	labels.Close()
	n := 0
	for _, c := range cs[1:] {
		p := image.Pt(c.x+c.w/2, c.y+c.h/2)
		for _, b := range boxes {
			if p.In(b) {
				n++
				break
			}
		}
	}
	return n
}

func TestLeaderRemovalSkewed(t *testing.T) {
	page, _ := testPage(t)
	dots := countLeaderDots(formLines)
	for _, deg := range []float64{-4, 5.5} {
		in, _ := input(t, page, deg, true, 5)
		p := mustClean(t, in, DefaultOptions())
		if got := p.Quality.Removed.LeaderDots; got < dots*9/10 || got > dots*11/10 {
			t.Errorf("skew %.1f: removed %d leader dots, drew %d", deg, got, dots)
		}
		p.Close()
		in.Close()
	}
}

func TestOptionsDisableCleanup(t *testing.T) {
	page, tr := testPage(t)
	in, _ := input(t, page, 0, false, 0)
	defer in.Close()
	opts := DefaultOptions()
	opts.RemoveLeaders, opts.RemoveRules, opts.RemoveSpecks = false, false, false
	p := mustClean(t, in, opts)
	defer p.Close()
	if p.Quality.Removed != (Removed{}) {
		t.Errorf("removed %+v with cleanup off", p.Quality.Removed)
	}
	kept := 0
	for _, r := range tr.leaders {
		kept += inkIn(t, p.Binary, r)
	}
	if kept == 0 {
		t.Error("leaders vanished with RemoveLeaders off")
	}
}

// TestRuleRemoval draws a table-like grid over the form: a rule touching
// the baseline of one line, a rule striking through another line's letters
// and vertical rules crossing several lines. Rules must go, letters stay.
func TestRuleRemoval(t *testing.T) {
	page, tr := testPage(t)
	ref := matFromGray(t, page)
	defer ref.Close()
	ruled := image.NewGray(page.Rect)
	copy(ruled.Pix, page.Pix)
	var rules []image.Rectangle
	hline := func(y, x0, x1, th int) {
		rules = append(rules, image.Rect(x0, y, x1, y+th))
		for yy := y; yy < y+th; yy++ {
			for x := x0; x < x1; x++ {
				ruled.Pix[yy*ruled.Stride+x] = 0
			}
		}
	}
	vline := func(x, y0, y1, th int) {
		rules = append(rules, image.Rect(x, y0, x+th, y1))
		for y := y0; y < y1; y++ {
			for xx := x; xx < x+th; xx++ {
				ruled.Pix[y*ruled.Stride+xx] = 0
			}
		}
	}
	w0 := tr.words[0]
	hline(w0.Max.Y-12, 40, 1960, 3) // near the baseline of line 1 (descenders cross)
	w2 := tr.words[3]               // "Ghi bằng chữ…" line
	mid := (w2.Min.Y + w2.Max.Y) / 2
	hline(mid+4, 40, 1960, 3) // strikes through the letters
	vline(60, 40, 1200, 4)
	vline(1940, 40, 1200, 4)
	vline(1100, w2.Max.Y+10, 1200, 3) // through leaders and text of lower lines
	in := matFromGray(t, ruled)
	defer in.Close()
	p := mustClean(t, in, DefaultOptions())
	defer p.Close()
	if p.Quality.Removed.RuleRegions == 0 {
		t.Fatal("no rule found")
	}
	// No ink may remain on the rules away from the words.
	left := 0
	for _, r := range rules {
		rr := r.Inset(-2)
		for y := rr.Min.Y; y < rr.Max.Y; y++ {
			for x := rr.Min.X; x < rr.Max.X; x++ {
				pt := image.Pt(x, y)
				inWord := false
				for _, wb := range tr.words {
					inWord = inWord || pt.In(wb)
				}
				if !inWord && p.Binary.GetUCharAt(y, x) < 128 {
					left++
				}
			}
		}
	}
	if left > 50 {
		t.Errorf("%d rule pixels left outside words", left)
	}
	// Text crossed by rules keeps its strokes: compare with the page
	// without rules, word by word.
	for i, r := range tr.words {
		b, a := inkIn(t, ref, r), inkIn(t, p.Binary, r)
		if ratio := float64(a) / float64(b); ratio < 0.93 || ratio > 1.07 {
			t.Errorf("word box %d %v: ink %d without rules, %d after removal (%.3f)", i, r, b, a, ratio)
		}
	}
	bc, ac := componentsIn(t, ref, tr.words), componentsIn(t, p.Binary, tr.words)
	if math.Abs(float64(ac-bc)) > 0.03*float64(bc) {
		t.Errorf("components in words: %d without rules, %d after removal", bc, ac)
	}
}

func TestResolutionNormalisation(t *testing.T) {
	tests := []struct {
		dpi       float64
		wantDPI   [2]int
		wantScale [2]float64
	}{
		{300, [2]int{270, 330}, [2]float64{1, 1}},
		{200, [2]int{180, 220}, [2]float64{1.35, 1.65}},
		{150, [2]int{135, 165}, [2]float64{1.8, 2.2}},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.dpi), func(t *testing.T) {
			w, h := int(2000*tc.dpi/300), int(1250*tc.dpi/300)
			page, _ := renderForm(t, formLines, w, h, 12, tc.dpi, false)
			in, _ := input(t, page, 2, false, 0)
			defer in.Close()
			p := mustClean(t, in, DefaultOptions())
			defer p.Close()
			q := p.Quality
			if q.EstimatedDPI < tc.wantDPI[0] || q.EstimatedDPI > tc.wantDPI[1] {
				t.Errorf("estimated %d dpi, want %v", q.EstimatedDPI, tc.wantDPI)
			}
			if q.Scale < tc.wantScale[0] || q.Scale > tc.wantScale[1] {
				t.Errorf("scale %.3f, want %v", q.Scale, tc.wantScale)
			}
			if got, want := float64(p.Binary.Cols()), float64(in.Cols())*q.Scale; math.Abs(got-want) > 0.05*want+5 {
				t.Errorf("cleaned width %v, want about %v", got, want)
			}
			if xh := q.XHeight * q.Scale; xh < 20 || xh > 28 {
				t.Errorf("x-height after scaling %.1f px", xh)
			}
		})
	}
}

// TestToOriginal draws markers on the input page, cleans it, finds the
// markers on the cleaned page and checks ToOriginal maps them back.
func TestToOriginal(t *testing.T) {
	page, _ := testPage(t)
	small, _ := renderForm(t, formLines, 1333, 833, 12, 200, false)
	tests := []struct {
		name string
		page *image.Gray
		deg  float64
		turn bool // also turn the input a quarter turn
	}{
		{"skew 5", page, 5, false},
		{"skew -3 upscaled", small, -3, false},
		{"quarter turn", page, 2, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in, _ := input(t, tc.page, tc.deg, false, 0)
			defer in.Close()
			if tc.turn {
				turned := gocv.NewMat()
				gocv.Rotate(in, &turned, gocv.Rotate90CounterClockwise)
				in.Close()
				in = turned
			}
			w, h := in.Cols(), in.Rows()
			markers := []image.Point{{w / 2, h - 40}, {40, h / 2}, {w - 40, 40}}
			const side = 56 // bigger than a tick box, smaller than a rule
			for _, m := range markers {
				r := image.Rect(m.X-side/2, m.Y-side/2, m.X+side/2, m.Y+side/2)
				roi := in.Region(r)
				roi.SetTo(gocv.NewScalar(0, 0, 0, 0))
				roi.Close()
			}
			p := mustClean(t, in, DefaultOptions())
			defer p.Close()
			ink := gocv.NewMat()
			defer ink.Close()
			gocv.Threshold(p.Binary, &ink, 128, 255, gocv.ThresholdBinaryInv)
			cs, labels, err := components(ink)
			if err != nil {
				t.Fatal(err)
			}
			labels.Close()
			s := side * p.Quality.Scale
			found := 0
			for _, c := range cs[1:] {
				// A filled square of the expected size.
				if math.Abs(float64(c.w)-s) > 0.25*s || math.Abs(float64(c.h)-s) > 0.25*s ||
					float64(c.area) < 0.8*float64(c.w*c.h) {
					continue
				}
				x, y := p.ToOriginal.Apply(float64(c.x)+float64(c.w)/2, float64(c.y)+float64(c.h)/2)
				for _, m := range markers {
					if math.Hypot(x-float64(m.X), y-float64(m.Y)) <= 3 {
						found++
					}
				}
			}
			if found != len(markers) {
				t.Fatalf("found %d of %d markers where ToOriginal says (quality %+v)", found, len(markers), p.Quality)
			}
		})
	}
}

func TestCleanEdgeCases(t *testing.T) {
	t.Run("empty", func(t *testing.T) {
		m := gocv.NewMat()
		defer m.Close()
		if _, err := Clean(context.Background(), m, DefaultOptions()); !errors.Is(err, ErrBadInput) {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("blank page", func(t *testing.T) {
		m := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(200, 220, 230, 0), 800, 600, gocv.MatTypeCV8UC3)
		defer m.Close()
		p := mustClean(t, m, DefaultOptions())
		defer p.Close()
		if n := gocv.CountNonZero(p.Binary); n != 800*600 {
			t.Errorf("blank page has %d ink pixels", 800*600-n)
		}
		if !strings.Contains(strings.Join(p.Quality.Warnings, ";"), "no text") {
			t.Errorf("warnings %q", p.Quality.Warnings)
		}
	})
	t.Run("bgra", func(t *testing.T) {
		page, _ := testPage(t)
		g := matFromGray(t, page)
		defer g.Close()
		m := gocv.NewMat()
		defer m.Close()
		gocv.CvtColor(g, &m, gocv.ColorGrayToBGRA)
		p := mustClean(t, m, DefaultOptions())
		defer p.Close()
		if p.Binary.Type() != gocv.MatTypeCV8UC1 || p.Gray.Type() != gocv.MatTypeCV8UC1 ||
			p.Binary.Cols() != p.Gray.Cols() || p.Binary.Rows() != p.Gray.Rows() {
			t.Errorf("types %v %v sizes %dx%d %dx%d", p.Binary.Type(), p.Gray.Type(),
				p.Binary.Cols(), p.Binary.Rows(), p.Gray.Cols(), p.Gray.Rows())
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		page, _ := testPage(t)
		g := matFromGray(t, page)
		defer g.Close()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := Clean(ctx, g, DefaultOptions()); !errors.Is(err, context.Canceled) {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("source untouched", func(t *testing.T) {
		page, _ := testPage(t)
		g := matFromGray(t, page)
		defer g.Close()
		before := g.Clone()
		defer before.Close()
		p := mustClean(t, g, DefaultOptions())
		p.Close()
		diff := gocv.NewMat()
		defer diff.Close()
		gocv.AbsDiff(g, before, &diff)
		if gocv.CountNonZero(diff) != 0 {
			t.Error("Clean modified its source")
		}
	})
}

package preprocess

import (
	"image"
	"image/color"
	"math"
	"testing"

	"gocv.io/x/gocv"
)

// fillRect paints r with v on img.
func fillRect(img *image.Gray, r image.Rectangle, v uint8) {
	r = r.Intersect(img.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			img.Pix[y*img.Stride+x] = v
		}
	}
}

// TestColonsKept: the lower dot of a colon directly followed by a dotted
// leader must not be taken for the first leader dot.
func TestColonsKept(t *testing.T) {
	lines := [][]seg{
		{{"Giới tính:", false}, {".............", true}, {"Nam", false}},
		{{"Dân tộc:", false}, {"..........", true}, {"Kinh", false}, {"Quốc tịch:", false}, {".......", true}},
		{{"Ngày đăng ký:", false}, {"...................", true}},
	}
	page, tr := renderForm(t, lines, 1600, 500, 12, 300, false)
	ref := matFromGray(t, page)
	defer ref.Close()
	p := mustClean(t, ref, DefaultOptions())
	defer p.Close()
	if len(tr.colons) != 4 {
		t.Fatalf("rendered %d colons", len(tr.colons))
	}
	for _, r := range tr.colons {
		if b, a := inkIn(t, ref, r), inkIn(t, p.Binary, r); b == 0 || a*10 < b*8 {
			t.Errorf("colon at %v: ink %d → %d", r, b, a)
		}
	}
	if p.Quality.Removed.LeaderDots < countLeaderDots(lines)*9/10 {
		t.Errorf("removed %d leader dots of %d", p.Quality.Removed.LeaderDots, countLeaderDots(lines))
	}
}

// TestSpecks: specks far from text and floating at mid-height beside a
// word go; a period after a word and a hyphen between words stay.
func TestSpecks(t *testing.T) {
	lines := [][]seg{{{"Họ và tên người khai", false}}, {{"Ngày sinh 12 05 1990", false}}}
	page, tr := renderForm(t, lines, 1400, 400, 12, 300, false)
	w0, w1 := tr.words[0], tr.words[1]
	mid := (w0.Min.Y + w0.Max.Y) / 2 // word boxes span ascent to descent
	specks := []image.Rectangle{
		image.Rect(1200, 330, 1205, 335),                                                     // isolated
		image.Rect(w0.Max.X+6, mid-8, w0.Max.X+11, mid-3),                                    // mid-height after a word
		image.Rect(w1.Max.X+80, (w1.Min.Y+w1.Max.Y)/2, w1.Max.X+84, (w1.Min.Y+w1.Max.Y)/2+4), // isolated near line 2
	}
	keepers := []image.Rectangle{
		image.Rect(w1.Max.X+3, w1.Max.Y-18, w1.Max.X+9, w1.Max.Y-12), // period after the last word
	}
	for _, r := range append(specks, keepers...) {
		fillRect(page, r, 0)
	}
	m := matFromGray(t, page)
	defer m.Close()
	p := mustClean(t, m, DefaultOptions())
	defer p.Close()
	for _, r := range specks {
		if a := inkIn(t, p.Binary, r.Inset(-1)); a != 0 {
			t.Errorf("speck at %v kept (%d px)", r, a)
		}
	}
	for _, r := range keepers {
		if a := inkIn(t, p.Binary, r); a < r.Dx()*r.Dy()/2 {
			t.Errorf("period at %v removed (%d px left)", r, a)
		}
	}
	ref := matFromGray(t, page)
	defer ref.Close()
	for _, r := range tr.words {
		if b, a := inkIn(t, ref, r), inkIn(t, p.Binary, r); a*100 < b*97 {
			t.Errorf("word %v: ink %d → %d", r, b, a)
		}
	}
}

// TestCheckboxes: printed tick boxes are removed and reported, checked or
// not; square-ish letters (n, o, H, D, 0, m) are not boxes.
func TestCheckboxes(t *testing.T) {
	lines := [][]seg{{{"nnn ooo HHH DDD 000 mmm ĐÚNG HẠN", false}}, {{"Đúng hạn    Quá hạn    Đăng ký lại", false}}}
	page, tr := renderForm(t, lines, 1600, 400, 12, 300, false)
	line := tr.words[1]
	side := 30
	y0 := line.Max.Y - 11 - side // resting on the baseline
	box := func(x int, checked bool) image.Rectangle {
		r := image.Rect(x, y0, x+side, y0+side)
		fillRect(page, r, 0)
		fillRect(page, r.Inset(3), 255)
		if checked {
			for i := 6; i < side-6; i++ { // a cross
				fillRect(page, image.Rect(x+i, y0+i, x+i+2, y0+i+2), 0)
				fillRect(page, image.Rect(x+side-i-2, y0+i, x+side-i, y0+i+2), 0)
			}
		}
		return r
	}
	want := []struct {
		r       image.Rectangle
		checked bool
	}{{box(1250, true), true}, {box(1350, false), false}, {box(1450, false), false}}
	ref := matFromGray(t, page)
	defer ref.Close()
	p := mustClean(t, ref, DefaultOptions())
	defer p.Close()
	if len(p.Checkboxes) != len(want) {
		t.Fatalf("found %d boxes %+v, want %d", len(p.Checkboxes), p.Checkboxes, len(want))
	}
	for _, wb := range want {
		found := false
		for _, b := range p.Checkboxes {
			if b.Rect.Intersect(wb.r).Dx()*b.Rect.Intersect(wb.r).Dy() > side*side*3/4 {
				found = true
				if b.Checked != wb.checked {
					t.Errorf("box %v checked=%v, want %v", wb.r, b.Checked, wb.checked)
				}
			}
		}
		if !found {
			t.Errorf("box %v not reported", wb.r)
		}
		if a := inkIn(t, p.Binary, wb.r); a != 0 {
			t.Errorf("box %v left %d ink pixels", wb.r, a)
		}
	}
	for _, r := range tr.words {
		if b, a := inkIn(t, ref, r), inkIn(t, p.Binary, r); a*100 < b*97 {
			t.Errorf("word %v: ink %d → %d", r, b, a)
		}
	}
}

// TestScannerBorder: the dark scanner lid seen around a tilted sheet is
// painted white, text stays.
func TestScannerBorder(t *testing.T) {
	page, tr := testPage(t)
	sheet := matFromGray(t, page)
	defer sheet.Close()
	tilted, _ := rotateFit(sheet, 2.5, 50) // dark grey outside the sheet
	defer tilted.Close()
	p := mustClean(t, tilted, DefaultOptions())
	defer p.Close()
	if p.Quality.Removed.BorderRegions == 0 {
		t.Error("no border region found")
	}
	// Ink outside the text lines (mapped to the cleaned page) must be gone.
	fwd, _ := p.ToOriginal.Invert()
	_, a := rotateFit(sheet, 2.5, 50)
	up := a.Then(fwd)
	text := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(0, 0, 0, 0), p.Binary.Rows(), p.Binary.Cols(), gocv.MatTypeCV8UC1)
	defer text.Close()
	for _, r := range tr.lineBoxes {
		x0, y0, x1, y1 := up.MapRect(float64(r.Min.X), float64(r.Min.Y), float64(r.Max.X), float64(r.Max.Y))
		gocv.Rectangle(&text, image.Rect(x0-10, y0-10, x1+10, y1+10), color.RGBA{255, 255, 255, 0}, -1)
	}
	ink := gocv.NewMat()
	defer ink.Close()
	gocv.Threshold(p.Binary, &ink, 128, 255, gocv.ThresholdBinaryInv)
	gocv.Subtract(ink, text, &ink)
	if n := gocv.CountNonZero(ink); n > 50 {
		t.Errorf("%d ink pixels outside the text", n)
	}
	if got, want := p.Quality.SkewDeg, 2.5; math.Abs(got-want) > 0.3 {
		t.Errorf("skew %.2f, want %.2f", got, want)
	}
}

// TestRedStamp: a red seal over empty paper vanishes from the binary page
// of a colour scan, faded text (as dark as the seal) next to it stays.
func TestRedStamp(t *testing.T) {
	page, tr := testPage(t)
	faded := image.NewGray(page.Rect)
	for i, v := range page.Pix {
		faded.Pix[i] = uint8(110 + int(v)*145/255)
	}
	g := matFromGray(t, faded)
	defer g.Close()
	bgr := gocv.NewMat()
	defer bgr.Close()
	gocv.CvtColor(g, &bgr, gocv.ColorGrayToBGR)
	// Yellowish paper, then a faded red seal (RGB 190,80,80) at 80% cover.
	paper := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(190, 232, 245, 0), bgr.Rows(), bgr.Cols(), gocv.MatTypeCV8UC3)
	defer paper.Close()
	gocv.Min(bgr, paper, &bgr)
	center := image.Pt(1600, 1050)
	seal := color.RGBA{R: 198, G: 110, B: 110}
	gocv.Circle(&bgr, center, 140, seal, 10)
	gocv.Circle(&bgr, center, 100, seal, 4)
	gocv.PutText(&bgr, "UBND XA", image.Pt(1500, 1060), gocv.FontHersheySimplex, 1.6, seal, 5)
	p := mustClean(t, bgr, DefaultOptions())
	defer p.Close()
	sealBox := image.Rect(center.X-150, center.Y-150, center.X+150, center.Y+150)
	for _, r := range tr.lineBoxes {
		if r.Overlaps(sealBox) {
			t.Fatalf("test layout: seal overlaps text line %v", r)
		}
	}
	if n := inkIn(t, p.Binary, sealBox); n > 100 {
		t.Errorf("%d ink pixels left of the seal", n)
	}
	ref := matFromGray(t, page)
	defer ref.Close()
	for _, r := range tr.words {
		if b, a := inkIn(t, ref, r), inkIn(t, p.Binary, r); a*100 < b*95 {
			t.Errorf("word %v: ink %d → %d", r, b, a)
		}
	}
}

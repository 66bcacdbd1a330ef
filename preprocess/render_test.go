package preprocess

import (
	"image"
	"image/color"
	"math"
	"math/rand"
	"os"
	"sync"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"gocv.io/x/gocv"
)

// FreeSerif is Times-like and, unlike Liberation Serif, has the precomposed
// Vietnamese letters.
const testFont = "/usr/share/fonts/truetype/freefont/FreeSerif.ttf"

var (
	fontOnce sync.Once
	fontData *opentype.Font
	fontErr  error
)

func loadFont(t testing.TB) *opentype.Font {
	t.Helper()
	fontOnce.Do(func() {
		b, err := os.ReadFile(testFont)
		if err != nil {
			fontErr = err
			return
		}
		fontData, fontErr = opentype.Parse(b)
	})
	if fontErr != nil {
		t.Skipf("font %s unavailable: %v", testFont, fontErr)
	}
	return fontData
}

// seg is a piece of a rendered line: words or a leader.
type seg struct {
	text   string
	leader bool
}

// truth records where things were drawn on the upright page.
type truth struct {
	words     []image.Rectangle // boxes of word segments
	leaders   []image.Rectangle // boxes of leader segments
	dotsBelow []image.Rectangle // regions of dots under ạ, ệ, ọ, …
	colons    []image.Rectangle // glyph boxes of ':' in words
	lineBoxes []image.Rectangle // one per drawn line, words and leaders
}

// formLines is register-like content with dotted leaders.
var formLines = [][]seg{
	{{"Họ, chữ đệm, tên: NGUYỄN THỊ HẠNH", false}, {"..........................", true}},
	{{"Ngày, tháng, năm sinh: 12/05/1990", false}, {"..........", true}, {"Giới tính: Nữ", false}},
	{{"Ghi bằng chữ: Mười hai tháng năm năm một nghìn chín trăm chín mươi", false}},
	{{"Dân tộc: Kinh", false}, {"....................", true}, {"Quốc tịch: Việt Nam", false}},
	{{"Nơi sinh: Trạm y tế xã Tà Cạ, huyện Kỳ Sơn, tỉnh Nghệ An", false}, {".......", true}},
	{{"Quê quán: xã Diễn Hạnh, huyện Diễn Châu", false}, {"..................", true}},
	{{"Họ, chữ đệm, tên người mẹ: TRẦN THỊ MỴ", false}, {"........................", true}},
	{{"Nơi cư trú: Số 7, đường Lê Lợi, phường Bến Thủy", false}, {"............", true}},
	{{"Họ, chữ đệm, tên người cha: LÊ VĂN ĐỨC", false}, {".....................", true}},
	{{"Số định danh cá nhân: 040190001234", false}, {"...............", true}},
}

var dotBelow = map[rune]bool{}

func init() {
	for _, r := range "ạặậẹệịọộợụựỵẠẶẬẸỆỊỌỘỢỤỰỴ" {
		dotBelow[r] = true
	}
}

// renderForm draws lines of segs at ptSize points and dpi on a white w×h
// page with black ink, and a horizontal rule under the content when rule is
// set. It returns the page and what was drawn where.
func renderForm(t testing.TB, lines [][]seg, w, h int, ptSize, dpi float64, rule bool) (*image.Gray, truth) {
	t.Helper()
	f := loadFont(t)
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: ptSize, DPI: dpi, Hinting: font.HintingNone})
	if err != nil {
		t.Fatal(err)
	}
	defer face.Close()
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	d := &font.Drawer{Dst: img, Src: image.NewUniform(color.Gray{0}), Face: face}
	em := ptSize * dpi / 72
	margin := int(em * 1.5)
	lineH := int(em * 1.6)
	var tr truth
	y := margin + int(em)
	for _, line := range lines {
		if y+lineH > h-margin {
			break
		}
		x := fixed.I(margin)
		for _, s := range line {
			d.Dot = fixed.Point26_6{X: x + fixed.I(int(em*0.25)), Y: fixed.I(y)}
			start := d.Dot.X
			for _, r := range s.text {
				if r == ':' && !s.leader {
					if b, _, ok := face.GlyphBounds(r); ok {
						gx := d.Dot.X
						tr.colons = append(tr.colons, image.Rect((gx+b.Min.X).Floor()-1, y+b.Min.Y.Floor()-1,
							(gx+b.Max.X).Ceil()+1, y+b.Max.Y.Ceil()+1))
					}
				}
				if dotBelow[r] {
					b, _, ok := face.GlyphBounds(r)
					if ok {
						gx := d.Dot.X
						tr.dotsBelow = append(tr.dotsBelow, image.Rect(
							(gx+b.Min.X).Floor(), y+2, (gx+b.Max.X).Ceil(), y+b.Max.Y.Ceil()+1))
					}
				}
				d.DrawString(string(r))
			}
			asc, desc := face.Metrics().Ascent.Ceil(), face.Metrics().Descent.Ceil()
			box := image.Rect(start.Floor(), y-asc, d.Dot.X.Ceil(), y+desc)
			if s.leader {
				box = image.Rect(start.Floor(), y-int(em*0.3), d.Dot.X.Ceil(), y+int(em*0.1))
				tr.leaders = append(tr.leaders, box)
			} else {
				tr.words = append(tr.words, box)
			}
			x = d.Dot.X
		}
		asc, desc := face.Metrics().Ascent.Ceil(), face.Metrics().Descent.Ceil()
		tr.lineBoxes = append(tr.lineBoxes, image.Rect(margin, y-asc, x.Ceil(), y+desc))
		y += lineH
	}
	if rule {
		ry := y - lineH/2
		for yy := ry; yy < ry+3; yy++ {
			for xx := margin; xx < w-margin; xx++ {
				img.Pix[yy*img.Stride+xx] = 0
			}
		}
	}
	return img, tr
}

// matFromGray copies img into a new CV_8UC1 Mat.
func matFromGray(t testing.TB, img *image.Gray) gocv.Mat {
	t.Helper()
	m, err := gocv.NewMatFromBytes(img.Rect.Dy(), img.Rect.Dx(), gocv.MatTypeCV8UC1, img.Pix)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// rotateFit turns src counter-clockwise by deg about its centre (content
// tilted CCW on screen, i.e. skew +deg) on a canvas grown to hold it all,
// with the given border grey. It returns the map from src to the result.
func rotateFit(src gocv.Mat, deg float64, border uint8) (gocv.Mat, Affine) {
	w, h := float64(src.Cols()), float64(src.Rows())
	s, c := math.Sincos(deg * math.Pi / 180)
	ow := math.Abs(c)*w + math.Abs(s)*h
	oh := math.Abs(s)*w + math.Abs(c)*h
	// CCW on screen with y down: x' = c·x + s·y, y' = −s·x + c·y.
	a := Affine{c, s, 0, -s, c, 0}
	a[2] = ow/2 - (c*w/2 + s*h/2)
	a[5] = oh/2 - (-s*w/2 + c*h/2)
	m := gocv.NewMatWithSize(2, 3, gocv.MatTypeCV64F)
	defer m.Close()
	for i := 0; i < 6; i++ {
		m.SetDoubleAt(i/3, i%3, a[i])
	}
	dst := gocv.NewMat()
	gocv.WarpAffineWithParams(src, &dst, m, image.Pt(int(math.Ceil(ow)), int(math.Ceil(oh))), gocv.InterpolationLinear,
		gocv.BorderConstant, color.RGBA{border, border, border, 255})
	return dst, a
}

// wear degrades an upright grey page like an old register scan: faded grey
// ink, yellowed unevenly lit paper (returned as BGR), specks, blur, noise
// and JPEG at quality 60. It is deterministic for a seed.
func wear(t testing.TB, page *image.Gray, seed int64) gocv.Mat {
	t.Helper()
	rng := rand.New(rand.NewSource(seed))
	w, h := page.Rect.Dx(), page.Rect.Dy()
	bgr := make([]byte, w*h*3)
	inkLevel := 0.45 // faded: ink reaches only 55% darkness
	cx, cy := rng.Float64()*float64(w), rng.Float64()*float64(h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := float64(page.Pix[y*page.Stride+x]) / 255
			v = inkLevel + (1-inkLevel)*v
			// Lighting falls off away from a bright spot.
			dd := math.Hypot(float64(x)-cx, float64(y)-cy) / math.Hypot(float64(w), float64(h))
			light := 1 - 0.35*dd
			i := (y*w + x) * 3
			bgr[i+0] = clamp8(v * light * 175) // yellow paper: little blue
			bgr[i+1] = clamp8(v * light * 225)
			bgr[i+2] = clamp8(v * light * 240)
		}
	}
	for k := 0; k < w*h/4000; k++ { // specks
		x, y := rng.Intn(w-3), rng.Intn(h-3)
		r := 1 + rng.Intn(2)
		for dy := 0; dy < r; dy++ {
			for dx := 0; dx < r; dx++ {
				i := ((y+dy)*w + x + dx) * 3
				bgr[i], bgr[i+1], bgr[i+2] = 90, 100, 110
			}
		}
	}
	m, err := gocv.NewMatFromBytes(h, w, gocv.MatTypeCV8UC3, bgr)
	if err != nil {
		t.Fatal(err)
	}
	gocv.GaussianBlur(m, &m, image.Pt(0, 0), 0.9, 0.9, gocv.BorderReplicate)
	noise := gocv.NewMatWithSize(h, w, gocv.MatTypeCV8UC3)
	defer noise.Close()
	gocv.RandN(&noise, gocv.NewScalar(0, 0, 0, 0), gocv.NewScalar(8, 8, 8, 0))
	// RandN into unsigned bytes clips negatives; add noise symmetrically.
	noise2 := gocv.NewMatWithSize(h, w, gocv.MatTypeCV8UC3)
	defer noise2.Close()
	gocv.RandN(&noise2, gocv.NewScalar(0, 0, 0, 0), gocv.NewScalar(8, 8, 8, 0))
	gocv.Add(m, noise, &m)
	gocv.Subtract(m, noise2, &m)
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, m, []int{gocv.IMWriteJpegQuality, 60})
	m.Close()
	if err != nil {
		t.Fatal(err)
	}
	defer buf.Close()
	out, err := gocv.IMDecode(buf.GetBytes(), gocv.IMReadColor)
	if err != nil || out.Empty() {
		t.Fatalf("jpeg round trip: %v", err)
	}
	return out
}

func clamp8(v float64) byte {
	switch {
	case v < 0:
		return 0
	case v > 255:
		return 255
	}
	return byte(v + 0.5)
}

// saveDebug writes m as PNG under $PREPROCESS_DEBUG_DIR when it is set.
func saveDebug(t testing.TB, name string, m gocv.Mat) {
	dir := os.Getenv("PREPROCESS_DEBUG_DIR")
	if dir == "" {
		return
	}
	if !gocv.IMWrite(dir+"/"+name+".png", m) {
		t.Logf("could not write %s", name)
	}
	if m.Cols() > 1200 {
		s := gocv.NewMat()
		defer s.Close()
		gocv.Resize(m, &s, image.Pt(1200, m.Rows()*1200/m.Cols()), 0, 0, gocv.InterpolationArea)
		gocv.IMWrite(dir+"/"+name+"_s.png", s)
	}
}

// imgOf copies a CV_8UC1 Mat into an image.Gray.
func imgOf(t testing.TB, m gocv.Mat) *image.Gray {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, m.Cols(), m.Rows()))
	b, err := m.DataPtrUint8()
	if err != nil {
		t.Fatal(err)
	}
	copy(img.Pix, b)
	return img
}

package ocr

import (
	"context"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"os"
	"strings"
	"testing"

	"gocv.io/x/gocv"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

const testFont = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"

// renderLines draws lines of text at 300 dpi, 12 pt, black on white, and
// returns the image with each line's baseline y.
func renderLines(t *testing.T, lines []string) gocv.Mat {
	t.Helper()
	data, err := os.ReadFile(testFont)
	if err != nil {
		t.Skipf("font not installed (run scripts/setup): %v", err)
	}
	f, err := opentype.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: 12, DPI: 300, Hinting: font.HintingNone})
	if err != nil {
		t.Fatal(err)
	}
	defer face.Close()
	img := image.NewGray(image.Rect(0, 0, 1800, 120+90*len(lines)))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	d := &font.Drawer{Dst: img, Src: image.NewUniform(color.Black), Face: face}
	for i, l := range lines {
		d.Dot = fixed.P(80, 120+90*i)
		d.DrawString(l)
	}
	m, err := gocv.NewMatFromBytes(img.Rect.Dy(), img.Rect.Dx(), gocv.MatTypeCV8UC1, img.Pix)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// testEngine returns an engine with the default options, closed when the
// test ends.
func testEngine(t *testing.T) *Engine {
	t.Helper()
	e, err := NewEngine(DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func TestRecognizeVietnameseLines(t *testing.T) {
	lines := []string{
		"Họ, chữ đệm, tên: NGUYỄN THỊ HẠNH",
		"Giới tính: Nữ   Dân tộc: Kinh   Quốc tịch: Việt Nam",
		"Nơi sinh: Trạm y tế xã Tà Cạ, huyện Kỳ Sơn, tỉnh Nghệ An",
	}
	img := renderLines(t, lines)
	defer img.Close()
	e := testEngine(t)
	page, err := e.Recognize(context.Background(), img)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Lines) != len(lines) {
		t.Fatalf("got %d lines, want %d:\n%s", len(page.Lines), len(lines), page.Text())
	}
	for i, want := range lines {
		got := page.Lines[i].Text()
		if strings.Join(strings.Fields(want), " ") != got {
			t.Errorf("line %d = %q, want %q", i, got, want)
		}
		b := page.Lines[i].BBox
		if b[1] > 120+90*i || b[3] < 120+90*i-20 || b[0] < 60 || b[0] > 100 {
			t.Errorf("line %d box %v does not sit on its baseline y=%d", i, b, 120+90*i)
		}
		if c := page.Lines[i].Conf(); c < 0.8 || c > 1 {
			t.Errorf("line %d confidence %.2f, want high on clean text", i, c)
		}
	}
}

func TestRecognizeRegionMapsBoxesBack(t *testing.T) {
	img := renderLines(t, []string{"Số: 125   Quyển số: 01/2019", "Ngày đăng ký: 12/03/2019"})
	defer img.Close()
	e := testEngine(t)
	r := image.Rect(40, 170, 1800, 240) // the second line
	page, err := e.RecognizeRegion(context.Background(), img, r, RegionOptions{Scale: 1.5, Pad: 10})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(page.Text()); got != "Ngày đăng ký: 12/03/2019" {
		t.Fatalf("region text %q", got)
	}
	b := page.Lines[0].BBox
	if b[0] < 70 || b[0] > 95 || b[1] < 170 || b[3] > 240 {
		t.Fatalf("box %v not mapped back into the region's page coordinates", b)
	}
	if _, err := e.RecognizeRegion(context.Background(), img, image.Rect(5000, 5000, 5100, 5100), RegionOptions{}); err == nil {
		t.Fatal("want an error for a region outside the page")
	}
}

func TestPoolDo(t *testing.T) {
	if _, err := NewPool(0, DefaultOptions()); err == nil {
		t.Fatal("want an error for an empty pool")
	}
	p, err := NewPool(2, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithCancel(context.Background())
	// Hold both engines; a third request waits until the context ends.
	hold := make(chan struct{})
	done := make(chan struct{})
	for range 2 {
		go p.Do(ctx, func(*Engine) error { <-hold; return nil })
	}
	go func() {
		defer close(done)
		for {
			if len(p.engines) == 0 {
				break
			}
		}
		cancel()
	}()
	<-done
	if err := p.Do(ctx, func(*Engine) error { return nil }); err == nil {
		t.Fatal("Do on an exhausted pool with a cancelled context returned nil")
	}
	close(hold)
}

func TestBadLanguage(t *testing.T) {
	if _, err := NewEngine(Options{Language: "no-such-model"}); err == nil {
		t.Fatal("want an error for a missing model")
	}
	_, err := NewEngine(Options{Language: "vie", Models: []string{"no-such-model"}})
	if err == nil || !strings.Contains(err.Error(), `"no-such-model"`) {
		t.Fatalf("further model missing: error %v, want one naming it", err)
	}
}

// A region is read by the model asked for: the engine's further models
// (ScriptModel by default) read it too, and one it did not load is an
// error.
func TestRecognizeRegionWithModel(t *testing.T) {
	img := renderLines(t, []string{"Họ, chữ đệm, tên: NGUYỄN THỊ HẠNH"})
	defer img.Close()
	ctx := context.Background()
	e := testEngine(t)
	r := image.Rect(40, 50, 1800, 150)
	page, err := e.RecognizeRegion(ctx, img, r, RegionOptions{Pad: 10, Model: ScriptModel})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(page.Text()); got != "Họ, chữ đệm, tên: NGUYỄN THỊ HẠNH" {
		t.Errorf("%s read %q", ScriptModel, got)
	}
	if _, err := e.RecognizeRegion(ctx, img, r, RegionOptions{Model: "eng"}); !errors.Is(err, ErrModel) {
		t.Errorf("model not loaded: error %v, want ErrModel", err)
	}
	plain, err := NewEngine(Options{Language: "vie"})
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	if _, err := plain.RecognizeRegion(ctx, img, r, RegionOptions{Model: ScriptModel}); !errors.Is(err, ErrModel) {
		t.Errorf("engine without further models: error %v, want ErrModel", err)
	}
}

// A region's margin must be white, not the page around it: OpenCV pads a
// region of a larger image with its neighbouring pixels unless told not
// to, which read the label and the lines above and below into the value.
func TestRecognizeRegionPadsWithWhite(t *testing.T) {
	img := renderLines(t, []string{
		"Dân tộc: Kinh   Quốc tịch: Việt Nam",
		"Họ, chữ đệm, tên: NGUYỄN THỊ HẠNH",
		"Nơi sinh: Trạm y tế xã Tà Cạ, huyện Kỳ Sơn",
	})
	defer img.Close()
	e := testEngine(t)
	page, err := e.Recognize(context.Background(), img)
	if err != nil {
		t.Fatal(err)
	}
	var value image.Rectangle
	for _, w := range page.Words() {
		if w.Text == "NGUYỄN" || w.Text == "THỊ" || w.Text == "HẠNH" {
			value = value.Union(image.Rect(w.BBox[0], w.BBox[1], w.BBox[2], w.BBox[3]))
		}
	}
	if value.Empty() {
		t.Fatalf("the page read did not find the value:\n%s", page.Text())
	}
	for _, pad := range []int{20, 60} {
		got, err := e.RecognizeRegion(context.Background(), img, value.Inset(-4), RegionOptions{Scale: 1.5, Pad: pad})
		if err != nil {
			t.Fatal(err)
		}
		if s := strings.TrimSpace(got.Text()); s != "NGUYỄN THỊ HẠNH" {
			t.Errorf("pad %d: region read %q, want only the value", pad, s)
		}
	}
}

package ocr

import (
	"fmt"
	"testing"

	"github.com/otiai10/gosseract/v2"
	"gocv.io/x/gocv"
)

// BenchmarkSetImage: handing a 300 dpi page to Tesseract as PGM and as BMP
// (encoding, and Leptonica's parsing in SetImageFromBytes).
//
//	go test -run '^$' -bench SetImage -benchtime 10x ./ocr/
func BenchmarkSetImage(b *testing.B) {
	img := gocv.IMRead("../testdata/samples/p0002-birth-register-scanned.jpg", gocv.IMReadGrayScale)
	if img.Empty() {
		b.Fatal("cannot read the sample page")
	}
	defer img.Close()
	c := gosseract.NewClient()
	defer c.Close()
	for _, f := range []struct {
		name   string
		encode func(gocv.Mat) ([]byte, error)
	}{{"pgm", encodePGM}, {"bmp", encodeBMP}} {
		b.Run(f.name, func(b *testing.B) {
			for b.Loop() {
				data, err := f.encode(img)
				if err != nil {
					b.Fatal(err)
				}
				if err := c.SetImageFromBytes(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// encodePGM is the binary PGM the engine used to hand Tesseract, kept as
// the benchmark's baseline (grey images only).
func encodePGM(img gocv.Mat) ([]byte, error) {
	src := img
	if src.Type() != gocv.MatTypeCV8UC1 {
		return nil, fmt.Errorf("ocr: unsupported image type %v (want 8-bit)", src.Type())
	}
	w, h := src.Cols(), src.Rows()
	header := fmt.Sprintf("P5\n%d %d\n255\n", w, h)
	out := make([]byte, 0, len(header)+w*h)
	out = append(out, header...)
	if !src.IsContinuous() {
		c := src.Clone()
		defer c.Close()
		src = c
	}
	// DataPtrUint8 views the Mat's own memory: one copy, straight into out.
	pix, err := src.DataPtrUint8()
	if err != nil {
		return nil, fmt.Errorf("ocr: image data: %w", err)
	}
	return append(out, pix...), nil
}

// TestEncodeBMP: Leptonica, through Tesseract, reads the BMP as the same
// grey pixels, rows padded or not, and the text on a page is read as from
// the PGM the engine used before.
func TestEncodeBMP(t *testing.T) {
	for _, w := range []int{4, 5, 7} { // stride padding 0, 3 and 1
		m := gocv.NewMatWithSize(3, w, gocv.MatTypeCV8UC1)
		for y := range 3 {
			for x := range w {
				m.SetUCharAt(y, x, uint8(y*50+x*7))
			}
		}
		data, err := encodeBMP(m)
		if err != nil {
			t.Fatal(err)
		}
		back, err := gocv.IMDecode(data, gocv.IMReadUnchanged)
		if err != nil {
			t.Fatal(err)
		}
		if back.Cols() != w || back.Rows() != 3 {
			t.Fatalf("width %d: decoded %dx%d", w, back.Cols(), back.Rows())
		}
		grey := gocv.NewMat()
		if back.Channels() != 1 {
			gocv.CvtColor(back, &grey, gocv.ColorBGRToGray)
		} else {
			back.CopyTo(&grey)
		}
		for y := range 3 {
			for x := range w {
				if got, want := grey.GetUCharAt(y, x), uint8(y*50+x*7); got != want {
					t.Errorf("width %d: pixel (%d,%d) = %d, want %d", w, x, y, got, want)
				}
			}
		}
		grey.Close()
		back.Close()
		m.Close()
	}
	img := gocv.IMRead("../testdata/samples/p0001-birth-extract-clean.png", gocv.IMReadGrayScale)
	if img.Empty() {
		t.Fatal("cannot read the sample page")
	}
	defer img.Close()
	c := gosseract.NewClient()
	defer c.Close()
	if err := c.SetLanguage("vie"); err != nil {
		t.Fatal(err)
	}
	read := func(data []byte) string {
		if err := c.SetImageFromBytes(data); err != nil {
			t.Fatal(err)
		}
		text, err := c.Text()
		if err != nil {
			t.Fatal(err)
		}
		return text
	}
	bmp, err := encodeBMP(img)
	if err != nil {
		t.Fatal(err)
	}
	pgm, err := encodePGM(img)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := read(bmp), read(pgm); a != b || len(a) < 100 {
		t.Errorf("text from BMP (%d bytes) differs from PGM's (%d bytes)", len(a), len(b))
	}
}

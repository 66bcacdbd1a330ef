package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math/bits"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/image/tiff"

	"github.com/sohoa/sohoa/preprocess"
)

// pageImage draws a synthetic register page: paper with dark blocks of
// "text" placed by seed, so that different seeds give different dHashes.
func pageImage(seed uint64, w, h int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.Gray{Y: 235}), image.Point{}, draw.Src)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	for range 12 {
		x0, y0 := rng.IntN(w*3/4), rng.IntN(h*3/4)
		r := image.Rect(x0, y0, x0+w/8+rng.IntN(w/4), y0+h/10+rng.IntN(h/5))
		draw.Draw(img, r, image.NewUniform(color.Gray{Y: uint8(rng.IntN(90))}), image.Point{}, draw.Src)
	}
	return img
}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeJPEG(t testing.TB, img image.Image, quality int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeTIFF(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := tiff.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pagePNG is a PNG page of the seed.
func pagePNG(t testing.TB, seed uint64) []byte { return encodePNG(t, pageImage(seed, 320, 400)) }

func sumOf(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestCheckImage(t *testing.T) {
	img := pageImage(1, 120, 90)
	pngData := encodePNG(t, img)
	gif := []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;")
	tests := []struct {
		name      string
		data      []byte
		maxPixels int64
		format    preprocess.Format
		status    int
		code      string
	}{
		{"png", pngData, 1e6, preprocess.FormatPNG, 0, ""},
		{"jpeg", encodeJPEG(t, img, 80), 1e6, preprocess.FormatJPEG, 0, ""},
		{"tiff", encodeTIFF(t, img), 1e6, preprocess.FormatTIFF, 0, ""},
		{"text", []byte("hello, this is not an image"), 1e6, "", http.StatusUnsupportedMediaType, reasonNotImage},
		{"gif", gif, 1e6, "", http.StatusUnsupportedMediaType, reasonNotImage},
		{"empty", nil, 1e6, "", http.StatusUnprocessableEntity, reasonEmpty},
		{"png header cut", pngData[:20], 1e6, "", http.StatusUnprocessableEntity, reasonBadHeader},
		{"jpeg magic only", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0x00}, 1e6, "", http.StatusUnprocessableEntity, reasonBadHeader},
		{"tiff magic only", []byte("II*\x00\x40\x00\x00\x00"), 1e6, "", http.StatusUnprocessableEntity, reasonBadHeader},
		{"too many pixels", pngData, 100 * 89, "", http.StatusRequestEntityTooLarge, reasonTooManyPixels},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			info, err := checkImage(bytes.NewReader(tc.data), int64(len(tc.data)), tc.maxPixels)
			if tc.status == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if info.Format != tc.format || info.Width != 120 || info.Height != 90 {
					t.Fatalf("info = %+v, want %s 120x90", info, tc.format)
				}
				return
			}
			var ae *apiError
			if !errors.As(err, &ae) || ae.Status != tc.status || ae.Code != tc.code {
				t.Fatalf("err = %#v, want %d %s", err, tc.status, tc.code)
			}
		})
	}
}

func TestCheckImageOnFixtures(t *testing.T) {
	tests := []struct {
		file string
		ok   bool
	}{
		{"page.jpg", true},
		{"page.png", true},
		{"three-pages.tif", true},
		{"notimage.jpg", false},
		{"empty.jpg", false},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("..", "preprocess", "testdata", tc.file))
			if err != nil {
				t.Skip(err)
			}
			_, err = checkImage(bytes.NewReader(data), int64(len(data)), 60e6)
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestDHash(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := pageImage(7, 1200, 1600)
	big := write("a.png", encodePNG(t, a))
	again := write("a.jpg", encodeJPEG(t, a, 70))
	small := write("a-small.png", encodePNG(t, pageImage(7, 600, 800)))
	other := write("b.png", encodePNG(t, pageImage(8, 1200, 1600)))

	hash := func(p string) uint64 {
		h, err := dHash(p)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	ha := hash(big)
	for _, p := range []string{again, small} {
		if d := bits.OnesCount64(ha ^ hash(p)); d > 4 {
			t.Errorf("%s is %d bits from the original, want at most 4", filepath.Base(p), d)
		}
	}
	if d := bits.OnesCount64(ha ^ hash(other)); d <= 8 {
		t.Errorf("another page is only %d bits away", d)
	}
	if _, err := dHash(write("x.png", []byte("not an image"))); err == nil {
		t.Error("dHash of a non-image succeeded")
	}
}

func TestDHashBits(t *testing.T) {
	// A row falling left to right sets every bit; rising sets none.
	falling := dHashBits(func(x, _ int) uint8 { return uint8(200 - 10*x) })
	rising := dHashBits(func(x, _ int) uint8 { return uint8(10 * x) })
	if falling != ^uint64(0) || rising != 0 {
		t.Fatalf("falling %x, rising %x", falling, rising)
	}
	firstRow := dHashBits(func(x, y int) uint8 {
		if y == 0 {
			return uint8(200 - 10*x)
		}
		return 0
	})
	if firstRow != 0xFF<<56 {
		t.Fatalf("first row only: %016x", firstRow)
	}
}

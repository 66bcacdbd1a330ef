package export

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"regexp"
	"strconv"
	"testing"

	"golang.org/x/image/tiff"

	"github.com/sohoa/sohoa/models"
)

func testImage(t *testing.T, format string, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	var err error
	switch format {
	case "jpeg":
		img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
		err = jpeg.Encode(&b, img, nil)
	case "png":
		img := image.NewNRGBA(image.Rect(0, 0, w, h))
		img.Set(1, 1, color.NRGBA{200, 10, 10, 128})
		err = png.Encode(&b, img)
	case "png16":
		img := image.NewGray16(image.Rect(0, 0, w, h))
		img.Set(2, 2, color.Gray16{Y: 40000})
		err = png.Encode(&b, img)
	case "tiff":
		img := image.NewGray(image.Rect(0, 0, w, h))
		err = tiff.Encode(&b, img, &tiff.Options{Compression: tiff.Deflate})
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var (
	pdfPages  = regexp.MustCompile(`/Type /Page\b`)
	pdfImages = regexp.MustCompile(`/Subtype /Image\s*/Width (\d+)\s*/Height (\d+)`)
)

func TestRecordPDF(t *testing.T) {
	font, err := LoadFont("")
	if err != nil {
		t.Fatal(err)
	}
	r := birth("r1", "12", "Nguyễn Thị Vân", "2019-03-05", "Lê Thị Oanh", models.StatusAccepted)
	for _, tc := range []struct {
		format string
		w, h   int
		font   []byte
		pages  int
		filter string
	}{
		{"jpeg", 60, 90, nil, 1, "/DCTDecode"},
		{"png", 90, 60, nil, 1, "/FlateDecode"},
		{"png16", 40, 40, nil, 1, "/FlateDecode"},
		{"tiff", 50, 70, font, 2, "/FlateDecode"},
	} {
		if tc.format == "tiff" && font == nil {
			tc.pages = 1
		}
		var b bytes.Buffer
		if err := RecordPDF(&b, r, testImage(t, tc.format, tc.w, tc.h), PDFOptions{Font: tc.font}); err != nil {
			t.Fatalf("%s: %v", tc.format, err)
		}
		out := b.String()
		if !bytes.HasPrefix(b.Bytes(), []byte("%PDF-")) {
			t.Fatalf("%s: not a PDF", tc.format)
		}
		if n := len(pdfPages.FindAllString(out, -1)); n != tc.pages {
			t.Errorf("%s: %d pages, want %d", tc.format, n, tc.pages)
		}
		m := pdfImages.FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("%s: no image object", tc.format)
		}
		if m[1] != itoa(tc.w) || m[2] != itoa(tc.h) {
			t.Errorf("%s: image %sx%s, want %dx%d", tc.format, m[1], m[2], tc.w, tc.h)
		}
		if !bytes.Contains(b.Bytes(), []byte(tc.filter)) {
			t.Errorf("%s: no %s image", tc.format, tc.filter)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestRecordPDFBadImage(t *testing.T) {
	err := RecordPDF(&bytes.Buffer{}, birth("r1", "1", "A", "", "", models.StatusAccepted), []byte("not an image"), PDFOptions{})
	if !errors.Is(err, ErrImage) {
		t.Fatalf("err = %v, want ErrImage", err)
	}
}

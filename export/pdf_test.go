package export

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/image/tiff"
	"golang.org/x/text/unicode/norm"

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
	case "pnggray": // 8-bit grey: embedded without decoding
		img := image.NewGray(image.Rect(0, 0, w, h))
		for x := range w {
			img.SetGray(x, x%h, color.Gray{Y: 200})
		}
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
		font   *Font
		pages  int
		filter string
	}{
		{"jpeg", 60, 90, nil, 1, "/DCTDecode"},
		{"png", 90, 60, nil, 1, "/FlateDecode"},
		{"pnggray", 90, 60, nil, 1, "/Predictor 15 /Colors 1 /BitsPerComponent 8 /Columns 90"},
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

// poppler finds poppler's command-line tools; it skips the test when they
// are missing (apt-get install poppler-utils, as scripts/setup does)
// unless SOHOA_REQUIRE_SERVICES=1.
func poppler(t *testing.T) {
	t.Helper()
	for _, name := range []string{"pdfinfo", "pdftotext", "pdftoppm", "pdffonts"} {
		if _, err := exec.LookPath(name); err != nil {
			if os.Getenv("SOHOA_REQUIRE_SERVICES") == "1" {
				t.Fatalf("no %s found and SOHOA_REQUIRE_SERVICES=1 (scripts/setup installs poppler-utils)", name)
			}
			t.Skipf("no %s found (apt-get install poppler-utils)", name)
		}
	}
}

// TestRecordPDFPoppler reads the PDFs back with poppler, which reports
// any syntax error in the hand-written file: the page count and size, the
// fields page's text exactly as written (Vietnamese, NFC, with a rune
// outside the shared font subset), and the page image rendered at its
// size.
func TestRecordPDFPoppler(t *testing.T) {
	poppler(t)
	font, err := LoadFont("")
	if err != nil || font == nil {
		t.Fatalf("font: %v (fonts-dejavu-core)", err)
	}
	r := birth("r1", "12", "Nguyễn Thị Hoà", "2019-03-05", "Lò Thị Ước", models.StatusReview)
	place := "xã Tà Cạ, huyện Kỳ Sơn, tỉnh Nghệ An"
	long := strings.Repeat("thôn Huồi Cáng, "+place+"; ", 6)
	odd := "Ωmega №7"
	for k, v := range map[string]string{"place_of_birth": place, "mother_residence": long, "hometown": odd} {
		r.Fields[k] = models.Field{Value: &v, Status: models.StatusAccepted}
	}
	r.Fields["full_name"] = models.Field{Value: r.Fields["full_name"].Value, Status: models.StatusReview}
	dir := t.TempDir()
	for _, tc := range []struct {
		format string
		w, h   int
		size   string // page size pdfinfo reports
	}{
		{"jpeg", 600, 850, "595.28 x 841.89"},
		{"png", 850, 600, "841.89 x 595.28"}, // landscape scan, landscape page
		{"pnggray", 300, 420, "595.28 x 841.89"},
		{"tiff", 300, 420, "595.28 x 841.89"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			path := filepath.Join(dir, tc.format+".pdf")
			var b bytes.Buffer
			if err := RecordPDF(&b, r, testImage(t, tc.format, tc.w, tc.h), PDFOptions{Font: font}); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			info := runPoppler(t, "pdfinfo", path)
			if !strings.Contains(info, "Pages:           2") || !strings.Contains(info, "Page size:       "+tc.size) ||
				!strings.Contains(info, "Title:           Số 12, quyển số 01/2019") {
				t.Errorf("pdfinfo:\n%s", info)
			}
			text := runPoppler(t, "pdftotext", "-f", "2", "-l", "2", "-raw", path, "-")
			flat := strings.Join(strings.Fields(text), " ")
			for _, want := range []string{"Họ, chữ đệm, tên Nguyễn Thị Hoà (cần kiểm tra)", "Nơi sinh " + place,
				"Họ, chữ đệm, tên mẹ Lò Thị Ước", "Quê quán " + odd, strings.TrimSpace(long)} {
				if !strings.Contains(flat, want) {
					t.Errorf("page text lacks %q:\n%s", want, text)
				}
			}
			if !norm.NFC.IsNormalString(text) {
				t.Errorf("extracted text is not NFC")
			}
			runPoppler(t, "pdftoppm", "-f", "1", "-l", "1", "-r", "36", "-gray", path, filepath.Join(dir, tc.format))
			// The fields page drawn with the embedded subset: poppler
			// complains of any fault in the cut font.
			runPoppler(t, "pdftoppm", "-f", "2", "-l", "2", "-r", "72", "-gray", path, filepath.Join(dir, tc.format+"-text"))
			fonts := runPoppler(t, "pdffonts", path)
			if !regexp.MustCompile(`[A-Z]{6}\+DejaVuSans\s+CID TrueType\s+Identity-H\s+yes yes yes`).MatchString(fonts) {
				t.Errorf("font not embedded as a CID TrueType subset with ToUnicode:\n%s", fonts)
			}
		})
	}
}

// runPoppler runs a poppler tool and fails on any complaint it prints.
func runPoppler(t *testing.T, name string, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := exec.CommandContext(t.Context(), name, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil || errOut.Len() > 0 {
		t.Fatalf("%s %v: %v\n%s", name, args, err, errOut.String())
	}
	return out.String()
}

// BenchmarkRecordPDF is one record's PDF (the page image prepared once per
// page, as a book export does; the fields page with its font subset).
func BenchmarkRecordPDF(b *testing.B) {
	font, err := LoadFont("")
	if err != nil || font == nil {
		b.Skipf("font: %v", err)
	}
	r := birth("r1", "12", "Nguyễn Thị Hoà", "2019-03-05", "Lò Thị Ước", models.StatusAccepted)
	for k, v := range map[string]string{"place_of_birth": "Trạm y tế xã Tà Cạ, huyện Kỳ Sơn, tỉnh Nghệ An",
		"father_name": "Nguyễn Văn Sần", "mother_residence": "thôn Huồi Cáng, xã Tà Cạ", "gender": "Nữ",
		"nationality": "Việt Nam", "registration_date": "2019-03-20", "declarant_name": "Đinh Văn Định"} {
		r.Fields[k] = models.Field{Value: &v, Status: models.StatusAccepted}
	}
	var img bytes.Buffer
	if err := jpeg.Encode(&img, image.NewYCbCr(image.Rect(0, 0, 1654, 2339), image.YCbCrSubsampleRatio420), nil); err != nil {
		b.Fatal(err)
	}
	pi, err := preparePDFImage(img.Bytes())
	if err != nil {
		b.Fatal(err)
	}
	var out countingDiscard
	opts := PDFOptions{Font: font, Columns: DefaultColumns()}
	b.ReportAllocs()
	for b.Loop() {
		if err := recordPDF(&out, r, pi, opts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(out.n-int64(b.N)*int64(len(pi.data)))/float64(b.N), "B-besides-image/op")
}

type countingDiscard struct{ n int64 }

func (c *countingDiscard) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// TestWrap checks the line breaking of the fields page: every line fits
// (but a single letter wider than the line), the words are kept whole and
// in order when they fit a line, the breaking is greedy (the next line's
// first word would not have fitted), and a word longer than a line is cut
// between letters.
func TestWrap(t *testing.T) {
	font, err := LoadFont("")
	if err != nil || font == nil {
		t.Fatalf("font: %v", err)
	}
	sub := font.base
	width := func(s string) float64 {
		w := 0
		for _, r := range s {
			w += int(sub.advances[sub.gids[r]])
		}
		return float64(w) * 10 / float64(font.unitsPerEm)
	}
	long := strings.Repeat("Nghiêng", 30)
	for _, tc := range []struct {
		text  string
		width float64
	}{
		{"", 100},
		{"Kinh", 100},
		{"Trạm y tế xã Tà Cạ, huyện Kỳ Sơn, tỉnh Nghệ An", 80},
		{"  thôn   Huồi Cáng,\txã Tà Cạ  ", 60},
		{strings.Repeat("thôn Huồi Cáng, xã Tà Cạ; ", 20), 150},
		{"Số " + long + " cuối", 120},
		{"Ư", 1}, // narrower than one letter
	} {
		for w := range 80 {
			tc.width += 0.5 * float64(min(w, 1))
			tl := &textLayout{font: font, sub: sub}
			lines := tl.wrap(tc.text, 10, tc.width)
			if len(lines) == 0 {
				t.Fatalf("%q at %.1f pt: no lines", tc.text, tc.width)
			}
			for i, l := range lines {
				if width(l) > tc.width && len([]rune(l)) > 1 {
					t.Fatalf("line %d %q is %.1f pt wide, more than %.1f", i, l, width(l), tc.width)
				}
				if i+1 < len(lines) {
					next := strings.Fields(lines[i+1])
					if len(next) > 0 && width(next[0]) <= tc.width && width(l+" "+next[0]) <= tc.width {
						t.Fatalf("line %d %q (%.1f pt) had room for %q", i, l, tc.width, next[0])
					}
				}
			}
			joined := strings.Join(lines, " ")
			if !strings.Contains(tc.text, long) {
				if got, want := strings.Fields(joined), strings.Fields(tc.text); !slices.Equal(got, want) && !(len(want) == 0 && len(got) == 0) {
					t.Errorf("words %q, want %q", got, want)
				}
			} else if strings.ReplaceAll(joined, " ", "") != strings.ReplaceAll(tc.text, " ", "") {
				t.Errorf("letters lost or added: %q", joined)
			}
		}
	}
}

package preprocess

import (
	"context"
	"errors"
	"image"
	"image/color"
	"os"
	"testing"

	"gocv.io/x/gocv"
)

func TestAccessCopy(t *testing.T) {
	tests := []struct {
		name         string
		w, h         int
		typ          gocv.MatType
		dpi          int
		opts         AccessOptions
		wantW, wantH int
		wantCh       int
		wantScaled   bool
	}{
		{"300 dpi colour scaled to 200", 2480, 3508, gocv.MatTypeCV8UC3, 300, AccessOptions{}, 1653, 2339, 3, true},
		{"300 dpi grey scaled to 200", 2480, 3508, gocv.MatTypeCV8UC1, 300, AccessOptions{}, 1653, 2339, 1, true},
		{"200 dpi kept", 1654, 2339, gocv.MatTypeCV8UC3, 200, AccessOptions{}, 1654, 2339, 3, false},
		{"within the slack kept", 1800, 2500, gocv.MatTypeCV8UC1, 225, AccessOptions{}, 1800, 2500, 1, false},
		{"resolution unknown kept", 1000, 1400, gocv.MatTypeCV8UC3, 0, AccessOptions{}, 1000, 1400, 3, false},
		{"other target", 2400, 3400, gocv.MatTypeCV8UC1, 300, AccessOptions{DPI: 150, Quality: 60}, 1200, 1700, 1, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(230, 220, 210, 0), tc.h, tc.w, tc.typ)
			defer m.Close()
			// Some ink, so the page is not flat.
			gocv.PutText(&m, "Ho, chu dem, ten: NGUYEN VAN A", image.Pt(100, 300), gocv.FontHersheySimplex, 3, color.RGBA{150, 20, 20, 0}, 4)
			data, scaled, err := AccessCopy(m, tc.dpi, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if scaled != tc.wantScaled {
				t.Errorf("scaled = %v, want %v", scaled, tc.wantScaled)
			}
			if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
				t.Fatalf("not a JPEG: % x", data[:min(4, len(data))])
			}
			back, err := gocv.IMDecode(data, gocv.IMReadUnchanged)
			if err != nil {
				t.Fatal(err)
			}
			defer back.Close()
			if back.Cols() != tc.wantW || back.Rows() != tc.wantH || back.Channels() != tc.wantCh {
				t.Errorf("copy is %d×%d×%d, want %d×%d×%d", back.Cols(), back.Rows(), back.Channels(), tc.wantW, tc.wantH, tc.wantCh)
			}
		})
	}
}

func TestAccessCopyRejects(t *testing.T) {
	for _, m := range []gocv.Mat{gocv.NewMat(), gocv.NewMatWithSize(10, 10, gocv.MatTypeCV32F)} {
		_, _, err := AccessCopy(m, 300, AccessOptions{})
		if !errors.Is(err, ErrBadInput) {
			t.Errorf("%v: err = %v, want ErrBadInput", m.Type(), err)
		}
		m.Close()
	}
}

// BenchmarkAccessCopy encodes the access copy of the page image in
// SOHOA_BENCH_PAGE (a scan from `sohoa synth`), at the resolution cleanup
// estimates for it, and reports the copy's size beside the original's.
func BenchmarkAccessCopy(b *testing.B) {
	path := os.Getenv("SOHOA_BENCH_PAGE")
	if path == "" {
		b.Skip("set SOHOA_BENCH_PAGE to a page image")
	}
	orig, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	mats, err := Decode(path, orig, Limits{})
	if err != nil {
		b.Fatal(err)
	}
	m := mats[0]
	defer m.Close()
	page, err := Clean(context.Background(), m, Options{})
	if err != nil {
		b.Fatal(err)
	}
	dpi := page.Quality.EstimatedDPI
	page.Close()
	var n int
	for b.Loop() {
		data, _, err := AccessCopy(m, dpi, AccessOptions{})
		if err != nil {
			b.Fatal(err)
		}
		n = len(data)
	}
	b.ReportMetric(float64(dpi), "estimated-dpi")
	b.ReportMetric(float64(n)/1024, "copy-KiB")
	b.ReportMetric(float64(len(orig))/1024, "original-KiB")
}

func TestAccessCopyFor(t *testing.T) {
	m := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(230, 220, 210, 0), 1400, 1000, gocv.MatTypeCV8UC3)
	defer m.Close()
	gocv.PutText(&m, "Ho va ten: LO VAN PAO", image.Pt(50, 300), gocv.FontHersheySimplex, 2, color.RGBA{20, 20, 20, 0}, 3)
	// Paper grain, as a scan has: PNG keeps it losslessly, JPEG does not.
	noise := gocv.NewMatWithSize(1400, 1000, gocv.MatTypeCV8UC3)
	defer noise.Close()
	gocv.RandN(&noise, gocv.NewScalar(0, 0, 0, 0), gocv.NewScalar(12, 12, 12, 0))
	gocv.Add(m, noise, &m)
	enc := func(ext gocv.FileExt) []byte {
		b, err := gocv.IMEncode(ext, m)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		return append([]byte(nil), b.GetBytes()...)
	}
	jpg, png := enc(gocv.JPEGFileExt), enc(gocv.PNGFileExt)
	for _, tc := range []struct {
		name     string
		data     []byte
		dpi      int
		wantCopy bool
	}{
		{"JPEG at 200 dpi serves itself", jpg, 200, false},
		{"JPEG of unknown resolution serves itself", jpg, 0, false},
		{"JPEG at 300 dpi gets a copy", jpg, 300, true},
		{"PNG gets a smaller JPEG", png, 200, true},
		{"a copy no smaller is not kept", []byte("tiny"), 300, false},
	} {
		c, err := AccessCopyFor(tc.data, m, tc.dpi, AccessOptions{})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if (c != nil) != tc.wantCopy || c != nil && len(c) >= len(tc.data) {
			t.Errorf("%s: copy of %d bytes for %d, want a copy %v", tc.name, len(c), len(tc.data), tc.wantCopy)
		}
	}
}

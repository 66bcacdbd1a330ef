package preprocess

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gocv.io/x/gocv"
)

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func closeAll(ms []gocv.Mat) {
	for i := range ms {
		ms[i].Close()
	}
}

func TestDecodeErrors(t *testing.T) {
	jpg := readFixture(t, "page.jpg")
	tif := readFixture(t, "three-pages.tif")
	tests := []struct {
		name  string
		file  string // fixture, or "" to use data
		data  []byte
		lim   Limits
		want  error
		inMsg string
	}{
		{name: "truncated jpeg", file: "truncated.jpg", want: ErrTruncated, inMsg: "end-of-image"},
		{name: "truncated png", file: "truncated.png", want: ErrTruncated, inMsg: "PNG"},
		{name: "empty file", file: "empty.jpg", want: ErrEmpty},
		{name: "text renamed .jpg", file: "notimage.jpg", want: ErrNotImage},
		{name: "png bomb header", file: "bomb.png", want: ErrTooLarge, inMsg: "100000x100000"},
		{name: "jpeg header only", data: jpg[:200], want: ErrTruncated},
		{name: "jpeg over pixel limit", file: "page.jpg", lim: Limits{MaxPixels: 1000}, want: ErrTooLarge},
		{name: "file over byte limit", file: "page.jpg", lim: Limits{MaxFileBytes: 100}, want: ErrTooLarge},
		{name: "tiff over page limit", file: "three-pages.tif", lim: Limits{MaxPages: 2}, want: ErrTooLarge, inMsg: "pages"},
		{name: "truncated tiff", data: tif[:len(tif)*2/3], want: ErrTruncated, inMsg: "TIFF"},
		{name: "tiff header only", data: tif[:6], want: ErrTruncated},
		{name: "gif", data: []byte("GIF89a\x01\x00\x01\x00"), want: ErrUnsupported, inMsg: "GIF"},
		{name: "pdf", data: []byte("%PDF-1.7\n..."), want: ErrUnsupported, inMsg: "PDF"},
		{name: "single byte", data: []byte{0xFF}, want: ErrNotImage},
		{name: "jpeg magic then garbage", data: append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, []byte(strings.Repeat("x", 100))...), want: ErrTruncated},
		{name: "jpeg bad frame header", data: append([]byte{0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x02}, make([]byte, 64)...), want: ErrCorrupt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := tc.data
			if tc.file != "" {
				data = readFixture(t, tc.file)
			}
			const fname = "scans/p0001.jpg"
			pages, err := Decode(fname, data, tc.lim)
			closeAll(pages)
			if err == nil {
				t.Fatalf("no error, got %d pages", len(pages))
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			var de *DecodeError
			if !errors.As(err, &de) || de.File != fname {
				t.Fatalf("error %#v does not name the file", err)
			}
			if !strings.Contains(err.Error(), fname) || !strings.Contains(err.Error(), tc.inMsg) {
				t.Fatalf("message %q should name %q and mention %q", err, fname, tc.inMsg)
			}
		})
	}
}

func TestDecodeGood(t *testing.T) {
	tests := []struct {
		file  string
		pages int
		w, h  int
	}{
		{"page.jpg", 1, 900, 260},
		{"page.png", 1, 900, 260},
		{"three-pages.tif", 3, 240, 70},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			pages, err := DecodeFile(filepath.Join("testdata", tc.file), DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			defer closeAll(pages)
			if len(pages) != tc.pages {
				t.Fatalf("got %d pages, want %d", len(pages), tc.pages)
			}
			for i, p := range pages {
				if p.Cols() != tc.w || p.Rows() != tc.h {
					t.Errorf("page %d is %dx%d, want %dx%d", i, p.Cols(), p.Rows(), tc.w, tc.h)
				}
				if p.Type() != gocv.MatTypeCV8UC1 && p.Type() != gocv.MatTypeCV8UC3 {
					t.Errorf("page %d type %v", i, p.Type())
				}
			}
			if tc.pages == 3 {
				// The fixture's pages have paper at 255, 195 and 135: each
				// decoded page must be its own directory, not page 1 again.
				want := []float64{255, 195, 135}
				for i, p := range pages {
					if got := p.GetUCharAt(0, 0); float64(got) != want[i] {
						t.Errorf("page %d corner %d, want %v", i, got, want[i])
					}
				}
			}
		})
	}
}

func TestDecodeFileErrors(t *testing.T) {
	if _, err := DecodeFile(filepath.Join("testdata", "missing.jpg"), DefaultLimits()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	_, err := DecodeFile(filepath.Join("testdata", "page.jpg"), Limits{MaxFileBytes: 10})
	var de *DecodeError
	if !errors.As(err, &de) || !errors.Is(err, ErrTooLarge) || de.File != filepath.Join("testdata", "page.jpg") {
		t.Errorf("oversized file: %v", err)
	}
}

func TestDecodeEachStops(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	err := DecodeEach("x.tif", readFixture(t, "three-pages.tif"), DefaultLimits(), func(_ int, m gocv.Mat) error {
		m.Close()
		n++
		return stop
	})
	if !errors.Is(err, stop) || n != 1 {
		t.Fatalf("err %v after %d pages", err, n)
	}
}

// FuzzDecode: no input may panic; failures are *DecodeError.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"page.jpg", "page.png", "three-pages.tif", "bomb.png", "truncated.png"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pages, err := Decode("fuzz", data, Limits{MaxPixels: 4e6})
		closeAll(pages)
		var de *DecodeError
		if err != nil && !errors.As(err, &de) {
			t.Fatalf("error is not a *DecodeError: %v", err)
		}
	})
}

//go:build matprofile

package preprocess

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"
)

// TestNoMatLeaks runs Decode and Clean (including error paths) and checks
// that every Mat they create is closed. Run with -tags matprofile.
func TestNoMatLeaks(t *testing.T) {
	start := gocv.MatProfile.Count()
	for _, f := range []string{"page.jpg", "page.png", "three-pages.tif", "truncated.jpg", "bomb.png", "notimage.jpg"} {
		pages, err := DecodeFile(filepath.Join("testdata", f), DefaultLimits())
		if err != nil {
			continue
		}
		for i := range pages {
			p, err := Clean(context.Background(), pages[i], DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			p.Close()
			pages[i].Close()
		}
	}
	// Larger pages exercise rules, leaders, orientation and rescaling.
	page, _ := testPage(t)
	for _, deg := range []float64{0, 4} {
		in, _ := input(t, page, deg, deg != 0, 1)
		turned := gocv.NewMat()
		gocv.Rotate(in, &turned, gocv.Rotate90Clockwise)
		for _, m := range []gocv.Mat{in, turned} {
			p, err := Clean(context.Background(), m, DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			p.Close()
		}
		in.Close()
		turned.Close()
	}
	small, _ := renderForm(t, formLines, 1000, 640, 12, 150, true)
	m := matFromGray(t, small)
	p, err := Clean(context.Background(), m, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	m.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	m = matFromGray(t, small)
	if _, err := Clean(ctx, m, DefaultOptions()); err == nil {
		t.Error("cancelled Clean succeeded")
	}
	m.Close()

	if end := gocv.MatProfile.Count(); end != start {
		var b bytes.Buffer
		gocv.MatProfile.WriteTo(&b, 1)
		t.Fatalf("Mat count %d → %d: leaks\n%s", start, end, b.String())
	}
}

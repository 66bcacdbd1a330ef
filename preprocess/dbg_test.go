package preprocess

import (
	"fmt"
	"image"
	"os"
	"testing"

	"gocv.io/x/gocv"
)

// TestDbgCrop: CROP="file x0 y0 x1 y1 out" writes a crop (dev aid).
func TestDbgCrop(t *testing.T) {
	spec := os.Getenv("CROP")
	if spec == "" {
		t.Skip()
	}
	var f, out string
	var x0, y0, x1, y1 int
	fmt.Sscan(spec, &f, &x0, &y0, &x1, &y1, &out)
	m := gocv.IMRead(f, gocv.IMReadUnchanged)
	defer m.Close()
	r := m.Region(image.Rect(x0, y0, x1, y1))
	defer r.Close()
	gocv.IMWrite(out, r)
}

func fmtSscan(s string, a ...any) (int, error) { return fmt.Sscan(s, a...) }

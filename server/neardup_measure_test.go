package server

import (
	"fmt"
	"image"
	"image/color"
	"math/bits"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"gocv.io/x/gocv"
)

// TestMeasureNearDuplicates measures how well the upload's near-duplicate
// hint (dHash, at most Options.NearDuplicateDistance bits apart) tells a
// page uploaded again from another page, on a corpus of distinct pages
// (`sohoa synth`), when SOHOA_NEARDUP_CORPUS names one:
//
//	./bin/sohoa synth --out /tmp/c5555 --pages 540 --seed 5555
//	SOHOA_NEARDUP_CORPUS=/tmp/c5555 go test -run MeasureNearDuplicates -v ./server/
//
// It prints, for the distinct pages, the distance to the nearest other
// page, and for copies of the first 120 pages uploaded again, the distance
// to their page: re-encoded as JPEG (quality 50 to 94) and, half of them,
// rescaled to 200 or 150 dpi; and also scanned again (turned up to 1.5°,
// moved up to 30 pixels, exposure changed).
func TestMeasureNearDuplicates(t *testing.T) {
	dir := os.Getenv("SOHOA_NEARDUP_CORPUS")
	if dir == "" {
		t.Skip("SOHOA_NEARDUP_CORPUS is not set")
	}
	var files []string
	for _, pat := range []string{"*.png", "*.jpg"} {
		m, err := filepath.Glob(filepath.Join(dir, pat))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	slices.Sort(files)
	if len(files) < 2 {
		t.Fatalf("%s: fewer than two pages", dir)
	}
	hashes := make([]uint64, len(files))
	for i, f := range files {
		h, err := dHash(f)
		if err != nil {
			t.Fatal(err)
		}
		hashes[i] = h
	}
	nearest := make([]int, len(files))
	for i := range files {
		nearest[i] = 64
		for j := range files {
			if i != j {
				nearest[i] = min(nearest[i], bits.OnesCount64(hashes[i]^hashes[j]))
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var reencoded, rescanned []int
	for i, f := range files[:min(120, len(files))] {
		for _, moved := range []bool{false, true} {
			h := copyHash(t, f, moved, rng)
			d := bits.OnesCount64(h ^ hashes[i])
			if moved {
				rescanned = append(rescanned, d)
			} else {
				reencoded = append(reencoded, d)
			}
		}
	}
	report := func(what string, ds []int) {
		slices.Sort(ds)
		within := 0
		for _, d := range ds {
			if d <= 2 {
				within++
			}
		}
		q := func(p float64) int { return ds[int(p*float64(len(ds)-1))] }
		t.Logf("%-48s %4d: within 2 bits %4d (%5.1f %%); distance min %d, median %d, 95th percentile %d, max %d",
			what, len(ds), within, 100*float64(within)/float64(len(ds)), ds[0], q(0.5), q(0.95), ds[len(ds)-1])
	}
	report("distinct pages, nearest other page", nearest)
	report("same scan re-encoded (and rescaled), own page", reencoded)
	report("same sheet scanned again, own page", rescanned)
}

// copyHash returns the dHash of a copy of the page at path as uploaded
// again: re-encoded as JPEG at a random quality, rescaled to 2/3 or 1/2
// half the time, and when moved also turned, shifted and exposed
// differently, as a sheet scanned a second time.
func copyHash(t *testing.T, path string, moved bool, rng *rand.Rand) uint64 {
	t.Helper()
	img := gocv.IMRead(path, gocv.IMReadGrayScale)
	defer img.Close()
	if img.Empty() {
		t.Fatalf("%s cannot be decoded", path)
	}
	cur := img.Clone()
	defer func() { cur.Close() }()
	replace := func(m gocv.Mat) { cur.Close(); cur = m }
	if moved {
		c := image.Point{X: img.Cols() / 2, Y: img.Rows() / 2}
		m := gocv.GetRotationMatrix2D(c, (rng.Float64()*2-1)*1.5, 1)
		m.SetDoubleAt(0, 2, m.GetDoubleAt(0, 2)+(rng.Float64()*2-1)*30)
		m.SetDoubleAt(1, 2, m.GetDoubleAt(1, 2)+(rng.Float64()*2-1)*30)
		out := gocv.NewMat()
		gocv.WarpAffineWithParams(cur, &out, m, image.Point{X: img.Cols(), Y: img.Rows()},
			gocv.InterpolationLinear, gocv.BorderConstant, color.RGBA{R: 235, G: 235, B: 235, A: 255})
		m.Close()
		replace(out)
		exposed := gocv.NewMat()
		cur.ConvertToWithParams(&exposed, gocv.MatTypeCV8U, float32(0.8+rng.Float64()*0.3), float32((rng.Float64()*2-1)*20))
		replace(exposed)
	}
	if f := []float64{1, 1, 2.0 / 3, 0.5}[rng.IntN(4)]; f != 1 {
		out := gocv.NewMat()
		gocv.Resize(cur, &out, image.Point{}, f, f, gocv.InterpolationArea)
		replace(out)
	}
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, cur, []int{gocv.IMWriteJpegQuality, 50 + rng.IntN(45)})
	if err != nil {
		t.Fatal(err)
	}
	defer buf.Close()
	tmp := filepath.Join(t.TempDir(), fmt.Sprintf("copy-%d.jpg", rng.Uint64()))
	if err := os.WriteFile(tmp, buf.GetBytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	h, err := dHash(tmp)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

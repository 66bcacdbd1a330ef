//go:build matprofile

package synth

import (
	"math/rand/v2"
	"testing"

	"gocv.io/x/gocv"
)

// TestFinishClosesMats runs the degradation of every quality and checks
// that no Mat stays open (go test -tags matprofile).
func TestFinishClosesMats(t *testing.T) {
	before := gocv.MatProfile.Count()
	for _, q := range []Quality{QualityClean, QualityScanned, QualityWorn} {
		rng := rand.New(rand.NewPCG(1, 2))
		s := planScan(rng, q)
		s.skew = 1
		s.setGeometry()
		ly := newLayers()
		stampDisc(ly.print, 1000, 1000, 30, 1)
		stampDisc(ly.pen, 1200, 1000, 30, 1)
		stampDisc(ly.stamp, 1400, 1000, 30, 1)
		if _, _, err := s.finish(ly, true, true, rng); err != nil {
			t.Fatal(err)
		}
	}
	if after := gocv.MatProfile.Count(); after != before {
		t.Errorf("%d Mats left open", after-before)
	}
}

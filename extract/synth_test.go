package extract

import (
	"context"
	"testing"

	"github.com/sohoa/sohoa/synth"
)

// synthSeed and synthPages select the generated corpus: 24 pages cycle
// through the 6 layouts 4 times, and with this seed every layout comes up
// in both eras (the test checks it).
const (
	synthSeed  = 2
	synthPages = 24
)

// generate renders the corpus into a temporary directory.
func generate(t *testing.T) []synth.PageTruth {
	t.Helper()
	if testing.Short() {
		t.Skip("synthetic corpus skipped in -short mode")
	}
	dir := t.TempDir()
	pts, err := synth.Generate(context.Background(), synth.Options{
		Seed: synthSeed, Pages: synthPages, Qualities: []synth.Quality{synth.QualityClean},
	}, dir)
	if err != nil {
		t.Fatal(err)
	}
	eras := map[string]bool{}
	for _, pt := range pts {
		eras[string(pt.RegisterType)+"/"+pt.Layout+"/"+pt.Era] = true
	}
	if len(eras) != 12 {
		t.Fatalf("corpus covers %d of 12 type/layout/era combinations: %v", len(eras), eras)
	}
	return pts
}

// TestSynthCorpus reads every generated page as printed and with its
// labels damaged.
func TestSynthCorpus(t *testing.T) {
	s := loadSet(t)
	for i, pt := range generate(t) {
		t.Run(pt.Name+"-"+pt.Era, func(t *testing.T) {
			res, err := s.Extract(pageFromTruth(&pt))
			if err != nil {
				t.Fatal(err)
			}
			checkTruth(t, res, &pt)
		})
		t.Run(pt.Name+"-"+pt.Era+"-damaged", func(t *testing.T) {
			checkDamaged(t, s, &pt, uint64(100+i))
		})
	}
}

package extract

import (
	"path/filepath"
	"testing"

	"github.com/sohoa/sohoa/synth"
)

func BenchmarkExtract(b *testing.B) {
	s, err := LoadTemplates("")
	if err != nil {
		b.Fatal(err)
	}
	pt, err := synth.LoadTruth(filepath.Join(samplesDir, "p0002-birth-register-scanned.gt.json"))
	if err != nil {
		b.Skip(err)
	}
	page := pageFromTruth(pt)
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Extract(page); err != nil {
			b.Fatal(err)
		}
	}
}

//go:build matprofile

package pipeline

import (
	"context"
	"testing"

	"gocv.io/x/gocv"

	"github.com/sohoa/sohoa/ocr"
	"github.com/sohoa/sohoa/preprocess"
)

// TestMatProfileOCRPage checks that decoding, cleanup and recognition of
// every sample page close every Mat they open.
func TestMatProfileOCRPage(t *testing.T) {
	e, err := ocr.NewEngine(ocr.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	before := gocv.MatProfile.Count()
	for _, f := range sampleImages(t) {
		mats, err := preprocess.DecodeFile(f, preprocess.DefaultLimits())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mats {
			var r PageResult
			if err := OCRStage(preprocess.DefaultOptions())(context.Background(), e, m, &r); err != nil {
				t.Fatal(err)
			}
			m.Close()
		}
	}
	if after := gocv.MatProfile.Count(); after != before {
		t.Fatalf("MatProfile count %d → %d: Mats leaked", before, after)
	}
}

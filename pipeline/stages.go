package pipeline

import (
	"context"
	"fmt"

	"gocv.io/x/gocv"

	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/ocr"
	"github.com/sohoa/sohoa/preprocess"
)

// Cleanup is the first stage: it turns a decoded scan into a deskewed,
// enhanced, binarised page with its quality report.
func Cleanup(ctx context.Context, src gocv.Mat, opts preprocess.Options) (*preprocess.Page, error) {
	p, err := preprocess.Clean(ctx, src, opts)
	if err != nil {
		return nil, fmt.Errorf("cleanup: %w", err)
	}
	return p, nil
}

// Recognize is the OCR stage: it reads the cleaned page. Boxes are in the
// cleaned page's coordinates (see MapToOriginal).
func Recognize(ctx context.Context, eng *ocr.Engine, page *preprocess.Page) (*ocr.Page, error) {
	res, err := eng.Recognize(ctx, page.Binary)
	if err != nil {
		return nil, fmt.Errorf("ocr: %w", err)
	}
	return res, nil
}

// MapToOriginal moves every box of an OCR page from cleaned-page to
// original-page pixels.
func MapToOriginal(p *ocr.Page, a preprocess.Affine) {
	p.Map(func(b models.BBox) models.BBox { return mapBox(b, a) })
}

func mapBox(b models.BBox, a preprocess.Affine) models.BBox {
	x0, y0, x1, y1 := a.MapRect(float64(b[0]), float64(b[1]), float64(b[2]), float64(b[3]))
	return models.BBox{x0, y0, x1, y1}
}

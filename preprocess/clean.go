package preprocess

import (
	"context"
	"errors"
	"fmt"
	"math"

	"gocv.io/x/gocv"
)

// refXHeight300 is the x-height, as measured here (binarised, overshoot
// included), of 12–13 pt Times-like body text at 300 dpi. EstimatedDPI
// assumes that size.
const refXHeight300 = 24

// Options tune Clean.
type Options struct {
	MaxSkewDeg    float64 // deskew search range ±, degrees (default 15)
	Orientation   bool    // detect and fix 90°/180°/270° page rotation
	RemoveLeaders bool    // remove dotted/dashed leader lines
	RemoveRules   bool    // remove long horizontal and vertical ruling lines
	RemoveSpecks  bool    // remove tiny and isolated specks
	// RemoveCheckboxes takes printed tick boxes (☐, ☒) off the page, which
	// OCR reads as letters; they are reported in Page.Checkboxes. Needs
	// RemoveLeaders or RemoveSpecks.
	RemoveCheckboxes bool
	// Resolution normalisation: when the measured x-height is below
	// MinXHeight or above MaxXHeight pixels the page is rescaled so that it
	// becomes TargetXHeight. Zero MinXHeight and MaxXHeight disable it.
	TargetXHeight, MinXHeight, MaxXHeight float64
	MaxScale                              float64 // upper bound of the scale factor (default 3)
	MaxOutputPixels                       int64   // bound on the cleaned page's pixels (default 60e6)
}

// DefaultOptions returns the settings tuned for register pages.
func DefaultOptions() Options {
	return Options{
		MaxSkewDeg:       15,
		Orientation:      true,
		RemoveLeaders:    true,
		RemoveRules:      true,
		RemoveSpecks:     true,
		RemoveCheckboxes: true,
		TargetXHeight:    24,
		MinXHeight:       21,
		MaxXHeight:       40,
		MaxScale:         3,
		MaxOutputPixels:  60e6,
	}
}

// Quality reports what Clean measured and did.
type Quality struct {
	SkewDeg      float64  // tilt of text lines in the original after RotationDeg, counter-clockwise positive; Clean rotated it away
	RotationDeg  int      // clockwise quarter turn applied: 0, 90, 180 or 270
	Contrast     float64  // (paper − ink)/255 after illumination flattening, 0..1
	Sharpness    float64  // variance of the Laplacian of the original grey (centre crop); below ~100 is blurry
	EstimatedDPI int      // from the x-height, assuming 12–13 pt body text; 0 if no text found
	XHeight      float64  // measured x-height in original pixels; 0 if no text found
	Scale        float64  // cleaned/original size ratio
	Removed      Removed  // what cleanup deleted
	Warnings     []string // human-readable, e.g. "skew 4.6°"
}

// Removed counts components deleted by cleanup.
type Removed struct {
	LeaderDots, Specks, RuleRegions int
	BorderRegions                   int // dark areas along the image edge (scanner background)
	Checkboxes                      int
}

// Page is a cleaned page. Binary and Gray share geometry; ToOriginal maps
// their coordinates back to the page given to Clean.
type Page struct {
	Binary     gocv.Mat // CV_8UC1, black text (0) on white (255), deskewed, normalised, leaders/rules/specks removed
	Gray       gocv.Mat // CV_8UC1 enhanced grey (flattened, stretched), same geometry, removed marks painted white
	ToOriginal Affine
	Quality    Quality
	Checkboxes []Checkbox // tick boxes removed from Binary and Gray
}

// Close releases both Mats; it is safe to call twice.
func (p *Page) Close() error {
	if p == nil {
		return nil
	}
	p.Binary.Close()
	p.Gray.Close()
	return nil
}

// ErrBadInput is returned by Clean for an empty or non-8-bit source.
var ErrBadInput = errors.New("preprocess: unusable source image")

// Clean turns a decoded page (8-bit grey, BGR or BGRA) into a binary page
// ready for OCR plus an enhanced grey page with the same geometry. src is
// not modified. Steps:
//
//   - grey, with red seals and stamps lightened (colour pages);
//   - illumination flattening (divide by a closed, downscaled background)
//     and a contrast stretch for faded ink; scanner background around the
//     sheet becomes white;
//   - on a ~150 dpi copy: skew (projection profiles, ±MaxSkewDeg), 90° turns
//     (nearest-neighbour directions), 180° turns (marks above vs below
//     letters) and the x-height, hence the dpi and the scale;
//   - one affine warp doing rotation and rescaling together;
//   - Otsu binarisation, then ruling lines, dotted leaders, specks and tick
//     boxes removed using connected components.
//
// Coordinates of the result map back to src through Page.ToOriginal.
func Clean(ctx context.Context, src gocv.Mat, opts Options) (*Page, error) {
	if src.Empty() || src.Cols() < 8 || src.Rows() < 8 {
		return nil, fmt.Errorf("%w: empty or tiny (%dx%d)", ErrBadInput, src.Cols(), src.Rows())
	}
	opts = opts.withDefaults()
	gray, err := toGray(src)
	if err != nil {
		return nil, err
	}
	defer gray.Close()
	var q Quality
	q.Sharpness = sharpness(gray)

	enh, small, k, fs, err := flattenAndStretch(gray)
	if err != nil {
		return nil, err
	}
	defer enh.Close()
	defer small.Close()
	q.Contrast = math.Max(0, (fs.paper-fs.ink)/255)
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	lay, err := analyse(ctx, enh, small, k, opts.MaxSkewDeg, opts.Orientation)
	if err != nil {
		return nil, err
	}
	q.Removed.BorderRegions = lay.borderComps
	q.SkewDeg = math.Round(lay.skewDeg*100) / 100
	q.RotationDeg = lay.rotation
	q.XHeight = math.Round(lay.xHeight*10) / 10
	scale := 1.0
	if lay.xHeight > 0 {
		q.EstimatedDPI = int(math.Round(300 * lay.xHeight / refXHeight300))
		if (opts.MinXHeight > 0 && lay.xHeight < opts.MinXHeight) || (opts.MaxXHeight > 0 && lay.xHeight > opts.MaxXHeight) {
			scale = math.Min(opts.MaxScale, opts.TargetXHeight/lay.xHeight)
		}
	}
	w, h := float64(src.Cols()), float64(src.Rows())
	if px := w * h * scale * scale * 1.1; px > float64(opts.MaxOutputPixels) {
		scale *= math.Sqrt(float64(opts.MaxOutputPixels) / px)
	}
	if math.Abs(scale-1) < 0.03 {
		scale = 1
	}
	q.Scale = math.Round(scale*1000) / 1000
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// One warp for rotation and scale; skip it when there is nothing to do.
	page := &Page{}
	fwd, ow, oh := correction(w, h, lay.skewDeg, lay.rotation, scale)
	if math.Abs(lay.skewDeg) < 0.05 && lay.rotation == 0 && scale == 1 {
		fwd, ow, oh = Identity(), src.Cols(), src.Rows()
		page.Gray = enh.Clone()
	} else {
		page.Gray = gocv.NewMat()
		warp(enh, &page.Gray, fwd, ow, oh, gocv.InterpolationLinear)
	}
	inv, ok := fwd.Invert()
	if !ok {
		page.Close()
		return nil, fmt.Errorf("preprocess: singular page transform %v", fwd)
	}
	page.ToOriginal = inv

	xh := lay.xHeight * scale
	if xh <= 0 {
		xh = refXHeight300 * scale
	}
	bin, err := binariseAndTidy(ctx, page.Gray, xh, opts, &q, &page.Checkboxes)
	if err != nil {
		page.Close()
		return nil, err
	}
	page.Binary = bin
	q.Warnings = warnings(q, lay, fs)
	page.Quality = q
	return page, nil
}

func (o Options) withDefaults() Options {
	d := DefaultOptions()
	if o.MaxSkewDeg <= 0 {
		o.MaxSkewDeg = d.MaxSkewDeg
	}
	if o.MaxSkewDeg > 45 {
		o.MaxSkewDeg = 45
	}
	if o.TargetXHeight <= 0 {
		o.TargetXHeight = d.TargetXHeight
	}
	if o.MaxScale <= 0 {
		o.MaxScale = d.MaxScale
	}
	if o.MaxOutputPixels <= 0 {
		o.MaxOutputPixels = d.MaxOutputPixels
	}
	return o
}

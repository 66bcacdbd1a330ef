package preprocess

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"

	"gocv.io/x/gocv"
)

// Reference text size: 12–13 pt Times-like body text has an x-height of
// about 22.5 px at 300 dpi. EstimatedDPI assumes that size.
const refXHeight300 = 22.5

// Options tune Clean.
type Options struct {
	MaxSkewDeg    float64 // deskew search range ±, degrees (default 15)
	Orientation   bool    // detect and fix 90°/180°/270° page rotation
	RemoveLeaders bool    // remove dotted/dashed leader lines
	RemoveRules   bool    // remove long horizontal and vertical ruling lines
	RemoveSpecks  bool    // remove tiny and isolated specks
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
		MaxSkewDeg:      15,
		Orientation:     true,
		RemoveLeaders:   true,
		RemoveRules:     true,
		RemoveSpecks:    true,
		TargetXHeight:   24,
		MinXHeight:      18,
		MaxXHeight:      40,
		MaxScale:        3,
		MaxOutputPixels: 60e6,
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
}

// Page is a cleaned page. Binary and Gray share geometry; ToOriginal maps
// their coordinates back to the page given to Clean.
type Page struct {
	Binary     gocv.Mat // CV_8UC1, black text (0) on white (255), deskewed, normalised, leaders/rules/specks removed
	Gray       gocv.Mat // CV_8UC1 enhanced grey (flattened, stretched), same geometry, removed marks painted white
	ToOriginal Affine
	Quality    Quality
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
// not modified. Steps: grey; illumination flattening and contrast stretch;
// skew, orientation and text size measured on a ~150 dpi copy; one affine
// warp (rotation and rescaling together); Otsu binarisation; ruling-line,
// leader and speck removal on connected components.
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

	enh, fs, err := flattenAndStretch(gray)
	if err != nil {
		return nil, err
	}
	defer enh.Close()
	q.Contrast = math.Max(0, (fs.paper-fs.ink)/255)
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	lay, err := analyse(ctx, enh, opts.MaxSkewDeg, opts.Orientation)
	if err != nil {
		return nil, err
	}
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
		interp := gocv.InterpolationLinear
		if scale > 1.2 {
			interp = gocv.InterpolationCubic
		}
		warp(enh, &page.Gray, fwd, ow, oh, interp)
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
	bin, err := binariseAndTidy(ctx, page.Gray, xh, opts, &q)
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

// redDelta and redGain shape the red-stamp suppression of toGray: paper
// (even yellowed) and grey or blue ink have R − max(G, B) below redDelta.
const (
	redDelta = 25
	redGain  = 3
)

// toGray returns a continuous 8-bit single-channel copy of src. Colour
// pages become max(luminance, red) brightened by redGain·(R − max(G, B) −
// redDelta): black and blue ink stay dark while red seals and stamps, which
// often overlap signatures and text, fade to paper.
func toGray(src gocv.Mat) (gocv.Mat, error) {
	g := gocv.NewMat()
	switch src.Channels() {
	case 1:
		src.CopyTo(&g)
	case 3, 4:
		code := gocv.ColorBGRToGray
		if src.Channels() == 4 {
			code = gocv.ColorBGRAToGray
		}
		gocv.CvtColor(src, &g, code)
		if src.Type()&0x7 == gocv.MatTypeCV8U { // 8-bit depth
			suppressRed(src, &g)
		}
	default:
		g.Close()
		return gocv.Mat{}, fmt.Errorf("%w: %d channels", ErrBadInput, src.Channels())
	}
	if g.Type() != gocv.MatTypeCV8UC1 {
		c := gocv.NewMat()
		g.ConvertTo(&c, gocv.MatTypeCV8U)
		g.Close()
		g = c
	}
	if !g.IsContinuous() {
		c := g.Clone()
		g.Close()
		g = c
	}
	return g, nil
}

// suppressRed lightens reddish pixels of the BGR(A) page src in its grey
// version g.
func suppressRed(src gocv.Mat, g *gocv.Mat) {
	ch := gocv.Split(src)
	defer func() {
		for i := range ch {
			ch[i].Close()
		}
	}()
	b, gr, r := ch[0], ch[1], ch[2]
	gocv.Max(*g, r, g)
	red := gocv.NewMat()
	defer red.Close()
	gocv.Max(gr, b, &red)
	gocv.Subtract(r, red, &red) // saturates at 0
	red.SubtractUChar(redDelta)
	red.MultiplyUChar(redGain)
	gocv.Add(*g, red, g)
}

// sharpness is the variance of the Laplacian over a central crop of at most
// 1024×1024 pixels.
func sharpness(gray gocv.Mat) float64 {
	w, h := gray.Cols(), gray.Rows()
	cw, ch := min(w, 1024), min(h, 1024)
	r := image.Rect((w-cw)/2, (h-ch)/2, (w-cw)/2+cw, (h-ch)/2+ch)
	crop := gray.Region(r)
	defer crop.Close()
	lap := gocv.NewMat()
	defer lap.Close()
	gocv.Laplacian(crop, &lap, gocv.MatTypeCV32F, 1, 1, 0, gocv.BorderReplicate)
	mean, std := gocv.NewMat(), gocv.NewMat()
	defer mean.Close()
	defer std.Close()
	gocv.MeanStdDev(lap, &mean, &std)
	s := std.GetDoubleAt(0, 0)
	return math.Round(s*s*10) / 10
}

func warnings(q Quality, lay layout, fs flatStats) []string {
	var ws []string
	if math.Abs(q.SkewDeg) >= 1 {
		ws = append(ws, fmt.Sprintf("skew %.1f°", q.SkewDeg))
	}
	if q.RotationDeg != 0 {
		ws = append(ws, fmt.Sprintf("page rotated %d°", q.RotationDeg))
	}
	if lay.xHeight == 0 {
		ws = append(ws, "no text found")
	} else if q.EstimatedDPI < 150 {
		ws = append(ws, fmt.Sprintf("low resolution (about %d dpi)", q.EstimatedDPI))
	}
	if q.Contrast < 0.25 && fs.inkFrac > 0 {
		ws = append(ws, fmt.Sprintf("low contrast %.2f", q.Contrast))
	}
	if q.Sharpness > 0 && q.Sharpness < 100 {
		ws = append(ws, fmt.Sprintf("blurry (sharpness %.0f)", q.Sharpness))
	}
	return ws
}

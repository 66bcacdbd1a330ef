package ocr

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"strconv"

	"github.com/otiai10/gosseract/v2"
	"gocv.io/x/gocv"

	"github.com/sohoa/sohoa/models"
)

// ErrEmptyImage is returned for an image with no pixels.
var ErrEmptyImage = errors.New("ocr: empty image")

// ErrModel is returned for a region read with a model the engine did not
// load (RegionOptions.Model not in Options.Models).
var ErrModel = errors.New("ocr: model not loaded")

// ScriptModel is Tesseract's model of the Vietnamese script (Debian's
// tesseract-ocr-script-viet), trained apart from "vie": it misreads other
// marks than "vie" does, so the two agreeing on a field is evidence that
// the same model read at other scales cannot give.
const ScriptModel = "Vietnamese"

// Options configure an Engine.
type Options struct {
	// Language is the Tesseract model, "vie" by default.
	Language string
	// Models are further models, loaded beside Language, that regions can
	// be read with (RegionOptions.Model).
	Models []string
	// TessdataPrefix overrides the model directory (TESSDATA_PREFIX).
	TessdataPrefix string
	// PageSegMode is used for whole pages; gosseract.PSM_SINGLE_BLOCK by
	// default, which keeps a form's lines in order.
	PageSegMode gosseract.PageSegMode
	// DPI tells Tesseract the resolution of the images it is given.
	DPI int
}

// DefaultOptions returns the options tuned for cleaned register pages,
// with ScriptModel loaded for the fields read again.
func DefaultOptions() Options {
	return Options{Language: "vie", Models: []string{ScriptModel}, PageSegMode: gosseract.PSM_SINGLE_BLOCK, DPI: 300}
}

// Engine owns a Tesseract client per model. It must be used by one
// goroutine at a time and closed after use.
type Engine struct {
	client *gosseract.Client            // Language
	models map[string]*gosseract.Client // Models
	opts   Options
}

// NewEngine loads the models and returns a ready engine.
func NewEngine(opts Options) (*Engine, error) {
	if opts.Language == "" {
		opts.Language = "vie"
	}
	if opts.DPI == 0 {
		opts.DPI = 300
	}
	e := &Engine{opts: opts, models: make(map[string]*gosseract.Client, len(opts.Models))}
	c, err := newClient(opts, opts.Language)
	if err != nil {
		return nil, err
	}
	e.client = c
	for _, m := range opts.Models {
		if m == opts.Language || e.models[m] != nil {
			continue
		}
		c, err := newClient(opts, m)
		if err != nil {
			e.Close()
			return nil, err
		}
		e.models[m] = c
	}
	return e, nil
}

// newClient starts a Tesseract client for model lang with opts' settings.
func newClient(opts Options, lang string) (*gosseract.Client, error) {
	c := gosseract.NewClient()
	if err := c.SetLanguage(lang); err != nil {
		c.Close()
		return nil, fmt.Errorf("ocr: set language %q: %w", lang, err)
	}
	if opts.TessdataPrefix != "" {
		if err := c.SetTessdataPrefix(opts.TessdataPrefix); err != nil {
			c.Close()
			return nil, fmt.Errorf("ocr: tessdata prefix: %w", err)
		}
	}
	_ = c.SetVariable("user_defined_dpi", strconv.Itoa(opts.DPI))
	_ = c.SetVariable(gosseract.DEBUG_FILE, "/dev/null")
	// Load the model now, on a tiny blank image, so that a missing language
	// fails here with a clear error rather than on the first page.
	blank := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(255, 0, 0, 0), 16, 16, gocv.MatTypeCV8UC1)
	defer blank.Close()
	if _, err := recognize(c, blank, gosseract.PSM_SINGLE_BLOCK); err != nil {
		c.Close()
		hint := ""
		if lang == ScriptModel {
			hint = " (Debian package tesseract-ocr-script-viet)"
		}
		return nil, fmt.Errorf("ocr: load model %q%s: %w", lang, hint, err)
	}
	return c, nil
}

// Close releases the Tesseract clients.
func (e *Engine) Close() error {
	var errs []error
	if e.client != nil {
		errs = append(errs, e.client.Close())
	}
	for _, c := range e.models {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// Recognize reads a whole page. img is an 8-bit grey or binary image (text
// dark on light). Boxes are in img's coordinates.
func (e *Engine) Recognize(ctx context.Context, img gocv.Mat) (*Page, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	words, err := recognize(e.client, img, e.opts.PageSegMode)
	if err != nil {
		return nil, err
	}
	return &Page{Width: img.Cols(), Height: img.Rows(), Lines: groupLines(words)}, nil
}

// RegionOptions select how a region is re-read.
type RegionOptions struct {
	// PageSegMode for the crop; gosseract.PSM_SINGLE_LINE by default.
	PageSegMode gosseract.PageSegMode
	// Scale resizes the crop before recognition (1 when zero).
	Scale float64
	// Pad adds white margin (pixels, before scaling) around the crop, which
	// Tesseract needs to find the text's edges.
	Pad int
	// Model reads the crop with one of the engine's Options.Models instead
	// of its Language (when empty).
	Model string
}

// HasModel says whether regions can be read with model name
// (RegionOptions.Model): the main model or one of Options.Models.
func (e *Engine) HasModel(name string) bool { return e.clientFor(name) != nil }

// clientFor is the client of model name ("" for Language), nil when the
// engine did not load it.
func (e *Engine) clientFor(name string) *gosseract.Client {
	if name == "" || name == e.opts.Language {
		return e.client
	}
	return e.models[name]
}

// RecognizeRegion re-reads the part r of img, for instance a field's crop
// with another segmentation mode or scale. Boxes are in img's coordinates.
func (e *Engine) RecognizeRegion(ctx context.Context, img gocv.Mat, r image.Rectangle, o RegionOptions) (*Page, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r = r.Intersect(image.Rect(0, 0, img.Cols(), img.Rows()))
	if r.Empty() {
		return nil, fmt.Errorf("%w: region outside the page", ErrEmptyImage)
	}
	if o.PageSegMode == 0 {
		o.PageSegMode = gosseract.PSM_SINGLE_LINE
	}
	if o.Scale == 0 {
		o.Scale = 1
	}
	client := e.clientFor(o.Model)
	if client == nil {
		return nil, fmt.Errorf("%w: %q", ErrModel, o.Model)
	}
	roi := img.Region(r)
	defer roi.Close()
	crop := gocv.NewMat()
	defer crop.Close()
	// BorderIsolated: on a region of a larger image OpenCV otherwise fills
	// the border with the pixels around the region (the neighbouring
	// labels, leader dots and lines of the page) instead of white.
	gocv.CopyMakeBorder(roi, &crop, o.Pad, o.Pad, o.Pad, o.Pad, gocv.BorderConstant|gocv.BorderIsolated, color.RGBA{255, 255, 255, 255})
	if o.Scale != 1 {
		gocv.Resize(crop, &crop, image.Point{}, o.Scale, o.Scale, gocv.InterpolationCubic)
	}
	words, err := recognize(client, crop, o.PageSegMode)
	if err != nil {
		return nil, err
	}
	for i := range words {
		b := &words[i].BBox
		b[0] = int(float64(b[0])/o.Scale) - o.Pad + r.Min.X
		b[1] = int(float64(b[1])/o.Scale) - o.Pad + r.Min.Y
		b[2] = int(float64(b[2])/o.Scale) - o.Pad + r.Min.X
		b[3] = int(float64(b[3])/o.Scale) - o.Pad + r.Min.Y
	}
	return &Page{Width: img.Cols(), Height: img.Rows(), Lines: groupLines(words)}, nil
}

func recognize(c *gosseract.Client, img gocv.Mat, psm gosseract.PageSegMode) ([]Word, error) {
	if img.Empty() || img.Cols() == 0 || img.Rows() == 0 {
		return nil, ErrEmptyImage
	}
	data, err := encodeImage(img)
	if err != nil {
		return nil, err
	}
	if err := c.SetImageFromBytes(data); err != nil {
		return nil, fmt.Errorf("ocr: set image: %w", err)
	}
	if err := c.SetPageSegMode(psm); err != nil {
		return nil, fmt.Errorf("ocr: page segmentation mode: %w", err)
	}
	boxes, err := c.GetBoundingBoxesVerbose()
	if err != nil {
		return nil, fmt.Errorf("ocr: recognise: %w", err)
	}
	words := make([]Word, 0, len(boxes))
	for _, b := range boxes {
		words = append(words, Word{
			Text: normalizeWord(b.Word),
			Conf: b.Confidence / 100,
			BBox: models.BBox{b.Box.Min.X, b.Box.Min.Y, b.Box.Max.X, b.Box.Max.Y},
		})
	}
	return words, nil
}

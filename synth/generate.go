package synth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/sohoa/sohoa/internal/atomicfile"
	"github.com/sohoa/sohoa/models"
)

// ErrOption reports an invalid Options value.
var ErrOption = errors.New("synth: invalid option")

// Options configure Generate. Zero values select everything: all register
// types, both layouts, all qualities, the fonts of DefaultFontDir.
type Options struct {
	Seed          int64
	Pages         int
	Qualities     []Quality
	RegisterTypes []models.RegisterType
	Layouts       []string // LayoutExtract, LayoutRegister
	FontDirs      []string
	// Fonts restricts the font families by name ("Liberation Serif",
	// "FreeSerif", "Noto Serif", "DejaVu Serif", "Liberation Sans",
	// "DejaVu Sans"); each named family must be found.
	Fonts []string
}

// pageSpec says what one page shows.
type pageSpec struct {
	index   int // from 0
	name    string
	rt      models.RegisterType
	layout  string
	quality Quality
}

func (o Options) normalised() (Options, error) {
	if o.Pages < 1 {
		return o, fmt.Errorf("%w: pages %d, want at least 1", ErrOption, o.Pages)
	}
	if len(o.Qualities) == 0 {
		o.Qualities = []Quality{QualityClean, QualityScanned, QualityWorn}
	}
	if len(o.RegisterTypes) == 0 {
		o.RegisterTypes = []models.RegisterType{models.Birth, models.Marriage, models.Death}
	}
	if len(o.Layouts) == 0 {
		o.Layouts = []string{LayoutExtract, LayoutRegister}
	}
	for _, q := range o.Qualities {
		if q != QualityClean && q != QualityScanned && q != QualityWorn {
			return o, fmt.Errorf("%w: quality %q", ErrOption, q)
		}
	}
	for _, t := range o.RegisterTypes {
		if t != models.Birth && t != models.Marriage && t != models.Death {
			return o, fmt.Errorf("%w: register type %q", ErrOption, t)
		}
	}
	for _, l := range o.Layouts {
		if l != LayoutExtract && l != LayoutRegister {
			return o, fmt.Errorf("%w: layout %q", ErrOption, l)
		}
	}
	return o, nil
}

// plan lists the pages: type × layout cycle page by page, and the quality
// shifts by one every full cycle so that every combination comes up.
func (o Options) plan() []pageSpec {
	nc := len(o.RegisterTypes) * len(o.Layouts)
	out := make([]pageSpec, o.Pages)
	for i := range out {
		c := i % nc
		rt := o.RegisterTypes[c/len(o.Layouts)]
		l := o.Layouts[c%len(o.Layouts)]
		q := o.Qualities[(i+i/nc)%len(o.Qualities)]
		out[i] = pageSpec{index: i, rt: rt, layout: l, quality: q, name: fmt.Sprintf("p%04d-%s-%s-%s", i+1, rt, l, q)}
	}
	return out
}

// Generate renders opts.Pages pages into outDir (created if needed): for
// each page the image (NAME.png for clean pages, NAME.jpg otherwise),
// NAME.gt.txt and NAME.gt.json, and manifest.json for the whole set. The
// same options give byte-identical files.
func Generate(ctx context.Context, opts Options, outDir string) ([]PageTruth, error) {
	opts, err := opts.normalised()
	if err != nil {
		return nil, err
	}
	fonts, err := loadFontSet(opts.FontDirs, opts.Fonts)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, fmt.Errorf("synth: create %s: %w", outDir, err)
	}
	man := Manifest{Seed: opts.Seed}
	var truths []PageTruth
	for _, spec := range opts.plan() {
		if err := ctx.Err(); err != nil {
			return truths, fmt.Errorf("synth: %w", err)
		}
		pg, err := drawUntilFits(opts.Seed, spec.index, func(rng *rand.Rand) (*page, error) {
			return renderPage(rng, fonts, spec)
		})
		if err != nil {
			return truths, fmt.Errorf("synth: page %s: %w", spec.name, err)
		}
		if err := writePage(outDir, pg); err != nil {
			return truths, err
		}
		truths = append(truths, pg.truth)
		man.Pages = append(man.Pages, ManifestEntry{
			Name: spec.name, Image: pg.truth.Image, Text: spec.name + ".gt.txt", Truth: spec.name + ".gt.json",
			RegisterType: spec.rt, Layout: spec.layout, Quality: spec.quality,
		})
	}
	data, err := marshal(man)
	if err != nil {
		return truths, err
	}
	if err := atomicfile.Write(filepath.Join(outDir, ManifestFile), data); err != nil {
		return truths, fmt.Errorf("synth: %w", err)
	}
	return truths, nil
}

// fitAttempts is how many draws of a page's content drawUntilFits makes.
const fitAttempts = 8

// drawUntilFits renders page index of the corpus of seed from its own
// random stream; when the drawn content does not fit the page (a rare
// combination of long values and a large font), it draws again from the
// next stream. The first draw's stream is the one pages have always used,
// so corpora that rendered before render the same.
func drawUntilFits(seed int64, index int, render func(*rand.Rand) (*page, error)) (*page, error) {
	var err error
	for attempt := range uint64(fitAttempts) {
		rng := rand.New(rand.NewPCG(uint64(seed), 0x5eed0000+uint64(index)+attempt<<32))
		var pg *page
		pg, err = render(rng)
		if !errors.Is(err, errNoFit) {
			return pg, err
		}
	}
	return nil, fmt.Errorf("%w in %d draws", err, fitAttempts)
}

// page is one rendered page.
type page struct {
	truth PageTruth
	image []byte
}

// renderPage composes, lays out, renders and degrades one page.
func renderPage(rng *rand.Rand, fonts *fontSet, spec pageSpec) (*page, error) {
	c, err := composePage(rng, fonts, spec.rt, spec.layout)
	if err != nil {
		return nil, err
	}
	fc := newFaceCache(fonts, c.family.Name, renderDPI)
	defer fc.close()
	res, err := layoutPage(fc, c.geom, c.lines)
	if err != nil {
		return nil, err
	}
	ly, err := renderLayers(fc, c.geom, res, rng)
	if err != nil {
		return nil, err
	}
	sc := planScan(rng, spec.quality)
	hasStamp := false
	for _, s := range res.sigs {
		hasStamp = hasStamp || s.stamp
	}
	img, ext, err := sc.finish(ly, len(res.sigs) > 0, hasStamp, rng)
	if err != nil {
		return nil, err
	}
	t := PageTruth{
		Name: spec.name, Image: spec.name + ext, RegisterType: spec.rt, Layout: spec.layout, Era: c.era,
		Font: c.family.Name, Quality: spec.quality, DPI: sc.dpi, Width: sc.outW, Height: sc.outH,
		SkewDeg: round(sc.skew, 3), Scale: round(sc.scale, 4),
	}
	for _, l := range res.lines {
		t.Lines = append(t.Lines, LineTruth{Text: l.text, BBox: sc.mapRect(l.box)})
	}
	for i := range c.entries {
		t.Records = append(t.Records, RecordTruth{EntryIndex: i, RegisterType: spec.rt, Fields: map[string]FieldTruth{}})
	}
	for _, f := range res.fields {
		ft := FieldTruth{Value: f.value, Raw: f.raw, BBox: sc.mapRect(f.box)}
		for i := range t.Records {
			if f.entry == i || f.entry == allEntries {
				t.Records[i].Fields[f.key] = ft
			}
		}
	}
	return &page{truth: t, image: img}, nil
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

// writePage writes the image and both truth files of a page.
func writePage(dir string, pg *page) error {
	t := pg.truth
	var txt strings.Builder
	for _, l := range t.Lines {
		txt.WriteString(l.Text)
		txt.WriteByte('\n')
	}
	js, err := marshal(t)
	if err != nil {
		return err
	}
	for name, data := range map[string][]byte{
		t.Image:             pg.image,
		t.Name + ".gt.txt":  []byte(txt.String()),
		t.Name + ".gt.json": js,
	} {
		if err := atomicfile.Write(filepath.Join(dir, name), data); err != nil {
			return fmt.Errorf("synth: %w", err)
		}
	}
	return nil
}

// marshal encodes indented JSON without HTML escaping, ending in a newline.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("synth: encode json: %w", err)
	}
	return buf.Bytes(), nil
}

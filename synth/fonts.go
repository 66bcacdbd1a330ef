package synth

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
)

// ErrFontNotFound reports that a font family's files are not in any of the
// searched directories.
var ErrFontNotFound = errors.New("synth: font not found")

// ErrMissingGlyph reports a rune that the page font cannot render.
var ErrMissingGlyph = errors.New("synth: font has no glyph")

// DefaultFontDir is searched when Options.FontDirs is empty.
const DefaultFontDir = "/usr/share/fonts"

// fontStyle selects one face of a family.
type fontStyle int

const (
	styleRegular fontStyle = iota
	styleBold
	styleItalic
	numStyles
)

// fontFamily describes one family and the file names of its faces.
type fontFamily struct {
	Name   string
	Files  [numStyles]string
	Serif  bool
	Weight int     // relative frequency among pages
	Scale  float64 // size factor that gives the family the width of Times
}

// fontFamilies returns the families the generator knows, most frequent
// first. Times clones (Liberation Serif, FreeSerif) dominate, as in official
// Vietnamese documents.
func fontFamilies() []fontFamily {
	return []fontFamily{
		{"Liberation Serif", [numStyles]string{"LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf", "LiberationSerif-Italic.ttf"}, true, 10, 1},
		{"FreeSerif", [numStyles]string{"FreeSerif.ttf", "FreeSerifBold.ttf", "FreeSerifItalic.ttf"}, true, 7, 1},
		{"Noto Serif", [numStyles]string{"NotoSerif-Regular.ttf", "NotoSerif-Bold.ttf", "NotoSerif-Italic.ttf"}, true, 3, 0.88},
		{"DejaVu Serif", [numStyles]string{"DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf"}, true, 2, 0.86},
		{"Liberation Sans", [numStyles]string{"LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf", "LiberationSans-Italic.ttf"}, false, 2, 0.9},
		{"DejaVu Sans", [numStyles]string{"DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf"}, false, 1, 0.84},
	}
}

// fontSet holds the families available for a run, with their faces loaded
// lazily. It is not safe for concurrent use.
type fontSet struct {
	families []fontFamily
	paths    map[string][numStyles]string // family name → file paths
	parsed   map[string]*opentype.Font    // file path → parsed font
	buf      sfnt.Buffer
}

// loadFontSet finds the families in dirs. With names empty every known
// family that is present is used (an error only when none is); otherwise
// exactly the named families, each of which must be present.
func loadFontSet(dirs []string, names []string) (*fontSet, error) {
	if len(dirs) == 0 {
		dirs = []string{DefaultFontDir}
	}
	index, err := indexFontFiles(dirs)
	if err != nil {
		return nil, err
	}
	known := fontFamilies()
	var wanted []fontFamily
	if len(names) == 0 {
		wanted = known
	} else {
		for _, n := range names {
			found := false
			for _, f := range known {
				if strings.EqualFold(f.Name, n) {
					wanted = append(wanted, f)
					found = true
					break
				}
			}
			if !found {
				return nil, fmt.Errorf("%w: unknown family %q", ErrFontNotFound, n)
			}
		}
	}
	set := &fontSet{paths: map[string][numStyles]string{}, parsed: map[string]*opentype.Font{}}
	var missing []string
	for _, f := range wanted {
		var paths [numStyles]string
		ok := true
		for st, file := range f.Files {
			p, why := set.firstCovering(index[file])
			if p == "" {
				ok = false
				missing = append(missing, fmt.Sprintf("%s (%s: %s)", f.Name, file, why))
				break
			}
			paths[st] = p
		}
		if ok {
			set.families = append(set.families, f)
			set.paths[f.Name] = paths
		}
	}
	if len(names) > 0 && len(missing) > 0 || len(set.families) == 0 {
		return nil, fmt.Errorf("%w in %s: %s", ErrFontNotFound, strings.Join(dirs, ", "), strings.Join(missing, "; "))
	}
	return set, nil
}

// vietnameseRepertoire is every letter the pages may print beyond ASCII.
func vietnameseRepertoire() string {
	lower := "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"
	return lower + strings.ToUpper(lower) + "…–"
}

// firstCovering returns the first candidate file that has a glyph for
// every Vietnamese letter (old Liberation 1.x files do not), or "" and why.
func (s *fontSet) firstCovering(cands []string) (path, why string) {
	if len(cands) == 0 {
		return "", "not found"
	}
	why = "no Vietnamese glyphs"
	for _, p := range cands {
		f, err := s.load(p)
		if err != nil {
			why = err.Error()
			continue
		}
		if missingRune(f, &s.buf, vietnameseRepertoire()) < 0 {
			return p, ""
		}
	}
	return "", why
}

// missingRune returns the first rune of text without a glyph, or -1.
func missingRune(f *opentype.Font, buf *sfnt.Buffer, text string) rune {
	for _, r := range text {
		gi, err := f.GlyphIndex(buf, r)
		if err != nil || gi == 0 {
			return r
		}
	}
	return -1
}

// indexFontFiles maps font file base names to the paths found, walking dirs
// in order (and each directory in lexical order).
func indexFontFiles(dirs []string) (map[string][]string, error) {
	index := map[string][]string{}
	for _, d := range dirs {
		err := filepath.WalkDir(d, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				if p == d && errors.Is(err, fs.ErrNotExist) {
					return fs.SkipDir
				}
				return err
			}
			if e.IsDir() {
				return nil
			}
			ext := strings.ToLower(filepath.Ext(p))
			if ext != ".ttf" && ext != ".otf" {
				return nil
			}
			index[e.Name()] = append(index[e.Name()], p)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("synth: search fonts in %s: %w", d, err)
		}
	}
	return index, nil
}

// pick chooses a family by weight from a uniform draw u in [0,1).
func (s *fontSet) pick(u float64) fontFamily {
	total := 0
	for _, f := range s.families {
		total += f.Weight
	}
	x := int(u * float64(total))
	for _, f := range s.families {
		if x < f.Weight {
			return f
		}
		x -= f.Weight
	}
	return s.families[len(s.families)-1]
}

// font returns the parsed face file of a family and style.
func (s *fontSet) font(family string, st fontStyle) (*opentype.Font, error) {
	paths, ok := s.paths[family]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrFontNotFound, family)
	}
	return s.load(paths[st])
}

// load parses a font file once.
func (s *fontSet) load(p string) (*opentype.Font, error) {
	if f, ok := s.parsed[p]; ok {
		return f, nil
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("synth: read font %s: %w", p, err)
	}
	f, err := opentype.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("synth: parse font %s: %w", p, err)
	}
	s.parsed[p] = f
	return f, nil
}

// checkGlyphs returns an error naming the first rune of text that the font
// has no glyph for.
func (s *fontSet) checkGlyphs(family string, st fontStyle, text string) error {
	f, err := s.font(family, st)
	if err != nil {
		return err
	}
	for _, r := range text {
		gi, err := f.GlyphIndex(&s.buf, r)
		if err != nil {
			return fmt.Errorf("synth: glyph lookup %q in %s: %w", r, family, err)
		}
		if gi == 0 {
			return fmt.Errorf("%w: %s %s lacks %q (U+%04X) in %q", ErrMissingGlyph, family, styleName(st), r, r, text)
		}
	}
	return nil
}

func styleName(st fontStyle) string {
	switch st {
	case styleBold:
		return "Bold"
	case styleItalic:
		return "Italic"
	}
	return "Regular"
}

// faceCache creates faces of one family at the sizes a page needs.
type faceCache struct {
	set    *fontSet
	family string
	dpi    float64
	faces  map[faceKey]font.Face
}

type faceKey struct {
	st   fontStyle
	size int64 // points × 64
}

func newFaceCache(set *fontSet, family string, dpi float64) *faceCache {
	return &faceCache{set: set, family: family, dpi: dpi, faces: map[faceKey]font.Face{}}
}

// face returns the face of style st at size points.
func (c *faceCache) face(st fontStyle, size float64) (font.Face, error) {
	k := faceKey{st, int64(math.Round(size * 64))}
	if f, ok := c.faces[k]; ok {
		return f, nil
	}
	fnt, err := c.set.font(c.family, st)
	if err != nil {
		return nil, err
	}
	f, err := opentype.NewFace(fnt, &opentype.FaceOptions{Size: float64(k.size) / 64, DPI: c.dpi, Hinting: font.HintingNone})
	if err != nil {
		return nil, fmt.Errorf("synth: face %s %s %.2fpt: %w", c.family, styleName(st), size, err)
	}
	c.faces[k] = f
	return f, nil
}

// close releases the faces.
func (c *faceCache) close() {
	for _, f := range c.faces {
		_ = f.Close()
	}
}

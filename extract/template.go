package extract

import (
	"errors"
	"regexp"

	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/validate"
)

// ErrTemplate reports a malformed template file; the message names the
// file and what is wrong.
var ErrTemplate = errors.New("extract: malformed template")

// Layouts a template can describe.
const (
	LayoutExtract  = "extract"  // trích lục: one record per page
	LayoutRegister = "register" // register-book page: entries one after another
)

// Value positions of a field.
const (
	// PosRest: the rest of the label's line up to the next label; when the
	// label ends its line, the next line if it does not start with a label.
	PosRest = "rest"
	// PosRestOnly: the rest of the label's line only.
	PosRestOnly = "rest_only"
	// PosNextLine: the line after the label's line.
	PosNextLine = "next_line"
)

// Field scopes.
const (
	ScopeEntry = "entry" // read in each entry
	ScopePage  = "page"  // read once on the page, copied into every entry
)

// fileTemplate is the YAML schema of a template file.
type fileTemplate struct {
	ID           string        `yaml:"id"`
	Version      string        `yaml:"version"`
	RegisterType string        `yaml:"register_type"`
	Layout       string        `yaml:"layout"`
	Description  string        `yaml:"description"`
	Detection    fileDetection `yaml:"detection"`
	Entries      fileEntries   `yaml:"entries"`
	Ignore       []string      `yaml:"ignore"`
	Fields       []fileField   `yaml:"fields"`
	Sections     []fileSection `yaml:"sections"`
}

type fileDetection struct {
	Titles []string `yaml:"titles"`
	Labels []string `yaml:"labels"` // "A|B": alternatives of one characteristic label
}

type fileEntries struct {
	Start []string `yaml:"start"`
}

type fileSection struct {
	Name   string      `yaml:"name"`
	Start  []string    `yaml:"start"`
	Fields []fileField `yaml:"fields"`
}

type fileField struct {
	Key       string   `yaml:"key"`
	Kind      string   `yaml:"kind"`
	Required  bool     `yaml:"required"`
	Labels    []string `yaml:"labels"`
	Value     string   `yaml:"value"`
	Multiline bool     `yaml:"multiline"`
	Words     []string `yaml:"words"`
	After     []string `yaml:"after"`
	Strip     []string `yaml:"strip"`
	Scope     string   `yaml:"scope"`
}

// Template is a compiled extraction template for one register type and
// layout.
type Template struct {
	ID           string              // "birth/extract"
	Version      string              // template revision, e.g. "1"
	RegisterType models.RegisterType // birth, marriage, death, …
	Layout       string              // LayoutExtract or LayoutRegister
	Description  string
	Source       string // the file it was read from

	labels   []*label
	byHead   map[rune][]*label // labels by their first and second letter
	fields   []*fieldDef
	sections []string // names; index 0 is the top level ("")
	titles   []*label
	detect   [][]*label // characteristic labels, alternatives per group
	entries  bool       // entries start at entry-start labels
}

// Name is the template's id and version, "birth/extract@1".
func (t *Template) Name() string { return t.ID + "@" + t.Version }

// Keys returns the field keys of the template in declaration order, each
// once.
func (t *Template) Keys() []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range t.fields {
		if !seen[f.key] {
			seen[f.key] = true
			out = append(out, f.key)
		}
	}
	return out
}

// label is one distinct printed label (by folded key) with every role it
// has in the template.
type label struct {
	index      int // position in Template.labels
	text       string
	fold       string
	runes      []rune  // fold as runes
	head       [3]rune // first runes of fold, for prefixClose
	headN      int
	tones      []string
	maxDist    int
	short      bool
	title      bool
	entryStart bool
	section    int                 // section it starts, 0 for none
	fields     map[int]*fieldDef   // by section index (0: top level)
	words      map[int][]*fieldDef // date fields whose words it may introduce
}

// fieldDef is a compiled field.
type fieldDef struct {
	key       string
	kind      validate.Kind
	required  bool
	pos       string
	multiline bool
	after     [][]string // folded word sequences the value starts after
	strip     [][]string // folded word sequences removed from the value's start
	page      bool
	section   int
	words     bool
}

var (
	reID      = regexp.MustCompile(`^[a-z0-9_-]+(/[a-z0-9_-]+)*$`)
	reRegType = regexp.MustCompile(`^[a-z_]+$`)
	reVersion = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
	reKey     = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
)

// knownKind reports the kinds package validate normalises.
func knownKind(k validate.Kind) bool {
	switch k {
	case validate.KindName, validate.KindDate, validate.KindYear, validate.KindGender,
		validate.KindEthnicity, validate.KindNationality, validate.KindPersonalID,
		validate.KindIDNumber, validate.KindEntryNumber, validate.KindBookNumber, validate.KindText:
		return true
	}
	return false
}

// maxLabelDist is the edit distance allowed when matching a label of n
// folded characters: none up to 4 characters, then about 17 % (at least 1).
func maxLabelDist(n int) int {
	if n <= 4 {
		return 0
	}
	return max(1, n*17/100)
}

// shortLabelLen: labels this short ("Số", "Do") must start a line and be
// followed by a colon (or, for "Số", a number).
const shortLabelLen = 3

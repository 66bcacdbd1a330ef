package extract

import (
	"errors"
	"fmt"

	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/ocr"
	"github.com/sohoa/sohoa/validate"
)

// ErrNoTemplate reports a page that no template fits.
var ErrNoTemplate = errors.New("extract: no template matches the page")

// MinTemplateScore is the lowest detection score Extract accepts.
const MinTemplateScore = 0.3

// Reading is one field read from a page.
type Reading struct {
	Key      string             `json:"key"`
	Kind     string             `json:"kind"`
	Raw      string             `json:"raw"`   // value text as read (leaders and label stripped)
	Value    *string            `json:"value"` // normalised; nil when missing or unreadable
	Problems []validate.Problem `json:"problems,omitempty"`
	// Checks are the problems of Problems found against other fields
	// (validate.CrossCheck, the page's entry sequence); Recheck replaces
	// them.
	Checks     []validate.Problem `json:"-"`
	LabelScore float64            `json:"label_score"` // how well the label matched, 0..1
	WordConfs  []float64          `json:"word_confs,omitempty"`
	BBox       models.BBox        `json:"bbox"` // union of the value's words, page pixels
	Required   bool               `json:"required,omitempty"`
}

// Entry is one record of the page: its fields by key.
type Entry struct {
	Index  int                 `json:"index"`
	Fields map[string]*Reading `json:"fields"`
}

// Result is what Extract read from one page.
type Result struct {
	Template      string              `json:"template"` // "birth/extract@1": id@version
	RegisterType  models.RegisterType `json:"register_type"`
	TemplateScore float64             `json:"template_score"` // detection score, 0..1
	Entries       []Entry             `json:"entries"`
}

// Detect scores every template of the set on the page and returns the best
// one with its score (0..1), or ErrNoTemplate when none reaches
// MinTemplateScore.
func (s *Set) Detect(page *ocr.Page) (*Template, float64, error) {
	if page == nil {
		return nil, 0, errNilPage
	}
	t, score, _, err := s.detect(tokenizePage(page))
	return t, score, err
}

var errNilPage = errors.New("extract: nil page")

func (s *Set) detect(lines [][]token) (*Template, float64, *scanResult, error) {
	var best *Template
	var bestScore float64
	var bestScan *scanResult
	for _, t := range s.templates {
		sc := t.scan(lines)
		if score := t.score(sc); score > bestScore {
			best, bestScore, bestScan = t, score, sc
		}
	}
	if best == nil || bestScore < MinTemplateScore {
		name := "none"
		if best != nil {
			name = best.Name()
		}
		return nil, bestScore, nil, fmt.Errorf("%w (best %s, score %.2f < %.2f)", ErrNoTemplate, name, bestScore, MinTemplateScore)
	}
	return best, bestScore, bestScan, nil
}

// Extract detects the page's template and reads its entries. It returns
// ErrNoTemplate when no template fits the page.
func (s *Set) Extract(page *ocr.Page) (*Result, error) {
	if page == nil {
		return nil, errNilPage
	}
	t, score, sc, err := s.detect(tokenizePage(page))
	if err != nil {
		return nil, err
	}
	res := t.read(sc)
	res.TemplateScore = round3(score)
	return res, nil
}

// Extract reads the page with this template, without detection;
// TemplateScore still says how well the page fits it.
func (t *Template) Extract(page *ocr.Page) (*Result, error) {
	if page == nil {
		return nil, errNilPage
	}
	sc := t.scan(tokenizePage(page))
	res := t.read(sc)
	res.TemplateScore = round3(t.score(sc))
	return res, nil
}

// Detection weights: the title, the characteristic labels and the share
// of field labels found.
const (
	weightTitle    = 0.45
	weightDetect   = 0.40
	weightCoverage = 0.15
)

// score is how well the page fits the template, 0..1.
func (t *Template) score(sc *scanResult) float64 {
	best := make(map[*label]float64, len(sc.matches))
	for _, m := range sc.matches {
		best[m.lab] = max(best[m.lab], m.score)
	}
	var title, det, cov float64
	for _, l := range t.titles {
		title = max(title, best[l])
	}
	for _, g := range t.detect {
		var b float64
		for _, l := range g {
			b = max(b, best[l])
		}
		det += b
	}
	if len(t.detect) > 0 {
		det /= float64(len(t.detect))
	}
	covered := map[*fieldDef]bool{}
	for l := range best {
		for _, fd := range l.fields {
			covered[fd] = true
		}
	}
	if len(t.fields) > 0 {
		cov = float64(len(covered)) / float64(len(t.fields))
	}
	wt, wd := weightTitle, weightDetect
	switch {
	case len(t.titles) == 0:
		wt, wd = 0, weightTitle+weightDetect
	case len(t.detect) == 0:
		wt, wd = weightTitle+weightDetect, 0
	}
	return wt*title + wd*det + weightCoverage*cov
}

func round3(v float64) float64 {
	return float64(int(v*1000+0.5)) / 1000
}

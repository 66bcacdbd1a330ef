// Package eval measures recognition quality against a synthetic corpus's
// ground truth: page character error rate now, field metrics later.
package eval

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/sohoa/sohoa/vn"
)

// NormalizePage prepares page text for comparison: NFC, each line trimmed
// with its inner white space folded to single spaces, empty lines dropped,
// lines joined by "\n". Line breaks count as characters, so text read in the
// wrong order or lines merged are errors.
func NormalizePage(s string) string {
	s = norm.NFC.String(s)
	var out []string
	for _, line := range strings.Split(s, "\n") {
		f := strings.FieldsFunc(line, unicode.IsSpace)
		if len(f) == 0 {
			continue
		}
		out = append(out, strings.Join(f, " "))
	}
	return strings.Join(out, "\n")
}

// Distance is the Levenshtein distance between a and b counted in runes
// (insertions, deletions and substitutions of one code point, each 1).
func Distance(a, b []rune) int { return vn.EditDistance(a, b) }

// Score is an edit count against a reference length.
type Score struct {
	Errors int `json:"errors"`
	Chars  int `json:"chars"`
}

// CER is the character error rate, errors over reference characters.
func (s Score) CER() float64 {
	if s.Chars == 0 {
		if s.Errors == 0 {
			return 0
		}
		return 1
	}
	return float64(s.Errors) / float64(s.Chars)
}

// Add accumulates another score (micro average).
func (s *Score) Add(o Score) {
	s.Errors += o.Errors
	s.Chars += o.Chars
}

// PageCER compares a page's recognised text with its ground truth.
func PageCER(truth, got string) Score {
	t := []rune(NormalizePage(truth))
	g := []rune(NormalizePage(got))
	return Score{Errors: Distance(t, g), Chars: len(t)}
}

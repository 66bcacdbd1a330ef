// Package eval measures recognition quality against a synthetic corpus's
// ground truth: page character error rate now, field metrics later.
package eval

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
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
func Distance(a, b []rune) int {
	if len(a) < len(b) {
		a, b = b, a
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		ai := a[i-1]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if ai == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

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

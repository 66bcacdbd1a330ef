package vn

import (
	"strings"
	"unicode"
)

// Scores returned by the name matchers.
const (
	// ScoreExact: same letters, marks and tone (placement and case aside).
	ScoreExact = 1.0
	// ScoreNoMarks: equal only once diacritics are removed.
	ScoreNoMarks = 0.95
	// fuzzyFoldWeight scales similarity measured without diacritics.
	fuzzyFoldWeight = 0.9
	// fuzzyMargin is how far the best target must lead the runner-up.
	fuzzyMargin = 0.05
)

// nameMatcher finds the canonical entry nearest to a possibly damaged name.
type nameMatcher struct {
	entries []matchEntry
}

type matchEntry struct {
	tone, fold string // compact keys (letters and marks only)
	target     string // canonical name
}

// compactTone is ToneKey without anything but letters, marks and digits, so
// spaces, hyphens and apostrophes do not matter.
func compactTone(s string) string { return keepLetters(ToneKey(s)) }

// compactFold is the diacritics-free lower-case letters of s.
func compactFold(s string) string { return keepLetters(strings.ToLower(StripDiacritics(s))) }

func keepLetters(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) {
			return r
		}
		return -1
	}, s)
}

func newNameMatcher(canon []string, aliases [][2]string) nameMatcher {
	m := nameMatcher{entries: make([]matchEntry, 0, len(canon)+len(aliases))}
	for _, c := range canon {
		m.entries = append(m.entries, matchEntry{compactTone(c), compactFold(c), c})
	}
	for _, a := range aliases {
		m.entries = append(m.entries, matchEntry{compactTone(a[0]), compactFold(a[0]), a[1]})
	}
	return m
}

// match returns the target nearest to s. Exact (tone-key) matches score
// ScoreExact; a unique diacritics-free match ScoreNoMarks; otherwise the best
// edit-distance similarity, accepted when at least minScore and clearly ahead
// of the best different target.
func (m nameMatcher) match(s string, minScore float64) (string, float64, bool) {
	tone, fold := compactTone(s), compactFold(s)
	if fold == "" {
		return "", 0, false
	}
	for _, e := range m.entries {
		if e.tone == tone {
			return e.target, ScoreExact, true
		}
	}
	foldHit := ""
	ambiguous := false
	for _, e := range m.entries {
		if e.fold == fold {
			if foldHit != "" && foldHit != e.target {
				ambiguous = true
			}
			foldHit = e.target
		}
	}
	if foldHit != "" && !ambiguous {
		return foldHit, ScoreNoMarks, true
	}
	best := map[string]float64{}
	for _, e := range m.entries {
		sc := max(Similarity(tone, e.tone), fuzzyFoldWeight*Similarity(fold, e.fold))
		if sc > best[e.target] {
			best[e.target] = sc
		}
	}
	var first, second float64
	var target string
	for t, sc := range best {
		switch {
		case sc > first || (sc == first && t < target):
			if t != target {
				second = max(second, first)
			}
			first, target = sc, t
		case sc > second:
			second = sc
		}
	}
	if first < minScore || first-second < fuzzyMargin {
		return target, first, false
	}
	return target, first, true
}

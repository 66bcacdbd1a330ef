package validate

import "github.com/sohoa/sohoa/vn"

// matchTable applies a vn matcher: exact matches give the canonical name,
// fuzzy or mark-less matches give it with a "repaired" problem, and
// anything else keeps the cleaned text with an "unknown" problem.
func matchTable(raw, kind string, match func(string) (string, float64, bool)) (string, []Problem) {
	s := cleanText(raw)
	if s == "" {
		return "", []Problem{problem(CodeMissing, "no %s", kind)}
	}
	v, score, ok := match(s)
	switch {
	case !ok:
		return s, []Problem{problem(CodeUnknown, "unknown %s %q", kind, s)}
	case score < vn.ScoreExact:
		return v, []Problem{problem(CodeRepaired, "read %s %q as %q (score %.2f)", kind, s, v, score)}
	}
	return v, nil
}

// Ethnicity normalises an ethnic group to its canonical name among the 54
// recognised groups (vn.Ethnicities), e.g. "KINH" → "Kinh", "H'Mông" →
// "Mông", "Khơ-me" → "Khmer". Spellings corrected by a fuzzy or
// diacritics-free match are "repaired"; an unrecognised value is returned as
// cleaned text with an "unknown" problem.
func Ethnicity(raw string) (string, []Problem) {
	return matchTable(raw, "ethnicity", vn.MatchEthnicity)
}

// Nationality normalises a nationality ("Việt Nam" and common others, see
// vn.Nationalities) like Ethnicity does.
func Nationality(raw string) (string, []Problem) {
	return matchTable(raw, "nationality", vn.MatchNationality)
}

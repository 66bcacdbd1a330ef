package validate

import (
	"strings"
	"unicode"

	"github.com/sohoa/sohoa/vn"
)

// Name normalises a person's name: NFC, single spaces, each word
// capitalised as Vietnamese writes it ("LÊ THỊ OANH" → "Lê Thị Oanh"), tone
// placement as printed. Digits, letters outside the Vietnamese alphabet and
// punctuation other than apostrophes, hyphens and dots are reported as
// invalid (the value is still returned).
//
// Name reads OCR output: a family name read with the wrong marks, and the
// other slips repairName lists are repaired (reported as CodeRepaired).
// Typed keeps what a person typed.
func Name(raw string) (string, []Problem) { return name(raw, true) }

func name(raw string, ocr bool) (string, []Problem) {
	s := dropStrayMarks(cleanText(raw))
	if s == "" {
		return "", []Problem{problem(CodeMissing, "no name")}
	}
	var ps []Problem
	repaired := false
	if ocr {
		s, repaired = sectionSign(s)
	}
	v := vn.NormalizeName(s)
	if ocr {
		if fixed, ok := repairName(v); ok && fixed != "" {
			v, repaired = fixed, true
		}
	}
	if repaired {
		ps = append(ps, problem(CodeRepaired, "family name, prefix or punctuation repaired"))
	}
	if strings.ContainsFunc(v, unicode.IsDigit) {
		ps = append(ps, problem(CodeInvalid, "digits in a name"))
	}
	if bad := strangeLetters(v); bad != "" {
		ps = append(ps, problem(CodeInvalid, "unexpected letters %q", bad))
	}
	if strings.ContainsFunc(v, func(r rune) bool {
		return unicode.IsPunct(r) && r != '\'' && r != '-' && r != '.' || unicode.IsSymbol(r)
	}) {
		ps = append(ps, problem(CodeInvalid, "unexpected punctuation in a name"))
	}
	return v, ps
}

// dropStrayMarks removes words made only of spacing marks and symbols
// ("ˆ", "´", "~"): OCR reads a speck near a name as a detached accent.
func dropStrayMarks(s string) string {
	words := strings.Fields(s)
	out := words[:0]
	for _, w := range words {
		keep := false
		for _, r := range w {
			if unicode.IsLetter(r) && !unicode.Is(unicode.Lm, r) || unicode.IsDigit(r) {
				keep = true
				break
			}
		}
		if keep {
			out = append(out, w)
		}
	}
	return strings.Join(out, " ")
}

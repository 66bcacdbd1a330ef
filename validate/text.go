package validate

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/sohoa/sohoa/vn"
)

var (
	// reLeaders matches dotted leaders: runs of two or more dots, ellipses or
	// middle dots (possibly spaced), runs of underscores, and runs of three or
	// more hyphens.
	reLeaders = regexp.MustCompile(`(?:\s*[.…·•‧∙])(?:\s*[.…·•‧∙])+|[…·•‧∙]|_{2,}|-{3,}`)
)

// trailingPunct and leadingPunct are trimmed from the ends of text values.
const (
	trailingPunct = " .,;:-–—"
	leadingPunct  = " .,;:-–—"
)

// cleanText applies the "other text" rule: NFC, no dotted leaders, single
// spaces, no leading or trailing punctuation. Letters are kept as printed.
func cleanText(raw string) string {
	s := vn.NFC(raw)
	s = reLeaders.ReplaceAllString(s, " ")
	s = vn.CollapseSpaces(s)
	s = strings.TrimRight(s, trailingPunct)
	s = strings.TrimLeft(s, leadingPunct)
	return s
}

// strangeLetters returns the letters of s that are not Vietnamese letters
// (OCR strays such as ö, ï, å), without duplicates.
func strangeLetters(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) && !vn.IsVietnameseLetter(r) && !strings.ContainsRune(b.String(), r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// adminUnit matches a full stop before the next administrative unit of an
// address ("xã Huổi Só. huyện Tủa Chùa"): addresses separate their parts
// with commas, and OCR reads a faded comma as a full stop.
var adminUnit = regexp.MustCompile(`(\pL)\s*\.\s+(ấp|bản|buôn|thôn|xóm|tổ|khu phố|xã|phường|thị trấn|huyện|quận|thị xã|thành phố|tỉnh|TP)\b`)

// strayDot matches a full stop glued between two words of a name
// ("Bá.Thước"), which no address or office name carries.
var strayDot = regexp.MustCompile(`(\p{Ll})\.(\p{Lu})`)

// Text normalises free text (places, office, cause of death): NFC, single
// spaces, no dotted leaders (…, ..., ·), no trailing punctuation, letters as
// printed, full stops OCR put between the parts of an address turned back
// into commas. Letters outside the Vietnamese alphabet are reported as
// invalid but kept.
func Text(raw string) (string, []Problem) {
	s := cleanText(raw)
	s = adminUnit.ReplaceAllString(s, "$1, $2")
	s = strayDot.ReplaceAllString(s, "$1 $2")
	if s == "" {
		return "", []Problem{problem(CodeMissing, "no text")}
	}
	var ps []Problem
	if fixed, ok := repairPlace(s); ok {
		s = fixed
		ps = append(ps, problem(CodeRepaired, "province name or unit number repaired"))
	}
	if bad := strangeLetters(s); bad != "" {
		ps = append(ps, problem(CodeInvalid, "unexpected letters %q", bad))
	}
	return s, ps
}

// letterKey is the diacritics-free lower-case letters and digits of s.
func letterKey(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, vn.FoldKey(s))
}

// stripLabel removes the first of labels found at the start of s (compared
// on letterKey, so case, marks and punctuation do not matter) and the
// punctuation after it. s is returned unchanged when no label matches or
// nothing would remain.
func stripLabel(s string, labels ...string) string {
	words := strings.Fields(s)
	for _, l := range labels {
		want := letterKey(l)
		for n := 1; n < len(words); n++ {
			k := letterKey(strings.Join(words[:n], " "))
			if k == want {
				return strings.TrimLeft(strings.Join(words[n:], " "), leadingPunct)
			}
			if len(k) > len(want) {
				break
			}
		}
	}
	return s
}

package validate

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

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

// sectionSign replaces a section sign OCR read at the start of a word by
// the S it stands for ("§à Phìn" → "Sà Phìn"). Letters of other alphabets
// (ö, ü, š) are left as read and reported: they belong to foreign names
// and places as often as they are OCR's strays. It reports whether
// anything changed.
func sectionSign(s string) (string, bool) {
	changed := false
	rs := []rune(s)
	for i, r := range rs {
		if r == '§' && i+1 < len(rs) && unicode.IsLower(rs[i+1]) && (i == 0 || unicode.IsSpace(rs[i-1])) {
			rs[i], changed = 'S', true
		}
	}
	return string(rs), changed
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

// adminUnit matches a full stop or semicolon before the next
// administrative unit of an address ("xã Huổi Só. huyện Tủa Chùa", "xã Chế
// Cu Nha; huyện"): addresses separate their parts with commas, and OCR
// reads a faded comma as either. (The unit must be followed by a space, a
// comma or the end: Go's \b knows only ASCII letters, so it would never
// match after "xã".)
var adminUnit = regexp.MustCompile(`([\pL\pN])\s*[.;]\s*(` + unitWords + `|tổ|khu phố|TP)(\s|,|$)`)

// unitDot matches a full stop or semicolon OCR read inside an
// administrative unit of two words ("thị.xã Sa Pa", "thành. phố Huế"),
// which adminUnit would take for the end of the part before the second
// word ("thị, xã").
var unitDot = regexp.MustCompile(`(^|[\s,])([tT]hị\s*[.;]\s*(?:xã|trấn)|[tT]hành\s*[.;]\s*phố|[kK]hu\s*[.;]\s*phố|dân\s*[.;]\s*phố)(\s|,|$)`)

// joinUnit writes a unit matched by unitDot without its stray stop.
func joinUnit(m string) string {
	return unitStop.ReplaceAllString(m, " ")
}

var unitStop = regexp.MustCompile(`\s*[.;]\s*`)

// unitWords are the words of administrative units that a place's name
// follows directly ("xã Tà Cạ"), as a regexp alternation.
const unitWords = `ấp|bản|buôn|thôn|xóm|xã|phường|thị trấn|huyện|quận|thị xã|thành phố|tỉnh`

// commaRun matches a comma with the specks OCR read around it (",:",
// ",.", " ,"): one comma is meant.
var commaRun = regexp.MustCompile(`\s*[.:;]*,[,.:;]*\s*`)

// unitPunct matches punctuation OCR read between an administrative unit
// and its name ("huyện. Bắc Hà", "thôn-Nậm Khòa", "huyện- Hoàng Su Phì"):
// nothing separates them in print.
var unitPunct = regexp.MustCompile(`(^|[\s,])(` + unitWords + `)\s*[.\-:]\s*(\p{Lu}|\d)`)

// nameStop matches a full stop OCR read inside the name of a place ("xã
// Thanh. Tương", "xã Tả Sìn. Thàng"): in an address the parts are
// separated by commas, and a full stop follows only abbreviations ("TP.",
// "Tp."), which the two lower-case letters before it exclude.
var nameStop = regexp.MustCompile(`(\p{Ll}\p{Ll})\.\s+(\p{Lu})`)

// isAddress reports whether s names administrative units (an address or an
// office), where nameStop applies.
func isAddress(s string) bool {
	for _, u := range []string{"xã ", "phường ", "thị trấn ", "huyện ", "quận ", "thị xã ", "tỉnh ", "thành phố "} {
		if strings.Contains(s, u) {
			return true
		}
	}
	return false
}

// officePrefix is the abbreviation "UBND" (Uỷ ban nhân dân) at the start of
// an office's name, read with a stray or damaged letter ("ƯBND", "ÖUBND",
// "BND").
func officePrefix(s string) (string, bool) {
	tok, rest, _ := strings.Cut(s, " ")
	if tok == "UBND" || strings.ToUpper(tok) != tok || rest == "" {
		return s, false
	}
	k := []rune(letterKey(tok))
	if len(k) < 3 || len(k) > 5 || len(k) != utf8.RuneCountInString(tok) || vn.EditDistance(k, []rune("ubnd")) > 1 {
		return s, false
	}
	return "UBND " + rest, true
}

// strayDot matches a full stop glued between two words of a name
// ("Bá.Thước"), which no address or office name carries.
var strayDot = regexp.MustCompile(`(\p{Ll})\.(\p{Lu})`)

// Text normalises free text (places, office, cause of death): NFC, single
// spaces, no dotted leaders (…, ..., ·), no trailing punctuation, letters as
// printed, full stops OCR put between the parts of an address turned back
// into commas. Letters outside the Vietnamese alphabet are reported as
// invalid but kept.
//
// Text reads OCR output: the marks of fixed expressions ("tổ dân phố",
// "Đột quỵ", see repairPhrases) and a damaged "UBND" are put back too.
// Typed keeps what a person typed.
func Text(raw string) (string, []Problem) { return text(raw, true) }

func text(raw string, ocr bool) (string, []Problem) {
	s := cleanText(raw)
	s = unitDot.ReplaceAllStringFunc(s, joinUnit)
	s = adminUnit.ReplaceAllString(s, "$1, $2$3")
	s = strayDot.ReplaceAllString(s, "$1 $2")
	s = commaRun.ReplaceAllString(s, ", ")
	if ocr {
		s = unitPunct.ReplaceAllString(s, "$1$2 $3")
		if isAddress(s) {
			s = nameStop.ReplaceAllString(s, "$1 $2")
		}
	}
	s = strings.TrimRight(s, trailingPunct)
	if s == "" {
		return "", []Problem{problem(CodeMissing, "no text")}
	}
	var ps []Problem
	repaired := false
	fixes := []func(string) (string, bool){repairPlace}
	if ocr {
		fixes = []func(string) (string, bool){sectionSign, officePrefix, repairPhrases, repairPlace}
	}
	for _, fix := range fixes {
		if fixed, ok := fix(s); ok {
			s, repaired = fixed, true
		}
	}
	if repaired {
		ps = append(ps, problem(CodeRepaired, "fixed expression, province name or unit number repaired"))
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

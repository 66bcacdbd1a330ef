package vn

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Combining marks used by Vietnamese in NFD.
const (
	markGrave     = '\u0300' // huyền
	markAcute     = '\u0301' // sắc
	markTilde     = '\u0303' // ngã
	markHook      = '\u0309' // hỏi
	markDotBelow  = '\u0323' // nặng
	markCircum    = '\u0302' // â ê ô
	markBreve     = '\u0306' // ă
	markHorn      = '\u031B' // ơ ư
	lowerDStroke  = 'đ'
	upperDStroke  = 'Đ'
	asciiApostrof = '\''
)

// NFC returns s in Unicode normalisation form C.
func NFC(s string) string { return norm.NFC.String(s) }

// IsNFC reports whether s is already in form C.
func IsNFC(s string) bool { return norm.NFC.IsNormalString(s) }

// CollapseSpaces trims s and turns every run of white space (including
// no-break spaces and tabs) into a single ASCII space.
func CollapseSpaces(s string) string { return strings.Join(strings.Fields(s), " ") }

func isToneMark(r rune) bool {
	switch r {
	case markGrave, markAcute, markTilde, markHook, markDotBelow:
		return true
	}
	return false
}

// ToneKey returns a comparison key that is equal for old- and new-style tone
// placement and for any letter case: ToneKey("Hòa") == ToneKey("hoà"),
// "thủy"/"thuỷ", "khỏe"/"khoẻ". Each word's tone mark is moved to the end of
// the word; vowel marks (â ă ê ô ơ ư) and đ are kept, so "ma", "mà" and "mâ"
// stay distinct. The key is NFC text but is meant only for comparison.
func ToneKey(s string) string {
	d := norm.NFD.String(strings.ToLower(s))
	var b strings.Builder
	b.Grow(len(d) + 4)
	var tones []rune
	flush := func() {
		for _, t := range tones {
			b.WriteRune(t)
		}
		tones = tones[:0]
	}
	for _, r := range d {
		switch {
		case isToneMark(r):
			tones = append(tones, r)
		case unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) || unicode.IsDigit(r):
			b.WriteRune(r)
		default:
			flush()
			b.WriteRune(r)
		}
	}
	flush()
	return norm.NFC.String(b.String())
}

// StripDiacritics removes every diacritic (tone and vowel marks, and any
// other combining mark such as the OCR-stray diaeresis of "ö") and turns
// đ/Đ into d/D. Case is kept.
func StripDiacritics(s string) string {
	d := norm.NFD.String(s)
	var b strings.Builder
	b.Grow(len(d))
	for _, r := range d {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == lowerDStroke:
			b.WriteByte('d')
		case r == upperDStroke:
			b.WriteByte('D')
		default:
			b.WriteRune(r)
		}
	}
	return norm.NFC.String(b.String())
}

// FoldKey returns a lower-case, diacritics-free key with single spaces: the
// fallback comparison when marks are missing or damaged.
func FoldKey(s string) string { return CollapseSpaces(strings.ToLower(StripDiacritics(s))) }

// IsVietnameseLetter reports whether r is a letter of the Vietnamese
// alphabet (in NFC), upper or lower case. The Latin letters f, j, w and z,
// used in minority and foreign names, count as letters; OCR strays such as
// ö, ï or å do not.
func IsVietnameseLetter(r rune) bool {
	d := []rune(norm.NFD.String(string(unicode.ToLower(r))))
	if len(d) == 0 {
		return false
	}
	base := d[0]
	if base == lowerDStroke {
		return len(d) == 1
	}
	if base < 'a' || base > 'z' {
		return false
	}
	vowel := strings.ContainsRune("aeiouy", base)
	var tone, shape int
	for _, m := range d[1:] {
		switch m {
		case markGrave, markAcute, markTilde, markHook, markDotBelow:
			tone++
			if !vowel {
				return false
			}
		case markCircum:
			shape++
			if !strings.ContainsRune("aeo", base) {
				return false
			}
		case markBreve:
			shape++
			if base != 'a' {
				return false
			}
		case markHorn:
			shape++
			if base != 'o' && base != 'u' {
				return false
			}
		default:
			return false
		}
	}
	return tone <= 1 && shape <= 1
}

// normalizeApostrophes maps the typographic apostrophes and primes OCR and
// word processors produce to the ASCII apostrophe.
func normalizeApostrophes(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '\u2019', '\u2018', '\u02BC', '\u02BB', '`', '\u00B4', '\u2032':
			return asciiApostrof
		}
		return r
	}, s)
}

// NormalizeName puts a person's name in the form records use: NFC, single
// spaces, each word capitalised as Vietnamese writes it ("LÊ THỊ OANH" →
// "Lê Thị Oanh"). Tone placement is kept as printed. The letter after any
// space, hyphen, apostrophe or bracket also starts a capital ("H'MÔNG" → "H'Mông",
// "KSOR H'BIA" → "Ksor H'Bia"); typographic apostrophes become "'".
func NormalizeName(s string) string {
	s = CollapseSpaces(normalizeApostrophes(NFC(s)))
	rs := []rune(strings.ToLower(s))
	start := true
	for i, r := range rs {
		switch {
		case !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) && !unicode.IsDigit(r):
			start = true
		case start:
			rs[i] = unicode.ToUpper(r)
			start = false
		}
	}
	return string(rs)
}

// EditDistance is the Levenshtein distance between a and b counted in runes
// (insertions, deletions and substitutions of one code point, each 1).
func EditDistance(a, b []rune) int {
	if len(a) == 0 {
		return len(b)
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Similarity returns 1 - editDistance/maxLen over runes, in [0, 1].
func Similarity(a, b string) float64 {
	ra, rb := []rune(a), []rune(b)
	n := max(len(ra), len(rb))
	if n == 0 {
		return 1
	}
	return 1 - float64(EditDistance(ra, rb))/float64(n)
}

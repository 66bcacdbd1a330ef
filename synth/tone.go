package synth

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// toneRows lists each tonable vowel with its five toned forms in the order
// huyền, sắc, hỏi, ngã, nặng (lower case).
func toneRows() [5][6]rune {
	return [5][6]rune{
		{'a', 'à', 'á', 'ả', 'ã', 'ạ'},
		{'e', 'è', 'é', 'ẻ', 'ẽ', 'ẹ'},
		{'o', 'ò', 'ó', 'ỏ', 'õ', 'ọ'},
		{'u', 'ù', 'ú', 'ủ', 'ũ', 'ụ'},
		{'y', 'ỳ', 'ý', 'ỷ', 'ỹ', 'ỵ'},
	}
}

// splitTone returns the base vowel and tone (0 = none, 1..5) of a lower-case
// rune among a, e, o, u, y and their toned forms; ok is false otherwise.
func splitTone(r rune) (base rune, tone int, ok bool) {
	for _, row := range toneRows() {
		for t, v := range row {
			if v == r {
				return row[0], t, true
			}
		}
	}
	return 0, 0, false
}

func withTone(base rune, tone int) rune {
	for _, row := range toneRows() {
		if row[0] == base {
			return row[tone]
		}
	}
	return base
}

// toneStyle converts the open syllables "oa", "oe" and "uy" of s to the old
// (tone on the first vowel: hòa, khỏe, thủy) or new (on the second: hoà,
// khoẻ, thuỷ) placement. Closed syllables (hoàn, quyết) and "qu" + vowel
// (quý, quả) are left alone; case is kept.
func toneStyle(s string, newStyle bool) string {
	var b strings.Builder
	word := make([]rune, 0, 8)
	flush := func() {
		convertSyllable(word, newStyle)
		b.WriteString(string(word))
		word = word[:0]
	}
	for _, r := range s {
		if unicode.IsLetter(r) {
			word = append(word, r)
			continue
		}
		flush()
		b.WriteRune(r)
	}
	flush()
	return b.String()
}

// convertSyllable moves the tone of a word ending in oa/oe/uy in place.
func convertSyllable(w []rune, newStyle bool) {
	n := len(w)
	if n < 2 {
		return
	}
	r1, r2 := w[n-2], w[n-1]
	up1, up2 := unicode.IsUpper(r1), unicode.IsUpper(r2)
	b1, t1, ok1 := splitTone(unicode.ToLower(r1))
	b2, t2, ok2 := splitTone(unicode.ToLower(r2))
	if !ok1 || !ok2 {
		return
	}
	pair := string([]rune{b1, b2})
	if pair != "oa" && pair != "oe" && pair != "uy" {
		return
	}
	if n >= 3 && unicode.ToLower(w[n-3]) == 'q' {
		return
	}
	if t1 != 0 && t2 != 0 || t1 == 0 && t2 == 0 {
		return
	}
	tone := t1 + t2
	if newStyle {
		r1, r2 = b1, withTone(b2, tone)
	} else {
		r1, r2 = withTone(b1, tone), b2
	}
	if up1 {
		r1 = unicode.ToUpper(r1)
	}
	if up2 {
		r2 = unicode.ToUpper(r2)
	}
	w[n-2], w[n-1] = r1, r2
}

// titleWord capitalises the first letter of a name word and the letter after
// an apostrophe ("H'HEN" → "H'Hen"), lower-casing the rest.
func titleWord(w string) string {
	var b strings.Builder
	upNext := true
	for _, r := range w {
		if upNext {
			b.WriteRune(unicode.ToUpper(r))
		} else {
			b.WriteRune(unicode.ToLower(r))
		}
		upNext = r == '\'' || r == '-'
	}
	return b.String()
}

// firstUpper upper-cases the first rune of s.
func firstUpper(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

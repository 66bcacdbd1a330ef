package validate

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/sohoa/sohoa/vn"
)

// Tesseract's Vietnamese model reads the letters of a word far better than
// its marks: "tổ dân phố" comes out as "tố dần phố", "Đột quỵ" as "Đột quy",
// "NGUYỄN" as "NGUYÊN". Where the words belong to a closed vocabulary (the
// fixed expressions of civil-status text, family names) the letters alone
// say which expression was printed, and its marks are put back.

// run is one word of a text: a maximal run of letters and combining marks,
// as byte offsets.
type run struct{ start, end int }

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) }

// wordRuns returns the words of s. Digits, punctuation and spaces separate
// words.
func wordRuns(s string) []run {
	var out []run
	start := -1
	for i, r := range s {
		switch {
		case isWordRune(r) && start < 0:
			start = i
		case !isWordRune(r) && start >= 0:
			out = append(out, run{start, i})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, run{start, len(s)})
	}
	return out
}

// phrase is a fixed expression with the keys its words are compared on.
type phrase struct {
	words []string
	fold  []string // FoldKey of each word: letters without marks
	tone  []string // ToneKey of each word: marks kept, placement free
}

// phraseIndex holds the fixed expressions by the fold key of their first
// word, longest first.
var phraseIndex = sync.OnceValue(func() map[string][]phrase {
	idx := map[string][]phrase{}
	for _, p := range vn.Phrases() {
		ph := phrase{words: strings.Fields(p)}
		for _, w := range ph.words {
			ph.fold = append(ph.fold, vn.FoldKey(w))
			ph.tone = append(ph.tone, vn.ToneKey(w))
		}
		idx[ph.fold[0]] = append(idx[ph.fold[0]], ph)
	}
	for _, ps := range idx {
		// Longest first, so "Ung thư phổi" wins over "Ung thư".
		slices.SortStableFunc(ps, func(a, b phrase) int { return len(b.words) - len(a.words) })
	}
	return idx
})

// sameCase reports whether word w is written in the case of the phrase's
// word p: a capital where p has one, or all in capitals. It keeps a place
// called "Thanh Phố" from being taken for the words "thành phố".
func sameCase(w, p string) bool {
	if strings.ToUpper(w) == w {
		return true
	}
	rw, _ := utf8.DecodeRuneInString(w)
	rp, _ := utf8.DecodeRuneInString(p)
	return unicode.IsUpper(rw) == unicode.IsUpper(rp)
}

// inCase writes the phrase's word p in the case of the word read, w.
func inCase(p, w string) string {
	if strings.ToUpper(w) == w && utf8.RuneCountInString(w) > 1 {
		return strings.ToUpper(p)
	}
	rw, _ := utf8.DecodeRuneInString(w)
	rp, n := utf8.DecodeRuneInString(p)
	if unicode.IsUpper(rw) {
		return string(unicode.ToUpper(rp)) + p[n:]
	}
	return string(unicode.ToLower(rp)) + p[n:]
}

// gluedPunct reports whether sep, the text between two words, is a single
// full stop or hyphen with no space (OCR's reading of a speck between two
// words: "Trạm.y tế", "tế-xã").
func gluedPunct(sep string) bool { return sep == "." || sep == "-" }

// repairPhrases puts back the marks of fixed expressions whose letters were
// read right and whose marks were not ("tố dần phố" → "tổ dân phố",
// "Ủng thư phối" → "Ung thư phổi"), and turns a full stop or hyphen OCR
// glued inside or right after one into a space. Words read with the right
// marks are kept as printed (tone placement, case). It reports whether
// anything changed.
func repairPhrases(s string) (string, bool) {
	idx := phraseIndex()
	rs := wordRuns(s)
	var b strings.Builder
	last := 0
	for i := 0; i < len(rs); {
		n, words := matchPhrase(s, rs, i, idx)
		if n == 0 {
			i++
			continue
		}
		b.WriteString(s[last:rs[i].start])
		for k := range n {
			if k > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(words[k])
		}
		last = rs[i+n-1].end
		if j := i + n; j < len(rs) && gluedPunct(s[last:rs[j].start]) {
			b.WriteByte(' ')
			last = rs[j].start
		}
		i += n
	}
	b.WriteString(s[last:])
	if out := b.String(); out != s {
		return out, true
	}
	return s, false
}

// matchPhrase returns how many words of the fixed expression starting at
// word i match (0 for none) and those words as they should be written.
func matchPhrase(s string, rs []run, i int, idx map[string][]phrase) (int, []string) {
	first := vn.FoldKey(s[rs[i].start:rs[i].end])
next:
	for _, p := range idx[first] {
		n := len(p.words)
		if i+n > len(rs) {
			continue
		}
		out := make([]string, n)
		for k := range n {
			w := s[rs[i+k].start:rs[i+k].end]
			if k > 0 {
				sep := s[rs[i+k-1].end:rs[i+k].start]
				if sep != " " && !gluedPunct(sep) {
					continue next
				}
				if !sameCase(w, p.words[k]) {
					continue next
				}
			}
			if vn.FoldKey(w) != p.fold[k] {
				continue next
			}
			if vn.ToneKey(w) == p.tone[k] {
				out[k] = w
			} else {
				out[k] = inCase(p.words[k], w)
			}
		}
		return n, out
	}
	return 0, nil
}

// surnameEntry is one family name of the table.
type surnameEntry struct {
	name  string
	tone  string
	share float64
}

// surnameIndex holds the family names by fold key.
var surnameIndex = sync.OnceValue(func() map[string][]surnameEntry {
	idx := map[string][]surnameEntry{}
	for _, sn := range vn.Surnames() {
		f := vn.FoldKey(sn.Name)
		idx[f] = append(idx[f], surnameEntry{sn.Name, vn.ToneKey(sn.Name), sn.Share})
	}
	return idx
})

// Odds a family name must have over the other readings before a word read
// otherwise is taken for it. When the word read is itself a family name its
// marks are evidence too (Tesseract reads "VỪ" right far more often than it
// turns "VŨ" into it), so the name must be overwhelmingly more common:
// "Nguyễn" is some 7,000 times as common as "Nguyên", "Vũ" only some 60
// times as common as "Vừ".
// A word that is not in the table is only taken for a common family name
// (surnameCommon, in percent): it may be a rare family name the table lacks
// ("Mã" is not "Ma").
const (
	surnameOdds      = 10
	surnameOddsKnown = 1000
	surnameCommon    = 0.1
)

// likelySurname returns the family name the word w (read with the right
// letters, perhaps the wrong marks) most probably is: a name of the table
// spelled with the same letters that is at least surnameOdds times as
// common as any other such name, and surnameOddsKnown times as common as w
// when w is a family name itself, or a common name when w is not in the
// table ("Đăng" → "Đặng", "Nguyên" → "Nguyễn"; not "Chủ", which may be
// "Chu" or "Chử", nor "Vừ", nor "Mã").
func likelySurname(w string) (string, bool) {
	cands := surnameIndex()[vn.FoldKey(w)]
	tone := vn.ToneKey(w)
	var best *surnameEntry
	rival, read := 0.0, 0.0
	for i := range cands {
		c := &cands[i]
		switch {
		case c.tone == tone:
			read = max(read, c.share)
		case best == nil || c.share > best.share:
			if best != nil {
				rival = max(rival, best.share)
			}
			best = c
		default:
			rival = max(rival, c.share)
		}
	}
	if best == nil || best.share < surnameOdds*rival || best.share < surnameOddsKnown*read ||
		read == 0 && best.share < surnameCommon {
		return "", false
	}
	return best.name, true
}

// isSurname reports whether w is a family name of the table.
func isSurname(w string) bool {
	for _, c := range surnameIndex()[vn.FoldKey(w)] {
		if c.tone == vn.ToneKey(w) {
			return true
		}
	}
	return false
}

// isVowel reports whether r (lower case, marks allowed) is a Vietnamese vowel.
func isVowel(r rune) bool {
	base := []rune(vn.StripDiacritics(string(unicode.ToLower(r))))
	return len(base) == 1 && strings.ContainsRune("aeiouy", base[0])
}

// repairName mends what OCR does to a name whose letters it read: a family
// name read with the wrong marks (see likelySurname), a full stop glued
// between two words ("Đặng.Ngọc"), an apostrophe read at the edge of a word
// ("Vi 'Thị"), and the apostrophe of the Ê Đê prefix H' dropped ("Hlan" →
// "H'Lan": no Vietnamese syllable starts with h and a consonant). n is a
// normalised name (NormalizeName). It reports whether anything changed.
func repairName(n string) (string, bool) {
	s := strayDot.ReplaceAllString(n, "$1 $2")
	words := strings.Fields(s)
	for i, w := range words {
		w = strings.Trim(w, "'")
		rs := []rune(w)
		if len(rs) > 2 && rs[0] == 'H' && unicode.IsLetter(rs[1]) && !isVowel(rs[1]) && !isSurname(w) {
			w = "H'" + string(unicode.ToUpper(rs[1])) + string(rs[2:])
		}
		words[i] = w
	}
	if len(words) > 1 && !strings.HasPrefix(words[0], "H'") {
		if sn, ok := likelySurname(words[0]); ok {
			words[0] = sn
		}
	}
	out := strings.Join(words, " ")
	return out, out != n
}

// FamilyNameKnown reports whether the family name of the normalised name n
// is in the table of family names, with its marks. Most names open with
// the family name; the Ê Đê and Gia Rai names that open with "Y" or "H'"
// put it after the given name ("Y Bih Niê", "H'Hen Niê Kdăm"), where it
// may be one word or two, so the words after the given name are tried
// together, then the first and the last of them. A man known by his given
// name alone ("Y Ksor") has only that word to try.
//
// The table holds the family names of nearly the whole population, and a
// misread family name is seldom another one ("Khổng" read "Khống", "Chu"
// read "Chủ"), so a name whose family name is unknown is more often
// misread: the confidence model takes it as evidence. A rare family name
// the table lacks only sends its name to review.
func FamilyNameKnown(n string) bool {
	words := strings.Fields(n)
	if len(words) == 0 {
		return false
	}
	if !givenNameFirst(words[0]) {
		return isSurname(words[0])
	}
	rest := words[1:] // after "Y" come the given name, then the family name
	if words[0] == "Y" && len(rest) > 1 {
		rest = rest[1:]
	}
	if len(rest) == 0 {
		return false
	}
	return isSurname(strings.Join(rest, " ")) || isSurname(rest[0]) || isSurname(rest[len(rest)-1])
}

// GivenNamesKnown reports whether every word after the family name of the
// normalised name n is a syllable of the usual given and middle names
// (vn.GivenNameSyllable): "Nguyễn Thị Hồng" is, "Nguyễn Thị Hông" (the
// grave accent lost) is not. A name of one word, or one of the Ê Đê and
// Gia Rai names that open with "Y" or "H'", has none to check and is not
// known. Kinh names are nearly all made of the listed syllables, and a
// syllable misread is seldom another listed one; names of other traditions
// mostly are not listed, so an unknown given name is weaker evidence than
// an unknown family name.
func GivenNamesKnown(n string) bool {
	words := strings.Fields(n)
	if len(words) < 2 || givenNameFirst(words[0]) {
		return false
	}
	for _, w := range words[1:] {
		if !vn.GivenNameSyllable(w) {
			return false
		}
	}
	return true
}

// givenNameFirst reports whether a name opening with the word w puts the
// given name before the family name: the Ê Đê and Gia Rai names that open
// with "Y" (men) or "H'" (women).
func givenNameFirst(w string) bool { return w == "Y" || strings.HasPrefix(w, "H'") }

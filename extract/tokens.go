package extract

import (
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/ocr"
	"github.com/sohoa/sohoa/vn"
)

// token is one OCR word (or a piece of one split at a colon) with the keys
// labels are compared on.
type token struct {
	text   string // as read, NFC
	fold   string // lower-case letters and digits without diacritics
	runes  []rune // fold as runes
	tone   string // lower-case letters, marks and digits, tone-normalised
	colon  bool   // ends with ':' (or ';', a frequent misreading)
	leader bool   // dotted leader or other run of punctuation, no letters
	// stroke: a lone stroke ("|", "!") kept just before a value that
	// starts with a digit (see cutAtLeaders); in the value's box.
	stroke bool
	conf   float64
	box    models.BBox
}

// empty reports whether the token has no letter or digit; such tokens are
// transparent to label matching.
func (t token) empty() bool { return t.fold == "" }

// leaderRunes are the characters of dotted leaders.
const leaderRunes = ".…·•‧∙_-–—"

// compactFold is the diacritics-free lower-case letters and digits of s.
func compactFold(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, vn.FoldKey(s))
}

// compactTone is a key equal for texts with the same letters, vowel marks
// and tones, wherever the tone marks sit ("hòa" and "hoà", "Giớitính" and
// "Giới tính"), different for "hoa": the letters, vowel marks and digits
// without tones, then the tone marks in order.
func compactTone(s string) string {
	var letters, tones strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		switch {
		case isToneMark(r):
			tones.WriteRune(r)
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			letters.WriteRune(r)
		}
	}
	return letters.String() + "|" + tones.String()
}

// isToneMark reports the five combining tone marks of Vietnamese.
func isToneMark(r rune) bool {
	switch r {
	case '\u0300', '\u0301', '\u0303', '\u0309', '\u0323':
		return true
	}
	return false
}

// isLeaderText reports a token made of a dotted leader (and stray colons
// or commas).
func isLeaderText(s string) bool {
	if s == "" || strings.Trim(s, leaderRunes+":;,") != "" {
		return false
	}
	return isLeaderRun([]rune(strings.Trim(s, ":;,")))
}

func newToken(text string, conf float64, box models.BBox) token {
	t := token{text: text, fold: compactFold(text), tone: compactTone(text), conf: conf, box: box}
	t.runes = []rune(t.fold)
	trimmed := strings.TrimRight(text, leaderRunes+" ")
	t.colon = strings.HasSuffix(trimmed, ":") || strings.HasSuffix(trimmed, ";")
	t.leader = t.fold == "" && isLeaderText(text)
	return t
}

// splitBox returns the part of b covering runes [from, to) of n, assuming
// evenly wide characters.
func splitBox(b models.BBox, from, to, n int) models.BBox {
	if n <= 0 {
		return b
	}
	w := b[2] - b[0]
	return models.BBox{b[0] + w*from/n, b[1], b[0] + w*to/n, b[3]}
}

// tokenizeLine turns the words of a line into tokens: words are split after
// an inner colon ("tính:Nam" → "tính:", "Nam") and around runs of leader
// dots ("1981......" → "1981", "......"); a lone colon marks the token
// before it.
func tokenizeLine(l ocr.Line) []token {
	out := make([]token, 0, len(l.Words))
	for _, w := range l.Words {
		text := vn.NFC(strings.TrimSpace(w.Text))
		if text == "" {
			continue
		}
		rs := []rune(text)
		for _, pc := range splitWord(rs) {
			piece := string(rs[pc[0]:pc[1]])
			if piece == ":" || piece == ";" {
				if len(out) > 0 {
					out[len(out)-1].colon = true
				}
				continue
			}
			out = append(out, newToken(piece, w.Conf, splitBox(w.BBox, pc[0], pc[1], len(rs))))
		}
	}
	return out
}

// splitWord returns the rune ranges of the pieces of a word: leader runs,
// and the text between them cut after inner colons.
func splitWord(rs []rune) [][2]int {
	var out [][2]int
	text := func(from, to int) {
		start := from
		for i := from; i < to; i++ {
			if (rs[i] == ':' || rs[i] == ';') && i+1 < to && (i > start || start == from && i == from) {
				out = append(out, [2]int{start, i + 1})
				start = i + 1
			}
		}
		if start < to {
			out = append(out, [2]int{start, to})
		}
	}
	from := 0
	for i := 0; i < len(rs); {
		if !strings.ContainsRune(leaderRunes, rs[i]) {
			i++
			continue
		}
		j := i
		for j < len(rs) && strings.ContainsRune(leaderRunes, rs[j]) {
			j++
		}
		if isLeaderRun(rs[i:j]) {
			text(from, i)
			out = append(out, [2]int{i, j})
			from = j
		}
		i = j
	}
	text(from, len(rs))
	return out
}

// isLeaderRun reports whether a run of leader characters is a dotted
// leader rather than punctuation ("-", ".", "..."): three or more
// characters, or an ellipsis.
func isLeaderRun(rs []rune) bool {
	return len(rs) >= 3 || slices.Contains(rs, '…')
}

// tokenizePage tokenizes every line of the page.
func tokenizePage(p *ocr.Page) [][]token {
	lines := make([][]token, len(p.Lines))
	for i, l := range p.Lines {
		lines[i] = tokenizeLine(l)
	}
	return lines
}

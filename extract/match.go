package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// match is one occurrence of a label on the page. A label may run from the
// end of one line onto the start of the next.
type match struct {
	lab     *label
	line    int // line of the first token
	start   int // first token
	endLine int // line of the last token
	end     int // one past the last token, in endLine
	score   float64
	atStart bool // the label is the first word of its line
	rank    float64
}

// scanResult holds the labels found on a page with a template's labels.
type scanResult struct {
	lines   [][]token
	matches []match // reading order
	byLine  [][]int // indexes into matches, by start line
	from    []int   // first token of each line not taken by a label from the line before
}

// Label scores.
const (
	scoreExact   = 1.0  // same letters and marks (tone placement and case aside)
	scoreNoMarks = 0.95 // same letters once diacritics are removed
	fuzzyWeight  = 0.9  // scales 1 - distance/length for approximate matches
)

// maxCrossTokens is how many tokens of the next line a label may take.
const maxCrossTokens = 6

// scan finds the template's labels on the page, left to right and top to
// bottom; at each position the label covering the most characters (weighted
// by its score) wins, and its words are not searched again.
func (t *Template) scan(lines [][]token) *scanResult {
	r := &scanResult{lines: lines, byLine: make([][]int, len(lines)), from: make([]int, len(lines))}
	var buf spanBuf
	for li, toks := range lines {
		first := -1
		for i, tk := range toks {
			if !tk.empty() {
				first = i
				break
			}
		}
		for i := r.from[li]; i < len(toks); {
			if toks[i].empty() {
				i++
				continue
			}
			var next []token
			if li+1 < len(lines) {
				next = lines[li+1]
				next = next[:min(len(next), maxCrossTokens)]
			}
			m, ok := t.bestAt(&buf, toks[i:], next, i == first)
			if ok && (m.endLine != 0 || m.end > 1) && t.betterLater(&buf, toks, next, i, m) {
				ok = false
			}
			if !ok {
				i++
				continue
			}
			m.line, m.start, m.atStart = li, i, i == first
			if m.endLine == 0 {
				m.endLine, m.end = li, i+m.end
			} else {
				m.endLine = li + 1
			}
			r.byLine[li] = append(r.byLine[li], len(r.matches))
			r.matches = append(r.matches, m)
			if m.endLine != li {
				r.from[li+1] = m.end
				break
			}
			i = m.end
		}
	}
	return r
}

// betterLater reports whether the label found at token i of a line is
// better explained as starting at the next word: a value word before a
// label would otherwise be swallowed by an approximate match.
func (t *Template) betterLater(b *spanBuf, toks, next []token, i int, m match) bool {
	j := i + 1
	for j < len(toks) && toks[j].empty() {
		j++
	}
	var m2 match
	var ok bool
	if j == len(toks) {
		// One word of this line, the rest on the next: is the label
		// there on its own?
		m2, ok = t.bestAt(b, next, nil, true)
	} else {
		m2, ok = t.bestAt(b, toks[j:], next, false)
	}
	return ok && m2.rank >= m.rank
}

// spanBuf is scratch space for bestAt: the span is the rest of a line
// followed by the start of the next line.
type spanBuf struct {
	line   []token
	next   []token
	runes  []rune
	bounds []int // rune length after each token
	col    []int
	prev   []int
	seen   []uint32 // stamp per label index: already tried at this position
	stamp  uint32
	heads  []headResult // prefixClose results at this position
}

func (b *spanBuf) count() int { return len(b.line) + len(b.next) }

// at returns the k-th token of the span.
func (b *spanBuf) at(k int) *token {
	if k < len(b.line) {
		return &b.line[k]
	}
	return &b.next[k-len(b.line)]
}

// headResult caches prefixClose for labels sharing their first letters.
type headResult struct {
	head  [3]rune
	n     int
	exact bool
	close bool
}

// headClose is prefixClose for the span in b, cached per position.
func (b *spanBuf) headClose(l *label) bool {
	exact := l.maxDist == 0
	for _, h := range b.heads {
		if h.head == l.head && h.n == l.headN && h.exact == exact {
			return h.close
		}
	}
	c := prefixClose(b.runes, l)
	b.heads = append(b.heads, headResult{l.head, l.headN, exact, c})
	return c
}

// bestAt finds the best label starting at the first of toks (the rest of a
// line, followed by the start of the next line in next). In the returned
// match, end counts tokens from toks[0] and endLine is 1 when the label
// ends in next (end then counts tokens of next).
func (t *Template) bestAt(b *spanBuf, toks, next []token, lineStart bool) (match, bool) {
	b.line, b.next = toks, next
	b.runes, b.bounds = b.runes[:0], b.bounds[:0]
	for k := range b.count() {
		b.runes = append(b.runes, b.at(k).runes...)
		b.bounds = append(b.bounds, len(b.runes))
	}
	var best match
	bestRank := 0.0
	if len(b.runes) == 0 {
		return best, false
	}
	b.stamp++
	b.heads = b.heads[:0]
	if len(b.seen) < len(t.labels) {
		b.seen = make([]uint32, len(t.labels))
	}
	heads := [2]rune{b.runes[0], -1}
	if len(b.runes) > 1 {
		heads[1] = b.runes[1]
	}
	for _, h := range heads {
		for _, l := range t.byHead[h] {
			if b.seen[l.index] == b.stamp {
				continue
			}
			b.seen[l.index] = b.stamp
			if m, rank, ok := t.tryLabel(b, l, len(toks), lineStart); ok && rank > bestRank {
				best, bestRank = m, rank
			}
		}
	}
	return best, bestRank > 0
}

// tryLabel matches one label at the start of the span in b. It returns
// the match (end counted as in bestAt) and its rank: the score times the
// label's length, so that longer labels win over labels they contain.
func (t *Template) tryLabel(b *spanBuf, l *label, lineLen int, lineStart bool) (match, float64, bool) {
	if l.short && !lineStart {
		return match{}, 0, false
	}
	if !b.headClose(l) {
		return match{}, 0, false
	}
	k, dist, ok, crossed := b.align(l)
	if !ok {
		return match{}, 0, false
	}
	colon := b.at(k).colon
	switch {
	case l.short && !colon && !(k+1 < b.count() && startsWithDigit(b.at(k+1).text)):
		// "Số", "Do": only at the start of a line, with a colon or a number.
		return match{}, 0, false
	case !lineStart && dist > 0 && !colon:
		// Inside a line, an approximate match needs the label's colon.
		return match{}, 0, false
	}
	m := len(l.runes)
	score := fuzzyWeight * (1 - float64(dist)/float64(m))
	if dist == 0 {
		score = scoreNoMarks
		tone := b.tone(k)
		for _, lt := range l.tones {
			if lt == tone {
				score = scoreExact
			}
		}
	}
	if crossed && score != scoreExact {
		// Past a colon only the label as printed, marks and all: "Họ, chữ
		// đệm, tên: Mè Văn Ngân" is the child's name, not the mother's
		// label ("tên mẹ").
		return match{}, 0, false
	}
	rank := score * float64(m)
	res := match{lab: l, score: score, end: k + 1, rank: rank}
	if k >= lineLen {
		res.endLine, res.end = 1, k+1-lineLen
	}
	return res, rank, true
}

// tone is the tone key (see compactTone) of the span's tokens up to k.
func (b *spanBuf) tone(k int) string {
	var letters, tones string
	for i := range k + 1 {
		l, t, _ := strings.Cut(b.at(i).tone, "|")
		letters += l
		tones += t
	}
	return letters + "|" + tones
}

func startsWithDigit(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsDigit(r)
}

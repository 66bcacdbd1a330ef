package extract

import "github.com/sohoa/sohoa/vn"

// align computes the edit distance between the label and the span of
// tokens from the first one to each later token, and returns the last
// token of the closest span (the shortest on ties). A span does not run
// past a token ending in a colon, unless the label does not match up to
// it and matches exactly past it (a colon read inside a label); crossed
// reports such a span.
func (b *spanBuf) align(l *label) (last, dist int, ok, crossed bool) {
	const far = 1 << 20 // a cell outside the band
	lab := l.runes
	m, d := len(lab), l.maxDist
	if cap(b.col) < m+2 {
		b.col, b.prev = make([]int, m+2), make([]int, m+2)
	}
	col, prev := b.col[:m+2], b.prev[:m+2]
	for j := range col {
		col[j], prev[j] = far, far
		if j <= d {
			col[j] = j
		}
	}
	dist = d + 1
	pos := 0
	past := false // past a colon
	for k := range b.count() {
		tk := b.at(k)
		if tk.empty() {
			if tk.colon {
				break
			}
			continue
		}
		for ; pos < b.bounds[k]; pos++ {
			// Banded Levenshtein: only cells within d of the diagonal.
			c := b.runes[pos]
			p := pos + 1
			prev, col = col, prev
			lo, hi := max(0, p-d), min(m, p+d)
			if lo == 0 {
				col[0] = p
			} else {
				col[lo-1] = far
			}
			low := far
			if lo == 0 {
				low = p
			}
			for j := max(1, lo); j <= hi; j++ {
				v := prev[j-1]
				if lab[j-1] != c {
					v++
				}
				v = min(v, prev[j]+1, col[j-1]+1)
				col[j] = v
				low = min(low, v)
			}
			col[hi+1] = far
			if low > d {
				return last, dist, ok, crossed
			}
		}
		if pos+d >= m && col[m] < dist && (!past || col[m] == 0) {
			last, dist, ok, crossed = k, col[m], true, past
		}
		if pos > m+d {
			break
		}
		if tk.colon {
			// A label ends at its colon. OCR sometimes reads one inside
			// it ("tên người: chồng:"): where the label does not match
			// exactly up to the colon, it may go on past one colon, but
			// then must match exactly (and its marks too: see tryLabel).
			if past || (pos >= m && col[m] == 0) {
				break
			}
			past = true
		}
	}
	return last, dist, ok, crossed
}

// prefixClose is a quick filter: the span's first characters are within
// one edit (none for exact-only labels) of the label's first three.
func prefixClose(span []rune, l *label) bool {
	lab := l.head[:l.headN]
	n := len(lab)
	if len(span) < n-1 || n == 0 {
		return false
	}
	if l.maxDist == 0 {
		if len(span) < n {
			return false
		}
		for i, r := range lab {
			if span[i] != r {
				return false
			}
		}
		return true
	}
	if len(span) >= n && [3]rune{span[0], span[min(1, n-1)], span[n-1]} == [3]rune{lab[0], lab[min(1, n-1)], lab[n-1]} {
		return true
	}
	// With one edit in the first three letters, the first or the second
	// letter of one side is the first or the second of the other.
	s0, s1 := span[0], rune(-1)
	if len(span) > 1 {
		s1 = span[1]
	}
	if s0 != lab[0] && s1 != lab[0] && (n < 2 || (s0 != lab[1] && s1 != lab[1])) {
		return false
	}
	for k := max(1, n-1); k <= n+1 && k <= len(span); k++ {
		if headDist(span[:k], lab) <= 1 {
			return true
		}
	}
	return false
}

// headDist is the edit distance of two slices of at most four runes.
func headDist(a, b []rune) int {
	var prev, cur [5]int
	for j := 0; j <= len(b); j++ {
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
		prev = cur
	}
	return prev[len(b)]
}

// nearWord reports whether a folded word read from the page is the folded
// word w, allowing one wrong letter in words of four letters or more.
func nearWord(read, w string) bool {
	if read == w {
		return true
	}
	rw := []rune(w)
	return len(rw) >= 4 && vn.EditDistance([]rune(read), rw) <= 1
}

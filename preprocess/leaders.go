package preprocess

import (
	"math"
	"sort"
)

// cleanupParams sizes leader and speck detection for x-height xh. Distances
// are in units of xh unless noted.
type cleanupParams struct {
	xh        float64
	minRun    int     // fewest aligned dots that make a leader
	maxGap    float64 // largest gap between consecutive leader dots
	markGap   float64 // a small component this close above/below a letter is a diacritic
	punctGap  float64 // a dot this close beside a letter is punctuation
	dashGap   float64 // the same for a dash (wide, flat component)
	speckSide float64 // blobs up to this size that are neither marks nor punctuation are specks
	isolated  float64 // anything small with no letter this close is a speck
	leaders   bool
	specks    bool
}

func newCleanupParams(xh float64, leaders, specks bool) cleanupParams {
	return cleanupParams{
		xh:        xh,
		minRun:    3,
		maxGap:    1.6,
		markGap:   0.55,
		punctGap:  0.6,
		dashGap:   1.2,
		speckSide: 0.35,
		isolated:  1.2,
		leaders:   leaders,
		specks:    specks,
	}
}

// removal says why a component goes.
type removal uint8

const (
	keep removal = iota
	asLeader
	asSpeck
	asCheckbox
)

// classify decides, for each component of an upright page, whether it is
// a leader dot, a speck or something to keep.
//
// Components at most half an x-height tall are "small"; those up to four
// x-heights tall are letters (or words run together). A small component is a diacritic when a letter (or, for stacked
// marks such as the tilde over Ễ, another diacritic) sits directly above or
// below it; diacritics are always kept — that is what protects the dot
// under ạ, ệ, ọ and the dot of i. Leaders are runs of at least minRun
// small dots or dashes, aligned on one baseline, regularly spaced, with no
// letter between them and nothing directly above them (so the lower dot of
// a colon followed by a leader stays). Other small blobs are kept as
// punctuation when a letter is close beside them on the same line, and are
// otherwise specks.
func classify(cs []comp, width int, p cleanupParams) []removal {
	out := make([]removal, len(cs))
	xh := p.xh
	var letters, small []int
	for i, c := range cs[1:] {
		id := i + 1
		switch {
		case float64(c.h) <= 0.5*xh && float64(c.w) <= 1.4*xh:
			small = append(small, id)
		case float64(c.h) <= 4*xh:
			letters = append(letters, id)
		}
		// Taller components (frames, stamps, page borders) are neither: their
		// bounding boxes would cover everything inside them.
	}
	cell := int(2*xh) + 1
	ix := newColIndex(cs, letters, width, cell)
	smallIx := newColIndex(cs, small, width, cell)
	// hit reports a component of index x intersecting the rectangle, other
	// than skip, passing ok.
	hit := func(x colIndex, x0, y0, x1, y1, skip int, ok func(comp) bool) bool {
		found := false
		x.near(x0, x1, func(id int) bool {
			l := cs[id]
			if id != skip && l.x < x1 && l.x1() > x0 && l.y < y1 && l.y1() > y0 && (ok == nil || ok(l)) {
				found = true
				return false
			}
			return true
		})
		return found
	}
	hasLetter := func(x0, y0, x1, y1 int) bool { return hit(ix, x0, y0, x1, y1, -1, nil) }
	d := func(f float64) int { return int(math.Ceil(f * xh)) }
	mg := d(p.markGap)

	// Diacritics: a letter directly above or below; then marks stacked on
	// those.
	mark := make([]bool, len(cs))
	var rest []int
	for _, id := range small {
		c := cs[id]
		if hasLetter(c.x, c.y-mg, c.x1(), c.y) || hasLetter(c.x, c.y1(), c.x1(), c.y1()+mg) {
			mark[id] = true
		} else {
			rest = append(rest, id)
		}
	}
	mg2 := d(0.4)
	for _, id := range rest {
		c := cs[id]
		stacked := false
		smallIx.near(c.x, c.x1(), func(j int) bool {
			m := cs[j]
			if mark[j] && m.x < c.x1() && m.x1() > c.x && ((m.y >= c.y1() && m.y-c.y1() <= mg2) || (c.y >= m.y1() && c.y-m.y1() <= mg2)) {
				stacked = true
				return false
			}
			return true
		})
		if stacked {
			mark[id] = true
		}
	}

	if p.leaders {
		markLeaders(cs, rest, mark, out, p, hasLetter, func(c comp, skip int) bool {
			// Something of at least a third of the dot's area directly
			// above within an x-height: the lower dot of a colon.
			return hit(smallIx, c.x, c.y-d(1), c.x1(), c.y, skip, func(o comp) bool { return 3*o.area >= c.area }) ||
				hasLetter(c.x, c.y-d(1), c.x1(), c.y)
		})
	}
	if p.specks {
		maxSide := p.speckSide * xh
		pg, dg, r := d(p.punctGap), d(p.dashGap), d(p.isolated)
		for _, id := range rest {
			if mark[id] || out[id] != keep {
				continue
			}
			c := cs[id]
			if !hasLetter(c.x-r, c.y-r, c.x1()+r, c.y1()+r) {
				out[id] = asSpeck // isolated
				continue
			}
			if float64(c.w) > maxSide || float64(c.h) > maxSide {
				continue // too big for a speck: dash, bracket piece, broken stroke
			}
			if punctuation(cs, c, id, pg, dg, d, ix, smallIx) {
				continue
			}
			out[id] = asSpeck
		}
	}
	return out
}

// punctuation reports whether the small blob c (index id) next to letters
// reads as punctuation: a dash or hyphen (wide and flat) or a quote (tall and
// thin) with a letter close beside it; a dot of a colon or semicolon (another
// small blob straight above or below); or a period or comma, which sits in
// the lower part of the line of the letter beside it. Blobs floating at
// mid-height beside letters are specks.
func punctuation(cs []comp, c comp, id, pg, dg int, d func(float64) int, letters, small colIndex) bool {
	beside := func(gap int, ok func(l comp) bool) bool {
		found := false
		y0, y1 := c.y-d(0.3), c.y1()+d(0.3)
		letters.near(c.x-gap, c.x1()+gap, func(j int) bool {
			l := cs[j]
			if l.y < y1 && l.y1() > y0 && ((l.x1() <= c.x && l.x1() > c.x-gap) || (l.x >= c.x1() && l.x < c.x1()+gap)) && ok(l) {
				found = true
				return false
			}
			return true
		})
		return found
	}
	always := func(comp) bool { return true }
	switch {
	case c.w >= 2*c.h: // dash, hyphen
		return beside(dg, always)
	case c.h >= 2*c.w: // quote, apostrophe
		return beside(pg, always)
	}
	paired := false
	small.near(c.x, c.x1(), func(j int) bool {
		o := cs[j]
		if j != id && o.x < c.x1() && o.x1() > c.x && (o.y1() <= c.y && c.y-o.y1() <= d(0.8) || o.y >= c.y1() && o.y-c.y1() <= d(0.8)) {
			paired = true
			return false
		}
		return true
	})
	if paired {
		return beside(pg, always)
	}
	// Period or comma: its bottom is in the lower half of the neighbour's
	// x-height zone or below (a letter's top is its x-line or higher).
	return beside(pg, func(l comp) bool { return c.y1() >= l.y+d(0.6) })
}

// markLeaders finds leader runs among the non-mark small components.
func markLeaders(cs []comp, rest []int, mark []bool, out []removal, p cleanupParams,
	hasLetter func(x0, y0, x1, y1 int) bool, covered func(c comp, self int) bool) {
	xh := p.xh
	type cand struct {
		id     int
		cx, cy float64
	}
	var cands []cand
	for _, id := range rest {
		if mark[id] {
			continue
		}
		c := cs[id]
		fh, fw := float64(c.h), float64(c.w)
		dot := fh <= 0.45*xh && fw <= 0.6*xh
		dash := fh <= 0.3*xh && fw <= 1.4*xh && fw >= fh
		if (dot || dash) && !covered(c, id) {
			cands = append(cands, cand{id: id, cx: float64(c.x) + fw/2, cy: float64(c.y) + fh/2})
		}
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].cx < cands[j].cx })
	next := make([]int, len(cands))
	prev := make([]int, len(cands))
	for i := range next {
		next[i], prev[i] = -1, -1
	}
	maxGap := p.maxGap * xh
	tolY := math.Max(2, 0.22*xh)
	for i := range cands {
		a := cs[cands[i].id]
		best, bestGap := -1, math.Inf(1)
		for j := i + 1; j < len(cands); j++ {
			if cands[j].cx-cands[i].cx > maxGap+2*xh {
				break
			}
			b := cs[cands[j].id]
			gap := float64(b.x - a.x1())
			if gap > maxGap || gap < -1 || math.Abs(cands[j].cy-cands[i].cy) > tolY || prev[j] >= 0 {
				continue
			}
			if gap < bestGap {
				best, bestGap = j, gap
			}
		}
		if best < 0 {
			continue
		}
		b := cs[cands[best].id]
		y0 := min(a.y, b.y) - int(0.3*xh)
		y1 := max(a.y1(), b.y1())
		if b.x > a.x1() && hasLetter(a.x1(), y0, b.x, y1) {
			continue
		}
		next[i], prev[best] = best, i
	}
	for i := range cands {
		if prev[i] >= 0 {
			continue
		}
		var run []int
		for j := i; j >= 0; j = next[j] {
			run = append(run, cands[j].id)
		}
		if len(run) < p.minRun || !regular(cs, run) {
			continue
		}
		for _, id := range run {
			out[id] = asLeader
		}
	}
}

// regular reports whether a run of components looks like a leader: similar
// sizes and, for short runs, similar spacing. Long runs (≥ 6) are accepted
// on alignment alone, since worn leaders lose dots.
func regular(cs []comp, ids []int) bool {
	if len(ids) >= 6 {
		return true
	}
	minA, maxA := math.MaxInt, 0
	for _, id := range ids {
		minA, maxA = min(minA, cs[id].area), max(maxA, cs[id].area)
	}
	if maxA > 4*minA+4 {
		return false
	}
	minG, maxG := math.MaxInt, math.MinInt
	for i := 1; i < len(ids); i++ {
		a, b := cs[ids[i-1]], cs[ids[i]]
		g := (b.x + b.w/2) - (a.x + a.w/2)
		minG, maxG = min(minG, g), max(maxG, g)
	}
	return float64(maxG) <= 1.6*float64(minG)+2
}

package synth

import (
	"errors"
	"fmt"
	"image"
	"math"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
)

// errNoFit reports a page whose content does not fit even at the smallest
// font size.
var errNoFit = errors.New("synth: page content does not fit")

// Page size in pixels at the rendering resolution (A4 portrait, 300 dpi).
const (
	renderDPI = 300
	pageW     = 2480
	pageH     = 3508
)

// leaderKind is how a form prints its dotted leaders.
type leaderKind int

const (
	leaderPeriods  leaderKind = iota // "....." in the body font
	leaderEllipsis                   // "………" (U+2026) in the body font
	leaderDrawn                      // small round dots
	leaderNone                       // no leaders (computer-filled extracts)
)

type partKind int

const (
	partText partKind = iota
	partBox           // a check box, drawn
)

// part is one piece of a printed line.
type part struct {
	kind    partKind
	text    string
	style   fontStyle
	key     string // field key when the part is a field value
	value   string // normalised field value
	entry   int    // record index of the field
	tab     float64
	lead    float64 // ems of leader dots before the part (0: a space)
	checked bool
}

type lineKind int

const (
	lineText lineKind = iota
	lineRule
	lineDots
	lineSpace
	lineSignature
)

type align int

const (
	alignLeft align = iota
	alignCenter
	alignRight
	alignRightBlock // centred on the right-hand signature column
)

// line is one printed line (or a rule, a gap, a signature area).
type line struct {
	kind   lineKind
	parts  []part
	align  align
	size   float64 // relative to the page's base size; 0 means 1
	before float64 // extra space before, in base line heights
	fill   bool    // leader from the last part to the right margin
	spaces bool    // gaps between columns stay blank (no leaders)
	wrap   bool    // the last part (plain text) may wrap at spaces
	height float64 // lineSpace, lineSignature: height in base line heights
	ruleW  float64 // lineRule: width as a fraction of the content width; 0 = under the previous line's text
	thick  float64 // lineRule: thickness in pixels
	stamp  bool    // lineSignature: with a seal
}

// geometry is the page's text area and typographic scale.
type geometry struct {
	left, right, top, bottom float64 // content box in pixels
	size                     float64 // base font size in points
	spacing                  float64 // line height / font size
	fill                     float64 // stretch the spacing until the text fills this share of the height
	leader                   leaderKind
}

func (g geometry) width() float64 { return g.right - g.left }

// px converts points to pixels at the rendering resolution.
func px(pt float64) float64 { return pt * renderDPI / 72 }

// placedText is a run of glyphs at a baseline origin.
type placedText struct {
	text   string
	style  fontStyle
	size   float64 // points
	ink    image.Rectangle
	origin fixed.Point26_6
}

// leaderRun is a stretch of leader dots on a baseline.
type leaderRun struct {
	x0, x1, y float64
	size      float64
}

// boxMark is a drawn check box.
type boxMark struct {
	r       image.Rectangle
	checked bool
}

// sigMark is the area of a signature (and seal).
type sigMark struct {
	r     image.Rectangle
	stamp bool
}

// gtLine is one ground-truth line in rendering coordinates.
type gtLine struct {
	text string
	box  image.Rectangle
}

// gtField is one field in rendering coordinates.
type gtField struct {
	entry      int
	key        string
	value, raw string
	box        image.Rectangle
}

// layoutResult is everything the renderer draws and the truth it records.
type layoutResult struct {
	texts   []placedText
	leaders []leaderRun
	rules   []image.Rectangle
	boxes   []boxMark
	sigs    []sigMark
	lines   []gtLine
	fields  []gtField
	size    float64 // the base size used
	end     float64 // y below the last line
}

// layoutPage places lines, shrinking the font until everything fits.
func layoutPage(fc *faceCache, g geometry, lines []line) (*layoutResult, error) {
	const minSize = 9.0
	for g.size >= minSize {
		res, ok, err := tryLayout(fc, g, lines)
		if err != nil {
			return nil, err
		}
		if ok {
			return stretch(fc, g, lines, res)
		}
		g.size *= 0.96
		g.spacing = math.Max(1.2, g.spacing*0.985)
	}
	return nil, errNoFit
}

// stretch opens up the line spacing of a page that fills less than
// g.fill of the text area, as forms printed on a full sheet do.
func stretch(fc *faceCache, g geometry, lines []line, res *layoutResult) (*layoutResult, error) {
	avail := g.bottom - g.top
	for range 3 {
		used := res.end - g.top
		if used >= g.fill*avail || g.spacing >= 2.1 {
			break
		}
		g2 := g
		g2.spacing = math.Min(2.1, g.spacing*(g.fill*avail/used))
		r2, ok, err := tryLayout(fc, g2, lines)
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		g, res = g2, r2
	}
	return res, nil
}

// tryLayout lays the page out at g.size; ok is false when it overflows.
func tryLayout(fc *faceCache, g geometry, lines []line) (*layoutResult, bool, error) {
	res := &layoutResult{size: g.size}
	y := g.top
	baseLH := px(g.size) * g.spacing
	prevInk := image.Rectangle{}
	expanded, err := wrapLines(fc, g, lines)
	if err != nil {
		return nil, false, err
	}
	for _, ln := range expanded {
		y += ln.before * baseLH
		sz := g.size
		if ln.size > 0 {
			sz *= ln.size
		}
		switch ln.kind {
		case lineSpace:
			y += ln.height * baseLH
			continue
		case lineSignature:
			h := ln.height * baseLH
			cx := g.left + 0.72*g.width()
			w := 0.36 * g.width()
			res.sigs = append(res.sigs, sigMark{r: image.Rect(int(cx-w/2), int(y), int(cx+w/2), int(y+h)), stamp: ln.stamp})
			y += h
			continue
		case lineRule:
			x0, x1 := g.left, g.left+ln.ruleW*g.width()
			t := math.Max(2, ln.thick)
			ry := y + baseLH*0.25
			if ln.ruleW == 0 && !prevInk.Empty() {
				w := float64(prevInk.Dx()) * 0.62
				c := float64(prevInk.Min.X+prevInk.Max.X) / 2
				x0, x1 = c-w/2, c+w/2
				ry = float64(prevInk.Max.Y) + px(g.size)*0.2
				y = ry - baseLH*0.25
			} else if ln.ruleW < 1 {
				c := (g.left + g.right) / 2
				w := ln.ruleW * g.width()
				x0, x1 = c-w/2, c+w/2
			}
			res.rules = append(res.rules, image.Rect(int(x0), int(ry), int(x1), int(ry+t)))
			y += baseLH * 0.5
			continue
		}
		lh := px(sz) * g.spacing
		baseline := y + (lh-px(sz))/2 + px(sz)*0.8
		switch ln.kind {
		case lineDots:
			if g.leader != leaderNone {
				res.leaders = append(res.leaders, leaderRun{x0: g.left, x1: g.right, y: baseline, size: sz})
			}
		case lineText:
			ink, ok, err := placeLine(fc, g, ln, sz, baseline, res)
			if err != nil {
				return nil, false, err
			}
			if !ok {
				return nil, false, nil
			}
			prevInk = ink
		}
		y += lh
		if y > g.bottom {
			return nil, false, nil
		}
	}
	res.end = y
	return res, true, nil
}

// wrapLines splits wrap lines that are too wide: words of the last part
// (never a field) move to continuation lines.
func wrapLines(fc *faceCache, g geometry, lines []line) ([]line, error) {
	out := make([]line, 0, len(lines))
	for _, ln := range lines {
		if !ln.wrap || len(ln.parts) == 0 || ln.parts[len(ln.parts)-1].key != "" {
			out = append(out, ln)
			continue
		}
		sz := g.size
		if ln.size > 0 {
			sz *= ln.size
		}
		em := px(sz)
		// width taken by the parts before the last one
		head := 0.0
		for _, p := range ln.parts[:len(ln.parts)-1] {
			face, err := fc.face(p.style, sz)
			if err != nil {
				return nil, err
			}
			head += fixedToFloat(font.MeasureString(face, p.text+" "))
		}
		last := ln.parts[len(ln.parts)-1]
		if last.lead > 0 && g.leader != leaderNone {
			head += last.lead * em
		}
		face, err := fc.face(last.style, sz)
		if err != nil {
			return nil, err
		}
		words := strings.Fields(last.text)
		first := true
		for len(words) > 0 {
			avail := g.width() - 1.5*em
			if first {
				avail -= head
			}
			n := 1
			for n < len(words) && fixedToFloat(font.MeasureString(face, strings.Join(words[:n+1], " "))) <= avail {
				n++
			}
			// prefer breaking after a comma ("…, tỉnh Kiên Giang" stays whole)
			if n < len(words) {
				for k := n; k > n/2 && k > 1; k-- {
					if strings.HasSuffix(words[k-1], ",") {
						n = k
						break
					}
				}
			}
			nl := ln
			np := last
			np.text = strings.Join(words[:n], " ")
			if first {
				nl.parts = append(append([]part(nil), ln.parts[:len(ln.parts)-1]...), np)
			} else {
				np.lead, np.tab = 0, 0
				nl.parts = []part{np}
				nl.before = 0
			}
			out = append(out, nl)
			words = words[n:]
			first = false
		}
	}
	return out, nil
}

func fixedToFloat(v fixed.Int26_6) float64 { return float64(v) / 64 }

func floatToFixed(v float64) fixed.Int26_6 { return fixed.Int26_6(math.Round(v * 64)) }

// placeLine positions the parts of a text line; ok is false when the line
// overflows the content width. It returns the union of the text ink.
func placeLine(fc *faceCache, g geometry, ln line, sz, baseline float64, res *layoutResult) (image.Rectangle, bool, error) {
	type measured struct {
		face  font.Face
		adv   float64
		ink   fixed.Rectangle26_6
		space float64
	}
	ms := make([]measured, len(ln.parts))
	em := px(sz)
	for i, p := range ln.parts {
		face, err := fc.face(p.style, sz)
		if err != nil {
			return image.Rectangle{}, false, err
		}
		if p.kind == partBox {
			ms[i] = measured{face: face, adv: em * 0.62, space: fixedToFloat(font.MeasureString(face, " "))}
			continue
		}
		if err := fc.set.checkGlyphs(fc.family, p.style, p.text); err != nil {
			return image.Rectangle{}, false, err
		}
		ink, adv := font.BoundString(face, p.text)
		ms[i] = measured{face: face, adv: fixedToFloat(adv), ink: ink, space: fixedToFloat(font.MeasureString(face, " "))}
	}
	// Horizontal positions, left to right from x = 0.
	xs := make([]float64, len(ln.parts))
	type gap struct{ x0, x1 float64 }
	var gaps []gap
	x := 0.0
	for i, p := range ln.parts {
		switch {
		case i == 0:
		case p.tab > 0:
			target := p.tab * g.width()
			if x+2*ms[i].space > target {
				target = x + 2.5*ms[i].space
				if g.leader != leaderNone {
					target = x + 2.5*em
				}
			}
			gaps = append(gaps, gap{x + ms[i].space*0.6, target - ms[i].space*0.6})
			x = target
		case p.lead > 0 && g.leader != leaderNone:
			gaps = append(gaps, gap{x + ms[i].space*0.5, x + ms[i].space*0.5 + p.lead*em})
			x += ms[i].space + p.lead*em
		default:
			x += ms[i].space
		}
		xs[i] = x
		x += ms[i].adv
	}
	total := x
	var off float64
	switch ln.align {
	case alignLeft:
		off = g.left
	case alignCenter:
		off = (g.left+g.right)/2 - total/2
	case alignRight:
		off = g.right - total
	case alignRightBlock:
		off = g.left + 0.72*g.width() - total/2
		if off+total > g.right {
			off = g.right - total
		}
	}
	if off < g.left-0.5 || off+total > g.right+0.5 {
		return image.Rectangle{}, false, nil
	}
	if ln.fill && g.leader != leaderNone && off+total < g.right-em {
		gaps = append(gaps, gap{total + ms[len(ms)-1].space*0.6, g.right - off})
	}
	for _, gp := range gaps {
		if gp.x1-gp.x0 > em*0.3 && !ln.spaces {
			res.leaders = append(res.leaders, leaderRun{x0: off + gp.x0, x1: off + gp.x1, y: baseline, size: sz})
		}
	}
	var lineInk image.Rectangle
	var texts []string
	for i, p := range ln.parts {
		ox := floatToFixed(off + xs[i])
		oy := floatToFixed(baseline)
		if p.kind == partBox {
			s := int(em * 0.5)
			bx := int(off + xs[i] + em*0.05)
			by := int(baseline) - s
			res.boxes = append(res.boxes, boxMark{r: image.Rect(bx, by, bx+s, by+s), checked: p.checked})
			continue
		}
		ink := inkRect(ms[i].ink, ox, oy)
		res.texts = append(res.texts, placedText{text: p.text, style: p.style, size: sz, origin: fixed.Point26_6{X: ox, Y: oy}, ink: ink})
		if strings.TrimSpace(p.text) == "" {
			continue
		}
		texts = append(texts, p.text)
		lineInk = lineInk.Union(ink)
		if p.key != "" {
			res.fields = append(res.fields, gtField{entry: p.entry, key: p.key, value: p.value, raw: p.text, box: ink})
		}
	}
	if len(texts) > 0 {
		res.lines = append(res.lines, gtLine{text: strings.Join(strings.Fields(strings.Join(texts, " ")), " "), box: lineInk})
	}
	return lineInk, true, nil
}

// inkRect converts glyph bounds relative to an origin into a pixel
// rectangle that contains them.
func inkRect(b fixed.Rectangle26_6, ox, oy fixed.Int26_6) image.Rectangle {
	return image.Rect(
		(b.Min.X + ox).Floor(), (b.Min.Y + oy).Floor(),
		(b.Max.X + ox).Ceil(), (b.Max.Y + oy).Ceil(),
	)
}

// String describes a leader kind (for error messages and tests).
func (k leaderKind) String() string {
	switch k {
	case leaderPeriods:
		return "periods"
	case leaderEllipsis:
		return "ellipsis"
	case leaderDrawn:
		return "drawn"
	case leaderNone:
		return "none"
	}
	return fmt.Sprintf("leader(%d)", int(k))
}

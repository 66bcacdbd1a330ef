package ocr

import (
	"strings"

	"github.com/sohoa/sohoa/models"
)

// Word is one recognised word. BBox is in the coordinates of the image the
// engine was given unless the caller maps it (see Page.Map).
type Word struct {
	Text string      `json:"text"`
	Conf float64     `json:"conf"` // 0..1
	BBox models.BBox `json:"bbox"`
}

// Line is one printed line: words left to right.
type Line struct {
	Words []Word      `json:"words"`
	BBox  models.BBox `json:"bbox"`
}

// Text returns the line's words joined by single spaces.
func (l Line) Text() string {
	var b strings.Builder
	for i, w := range l.Words {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w.Text)
	}
	return b.String()
}

// Conf is the mean word confidence of the line, weighted by word length.
func (l Line) Conf() float64 {
	var sum, n float64
	for _, w := range l.Words {
		k := float64(len([]rune(w.Text)))
		sum += w.Conf * k
		n += k
	}
	if n == 0 {
		return 0
	}
	return sum / n
}

// Page is the OCR result of one page, lines in reading order.
type Page struct {
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Lines  []Line `json:"lines"`
}

// Text returns the page text, one line per printed line.
func (p *Page) Text() string {
	var b strings.Builder
	for _, l := range p.Lines {
		t := l.Text()
		if t == "" {
			continue
		}
		b.WriteString(t)
		b.WriteByte('\n')
	}
	return b.String()
}

// Words returns every word of the page in reading order.
func (p *Page) Words() []Word {
	var out []Word
	for _, l := range p.Lines {
		out = append(out, l.Words...)
	}
	return out
}

// Map transforms every box of the page with f, which maps a rectangle in
// the recognised image's coordinates to another frame (for instance the
// original scan's).
func (p *Page) Map(f func(models.BBox) models.BBox) {
	for i := range p.Lines {
		l := &p.Lines[i]
		for j := range l.Words {
			l.Words[j].BBox = f(l.Words[j].BBox)
		}
		l.BBox = union(l.Words)
	}
}

func union(ws []Word) models.BBox {
	if len(ws) == 0 {
		return models.BBox{}
	}
	b := ws[0].BBox
	for _, w := range ws[1:] {
		b[0] = min(b[0], w.BBox[0])
		b[1] = min(b[1], w.BBox[1])
		b[2] = max(b[2], w.BBox[2])
		b[3] = max(b[3], w.BBox[3])
	}
	return b
}

package extract

import (
	"strings"

	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/ocr"
)

// pageFromText builds an OCR page from text, one line per line, words split
// on spaces, confidence 1 and boxes laid out on a fixed grid.
func pageFromText(text string) *ocr.Page {
	const charW, lineH = 20, 60
	p := &ocr.Page{Width: 2480, Height: 3508}
	y := 100
	for _, s := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		var l ocr.Line
		x := 200
		for _, w := range strings.Fields(s) {
			n := len([]rune(w))
			l.Words = append(l.Words, ocr.Word{Text: w, Conf: 1, BBox: models.BBox{x, y, x + n*charW, y + lineH - 10}})
			x += (n + 1) * charW
		}
		if len(l.Words) > 0 {
			l.BBox = models.BBox{l.Words[0].BBox[0], y, l.Words[len(l.Words)-1].BBox[2], y + lineH - 10}
		}
		p.Lines = append(p.Lines, l)
		y += lineH
	}
	return p
}

// lineWords builds an OCR page from lines with boxes, words split on
// spaces and boxes divided evenly over the characters.
func pageFromLines(w, h int, texts []string, boxes []models.BBox) *ocr.Page {
	p := &ocr.Page{Width: w, Height: h}
	for i, s := range texts {
		b := boxes[i]
		words := strings.Fields(s)
		total := len([]rune(s))
		var l ocr.Line
		pos := 0
		for _, wd := range words {
			n := len([]rune(wd))
			x0 := b[0] + (b[2]-b[0])*pos/max(total, 1)
			x1 := b[0] + (b[2]-b[0])*(pos+n)/max(total, 1)
			l.Words = append(l.Words, ocr.Word{Text: wd, Conf: 1, BBox: models.BBox{x0, b[1], x1, b[3]}})
			pos += n + 1
		}
		l.BBox = b
		p.Lines = append(p.Lines, l)
	}
	return p
}

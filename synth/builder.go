package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/sohoa/sohoa/vn"
)

// allEntries marks a field printed once for every record of the page (the
// registration office in a register page header).
const allEntries = -1

// item is a label with its value on a form line.
type item struct {
	label string
	key   string // field key; "" when the value is not a record field
	raw   string // printed value; "" leaves the line unfilled
	value string // normalised value
	style fontStyle
}

// field is an item whose value is a record field printed as is.
func field(label, key, raw string) item { return item{label: label, key: key, raw: raw, value: raw} }

// fieldV is an item whose normalised value differs from the printed one.
func fieldV(label, key, raw, value string) item {
	return item{label: label, key: key, raw: raw, value: value}
}

// plain is an item whose value is not a record field.
func plain(label, raw string) item { return item{label: label, raw: raw} }

// builder accumulates the lines of a page.
type builder struct {
	st    *pageStyle
	rng   *rand.Rand
	lines []line
	entry int // record index that fields belong to
}

func (b *builder) add(l line) { b.lines = append(b.lines, l) }

func (b *builder) text(a align, s string, st fontStyle, size float64) {
	b.add(line{kind: lineText, align: a, size: size, parts: []part{{text: s, style: st}}})
}

func (b *builder) gap(h float64) { b.add(line{kind: lineSpace, height: h}) }

// rule draws a horizontal rule; w = 0 underlines the previous line.
func (b *builder) rule(w, thick float64) { b.add(line{kind: lineRule, ruleW: w, thick: thick}) }

// dots adds an unfilled line of leader dots.
func (b *builder) dots() { b.add(line{kind: lineDots}) }

// row prints items on one line, in columns when there are several, with
// leaders filling the gaps and the end of the line.
func (b *builder) row(items ...item) {
	ln := line{kind: lineText, fill: true}
	for i, it := range items {
		lab := part{text: it.label, style: styleRegular}
		switch {
		case i == 0:
		case len(items) == 2:
			lab.tab = b.st.tabs[0] + 0.14
		default:
			lab.tab = b.st.tabs[min(i, 2)-1]
			if len(items) > 3 {
				lab.tab = float64(i) / float64(len(items))
			}
		}
		ln.parts = append(ln.parts, lab)
		if it.raw == "" {
			continue
		}
		v := part{text: it.raw, style: it.style, key: it.key, value: it.value, entry: b.entry}
		if b.st.leadValues {
			v.lead = b.st.leadEm
		}
		ln.parts = append(ln.parts, v)
	}
	ln.wrap = len(items) == 1 && items[0].key == "" && items[0].raw != ""
	b.add(ln)
}

// longText prints a label and a plain value that may wrap to a second line.
func (b *builder) longText(label, s string) {
	b.add(line{kind: lineText, wrap: true, fill: true, parts: []part{{text: label + " " + s}}})
}

// boxes prints check boxes with their captions; checked is the index of
// the ticked one (-1 for none).
func (b *builder) boxes(captions []string, checked int) {
	ln := line{kind: lineText, spaces: true}
	for i, c := range captions {
		bx := part{kind: partBox, checked: i == checked}
		if i > 0 {
			bx.tab = float64(i) / float64(len(captions))
		}
		ln.parts = append(ln.parts, bx, part{text: c})
	}
	b.add(ln)
}

// nameItem is a name field in the page's case and weight.
func (b *builder) nameItem(label, key, name string) item {
	raw, v := b.st.name(name)
	return item{label: label, key: key, raw: raw, value: v, style: b.st.nameFont()}
}

// dateItem is a date field in figures.
func (b *builder) dateItem(label, key string, d vn.Date) item {
	raw, v := b.st.date(d)
	return fieldV(label, key, raw, v)
}

// placeItem is a place field with the page's tone placement.
func (b *builder) placeItem(label, key, s string) item {
	return field(label, key, b.st.text(s))
}

// nationalHeader prints the national title and motto with the rule under
// them.
func (b *builder) nationalHeader() {
	b.text(alignCenter, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", styleBold, 0.95)
	d := b.st.dash
	b.text(alignCenter, fmt.Sprintf("Độc lập %s Tự do %s Hạnh phúc", d, d), styleBold, 1)
	b.rule(0, 3)
}

// extractHead prints the top of an extract: office, national header,
// number, place and date of issue, title.
func (b *builder) extractHead(off place, number, code string, issued vn.Date, title string) {
	if b.rng.IntN(10) < 7 {
		head := "ỦY BAN NHÂN DÂN "
		if b.rng.IntN(3) == 0 {
			head = "UBND "
		}
		b.text(alignLeft, head+strings.ToUpper(b.st.text(off.commune)), styleBold, 0.95)
		b.gap(0.2)
	}
	b.nationalHeader()
	b.gap(0.3)
	b.text(alignLeft, fmt.Sprintf("Số: %s/%s", number, code), styleRegular, 1)
	when := b.st.text(off.communeTitle()) + ", " + b.st.longDate(issued)
	b.text(alignRight, when, styleItalic, 1)
	b.gap(0.5)
	b.text(alignCenter, title, styleBold, 1.25)
	switch b.rng.IntN(3) {
	case 0:
		b.text(alignCenter, "(BẢN SAO)", styleBold, 1)
	case 1:
		b.text(alignCenter, "(Bản sao)", styleItalic, 1)
	}
	b.gap(0.4)
}

// signature prints the signing block of an extract.
func (b *builder) signature(title, signer string) {
	b.gap(0.4)
	b.text(alignRightBlock, title, styleBold, 1)
	b.text(alignRightBlock, b.st.lab.signerParen, styleItalic, 0.8)
	b.add(line{kind: lineSignature, height: 2.6, stamp: b.rng.IntN(10) < 8})
	b.text(alignRightBlock, signer, styleBold, 1)
}

// registerHead prints the top of a register-book page.
func (b *builder) registerHead(title string, off place, on vn.Date) {
	b.text(alignCenter, title, styleBold, 1.15)
	saved := b.entry
	b.entry = allEntries
	b.row(field("Cơ quan đăng ký hộ tịch:", "registration_office", b.st.text(off.office(on, b.st.shortOff))))
	b.entry = saved
	b.rule(1, 4)
}

// entryHead prints the number line and registration date of a book entry.
func (b *builder) entryHead(e entry) {
	b.row(field("Số:", "entry_number", fmt.Sprint(e.number)), field(b.st.lab.book, "book_number", e.book))
	b.row(b.dateItem(b.st.lab.regDate, "registration_date", e.reg))
}

// extractRegistration prints where and when the event was registered.
func (b *builder) extractRegistration(label string, e entry) {
	b.row(field(label, "registration_office", b.st.text(e.office.office(e.reg, b.st.shortOff))))
	raw, v := b.st.date(e.reg)
	b.row(field("Số:", "entry_number", fmt.Sprint(e.number)), field(b.st.lab.book, "book_number", e.book), fieldV("Ngày đăng ký:", "registration_date", raw, v))
}

// note prints the Ghi chú line, mostly empty.
func (b *builder) note(text string) {
	if text == "" {
		b.row(plain(b.st.lab.note, ""))
		return
	}
	b.row(plain(b.st.lab.note, text))
}

// officialName draws the name of a civil-status officer.
func (b *builder) officialName(off place) string {
	eth := "Kinh"
	if b.rng.IntN(3) == 0 {
		eth = ethnicOf(b.rng, off.d)
	}
	return b.st.text(personName(b.rng, eth, b.rng.IntN(2) == 0, ""))
}

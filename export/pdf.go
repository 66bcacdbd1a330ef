package export

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	_ "image/gif" // decoders for page images
	_ "image/jpeg"
	_ "image/png"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/tiff"

	"github.com/sohoa/sohoa/models"
)

// DefaultFontPath is a TrueType font with Vietnamese glyphs found on Debian
// (fonts-dejavu-core); see LoadFont.
const DefaultFontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

// ErrImage is wrapped by RecordPDF when the page image cannot be read.
var ErrImage = errors.New("export: unreadable page image")

// PDFOptions configures RecordPDF.
type PDFOptions struct {
	// Font covers Vietnamese. With it the PDF gets a second page listing
	// the record's fields as text; without it the PDF holds only the page
	// image.
	Font *Font
	// Columns give the field labels; nil means DefaultColumns.
	Columns ColumnSets
	// Created is the PDF's creation date; zero means now.
	Created time.Time
}

// LoadFont reads and prepares the font at path; "" tries DefaultFontPath
// and gives nil (no font, no error) when it does not exist.
func LoadFont(path string) (*Font, error) {
	if path == "" {
		b, err := os.ReadFile(DefaultFontPath)
		if err != nil {
			return nil, nil
		}
		return ParseFont(b)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("export: font: %w", err)
	}
	return ParseFont(b)
}

// RecordPDF writes a PDF for record r to w: its page image (img, the
// original's bytes) fitted on an A4 page turned to the image's
// orientation, then, when opts.Font is set, pages with the record's fields
// as text.
func RecordPDF(w io.Writer, r models.Record, img []byte, opts PDFOptions) error {
	pi, err := preparePDFImage(img)
	if err != nil {
		return fmt.Errorf("%w: record %s page %s: %v", ErrImage, r.ID, r.PageSHA256, err)
	}
	return recordPDF(w, r, pi, opts)
}

// pdfImage is a page image as a PDF image XObject: its dictionary entries
// and its stream's bytes. A JPEG's stream is the original file and an
// 8-bit grey or RGB PNG's is its compressed pixel data, so the bytes are
// never decoded: only other images are decoded and compressed again. A
// book export prepares each page once for all the records on it.
type pdfImage struct {
	width, height int
	dict          string // /ColorSpace … /Filter …
	data          []byte
}

func preparePDFImage(img []byte) (*pdfImage, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(img))
	if err != nil {
		return nil, err
	}
	switch format {
	case "jpeg":
		var cs string
		switch cfg.ColorModel {
		case color.GrayModel:
			cs = "/ColorSpace /DeviceGray"
		case color.CMYKModel:
			// Adobe's CMYK JPEGs store inverted samples.
			cs = "/ColorSpace /DeviceCMYK /Decode [1 0 1 0 1 0 1 0]"
		default:
			cs = "/ColorSpace /DeviceRGB"
		}
		return &pdfImage{width: cfg.Width, height: cfg.Height,
			dict: cs + " /BitsPerComponent 8 /Filter /DCTDecode", data: img}, nil
	case "png":
		if pi, ok := pngPassThrough(img); ok {
			return pi, nil
		}
	}
	src, _, err := image.Decode(bytes.NewReader(img))
	if err != nil {
		return nil, err
	}
	b := src.Bounds()
	var pix []byte
	cs := "/DeviceRGB"
	switch src.ColorModel() {
	case color.GrayModel, color.Gray16Model:
		g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
		draw.Draw(g, g.Bounds(), src, b.Min, draw.Src)
		pix, cs = g.Pix, "/DeviceGray"
	default:
		// Flatten onto white: a PDF would need a soft mask for alpha.
		rgba := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
		draw.Draw(rgba, rgba.Bounds(), image.White, image.Point{}, draw.Src)
		draw.Draw(rgba, rgba.Bounds(), src, b.Min, draw.Over)
		pix = make([]byte, 0, 3*b.Dx()*b.Dy())
		for i := 0; i < len(rgba.Pix); i += 4 {
			pix = append(pix, rgba.Pix[i:i+3]...)
		}
	}
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestSpeed)
	zw.Write(pix)
	zw.Close()
	return &pdfImage{width: b.Dx(), height: b.Dy(),
		dict: "/ColorSpace " + cs + " /BitsPerComponent 8 /Filter /FlateDecode", data: z.Bytes()}, nil
}

// pngPassThrough returns a non-interlaced grey (up to 8 bits) or 8-bit RGB
// PNG without transparency as its zlib data with PNG's predictors, which
// a PDF's FlateDecode reads as they are.
func pngPassThrough(img []byte) (*pdfImage, bool) {
	const sig = "\x89PNG\r\n\x1a\n"
	if !bytes.HasPrefix(img, []byte(sig)) {
		return nil, false
	}
	var w, h uint32
	var depth, ctype byte
	var idat bytes.Buffer
	for p := len(sig); p+12 <= len(img); {
		n := int(binary.BigEndian.Uint32(img[p:]))
		if n < 0 || p+12+n > len(img) {
			return nil, false
		}
		typ, body := string(img[p+4:p+8]), img[p+8:p+8+n]
		if crc32.ChecksumIEEE(img[p+4:p+8+n]) != binary.BigEndian.Uint32(img[p+8+n:]) {
			return nil, false
		}
		switch typ {
		case "IHDR":
			if n < 13 || body[12] != 0 { // interlaced
				return nil, false
			}
			w, h, depth, ctype = binary.BigEndian.Uint32(body), binary.BigEndian.Uint32(body[4:]), body[8], body[9]
		case "IDAT":
			idat.Write(body)
		case "tRNS":
			return nil, false
		}
		p += 12 + n
	}
	colors := 0
	switch {
	case ctype == 0 && depth <= 8:
		colors = 1
	case ctype == 2 && depth == 8:
		colors = 3
	default:
		return nil, false
	}
	if w == 0 || h == 0 || idat.Len() == 0 {
		return nil, false
	}
	cs := "/DeviceGray"
	if colors == 3 {
		cs = "/DeviceRGB"
	}
	return &pdfImage{width: int(w), height: int(h), data: idat.Bytes(),
		dict: fmt.Sprintf("/ColorSpace %s /BitsPerComponent %d /Filter /FlateDecode "+
			"/DecodeParms << /Predictor 15 /Colors %d /BitsPerComponent %d /Columns %d >>",
			cs, depth, colors, depth, w)}, true
}

// PDF geometry, in points.
const (
	a4W, a4H  = 595.28, 841.89
	mm        = 72 / 25.4
	pdfMargin = 10 * mm
)

// recordPDF writes the PDF of r with its page image pi. The PDF is written
// by hand rather than with a PDF library: a library copied the page image
// several times and cut a font subset for every record, which cost more
// than everything else of a book export.
func recordPDF(w io.Writer, r models.Record, pi *pdfImage, opts PDFOptions) error {
	created := opts.Created
	if created.IsZero() {
		created = time.Now()
	}
	var text []pdfTextPage
	var sub *fontSubset
	if opts.Font != nil {
		var err error
		if text, sub, err = layoutFields(r, opts); err != nil {
			return fmt.Errorf("export: pdf of record %s: %w", r.ID, err)
		}
	}
	// Objects: 1 catalog, 2 page tree, 3 info, 4 image, 5 image page,
	// 6 its contents; with text, 7–11 the font, then a page and its
	// contents per text page.
	const catalog, pages, info, img, imgPage, imgContents = 1, 2, 3, 4, 5, 6
	const font, cidFont, descriptor, fontFile, toUnicode = 7, 8, 9, 10, 11
	kids := []int{imgPage}
	for i := range text {
		kids = append(kids, 12+2*i)
	}

	p := newPDFWriter(w)
	p.raw("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	refs := make([]string, len(kids))
	for i, k := range kids {
		refs[i] = fmt.Sprintf("%d 0 R", k)
	}
	p.obj(catalog, "<< /Type /Catalog /Pages 2 0 R >>")
	p.obj(pages, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(refs, " "), len(kids)))
	date := "D:" + created.UTC().Format("20060102150405") + "Z"
	p.obj(info, fmt.Sprintf("<< /Title %s /Creator (sohoa) /Producer (sohoa) /CreationDate (%s) /ModDate (%s) >>",
		pdfText(recordTitle(r)), date, date))

	p.stream(img, fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d %s", pi.width, pi.height, pi.dict), pi.data)
	pw, ph := a4W, a4H
	if pi.width > pi.height {
		pw, ph = a4H, a4W
	}
	boxW, boxH := pw-2*pdfMargin, ph-2*pdfMargin
	scale := min(boxW/float64(pi.width), boxH/float64(pi.height))
	iw, ih := float64(pi.width)*scale, float64(pi.height)*scale
	p.obj(imgPage, fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %s %s] /Resources << /XObject << /Im1 4 0 R >> >> /Contents %d 0 R >>",
		num(pw), num(ph), imgContents))
	p.stream(imgContents, "", fmt.Appendf(nil, "q %s 0 0 %s %s %s cm /Im1 Do Q\n",
		num(iw), num(ih), num(pdfMargin+(boxW-iw)/2), num(pdfMargin+(boxH-ih)/2)))

	if sub != nil {
		p.obj(font, fmt.Sprintf("<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>",
			sub.baseFont, cidFont, toUnicode))
		p.obj(cidFont, fmt.Sprintf("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s "+
			"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "+
			"/FontDescriptor %d 0 R /DW 1000 /W %s /CIDToGIDMap /Identity >>", sub.baseFont, descriptor, sub.widths))
		f := opts.Font
		p.obj(descriptor, fmt.Sprintf("<< /Type /FontDescriptor /FontName /%s /Flags 32 /FontBBox [%d %d %d %d] "+
			"/ItalicAngle 0 /Ascent %d /Descent %d /CapHeight %d /StemV 80 /FontFile2 %d 0 R >>",
			sub.baseFont, f.pdfUnits(int(f.bbox[0])), f.pdfUnits(int(f.bbox[1])), f.pdfUnits(int(f.bbox[2])),
			f.pdfUnits(int(f.bbox[3])), f.pdfUnits(int(f.ascent)), f.pdfUnits(int(f.descent)),
			f.pdfUnits(int(f.capHeight)), fontFile))
		p.stream(fontFile, fmt.Sprintf("/Length1 %d /Filter /FlateDecode", sub.fileLen), sub.file)
		p.stream(toUnicode, "/Filter /FlateDecode", sub.toUnicode)
		for i, tp := range text {
			page := 12 + 2*i
			p.obj(page, fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %s %s] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>",
				num(a4W), num(a4H), font, page+1))
			p.stream(page+1, "", tp.content)
		}
	}

	n := 12 + 2*len(text)
	if sub == nil {
		n = 7
	}
	id := sha256.Sum256([]byte(r.ID + "\x00" + date))
	return p.finish(n, fmt.Sprintf("/Root 1 0 R /Info 3 0 R /ID [<%x> <%x>]", id[:16], id[:16]))
}

// pdfWriter writes numbered objects and remembers their offsets for the
// cross-reference table; the first error sticks.
type pdfWriter struct {
	bw      *bufio.Writer
	n       int64
	offsets map[int]int64
	err     error
}

func newPDFWriter(w io.Writer) *pdfWriter {
	return &pdfWriter{bw: bufio.NewWriterSize(w, 32<<10), offsets: map[int]int64{}}
}

func (p *pdfWriter) raw(s string) { p.write([]byte(s)) }

func (p *pdfWriter) write(b []byte) {
	if p.err != nil {
		return
	}
	n, err := p.bw.Write(b)
	p.n += int64(n)
	p.err = err
}

func (p *pdfWriter) obj(id int, body string) {
	p.offsets[id] = p.n
	p.raw(strconv.Itoa(id) + " 0 obj\n" + body + "\nendobj\n")
}

// stream writes a stream object: dict holds its entries but /Length.
func (p *pdfWriter) stream(id int, dict string, data []byte) {
	p.offsets[id] = p.n
	if dict != "" {
		dict += " "
	}
	p.raw(fmt.Sprintf("%d 0 obj\n<< %s/Length %d >>\nstream\n", id, dict, len(data)))
	p.write(data)
	p.raw("\nendstream\nendobj\n")
}

// finish writes the cross-reference table of objects 1..n-1 and the
// trailer.
func (p *pdfWriter) finish(n int, trailer string) error {
	start := p.n
	var b strings.Builder
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", n)
	for id := 1; id < n; id++ {
		off, ok := p.offsets[id]
		if !ok {
			return fmt.Errorf("export: pdf: object %d not written", id)
		}
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d %s >>\nstartxref\n%d\n%%%%EOF\n", n, trailer, start)
	p.raw(b.String())
	if p.err != nil {
		return fmt.Errorf("export: pdf: %w", p.err)
	}
	if err := p.bw.Flush(); err != nil {
		return fmt.Errorf("export: pdf: %w", err)
	}
	return nil
}

// num formats a coordinate.
func num(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

// pdfText is s as a PDF text string: UTF-16BE with a byte-order mark.
func pdfText(s string) string {
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteString(">")
	return b.String()
}

func recordTitle(r models.Record) string {
	t := "Bản ghi " + r.ID
	if n := value(r, "entry_number"); n != "" {
		t = "Số " + n
		if b := value(r, "book_number"); b != "" {
			t += ", quyển số " + b
		}
	}
	return t
}

// pdfTextPage is the content stream of one fields page.
type pdfTextPage struct{ content []byte }

// fieldRow is one line of the fields table.
type fieldRow struct{ label, value string }

// layoutFields lays out the pages listing r's fields, labelled with the
// column set's headers (fields that still need review are marked), and
// returns them with the font subset they use.
func layoutFields(r models.Record, opts PDFOptions) ([]pdfTextPage, *fontSubset, error) {
	cols := opts.Columns
	if cols == nil {
		cols = DefaultColumns()
	}
	labels := map[string]string{}
	for _, c := range cols[r.RegisterType] {
		labels[c.Key] = c.Header
	}
	title := recordTitle(r)
	meta := fmt.Sprintf("Mã bản ghi %s · trạng thái %s · trang %s", r.ID, r.Status, r.PageSHA256)
	texts := []string{title, meta}
	var rows []fieldRow
	for _, k := range FieldKeys(r.RegisterType) {
		f, ok := r.Fields[k]
		if !ok {
			continue
		}
		label := labels[k]
		if label == "" {
			label = k
		}
		v := "—"
		if f.Value != nil {
			v = *f.Value
		}
		if f.Status == models.StatusReview {
			v += "  (cần kiểm tra)"
		}
		rows = append(rows, fieldRow{label, v})
		texts = append(texts, label, v)
	}
	sub, err := opts.Font.subsetFor(texts)
	if err != nil {
		return nil, nil, err
	}
	t := &textLayout{font: opts.Font, sub: sub}
	t.newPage()
	t.paragraph(title, 14, 8*mm)
	t.paragraph(meta, 9, 5*mm)
	t.y += 3 * mm
	const labelW, lineH = 70 * mm, 6 * mm
	valueX := pdfMargin + labelW
	valueW := a4W - pdfMargin - valueX
	for _, row := range rows {
		l := t.wrap(row.label, 10, labelW-2*mm)
		v := t.wrap(row.value, 10, valueW-2*mm)
		h := float64(max(len(l), len(v))) * lineH
		if t.y+h > a4H-pdfMargin && t.y > pdfMargin+lineH {
			t.newPage()
		}
		t.lines(l, 10, pdfMargin+1*mm, lineH)
		t.lines(v, 10, valueX+1*mm, lineH)
		t.y += h
		fmt.Fprintf(&t.cur, "0.5 w %s %s m %s %s l S\n", num(pdfMargin), num(a4H-t.y), num(a4W-pdfMargin), num(a4H-t.y))
	}
	return t.finish(), sub, nil
}

// textLayout places lines of text top-down on A4 pages; y is the distance
// from the top edge.
type textLayout struct {
	font  *Font
	sub   *fontSubset
	pages []pdfTextPage
	cur   bytes.Buffer
	y     float64
}

func (t *textLayout) newPage() {
	if t.cur.Len() > 0 {
		t.pages = append(t.pages, pdfTextPage{content: bytes.Clone(t.cur.Bytes())})
		t.cur.Reset()
	}
	t.y = pdfMargin
}

func (t *textLayout) finish() []pdfTextPage {
	t.newPage()
	return t.pages
}

// paragraph writes s wrapped to the page's width, lineH per line.
func (t *textLayout) paragraph(s string, size, lineH float64) {
	l := t.wrap(s, size, a4W-2*pdfMargin)
	t.lines(l, size, pdfMargin, lineH)
	t.y += float64(len(l)) * lineH
}

// lines writes ls from the current y at x without moving y.
func (t *textLayout) lines(ls []string, size, x, lineH float64) {
	for i, s := range ls {
		// Baseline: the line's box centred on the font's cap height.
		base := t.y + float64(i)*lineH + lineH/2 + 0.35*size
		fmt.Fprintf(&t.cur, "BT /F1 %s Tf %s %s Td <", num(size), num(x), num(a4H-base))
		for _, r := range s {
			g := t.sub.gids[r]
			t.cur.Write([]byte{hexDigits[g>>12], hexDigits[g>>8&15], hexDigits[g>>4&15], hexDigits[g&15]})
		}
		t.cur.WriteString("> Tj ET\n")
	}
}

const hexDigits = "0123456789ABCDEF"

// wrap breaks s into lines no wider than width at size, between words,
// or inside a word longer than a line. Widths are summed in font units as
// the line grows, so a long value costs its length, not its square.
func (t *textLayout) wrap(s string, size, width float64) []string {
	em := float64(t.font.unitsPerEm)
	fits := func(w int) bool { return float64(w)*size/em <= width }
	adv := func(r rune) int { return int(t.sub.advances[t.sub.gids[r]]) }
	space := adv(' ')
	var out []string
	var line strings.Builder
	lineW := 0
	flush := func() {
		out = append(out, line.String())
		line.Reset()
		lineW = 0
	}
	for _, word := range strings.Fields(s) {
		ww := 0
		for _, r := range word {
			ww += adv(r)
		}
		if line.Len() > 0 && fits(lineW+space+ww) {
			line.WriteByte(' ')
			line.WriteString(word)
			lineW += space + ww
			continue
		}
		if line.Len() > 0 {
			flush()
		}
		if fits(ww) {
			line.WriteString(word)
			lineW = ww
			continue
		}
		for _, r := range word {
			if line.Len() > 0 && !fits(lineW+adv(r)) {
				flush()
			}
			line.WriteRune(r)
			lineW += adv(r)
		}
	}
	if line.Len() > 0 || len(out) == 0 {
		out = append(out, line.String())
	}
	return out
}

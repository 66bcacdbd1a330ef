package export

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"

	"golang.org/x/image/font/sfnt"
)

// ErrFont is wrapped by ParseFont when a font cannot be embedded.
var ErrFont = errors.New("export: unusable font")

// Font is a TrueType font prepared for the PDFs' text pages. Embedding a
// font subset used to cost more than the rest of a record's PDF (parse the
// font, cut a subset, compress it, for every record), so the subset of the
// Vietnamese repertoire is cut and compressed once, and every PDF copies
// its objects as they are. A record whose text holds a rune outside that
// repertoire gets a subset of its own. Safe for concurrent use.
type Font struct {
	name       string // PostScript name
	tables     map[string][]byte
	numGlyphs  int
	unitsPerEm int
	advances   []uint16 // per glyph, in font units
	bbox       [4]int16
	ascent     int16
	descent    int16
	capHeight  int16

	mu   sync.Mutex // guards sf and buf
	sf   *sfnt.Font
	buf  sfnt.Buffer
	gids map[rune]uint16 // the Vietnamese repertoire's glyphs

	base *fontSubset // their subset
}

// fontSubset is the embedded part of a Font for one set of runes: the PDF
// objects' bodies. Its glyphs are numbered from 0 (.notdef) in the order
// of the font's, and the PDF maps CIDs to them with /Identity.
type fontSubset struct {
	gids      map[rune]uint16 // rune → the subset's glyph
	advances  []uint16        // per subset glyph, in font units
	baseFont  string          // subset tag + PostScript name
	widths    string          // the CIDFont's /W array
	toUnicode []byte          // CMap stream, compressed
	file      []byte          // FontFile2 stream, compressed
	fileLen   int             // its uncompressed length (/Length1)
}

// vietnameseRepertoire is what the fields page writes: printable ASCII,
// Latin-1, the Vietnamese letters and the punctuation the labels and
// values use.
func vietnameseRepertoire() []rune {
	var rs []rune
	for r := rune(0x20); r < 0x7f; r++ {
		rs = append(rs, r)
	}
	for r := rune(0xa0); r <= 0xff; r++ {
		rs = append(rs, r)
	}
	rs = append(rs, []rune("ĂăĐđĨĩŨũƠơƯư–—‘’“”…·•°№")...)
	for r := rune(0x1ea0); r <= 0x1ef9; r++ { // Ạ … ỹ
		rs = append(rs, r)
	}
	return rs
}

// ParseFont prepares the TrueType font in data for the PDFs.
func ParseFont(data []byte) (*Font, error) {
	sf, err := sfnt.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFont, err)
	}
	tables, err := ttfTables(data)
	if err != nil {
		return nil, err
	}
	for _, tag := range []string{"head", "hhea", "maxp", "hmtx", "loca", "glyf"} {
		if tables[tag] == nil {
			return nil, fmt.Errorf("%w: no %s table (TrueType outlines are needed)", ErrFont, tag)
		}
	}
	head, hhea, maxp := tables["head"], tables["hhea"], tables["maxp"]
	if len(head) < 54 || len(hhea) < 36 || len(maxp) < 6 {
		return nil, fmt.Errorf("%w: short head, hhea or maxp table", ErrFont)
	}
	f := &Font{
		tables:     tables,
		sf:         sf,
		numGlyphs:  int(binary.BigEndian.Uint16(maxp[4:])),
		unitsPerEm: int(binary.BigEndian.Uint16(head[18:])),
		ascent:     int16(binary.BigEndian.Uint16(hhea[4:])),
		descent:    int16(binary.BigEndian.Uint16(hhea[6:])),
	}
	if f.unitsPerEm == 0 {
		return nil, fmt.Errorf("%w: unitsPerEm is 0", ErrFont)
	}
	for i := range f.bbox {
		f.bbox[i] = int16(binary.BigEndian.Uint16(head[36+2*i:]))
	}
	f.capHeight = f.ascent
	if os2 := tables["OS/2"]; len(os2) >= 90 && binary.BigEndian.Uint16(os2) >= 2 {
		f.capHeight = int16(binary.BigEndian.Uint16(os2[88:]))
	}
	// Advance widths: hmtx holds numberOfHMetrics pairs, the last advance
	// repeating for the remaining glyphs.
	nh := int(binary.BigEndian.Uint16(hhea[34:]))
	hmtx := tables["hmtx"]
	if nh == 0 || len(hmtx) < 4*nh {
		return nil, fmt.Errorf("%w: short hmtx table", ErrFont)
	}
	f.advances = make([]uint16, f.numGlyphs)
	for g := range f.advances {
		f.advances[g] = binary.BigEndian.Uint16(hmtx[4*min(g, nh-1):])
	}
	if _, err := f.glyphRange(0); err != nil {
		return nil, err
	}
	name, err := sf.Name(&f.buf, sfnt.NameIDPostScript)
	if err != nil || name == "" {
		name = "Font"
	}
	f.name = pdfNameChars(name)
	f.gids = map[rune]uint16{}
	for _, r := range vietnameseRepertoire() {
		if g := f.lookup(r); g != 0 {
			f.gids[r] = g
		}
	}
	if f.base, err = f.subset(f.gids); err != nil {
		return nil, err
	}
	return f, nil
}

// lookup is the glyph of r, 0 (.notdef) when the font has none.
func (f *Font) lookup(r rune) uint16 {
	f.mu.Lock()
	defer f.mu.Unlock()
	g, err := f.sf.GlyphIndex(&f.buf, r)
	if err != nil || int(g) >= f.numGlyphs {
		return 0
	}
	return uint16(g)
}

// subsetFor returns the subset that covers texts: the shared one unless a
// text holds a rune outside it that the font has.
func (f *Font) subsetFor(texts []string) (*fontSubset, error) {
	var extra map[rune]uint16
	for _, t := range texts {
		for _, r := range t {
			if _, ok := f.gids[r]; ok || r < 0x20 {
				continue
			}
			if _, ok := extra[r]; ok {
				continue
			}
			if g := f.lookup(r); g != 0 {
				if extra == nil {
					extra = map[rune]uint16{}
				}
				extra[r] = g
			}
		}
	}
	if extra == nil {
		return f.base, nil
	}
	for r, g := range f.gids {
		extra[r] = g
	}
	return f.subset(extra)
}

// subset cuts the font down to the glyphs of gids (and the glyphs their
// composites are built from), renumbered from 0 in the font's order, and
// renders the PDF objects' bodies. The hinting (glyph instructions and
// the cvt, fpgm and prep tables) is left out: it is half of the glyph data
// and PDF viewers scale outlines without it. The shared subset of the
// Vietnamese repertoire comes to 12 KB compressed where keeping the glyph
// ids and the hinting gave 26 KB; a book export carries it in every PDF.
func (f *Font) subset(gids map[rune]uint16) (*fontSubset, error) {
	keep := map[uint16]bool{0: true}
	queue := []uint16{0}
	for _, g := range gids {
		if !keep[g] {
			keep[g] = true
			queue = append(queue, g)
		}
	}
	for len(queue) > 0 {
		g := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		comps, err := f.components(g)
		if err != nil {
			return nil, err
		}
		for _, c := range comps {
			if !keep[c] && int(c) < f.numGlyphs {
				keep[c] = true
				queue = append(queue, c)
			}
		}
	}
	old := make([]uint16, 0, len(keep)) // subset glyph → font glyph
	for g := range keep {
		old = append(old, g)
	}
	slices.Sort(old)
	renum := make(map[uint16]uint16, len(old))
	for i, g := range old {
		renum[g] = uint16(i)
	}

	n := len(old)
	glyf := make([]byte, 0, 96*n)
	loca := make([]byte, 4*(n+1))
	hmtx := make([]byte, 4*n)
	advances := make([]uint16, n)
	for i, g := range old {
		binary.BigEndian.PutUint32(loca[4*i:], uint32(len(glyf)))
		r, err := f.glyphRange(int(g))
		if err != nil {
			return nil, err
		}
		if glyf, err = appendUnhinted(glyf, f.tables["glyf"][r[0]:r[1]], renum); err != nil {
			return nil, fmt.Errorf("%w: glyph %d: %v", ErrFont, g, err)
		}
		for len(glyf)%4 != 0 {
			glyf = append(glyf, 0)
		}
		advances[i] = f.advances[g]
		binary.BigEndian.PutUint16(hmtx[4*i:], f.advances[g])
		binary.BigEndian.PutUint16(hmtx[4*i+2:], f.lsb(int(g)))
	}
	binary.BigEndian.PutUint32(loca[4*n:], uint32(len(glyf)))

	head := slices.Clone(f.tables["head"])
	binary.BigEndian.PutUint32(head[8:], 0)  // checkSumAdjustment: not checked in a PDF
	binary.BigEndian.PutUint16(head[50:], 1) // indexToLocFormat: long offsets
	hhea := slices.Clone(f.tables["hhea"])
	binary.BigEndian.PutUint16(hhea[34:], uint16(n)) // a pair for every glyph
	maxp := slices.Clone(f.tables["maxp"])
	binary.BigEndian.PutUint16(maxp[4:], uint16(n))
	file := ttfFile(map[string][]byte{"head": head, "hhea": hhea, "maxp": maxp,
		"hmtx": hmtx, "loca": loca, "glyf": glyf})

	// One rune per glyph for ToUnicode (the smallest when several share
	// a glyph), and the runes' glyphs in the subset's numbering.
	sub := make(map[rune]uint16, len(gids))
	uni := map[uint16]rune{}
	for r, g := range gids {
		ng := renum[g]
		sub[r] = ng
		if o, ok := uni[ng]; !ok || r < o {
			uni[ng] = r
		}
	}
	order := make([]uint16, 0, len(uni))
	for g := range uni {
		order = append(order, g)
	}
	slices.Sort(order)

	// Widths of every glyph of the subset, numbered from 0: one run.
	ws := make([]byte, 0, 8+5*n)
	ws = append(ws, "[0 ["...)
	for i, a := range advances {
		if i > 0 {
			ws = append(ws, ' ')
		}
		ws = strconv.AppendInt(ws, int64(f.pdfUnits(int(a))), 10)
	}
	ws = append(ws, "]]"...)

	cm := make([]byte, 0, 512+24*len(order))
	cm = append(cm, "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"+
		"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"+
		"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"+
		"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"...)
	for i := 0; i < len(order); i += 100 {
		chunk := order[i:min(i+100, len(order))]
		cm = strconv.AppendInt(cm, int64(len(chunk)), 10)
		cm = append(cm, " beginbfchar\n"...)
		for _, g := range chunk {
			cm = append(cm, '<')
			cm = appendHex16(cm, g)
			cm = append(cm, "> <"...)
			for _, u := range utf16.Encode([]rune{uni[g]}) {
				cm = appendHex16(cm, u)
			}
			cm = append(cm, ">\n"...)
		}
		cm = append(cm, "endbfchar\n"...)
	}
	cm = append(cm, "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"...)

	// The subset tag (six capitals) is derived from the glyphs, so the
	// same subset always gets the same name.
	ids := make([]byte, 0, 2*n)
	for _, g := range old {
		ids = binary.BigEndian.AppendUint16(ids, g)
	}
	sum := sha256.Sum256(ids)
	tag := make([]byte, 6)
	for i := range tag {
		tag[i] = 'A' + sum[i]%26
	}
	return &fontSubset{
		gids: sub, advances: advances, baseFont: string(tag) + "+" + f.name, widths: string(ws),
		toUnicode: deflate(cm), file: deflate(file), fileLen: len(file),
	}, nil
}

// appendHex16 appends v as four upper-case hexadecimal digits.
func appendHex16(b []byte, v uint16) []byte {
	const digits = "0123456789ABCDEF"
	return append(b, digits[v>>12], digits[v>>8&15], digits[v>>4&15], digits[v&15])
}

// Composite glyph flags.
const (
	compArgWords     = 0x0001
	compHaveScale    = 0x0008
	compMore         = 0x0020
	compHaveXYScale  = 0x0040
	compHaveTwoByTwo = 0x0080
	compInstructions = 0x0100
)

// componentLen is the length of a composite glyph's component record
// with these flags: flags, glyph id, offsets and transform.
func componentLen(flags uint16) int {
	n := 4 + 2 // flags and glyph id, two byte offsets
	if flags&compArgWords != 0 {
		n += 2
	}
	switch {
	case flags&compHaveScale != 0:
		n += 2
	case flags&compHaveXYScale != 0:
		n += 4
	case flags&compHaveTwoByTwo != 0:
		n += 8
	}
	return n
}

// appendUnhinted appends glyph d to dst without its instructions, the
// glyph ids of a composite's components renumbered by renum.
func appendUnhinted(dst, d []byte, renum map[uint16]uint16) ([]byte, error) {
	if len(d) == 0 {
		return dst, nil // an empty glyph (space)
	}
	if len(d) < 10 {
		return nil, errors.New("truncated")
	}
	contours := int16(binary.BigEndian.Uint16(d))
	if contours >= 0 {
		p := 10 + 2*int(contours) // the instructions' length
		if p+2 > len(d) {
			return nil, errors.New("truncated")
		}
		skip := int(binary.BigEndian.Uint16(d[p:]))
		if p+2+skip > len(d) {
			return nil, errors.New("instructions run past the glyph")
		}
		dst = append(dst, d[:p]...)
		dst = append(dst, 0, 0)
		return append(dst, d[p+2+skip:]...), nil
	}
	start := len(dst)
	dst = append(dst, d...)
	g := dst[start:]
	for p := 10; ; {
		if p+4 > len(g) {
			return nil, errors.New("composite truncated")
		}
		flags := binary.BigEndian.Uint16(g[p:])
		binary.BigEndian.PutUint16(g[p+2:], renum[binary.BigEndian.Uint16(g[p+2:])])
		if flags&compInstructions != 0 {
			binary.BigEndian.PutUint16(g[p:], flags&^compInstructions)
		}
		p += componentLen(flags)
		if p > len(g) {
			return nil, errors.New("composite truncated")
		}
		if flags&compMore == 0 {
			return dst[:start+p], nil // without the instructions after the last component
		}
	}
}

// pdfUnits converts font units to the PDF's thousandths of an em.
func (f *Font) pdfUnits(v int) int { return v * 1000 / f.unitsPerEm }

// lsb is glyph g's left side bearing.
func (f *Font) lsb(g int) uint16 {
	hmtx := f.tables["hmtx"]
	nh := int(binary.BigEndian.Uint16(f.tables["hhea"][34:]))
	if g < nh {
		return binary.BigEndian.Uint16(hmtx[4*g+2:])
	}
	if off := 4*nh + 2*(g-nh); off+2 <= len(hmtx) {
		return binary.BigEndian.Uint16(hmtx[off:])
	}
	return 0
}

// glyphRange is where glyph g lies in the glyf table.
func (f *Font) glyphRange(g int) ([2]int, error) {
	loca, glyf := f.tables["loca"], f.tables["glyf"]
	long := binary.BigEndian.Uint16(f.tables["head"][50:]) == 1
	var a, b int
	if long {
		if 4*(g+2) > len(loca) {
			return [2]int{}, fmt.Errorf("%w: short loca table", ErrFont)
		}
		a, b = int(binary.BigEndian.Uint32(loca[4*g:])), int(binary.BigEndian.Uint32(loca[4*g+4:]))
	} else {
		if 2*(g+2) > len(loca) {
			return [2]int{}, fmt.Errorf("%w: short loca table", ErrFont)
		}
		a, b = 2*int(binary.BigEndian.Uint16(loca[2*g:])), 2*int(binary.BigEndian.Uint16(loca[2*g+2:]))
	}
	if a > b || b > len(glyf) {
		return [2]int{}, fmt.Errorf("%w: glyph %d lies outside glyf", ErrFont, g)
	}
	return [2]int{a, b}, nil
}

// components lists the glyphs composite glyph g is built from (none for a
// simple glyph).
func (f *Font) components(g uint16) ([]uint16, error) {
	r, err := f.glyphRange(int(g))
	if err != nil {
		return nil, err
	}
	d := f.tables["glyf"][r[0]:r[1]]
	if len(d) < 10 || int16(binary.BigEndian.Uint16(d)) >= 0 {
		return nil, nil
	}
	var out []uint16
	for p := 10; ; {
		if p+4 > len(d) {
			return nil, fmt.Errorf("%w: composite glyph %d is truncated", ErrFont, g)
		}
		flags := binary.BigEndian.Uint16(d[p:])
		out = append(out, binary.BigEndian.Uint16(d[p+2:]))
		p += componentLen(flags)
		if flags&compMore == 0 {
			return out, nil
		}
	}
}

// ttfTables reads the table directory of a TrueType file.
func ttfTables(data []byte) (map[string][]byte, error) {
	if len(data) < 12 {
		return nil, fmt.Errorf("%w: too short", ErrFont)
	}
	if v := binary.BigEndian.Uint32(data); v != 0x00010000 && v != 0x74727565 { // 1.0 or 'true'
		return nil, fmt.Errorf("%w: not a TrueType font (a collection or CFF outlines)", ErrFont)
	}
	n := int(binary.BigEndian.Uint16(data[4:]))
	if 12+16*n > len(data) {
		return nil, fmt.Errorf("%w: short table directory", ErrFont)
	}
	tables := map[string][]byte{}
	for i := range n {
		rec := data[12+16*i:]
		off, size := int(binary.BigEndian.Uint32(rec[8:])), int(binary.BigEndian.Uint32(rec[12:]))
		if off < 0 || size < 0 || off+size > len(data) {
			return nil, fmt.Errorf("%w: table %q lies outside the file", ErrFont, rec[:4])
		}
		tables[string(rec[:4])] = data[off : off+size]
	}
	return tables, nil
}

// ttfFile assembles a TrueType file from its tables.
func ttfFile(tables map[string][]byte) []byte {
	tags := make([]string, 0, len(tables))
	for t := range tables {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	n := len(tags)
	es := 0
	for 1<<(es+1) <= n {
		es++
	}
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, []uint16{1, 0, uint16(n), uint16(16 << es), uint16(es), uint16(16*n - 16<<es)})
	off := 12 + 16*n
	for _, t := range tags {
		d := tables[t]
		b.WriteString(t)
		binary.Write(&b, binary.BigEndian, []uint32{ttfChecksum(d), uint32(off), uint32(len(d))})
		off += (len(d) + 3) &^ 3
	}
	for _, t := range tags {
		b.Write(tables[t])
		b.Write(make([]byte, (4-len(tables[t])%4)%4))
	}
	return b.Bytes()
}

func ttfChecksum(d []byte) uint32 {
	var sum uint32
	for i := 0; i < len(d); i += 4 {
		var w [4]byte
		copy(w[:], d[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}

// deflate compresses b for a /FlateDecode stream.
func deflate(b []byte) []byte {
	var out bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&out, zlib.BestCompression)
	zw.Write(b)
	zw.Close()
	return out.Bytes()
}

// pdfNameChars keeps the characters a PDF name may hold unescaped.
func pdfNameChars(s string) string {
	return strings.Map(func(r rune) rune {
		if r > 0x20 && r < 0x7f && !strings.ContainsRune("()<>[]{}/%#", r) {
			return r
		}
		return -1
	}, s)
}

package queue

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/klauspost/compress/s2"
	"gocv.io/x/gocv"

	"github.com/sohoa/sohoa/ocr"
	"github.com/sohoa/sohoa/pipeline"
	"github.com/sohoa/sohoa/preprocess"
	"github.com/sohoa/sohoa/storage"
)

// ArtefactCleaned is the cleanup stage's derived object (storage.DerivedKey
// of the page's SHA-256): the binary page OCR reads and the enhanced grey
// page low-confidence fields are re-read from, followed by the JSON that
// maps them back to the original and gives their size (cleanedPage), then
// that JSON's length as 4 big-endian bytes. One object, not three: every
// object stored costs the object store a request's work (about 4 ms of
// MinIO's CPU for a small PUT on a 2-core machine), whatever its size.
//
// The images are their raw 8-bit pixels, row by row, each compressed as
// one S2 block (github.com/klauspost/compress/s2), not PNG: they are only
// ever read back by the next task, and on a 2,500 × 3,500 page PNG's
// deflate cost several times S2's to write and to read
// (BenchmarkCleanedArtefacts), which `sohoa scan` never pays. S2 keeps
// the binary page small (long runs) and the grey page about 1.5 times its
// PNG size.
const ArtefactCleaned = "clean/page.u8.s2"

// PageWords is the OCR stage's derived object (storage.WordsName): what
// Tesseract read on the page, after the cleanup, with boxes mapped to the
// original. It is written before the page's records are saved, so a page
// past recognition has it.
type PageWords struct {
	// Version of the document: PageWordsVersion.
	Version int `json:"version"`
	// Quality is the cleanup's report on the page.
	Quality preprocess.Quality `json:"quality"`
	// Lines are the printed lines in reading order, with their words,
	// boxes (original-page pixels) and confidences (0..1).
	Lines []ocr.Line `json:"lines"`
}

// PageWordsVersion is the version of PageWords written now.
const PageWordsVersion = 1

// storeWords writes text, read on clean (cleaned-page pixels), as the
// original sum's PageWords; text's boxes are mapped to the original.
func storeWords(ctx context.Context, objs *storage.Objects, sum string, text *ocr.Page, clean *preprocess.Page) error {
	pipeline.MapToOriginal(text, clean.ToOriginal)
	lines := text.Lines
	if lines == nil {
		lines = []ocr.Line{}
	}
	b, err := json.Marshal(PageWords{Version: PageWordsVersion, Quality: clean.Quality, Lines: lines})
	if err != nil {
		return fmt.Errorf("encode %s: %w", storage.WordsName, err)
	}
	_, err = objs.PutDerived(ctx, sum, storage.WordsName, b, "application/json")
	return err
}

// artefactType is the content type of ArtefactCleaned.
const artefactType = "application/x-sohoa-cleaned-page"

// cleanedPage is the JSON at the end of ArtefactCleaned.
type cleanedPage struct {
	Version        int                   `json:"version"`
	Width          int                   `json:"width"` // cleaned page
	Height         int                   `json:"height"`
	OriginalWidth  int                   `json:"original_width"`
	OriginalHeight int                   `json:"original_height"`
	ToOriginal     preprocess.Affine     `json:"to_original"`
	Quality        preprocess.Quality    `json:"quality"`
	Checkboxes     []preprocess.Checkbox `json:"checkboxes"`
	// BinaryBytes and GrayBytes are the lengths of the two S2 blocks at
	// the start of the object, in that order.
	BinaryBytes int `json:"binary_bytes"`
	GrayBytes   int `json:"gray_bytes"`
}

// cleanedPageVersion 3: one object (2: three, the images as raw S2; 1:
// PNG). A page cleaned under another version reads as missing, and the
// OCR task cleans the original again.
const cleanedPageVersion = 3

// maxArtefactBytes bounds what loadCleaned reads.
const maxArtefactBytes = 1 << 30

// storeCleaned writes the cleaned page as the original sum's
// ArtefactCleaned, compressing the images into a slice of bufs.
func storeCleaned(ctx context.Context, objs *storage.Objects, bufs *buffers, sum string, p *preprocess.Page, origW, origH int) error {
	nb, ng := int(p.Binary.Total()), int(p.Gray.Total())
	buf := bufs.get(s2.MaxEncodedLen(nb) + s2.MaxEncodedLen(ng) + 64<<10)
	defer func() { bufs.put(buf) }()
	bin, err := encodeGray(buf, p.Binary)
	if err != nil {
		return fmt.Errorf("encode binary page: %w", err)
	}
	gray, err := encodeGray(buf[len(bin):], p.Gray)
	if err != nil {
		return fmt.Errorf("encode grey page: %w", err)
	}
	meta, err := json.Marshal(cleanedPage{
		Version: cleanedPageVersion,
		Width:   p.Binary.Cols(), Height: p.Binary.Rows(),
		OriginalWidth: origW, OriginalHeight: origH,
		ToOriginal: p.ToOriginal, Quality: p.Quality, Checkboxes: p.Checkboxes,
		BinaryBytes: len(bin), GrayBytes: len(gray),
	})
	if err != nil {
		return fmt.Errorf("encode cleaned page: %w", err)
	}
	if &bin[0] != &buf[0] || &gray[0] != &buf[len(bin)] {
		// s2 encodes into dst when it is large enough, as buf is; never taken
		buf = append(append(buf[:0], bin...), gray...)
	}
	data := append(buf[:len(bin)+len(gray)], meta...)
	data = binary.BigEndian.AppendUint32(data, uint32(len(meta)))
	buf = data                                                              // lent back, grown or not
	_, err = objs.PutDerived(ctx, sum, ArtefactCleaned, data, artefactType) // done with data when it returns
	return err
}

// loadCleaned rebuilds the cleaned page stored for the original sum,
// reading it through a slice of bufs. The caller closes it. A page not
// stored, or stored under another version, gives storage.ErrNotFound.
func loadCleaned(ctx context.Context, objs *storage.Objects, bufs *buffers, sum string) (*preprocess.Page, error) {
	buf := bufs.get(0)
	data, _, err := objs.ReadAll(ctx, storage.DerivedKey(sum, ArtefactCleaned), maxArtefactBytes, buf)
	if err != nil {
		bufs.put(buf)
		return nil, err
	}
	defer bufs.put(data)
	meta, bin, gray, err := splitCleaned(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ArtefactCleaned, err)
	}
	page := &preprocess.Page{ToOriginal: meta.ToOriginal, Quality: meta.Quality, Checkboxes: meta.Checkboxes}
	if page.Binary, err = decodeGray(bin, meta.Width, meta.Height); err != nil { // copies into the Mat
		return nil, fmt.Errorf("%s: binary page: %w", ArtefactCleaned, err)
	}
	if page.Gray, err = decodeGray(gray, meta.Width, meta.Height); err != nil {
		page.Close()
		return nil, fmt.Errorf("%s: grey page: %w", ArtefactCleaned, err)
	}
	return page, nil
}

// splitCleaned parses an ArtefactCleaned object into its JSON and its two
// S2 blocks. Another version gives storage.ErrNotFound.
func splitCleaned(data []byte) (meta cleanedPage, bin, gray []byte, err error) {
	if len(data) < 4 {
		return meta, nil, nil, fmt.Errorf("%d bytes, too short", len(data))
	}
	n := int(binary.BigEndian.Uint32(data[len(data)-4:]))
	end := len(data) - 4
	if n <= 0 || n > end {
		return meta, nil, nil, fmt.Errorf("JSON of %d bytes in %d", n, len(data))
	}
	if err := json.Unmarshal(data[end-n:end], &meta); err != nil {
		return meta, nil, nil, fmt.Errorf("JSON: %w", err)
	}
	if meta.Version != cleanedPageVersion {
		return meta, nil, nil, fmt.Errorf("%w: version %d", storage.ErrNotFound, meta.Version)
	}
	if meta.BinaryBytes < 0 || meta.GrayBytes < 0 || meta.BinaryBytes+meta.GrayBytes != end-n {
		return meta, nil, nil, fmt.Errorf("blocks of %d and %d bytes before a JSON at %d", meta.BinaryBytes, meta.GrayBytes, end-n)
	}
	return meta, data[:meta.BinaryBytes], data[meta.BinaryBytes : end-n], nil
}

// encodeGray compresses an 8-bit single-channel image's pixels into dst
// when it is large enough (s2.MaxEncodedLen of the pixels), else into a new
// slice.
func encodeGray(dst []byte, m gocv.Mat) ([]byte, error) {
	if m.Empty() || m.Type() != gocv.MatTypeCV8UC1 {
		return nil, errors.New("not a non-empty 8-bit grey image")
	}
	if !m.IsContinuous() {
		c := m.Clone()
		defer c.Close()
		m = c
	}
	px, err := m.DataPtrUint8()
	if err != nil {
		return nil, err
	}
	return s2.Encode(dst, px), nil
}

// buffers lends the byte slices the cleaned images are compressed into
// and read back through. A 300 dpi page takes some 10 MB for each; fresh
// slices cost the worker their zeroing and the kernel its page faults, for
// every page (2.5 % of a worker's CPU in a profile), where a few slices,
// lent again and again, cost nothing after the first pages.
type buffers struct{ pool sync.Pool }

// get returns a slice of length n (at least 0), lent or new.
func (b *buffers) get(n int) []byte {
	n = max(n, 0)
	if p, ok := b.pool.Get().(*[]byte); ok && cap(*p) >= n {
		return (*p)[:n]
	}
	return make([]byte, n)
}

// put gives s back for later gets; the caller no longer uses it.
func (b *buffers) put(s []byte) {
	if cap(s) > 0 {
		b.pool.Put(&s)
	}
}

// decodeGray is the inverse of encodeGray for a w × h image: it decodes
// straight into a new Mat's memory (no Go buffer, no copy after).
func decodeGray(data []byte, w, h int) (gocv.Mat, error) {
	n, err := s2.DecodedLen(data)
	if err != nil {
		return gocv.Mat{}, fmt.Errorf("not an S2 block: %w", err)
	}
	if w <= 0 || h <= 0 || n != w*h {
		return gocv.Mat{}, fmt.Errorf("holds %d pixels, want the %dx%d of its JSON", n, w, h)
	}
	m := gocv.NewMatWithSize(h, w, gocv.MatTypeCV8UC1)
	px, err := m.DataPtrUint8()
	if err != nil {
		m.Close()
		return gocv.Mat{}, err
	}
	out, err := s2.Decode(px, data)
	if err != nil {
		m.Close()
		return gocv.Mat{}, fmt.Errorf("corrupt S2 block: %w", err)
	}
	if len(out) != len(px) || &out[0] != &px[0] {
		copy(px, out) // s2 decodes into dst when it is large enough; never taken
	}
	return m, nil
}

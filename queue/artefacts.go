package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/klauspost/compress/s2"
	"gocv.io/x/gocv"

	"github.com/sohoa/sohoa/preprocess"
	"github.com/sohoa/sohoa/storage"
)

// Names of the cleanup stage's derived objects (storage.DerivedKey of the
// page's SHA-256): the binary page OCR reads, the enhanced grey page
// low-confidence fields are re-read from, and the JSON that maps them back
// to the original and gives their size.
//
// The images are their raw 8-bit pixels, row by row, compressed as one S2
// block (github.com/klauspost/compress/s2), not PNG: they are only ever read
// back by the next task, and on a 2,500 × 3,500 page PNG's deflate cost
// several times S2's to write and to read (BenchmarkCleanedArtefacts),
// which `sohoa scan` never pays. S2 keeps the binary page small (long runs)
// and the grey page about 1.5 times its PNG size.
const (
	ArtefactBinary = "clean/binary.u8.s2"
	ArtefactGray   = "clean/gray.u8.s2"
	ArtefactPage   = "clean/page.json"
)

// artefactType is the content type of the image artefacts.
const artefactType = "application/x-sohoa-u8-s2"

// cleanedPage is the JSON stored as ArtefactPage. It is written after the
// two images, so its presence means the set is complete.
type cleanedPage struct {
	Version        int                   `json:"version"`
	Width          int                   `json:"width"` // cleaned page
	Height         int                   `json:"height"`
	OriginalWidth  int                   `json:"original_width"`
	OriginalHeight int                   `json:"original_height"`
	ToOriginal     preprocess.Affine     `json:"to_original"`
	Quality        preprocess.Quality    `json:"quality"`
	Checkboxes     []preprocess.Checkbox `json:"checkboxes"`
}

// cleanedPageVersion 2: images as raw S2 (1 was PNG). A set of another
// version reads as missing, and the OCR task cleans the original again.
const cleanedPageVersion = 2

// maxArtefactBytes bounds what loadCleaned reads per object.
const maxArtefactBytes = 1 << 30

// storeCleaned writes the cleaned page's artefacts for the original sum,
// compressing the images into slices of bufs.
func storeCleaned(ctx context.Context, objs *storage.Objects, bufs *buffers, sum string, p *preprocess.Page, origW, origH int) error {
	for _, a := range []struct {
		name string
		mat  gocv.Mat
	}{{ArtefactBinary, p.Binary}, {ArtefactGray, p.Gray}} {
		dst := bufs.get(s2.MaxEncodedLen(int(a.mat.Total())))
		data, err := encodeGray(dst, a.mat)
		if err != nil {
			bufs.put(dst)
			return fmt.Errorf("encode %s: %w", a.name, err)
		}
		_, err = objs.PutDerived(ctx, sum, a.name, data, artefactType) // done with data when it returns
		bufs.put(dst)
		if err != nil {
			return err
		}
	}
	meta, err := json.Marshal(cleanedPage{
		Version: cleanedPageVersion,
		Width:   p.Binary.Cols(), Height: p.Binary.Rows(),
		OriginalWidth: origW, OriginalHeight: origH,
		ToOriginal: p.ToOriginal, Quality: p.Quality, Checkboxes: p.Checkboxes,
	})
	if err != nil {
		return fmt.Errorf("encode %s: %w", ArtefactPage, err)
	}
	_, err = objs.PutDerived(ctx, sum, ArtefactPage, meta, "application/json")
	return err
}

// loadCleaned rebuilds the cleaned page stored for the original sum,
// reading the images through slices of bufs. The caller closes it. A
// missing artefact gives storage.ErrNotFound.
func loadCleaned(ctx context.Context, objs *storage.Objects, bufs *buffers, sum string) (*preprocess.Page, error) {
	raw, _, err := objs.ReadAll(ctx, storage.DerivedKey(sum, ArtefactPage), maxArtefactBytes, nil)
	if err != nil {
		return nil, err
	}
	var meta cleanedPage
	if err := json.Unmarshal(raw, &meta); err != nil {
		return nil, fmt.Errorf("%s: %w", ArtefactPage, err)
	}
	if meta.Version != cleanedPageVersion {
		return nil, fmt.Errorf("%w: %s version %d", storage.ErrNotFound, ArtefactPage, meta.Version)
	}
	page := &preprocess.Page{ToOriginal: meta.ToOriginal, Quality: meta.Quality, Checkboxes: meta.Checkboxes}
	for _, a := range []struct {
		name string
		dst  *gocv.Mat
	}{{ArtefactBinary, &page.Binary}, {ArtefactGray, &page.Gray}} {
		buf := bufs.get(0)
		data, _, err := objs.ReadAll(ctx, storage.DerivedKey(sum, a.name), maxArtefactBytes, buf)
		if err != nil {
			bufs.put(buf)
			page.Close()
			return nil, err
		}
		m, err := decodeGray(data, meta.Width, meta.Height) // copies into the Mat
		bufs.put(data)
		if err != nil {
			page.Close()
			return nil, fmt.Errorf("%s: %w", a.name, err)
		}
		*a.dst = m
	}
	return page, nil
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
		return gocv.Mat{}, fmt.Errorf("holds %d pixels, want the %dx%d of %s", n, w, h, ArtefactPage)
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

package queue

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

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

// storeCleaned writes the cleaned page's artefacts for the original sum.
func storeCleaned(ctx context.Context, objs *storage.Objects, sum string, p *preprocess.Page, origW, origH int) error {
	for _, a := range []struct {
		name string
		mat  gocv.Mat
	}{{ArtefactBinary, p.Binary}, {ArtefactGray, p.Gray}} {
		data, err := encodeGray(a.mat)
		if err != nil {
			return fmt.Errorf("encode %s: %w", a.name, err)
		}
		if _, err := objs.PutDerived(ctx, sum, a.name, data, artefactType); err != nil {
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

// loadCleaned rebuilds the cleaned page stored for the original sum. The
// caller closes it. A missing artefact gives storage.ErrNotFound.
func loadCleaned(ctx context.Context, objs *storage.Objects, sum string) (*preprocess.Page, error) {
	raw, err := readObject(ctx, objs, storage.DerivedKey(sum, ArtefactPage), maxArtefactBytes)
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
		data, err := readObject(ctx, objs, storage.DerivedKey(sum, a.name), maxArtefactBytes)
		if err != nil {
			page.Close()
			return nil, err
		}
		m, err := decodeGray(data, meta.Width, meta.Height)
		if err != nil {
			page.Close()
			return nil, fmt.Errorf("%s: %w", a.name, err)
		}
		*a.dst = m
	}
	return page, nil
}

// readObject reads a whole object of at most limit bytes.
func readObject(ctx context.Context, objs *storage.Objects, key string, limit int64) ([]byte, error) {
	rc, info, err := objs.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	if info.Size > limit {
		return nil, fmt.Errorf("object %s has %d bytes, limit %d: %w", key, info.Size, limit, preprocess.ErrTooLarge)
	}
	var buf bytes.Buffer
	if info.Size > 0 {
		buf.Grow(int(info.Size))
	}
	if _, err := io.Copy(&buf, io.LimitReader(rc, limit+1)); err != nil {
		return nil, fmt.Errorf("read %s: %w", key, err)
	}
	if int64(buf.Len()) > limit {
		return nil, fmt.Errorf("object %s exceeds %d bytes: %w", key, limit, preprocess.ErrTooLarge)
	}
	return buf.Bytes(), nil
}

// encodeGray compresses an 8-bit single-channel image's pixels.
func encodeGray(m gocv.Mat) ([]byte, error) {
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
	return s2.Encode(nil, px), nil
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

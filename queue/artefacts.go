package queue

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"gocv.io/x/gocv"

	"github.com/sohoa/sohoa/preprocess"
	"github.com/sohoa/sohoa/storage"
)

// Names of the cleanup stage's derived objects (storage.DerivedKey of the
// page's SHA-256): the binary page OCR reads, the enhanced grey page
// low-confidence fields are re-read from (both lossless 8-bit PNG), and the
// JSON that maps them back to the original.
const (
	ArtefactBinary = "clean/binary.png"
	ArtefactGray   = "clean/gray.png"
	ArtefactPage   = "clean/page.json"
)

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

const cleanedPageVersion = 1

// maxArtefactBytes bounds what loadCleaned reads per object.
const maxArtefactBytes = 1 << 30

// storeCleaned writes the cleaned page's artefacts for the original sum.
func storeCleaned(ctx context.Context, objs *storage.Objects, sum string, p *preprocess.Page, origW, origH int) error {
	for _, a := range []struct {
		name string
		mat  gocv.Mat
	}{{ArtefactBinary, p.Binary}, {ArtefactGray, p.Gray}} {
		data, err := encodePNG(a.mat)
		if err != nil {
			return fmt.Errorf("encode %s: %w", a.name, err)
		}
		if _, err := objs.PutDerived(ctx, sum, a.name, data, "image/png"); err != nil {
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
		m, err := gocv.IMDecode(data, gocv.IMReadUnchanged)
		if err != nil || m.Empty() || m.Type() != gocv.MatTypeCV8UC1 || m.Cols() != meta.Width || m.Rows() != meta.Height {
			if err == nil {
				m.Close()
			}
			page.Close()
			return nil, fmt.Errorf("%s: not the %dx%d 8-bit grey PNG %s describes", a.name, meta.Width, meta.Height, ArtefactPage)
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

func encodePNG(m gocv.Mat) ([]byte, error) {
	if m.Empty() {
		return nil, errors.New("empty image")
	}
	buf, err := gocv.IMEncodeWithParams(gocv.PNGFileExt, m, []int{gocv.IMWritePngCompression, 1})
	if err != nil {
		return nil, err
	}
	defer buf.Close()
	return bytes.Clone(buf.GetBytes()), nil
}

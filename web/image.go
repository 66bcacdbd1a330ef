package web

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"

	_ "golang.org/x/image/tiff" // page originals may be TIFF

	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/storage"
)

// pageCache keeps the last few decoded page images: a person looks at one
// page's crops one after the other.
type pageCache struct {
	mu    sync.Mutex
	max   int
	order []string
	imgs  map[string]image.Image
}

func newPageCache(max int) *pageCache {
	return &pageCache{max: max, imgs: map[string]image.Image{}}
}

func (c *pageCache) get(key string) (image.Image, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	img, ok := c.imgs[key]
	return img, ok
}

func (c *pageCache) put(key string, img image.Image) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.imgs[key]; ok {
		return
	}
	if len(c.order) >= c.max {
		delete(c.imgs, c.order[0])
		c.order = c.order[1:]
	}
	c.order = append(c.order, key)
	c.imgs[key] = img
}

// original opens the page's original from the object store.
func (h *Handler) original(ctx context.Context, rec storage.Record) (io.ReadCloser, storage.ObjectInfo, error) {
	p, err := h.store.GetPage(ctx, rec.PageID)
	if err != nil {
		return nil, storage.ObjectInfo{}, err
	}
	return h.objects.Get(ctx, p.ObjectKey)
}

// decodedPage returns the decoded original of rec's page.
func (h *Handler) decodedPage(ctx context.Context, rec storage.Record) (image.Image, error) {
	if img, ok := h.pages.get(rec.PageID); ok {
		return img, nil
	}
	rc, _, err := h.original(ctx, rec)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	img, _, err := image.Decode(rc)
	if err != nil {
		return nil, fmt.Errorf("decode page %s: %w", rec.PageID, err)
	}
	h.pages.put(rec.PageID, img)
	return img, nil
}

// pageImage serves the page's original through the app: JPEG and PNG as
// stored, other formats (TIFF) converted to JPEG for the browser.
func (h *Handler) pageImage(w http.ResponseWriter, r *http.Request) {
	_, rec, ok := h.claimedItem(w, r)
	if !ok {
		return
	}
	rc, info, err := h.original(r.Context(), rec)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	defer rc.Close()
	w.Header().Set("Cache-Control", "private, max-age=3600")
	br := bufio.NewReaderSize(rc, 512)
	head, _ := br.Peek(512)
	if ct := http.DetectContentType(head); ct == "image/jpeg" || ct == "image/png" {
		w.Header().Set("Content-Type", ct)
		if info.Size > 0 {
			w.Header().Set("Content-Length", strconv.FormatInt(info.Size, 10))
		}
		_, _ = io.Copy(w, br)
		return
	}
	img, err := h.decodedPage(r.Context(), rec)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		h.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	_, _ = w.Write(buf.Bytes())
}

// crop serves the zoomed crop around a field's box (?field=KEY) as PNG,
// for browsers that run no scripts: the review page's script cuts the
// crops from the page scan the browser has loaded, since each crop cut
// here decodes the whole scan (about 100 ms of CPU for a 300 dpi page), a
// cost that 50 verifiers at work would multiply past what the machine has.
func (h *Handler) crop(w http.ResponseWriter, r *http.Request) {
	it, rec, ok := h.claimedItem(w, r)
	if !ok {
		return
	}
	key := r.URL.Query().Get("field")
	f, found := rec.Fields[key]
	if !found || !inItem(it, rec, key) || f.BBox == (models.BBox{}) {
		h.fail(w, r, http.StatusNotFound, "Trường này không có vùng ảnh.")
		return
	}
	img, err := h.decodedPage(r.Context(), rec)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	rect, ok := cropRect(f.BBox, img.Bounds())
	if !ok {
		h.fail(w, r, http.StatusNotFound, "Vùng ảnh của trường nằm ngoài trang.")
		return
	}
	sub, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	})
	if !ok {
		h.serverError(w, r, fmt.Errorf("image %T cannot be cropped", img))
		return
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, sub.SubImage(rect)); err != nil {
		h.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "private, max-age=3600")
	_, _ = w.Write(buf.Bytes())
}

// cropBox is the box widened by a margin (half its height around, at
// least 8 pixels), in page pixels, not clipped.
func cropBox(b models.BBox) image.Rectangle {
	r := image.Rect(b[0], b[1], b[2], b[3]) // Rect orders the corners
	m := max(r.Dy()/2, 8)
	return r.Inset(-m)
}

// cropRect is cropBox clipped to the page; ok is false when nothing of it
// is on the page.
func cropRect(b models.BBox, bounds image.Rectangle) (image.Rectangle, bool) {
	r := cropBox(b).Add(bounds.Min).Intersect(bounds)
	return r, !r.Empty()
}

// inItem reports whether key is a field the item shows.
func inItem(it storage.ReviewItem, rec storage.Record, key string) bool {
	if len(it.Keys) == 0 {
		_, ok := rec.Fields[key]
		return ok
	}
	return slices.Contains(it.Keys, key)
}

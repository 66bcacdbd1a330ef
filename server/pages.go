package server

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sohoa/sohoa/storage"
)

// maxSourceLen bounds the name a page is uploaded under, in bytes.
const maxSourceLen = 1024

// uploadPage serves POST /v1/batches/{id}/pages: the body is the image,
// X-Content-SHA256 its hex SHA-256 and X-Filename (percent-encoded UTF-8)
// the name it is recorded under.
func (s *Server) uploadPage(w http.ResponseWriter, r *http.Request) (err error) {
	defer func() { s.countRefusal(err) }()
	b, err := s.batchFor(r)
	if err != nil {
		return err
	}
	want, err := parseSHA256(r.Header.Get("X-Content-SHA256"))
	if err != nil {
		return err
	}
	source := cleanSource(r.Header.Get("X-Filename"))
	if r.ContentLength > s.maxUpload {
		return refuse(http.StatusRequestEntityTooLarge, reasonTooLarge,
			"the image has %d bytes, more than the limit of %d; nothing was stored", r.ContentLength, s.maxUpload)
	}
	sp, err := spool(http.MaxBytesReader(w, r.Body, s.maxUpload), s.tempDir, s.maxUpload)
	var re *readError
	if errors.As(err, &re) {
		return badRequest("the body could not be read: %v", re.err)
	}
	if err != nil {
		return err
	}
	defer sp.remove()
	if sp.sum != want {
		return refuse(http.StatusUnprocessableEntity, reasonChecksumMismatch,
			"checksum mismatch: the body's SHA-256 is %s, not %s as X-Content-SHA256 says (%d bytes received); nothing was stored",
			sp.sum, want, sp.size)
	}
	info, err := checkImage(sp.f, sp.size, s.maxPixels)
	if err != nil {
		return err
	}
	if existing, err := s.store.GetPageBySHA256(r.Context(), want); err == nil {
		return s.writeDuplicate(w, existing)
	} else if !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	if _, _, err := s.objects.PutOriginal(r.Context(), sp.reader(), sp.size, want,
		storage.PutOriginalOptions{ContentType: info.contentType()}); err != nil {
		if errors.Is(err, storage.ErrChecksumMismatch) {
			return refuse(http.StatusUnprocessableEntity, reasonChecksumMismatch,
				"checksum mismatch: the object store refused the bytes as not having SHA-256 %s", want)
		}
		return err
	}
	return s.addPage(w, r.Context(), b, want, source, sp)
}

// addPage records an original that is in the object store as a page of b,
// with its dHash, and enqueues its cleanup. An image the server has already
// is answered as a duplicate and not enqueued again.
func (s *Server) addPage(w http.ResponseWriter, ctx context.Context, b storage.Batch, sum, source string, sp *spooled) error {
	np := storage.NewPage{BatchID: b.ID, ObjectKey: storage.OriginalKey(sum), Source: source, SHA256: sum}
	if s.nearDistance >= 0 {
		if h, err := s.dHash(ctx, sp.f.Name()); err != nil {
			// The cleanup stage decodes the page fully and fails it with
			// a reason if it is broken; near-duplicate flagging is a hint.
			s.log.Warn("page dhash", "batch_id", b.ID, "sha256", sum, "err", err)
		} else {
			np.DHash = &h
		}
	}
	p, err := s.store.AddPage(ctx, np)
	var dup *storage.DuplicateError
	if errors.As(err, &dup) {
		return s.writeDuplicate(w, dup.Existing)
	}
	if err != nil {
		return err
	}
	res := UploadResult{Page: pageJSON(p), SimilarTo: []SimilarPage{}}
	if p.DHash != nil {
		similar, err := s.store.SimilarPages(ctx, p.ID, s.nearDistance)
		if err != nil {
			return err
		}
		for _, sp := range similar {
			res.SimilarTo = append(res.SimilarTo, SimilarPage{PageID: sp.ID, BatchID: sp.BatchID, Source: sp.Source, Distance: sp.Distance})
		}
	}
	if s.enqueuer != nil {
		if err := s.enqueuer.EnqueuePage(ctx, p.ID, priorityOf(b.Priority).QueueClass()); err != nil {
			// The page is safe in PostgreSQL in state uploaded: the
			// reconciler enqueues it again.
			s.log.Warn("enqueue page", "page_id", p.ID, "err", err)
		} else {
			res.Queued = true
		}
	}
	s.metrics.uploads.WithLabelValues("accepted", "").Inc()
	if len(res.SimilarTo) > 0 {
		s.metrics.uploads.WithLabelValues("near_duplicate", "").Inc()
	}
	writeJSON(w, http.StatusCreated, res)
	return nil
}

// dHash computes the page's dHash, at most s.hashSlots at a time.
func (s *Server) dHash(ctx context.Context, path string) (uint64, error) {
	select {
	case s.hashSlots <- struct{}{}:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	defer func() { <-s.hashSlots }()
	return dHash(path)
}

// writeDuplicate answers an upload of an image the server has already.
func (s *Server) writeDuplicate(w http.ResponseWriter, existing storage.Page) error {
	s.metrics.uploads.WithLabelValues("duplicate", "").Inc()
	writeJSON(w, http.StatusOK, UploadResult{Page: pageJSON(existing), Duplicate: true, SimilarTo: []SimilarPage{}})
	return nil
}

// countRefusal counts a refused upload by its reason.
func (s *Server) countRefusal(err error) {
	var e *apiError
	if errors.As(err, &e) && e.upload {
		s.metrics.uploads.WithLabelValues("refused", e.Code).Inc()
	}
}

// parseSHA256 checks a hex SHA-256 (either case) and returns it in lower
// case, as storage keeps it.
func parseSHA256(v string) (string, error) {
	v = strings.ToLower(strings.TrimSpace(v))
	if v == "" {
		return "", refuse(http.StatusBadRequest, reasonBadChecksum,
			"the X-Content-SHA256 header is required: the hex SHA-256 of the image")
	}
	if len(v) != 64 || strings.Trim(v, "0123456789abcdef") != "" {
		return "", refuse(http.StatusBadRequest, reasonBadChecksum,
			"sha256 %q is not 64 hexadecimal digits", truncate(v, 80))
	}
	return v, nil
}

// cleanSource decodes a percent-encoded file name and drops control
// characters; names longer than maxSourceLen bytes are cut.
func cleanSource(v string) string {
	if u, err := url.PathUnescape(v); err == nil {
		v = u
	}
	v = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return -1
		}
		return r
	}, strings.ToValidUTF8(v, ""))
	return truncate(strings.TrimSpace(v), maxSourceLen)
}

// truncate cuts s to at most n bytes without splitting a character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func (s *Server) getPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.pathPage(r)
	if err != nil {
		return err
	}
	if err := s.checkPageAccess(r.Context(), p); err != nil {
		return err
	}
	twins, err := s.store.PagesWithSameEntries(r.Context(), p.ID)
	if err != nil {
		return err
	}
	out := PageDetail{Page: pageJSON(p)}
	out.SameEntries, err = s.visibleTwins(r.Context(), map[string]bool{p.BatchID: true}, []EntryTwin{}, twins)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// visibleTwins appends to out the twins the request's token may see: all
// of them, but for a scanner only those in batches it created, so that a
// station does not learn other stations' file names. owned holds what is
// known of batches' ownership (the request's own batch to start with) and
// is filled in as batches are looked up.
func (s *Server) visibleTwins(ctx context.Context, owned map[string]bool, out []EntryTwin, twins []storage.EntryTwin) ([]EntryTwin, error) {
	t, _ := tokenFrom(ctx)
	for _, tw := range twins {
		if t.Role == storage.RoleScanner {
			mine, seen := owned[tw.BatchID]
			if !seen {
				b, err := s.store.GetBatch(ctx, tw.BatchID)
				if err != nil {
					return nil, err
				}
				mine = ownsBatch(ctx, b)
				owned[tw.BatchID] = mine
			}
			if !mine {
				continue
			}
		}
		out = append(out, EntryTwin(tw))
	}
	return out, nil
}

// batchSameEntries serves GET /v1/batches/{id}/same-entries: the batch's
// pages that hold records of the same book and entry numbers as other
// pages (see PageDetail.SameEntries), in upload order: what a station
// scanned twice, known once the pages are extracted.
func (s *Server) batchSameEntries(w http.ResponseWriter, r *http.Request) error {
	b, err := s.batchFor(r)
	if err != nil {
		return err
	}
	pages, err := s.store.BatchPagesWithSameEntries(r.Context(), b.ID)
	if err != nil {
		return err
	}
	owned := map[string]bool{b.ID: true}
	out := BatchSameEntries{BatchID: b.ID, Pages: []PageSameEntries{}}
	for _, p := range pages {
		twins, err := s.visibleTwins(r.Context(), owned, nil, p.Twins)
		if err != nil {
			return err
		}
		if len(twins) > 0 {
			out.Pages = append(out.Pages, PageSameEntries{PageID: p.PageID, Source: p.Source, SameEntries: twins})
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// pathPage is the page named by the request's {id}; 404 when there is
// none.
func (s *Server) pathPage(r *http.Request) (storage.Page, error) {
	p, err := s.store.GetPage(r.Context(), r.PathValue("id"))
	if errors.Is(err, storage.ErrNotFound) {
		return p, notFoundf("no page %q", r.PathValue("id"))
	}
	return p, err
}

// checkPageAccess refuses a scanner a page of another station's batch.
func (s *Server) checkPageAccess(ctx context.Context, p storage.Page) error {
	if t, _ := tokenFrom(ctx); t.Role != storage.RoleScanner {
		return nil
	}
	b, err := s.store.GetBatch(ctx, p.BatchID)
	if err != nil {
		return err
	}
	if !ownsBatch(ctx, b) {
		return errorf(http.StatusForbidden, codeForbidden, "page %s belongs to a batch created by another scanner token", p.ID)
	}
	return nil
}

// findPage serves GET (and HEAD) /v1/pages?sha256=…: the page whose
// original has that SHA-256, or 404. Uploaders ask it before sending a
// file, to skip what the server has. Any role may ask, a scanner about any
// batch: it has the image already, and an upload of it would answer the
// same page as a duplicate.
func (s *Server) findPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query().Get("sha256")
	if q == "" {
		return badRequest("the sha256 query parameter is required")
	}
	sum, err := parseSHA256(q)
	if err != nil {
		return badRequest("%s", err.Error())
	}
	p, err := s.store.GetPageBySHA256(r.Context(), sum)
	if errors.Is(err, storage.ErrNotFound) {
		return notFoundf("no page with sha256 %s", sum)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageJSON(p))
	return nil
}

// maxWordsBytes bounds the words document read for GET
// /v1/pages/{id}/words (a dense page's is about 100 KB).
const maxWordsBytes = 64 << 20

// pageWords serves GET /v1/pages/{id}/words: what the OCR stage read on
// the page, as the JSON the worker stored (queue.PageWords,
// storage.WordsName): lines and words with boxes in original-page pixels
// and confidences. A page not read yet answers 404 naming its state.
func (s *Server) pageWords(w http.ResponseWriter, r *http.Request) error {
	p, err := s.pathPage(r)
	if err != nil {
		return err
	}
	// Read whole (and its checksum verified) before anything is sent.
	data, _, err := s.objects.ReadAll(r.Context(), storage.DerivedKey(p.SHA256, storage.WordsName), maxWordsBytes, nil)
	if errors.Is(err, storage.ErrNotFound) {
		return notFoundf("page %s has no words yet: it is %s", p.ID, p.State)
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
	return nil
}

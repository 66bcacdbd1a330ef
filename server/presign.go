package server

import (
	"errors"
	"net/http"
	"time"

	"github.com/sohoa/sohoa/storage"
)

// presignUpload serves POST /v1/batches/{id}/uploads: a presigned PUT URL
// through which the client sends the image straight to the object store.
// The store refuses bytes whose SHA-256 is not the declared one.
func (s *Server) presignUpload(w http.ResponseWriter, r *http.Request) (err error) {
	defer func() { s.countRefusal(err) }()
	b, err := s.batchFor(r)
	if err != nil {
		return err
	}
	var req UploadRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		return err
	}
	sum, err := parseSHA256(req.SHA256)
	if err != nil {
		return err
	}
	switch {
	case req.Size <= 0:
		return badRequest("size %d: want the image's size in bytes", req.Size)
	case req.Size > s.maxUpload:
		return refuse(http.StatusRequestEntityTooLarge, reasonTooLarge,
			"the image has %d bytes, more than the limit of %d", req.Size, s.maxUpload)
	}
	if existing, err := s.store.GetPageBySHA256(r.Context(), sum); err == nil {
		s.metrics.uploads.WithLabelValues("duplicate", "").Inc()
		p := pageJSON(existing)
		writeJSON(w, http.StatusOK, UploadTicket{Duplicate: true, Page: &p})
		return nil
	} else if !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	expires := time.Now().Add(s.presignExpiry).UTC()
	u, h, err := s.objects.PresignedPutOriginal(r.Context(), sum, s.presignExpiry)
	if err != nil {
		return err
	}
	headers := map[string]string{}
	for k := range h {
		headers[k] = h.Get(k)
	}
	s.log.Debug("presigned upload", "batch_id", b.ID, "sha256", sum)
	writeJSON(w, http.StatusOK, UploadTicket{URL: u.String(), Method: http.MethodPut, Headers: headers, ExpiresAt: expires})
	return nil
}

// completeUpload serves POST /v1/batches/{id}/uploads/complete: the image
// sent through a presigned URL is read back from the object store, checked
// like a direct upload (SHA-256, image header, size), and becomes a page.
func (s *Server) completeUpload(w http.ResponseWriter, r *http.Request) (err error) {
	defer func() { s.countRefusal(err) }()
	b, err := s.batchFor(r)
	if err != nil {
		return err
	}
	var req CompleteUpload
	if err := s.decodeJSON(w, r, &req); err != nil {
		return err
	}
	sum, err := parseSHA256(req.SHA256)
	if err != nil {
		return err
	}
	source := cleanSource(req.Filename)
	if existing, err := s.store.GetPageBySHA256(r.Context(), sum); err == nil {
		return s.writeDuplicate(w, existing)
	} else if !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	key := storage.OriginalKey(sum)
	rc, info, err := s.objects.Get(r.Context(), key)
	if errors.Is(err, storage.ErrNotFound) {
		return refuse(http.StatusConflict, reasonNotUploaded,
			"nothing was uploaded for sha256 %s: PUT the image to the presigned URL first", sum)
	}
	if err != nil {
		return err
	}
	defer rc.Close()
	if info.Size > s.maxUpload {
		return refuse(http.StatusRequestEntityTooLarge, reasonTooLarge,
			"the uploaded image has %d bytes, more than the limit of %d; it is not processed", info.Size, s.maxUpload)
	}
	// Reading the object to its end makes the store check its recorded
	// SHA-256; hashing it here checks it against the declared one.
	sp, err := spool(rc, s.tempDir, s.maxUpload)
	if errors.Is(err, storage.ErrChecksumMismatch) || (err == nil && sp.sum != sum) {
		if sp != nil {
			sp.remove()
		}
		return refuse(http.StatusUnprocessableEntity, reasonChecksumMismatch,
			"checksum mismatch: the object stored for sha256 %s has other bytes; it is not processed", sum)
	}
	if err != nil {
		return err
	}
	defer sp.remove()
	if _, err := checkImage(sp.f, sp.size, s.maxPixels); err != nil {
		return err
	}
	return s.addPage(w, r.Context(), b, sum, source, sp)
}

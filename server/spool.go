package server

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
)

// spooled is an upload copied to a temporary file while its SHA-256 was
// computed, so that nothing reaches the object store or the database before
// the bytes are checked.
type spooled struct {
	f    *os.File
	size int64
	sum  string // hex SHA-256
}

// spool copies at most limit bytes of r to a temporary file in dir. A body
// longer than limit is a 413 refusal.
func spool(r io.Reader, dir string, limit int64) (*spooled, error) {
	f, err := os.CreateTemp(dir, "sohoa-upload-*")
	if err != nil {
		return nil, fmt.Errorf("spool upload: %w", err)
	}
	sp := &spooled{f: f}
	h := sha256.New()
	src := &readErr{r: io.LimitReader(r, limit+1)}
	n, err := io.Copy(io.MultiWriter(f, h), src)
	var mbe *http.MaxBytesError
	switch {
	case errors.As(src.err, &mbe) || (err == nil && n > limit):
		sp.remove()
		return nil, refuse(http.StatusRequestEntityTooLarge, reasonTooLarge,
			"the image is larger than the limit of %d bytes; nothing was stored", limit)
	case src.err != nil:
		sp.remove()
		return nil, &readError{err: src.err}
	case err != nil:
		sp.remove()
		return nil, fmt.Errorf("spool upload: %w", err)
	}
	sp.size = n
	sp.sum = hex.EncodeToString(h.Sum(nil))
	return sp, nil
}

// reader returns a reader of the whole spooled file.
func (sp *spooled) reader() io.Reader { return io.NewSectionReader(sp.f, 0, sp.size) }

// remove closes and deletes the temporary file.
func (sp *spooled) remove() {
	sp.f.Close()
	os.Remove(sp.f.Name())
}

// readErr remembers the error of its reader, to tell a broken upload from a
// local write failure.
type readErr struct {
	r   io.Reader
	err error
}

func (e *readErr) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF {
		e.err = err
	}
	return n, err
}

// readError: the source of a spool failed (a client that went away, an
// object store that broke off).
type readError struct{ err error }

func (e *readError) Error() string { return "read upload: " + e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

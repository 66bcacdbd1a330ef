package storage

import (
	"errors"
	"fmt"
)

// Sentinel errors. Errors returned by this package wrap one of them where
// the cause is one of these conditions; test with errors.Is.
var (
	// ErrNotFound: the batch, page, record, token or object does not exist.
	ErrNotFound = errors.New("storage: not found")
	// ErrDuplicate: the thing being added exists already (a page with the
	// same SHA-256).
	ErrDuplicate = errors.New("storage: duplicate")
	// ErrConflict: the row is not in the state the caller expected (a page
	// moved by someone else, a record id owned by another page).
	ErrConflict = errors.New("storage: conflict")
	// ErrUnauthorized: the token secret is unknown or revoked.
	ErrUnauthorized = errors.New("storage: unauthorized")
	// ErrInvalid: an argument is malformed (bad id, hash, state, role…).
	ErrInvalid = errors.New("storage: invalid argument")
	// ErrChecksumMismatch: uploaded bytes do not have the SHA-256 given.
	ErrChecksumMismatch = errors.New("storage: checksum mismatch")
	// ErrTooLarge: an object is larger than the caller's limit.
	ErrTooLarge = errors.New("storage: object too large")
)

// StateError reports that a page was not in the state a transition expected
// (Expected is empty when any state but Actual would have done). It matches
// ErrConflict.
type StateError struct {
	PageID   string
	Expected PageState
	Actual   PageState
}

func (e *StateError) Error() string {
	if e.Expected == "" {
		return fmt.Sprintf("storage: page %s is %s", e.PageID, e.Actual)
	}
	return fmt.Sprintf("storage: page %s is %s, not %s", e.PageID, e.Actual, e.Expected)
}

// Unwrap makes errors.Is(err, ErrConflict) true.
func (e *StateError) Unwrap() error { return ErrConflict }

// DuplicateError reports that a page with the same SHA-256 exists. It
// matches ErrDuplicate; Existing is the page already stored.
type DuplicateError struct {
	Existing Page
}

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("storage: page with sha256 %s exists (page %s, batch %s)",
		e.Existing.SHA256, e.Existing.ID, e.Existing.BatchID)
}

// Unwrap makes errors.Is(err, ErrDuplicate) true.
func (e *DuplicateError) Unwrap() error { return ErrDuplicate }

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

package queue

import (
	"errors"
	"fmt"
)

// Sentinel errors of the package; test with errors.Is.
var (
	// ErrTaskNotFound: no failed (archived) task with that queue and id.
	ErrTaskNotFound = errors.New("queue: task not found")
	// ErrInvalid: an argument is malformed (unknown stage or queue, empty
	// page id, bad option).
	ErrInvalid = errors.New("queue: invalid argument")
	// ErrNoStore: the operation needs a storage.Store the Client was not
	// given.
	ErrNoStore = errors.New("queue: client has no store")
)

// PermanentError marks a failure that retrying cannot fix (the original is
// not a decodable image, is missing, has several pages…): the page is
// failed with Reason and its task archived without retries.
type PermanentError struct {
	Reason string
	Err    error
}

func (e *PermanentError) Error() string {
	if e.Err == nil {
		return e.Reason
	}
	return e.Reason + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *PermanentError) Unwrap() error { return e.Err }

func permanent(err error, format string, args ...any) error {
	return &PermanentError{Reason: fmt.Sprintf(format, args...), Err: err}
}

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

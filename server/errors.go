package server

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/sohoa/sohoa/storage"
)

// ErrTaskNotFound is what a TaskInspector's Retry wraps when the queue has
// no failed task with that id; the API answers 404.
var ErrTaskNotFound = errors.New("server: task not found")

// Error codes of the API's JSON errors ({"error": "...", "code": "..."}).
// Upload refusals use the reason codes below instead.
const (
	codeBadRequest       = "bad_request"
	codeUnauthorized     = "unauthorized"
	codeForbidden        = "forbidden"
	codeNotFound         = "not_found"
	codeMethodNotAllowed = "method_not_allowed"
	codeConflict         = "conflict"
	codeUnsupportedMedia = "unsupported_media_type"
	codeTooLarge         = "too_large"
	codeUnavailable      = "unavailable"
	codeInternal         = "internal"
)

// Reasons an upload is refused: the "code" of the error and the "reason"
// label of the sohoa_uploads_total metric.
const (
	reasonChecksumMismatch = "checksum_mismatch"
	reasonBadChecksum      = "bad_checksum_header"
	reasonNotImage         = "not_an_image"
	reasonBadHeader        = "bad_image_header"
	reasonTooLarge         = "too_large"
	reasonTooManyPixels    = "too_many_pixels"
	reasonEmpty            = "empty"
	reasonNotUploaded      = "not_uploaded"
)

// apiError is an error the client sees as is.
type apiError struct {
	Status  int
	Code    string
	Message string
	// upload is set for upload refusals, which are counted by reason.
	upload bool
}

func (e *apiError) Error() string { return e.Message }

func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// refuse builds the error of a refused upload.
func refuse(status int, reason, format string, args ...any) *apiError {
	e := errorf(status, reason, format, args...)
	e.upload = true
	return e
}

func badRequest(format string, args ...any) *apiError {
	return errorf(http.StatusBadRequest, codeBadRequest, format, args...)
}

func notFoundf(format string, args ...any) *apiError {
	return errorf(http.StatusNotFound, codeNotFound, format, args...)
}

// asAPIError maps an error to what the client sees. Storage sentinels
// become 404/409/400; anything unknown is a 500 whose detail stays in the
// log (internal reports that).
func asAPIError(err error) (e *apiError, internal bool) {
	if errors.As(err, &e) {
		return e, false
	}
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return errorf(http.StatusNotFound, codeNotFound, "not found"), false
	case errors.Is(err, storage.ErrInvalid):
		return errorf(http.StatusBadRequest, codeBadRequest, "%s", trimStoragePrefix(err)), false
	case errors.Is(err, storage.ErrConflict):
		return errorf(http.StatusConflict, codeConflict, "%s", trimStoragePrefix(err)), false
	case errors.Is(err, ErrTaskNotFound):
		return errorf(http.StatusNotFound, codeNotFound, "no failed task with that queue and id"), false
	case errors.Is(err, errNoQueue):
		return errorf(http.StatusServiceUnavailable, codeUnavailable, "the task queue is not configured"), false
	}
	return errorf(http.StatusInternalServerError, codeInternal, "internal error"), true
}

// trimStoragePrefix drops the package prefix of storage messages.
func trimStoragePrefix(err error) string {
	const p = "storage: "
	msg := err.Error()
	if len(msg) > len(p) && msg[:len(p)] == p {
		return msg[len(p):]
	}
	return msg
}

// errNoQueue: a task route was called but no TaskInspector is configured.
var errNoQueue = errors.New("server: no task inspector")

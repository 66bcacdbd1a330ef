package preprocess

import (
	"errors"
	"fmt"
)

// Sentinel errors matched by DecodeError.Is.
var (
	// ErrNotImage: the bytes are not an image in any format we know.
	ErrNotImage = errors.New("not an image")
	// ErrTruncated: the file ends before the image data does.
	ErrTruncated = errors.New("image truncated")
	// ErrTooLarge: the file, a page or the page count exceeds Limits.
	ErrTooLarge = errors.New("image too large")
	// ErrEmpty: the file has no bytes, or the image has no pixels.
	ErrEmpty = errors.New("empty image")
	// ErrUnsupported: a known image format this package does not accept
	// (GIF, BMP, WebP, BigTIFF, PDF, …).
	ErrUnsupported = errors.New("unsupported image format")
	// ErrCorrupt: the header is valid but the pixel data cannot be decoded.
	ErrCorrupt = errors.New("corrupt image data")
)

// DecodeError names the file and what is wrong with it. errors.Is matches
// it against the sentinel in Err.
type DecodeError struct {
	File   string // name given to Decode
	Reason string // human-readable detail, e.g. "PNG header claims 100000x100000 pixels"
	Err    error  // one of the sentinels above
}

// Error implements error.
func (e *DecodeError) Error() string {
	if e.Reason == "" {
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("%s: %v: %s", e.File, e.Err, e.Reason)
}

// Unwrap returns the sentinel.
func (e *DecodeError) Unwrap() error { return e.Err }

// Is reports whether target is the sentinel of e.
func (e *DecodeError) Is(target error) bool { return e.Err == target }

func decodeErr(file string, sentinel error, format string, args ...any) *DecodeError {
	return &DecodeError{File: file, Reason: fmt.Sprintf(format, args...), Err: sentinel}
}

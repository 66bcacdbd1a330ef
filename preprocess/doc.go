// Package preprocess validates and decodes uploaded page images and cleans
// them for OCR.
//
// Decode (and DecodeFile, DecodeEach) accept JPEG, PNG and TIFF, multi-page
// TIFF included. Magic bytes, header dimensions (against Limits) and the
// file's structure (JPEG end marker, PNG chunk chain, TIFF directories and
// strips) are checked before any pixel is decoded; every failure is a
// *DecodeError naming the file, matching ErrNotImage, ErrTruncated,
// ErrTooLarge, ErrEmpty, ErrUnsupported or ErrCorrupt.
//
// Clean turns a page into what Tesseract reads best: illumination
// flattened, faded ink stretched, red stamps and the scanner background
// lightened, deskewed (±15°, measured to about 0.1°) and turned upright
// (90°, 180°, 270°), rescaled so that the x-height is about 24 px, binarised,
// with dotted leaders, ruling lines, specks and tick boxes removed while
// Vietnamese diacritics (the dot under ạ, ệ, ọ included) stay. Page.ToOriginal
// maps cleaned coordinates back to the input; Page.Quality reports what was
// measured and done. On one core Clean takes about 0.1 s for an A4 page at
// 300 dpi.
//
// Every gocv.Mat returned by this package belongs to the caller, who must
// Close it (Page.Close closes both of a page's Mats).
//
// Tests: go test ./preprocess/ (unit and synthetic-page tests),
// go test -tags matprofile ./preprocess/ (Mat leak check),
// go test -tags ocreval -run TestOCREval ./preprocess/ with
// PREPROCESS_OCR_EVAL set (Tesseract page CER on a synth corpus).
package preprocess

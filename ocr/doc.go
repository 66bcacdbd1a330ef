// Package ocr runs Tesseract (through gosseract) on cleaned pages and returns
// words and lines with boxes and confidences.
//
// A Tesseract client is not safe for concurrent use, so each Engine owns one
// client and belongs to one goroutine at a time; a Pool hands engines out to
// workers. Tesseract's own OpenMP threading must be disabled
// (OMP_THREAD_LIMIT=1 in the environment before the process starts): pages
// are processed in parallel instead.
package ocr

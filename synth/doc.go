// Package synth generates a synthetic corpus of Vietnamese civil-status
// register pages (birth, marriage and death; extracts and register-book
// pages) with exact ground truth, to measure OCR page CER and field
// accuracy.
//
// Every page is rendered from TrueType fonts found on the machine (Times-like
// serif faces for most pages, a sans face for some), then degraded to one of
// three scan qualities: clean, scanned or worn. Next to each image Generate
// writes NAME.gt.txt (the printed lines in reading order) and NAME.gt.json
// (a PageTruth: line boxes and the records with their field values, raw
// printed text and boxes), plus a manifest.json listing the pages.
//
// Generation is deterministic: the same Options (seed included) and the same
// fonts give byte-identical files.
//
// Coordinates in the ground truth are pixels of the final image (after
// rotation, scaling and resolution change). SkewDeg is the rotation applied
// to the page content: positive means counter-clockwise as seen on screen
// (the OpenCV getRotationMatrix2D convention); rotating the image clockwise
// by SkewDeg straightens it.
package synth

// The project's bundled sample pages (../testdata/samples) are this
// generator's output with seed 1:
//
//go:generate go test -run TestWriteCorpus -synth.out ../testdata/samples -synth.pages 6

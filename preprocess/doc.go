// Package preprocess validates and decodes uploaded page images and cleans
// them for OCR: illumination flattening, contrast enhancement for faded ink,
// deskew and 90°/180° orientation, removal of dotted leader lines, ruling
// lines and specks, binarisation and resolution normalisation.
//
// Every gocv.Mat returned by this package belongs to the caller, who must
// Close it (Page.Close closes both of a page's Mats).
package preprocess

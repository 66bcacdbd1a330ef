package ocr

import (
	"fmt"
	"strings"

	"gocv.io/x/gocv"
	"golang.org/x/text/unicode/norm"
)

// encodePGM serialises an 8-bit single-channel Mat as a binary PGM, which
// Leptonica reads without any decompression work. Colour images are
// converted to grey first.
func encodePGM(img gocv.Mat) ([]byte, error) {
	src := img
	if img.Channels() != 1 {
		grey := gocv.NewMat()
		defer grey.Close()
		code := gocv.ColorBGRToGray
		if img.Channels() == 4 {
			code = gocv.ColorBGRAToGray
		}
		gocv.CvtColor(img, &grey, code)
		src = grey
	}
	if src.Type() != gocv.MatTypeCV8UC1 {
		return nil, fmt.Errorf("ocr: unsupported image type %v (want 8-bit)", src.Type())
	}
	w, h := src.Cols(), src.Rows()
	header := fmt.Sprintf("P5\n%d %d\n255\n", w, h)
	out := make([]byte, 0, len(header)+w*h)
	out = append(out, header...)
	if !src.IsContinuous() {
		c := src.Clone()
		defer c.Close()
		src = c
	}
	// DataPtrUint8 views the Mat's own memory: one copy, straight into out.
	pix, err := src.DataPtrUint8()
	if err != nil {
		return nil, fmt.Errorf("ocr: image data: %w", err)
	}
	return append(out, pix...), nil
}

// normalizeWord returns Tesseract's word in NFC with surrounding white
// space removed; Tesseract emits a mix of precomposed and combining marks.
func normalizeWord(s string) string {
	return norm.NFC.String(strings.TrimSpace(s))
}

package ocr

import (
	"encoding/binary"
	"fmt"
	"strings"

	"gocv.io/x/gocv"
	"golang.org/x/text/unicode/norm"
)

// encodeImage serialises an image for Tesseract as an 8-bit grey BMP
// (encodeBMP); colour images are converted to grey first.
func encodeImage(img gocv.Mat) ([]byte, error) {
	if img.Channels() != 1 {
		grey := gocv.NewMat()
		defer grey.Close()
		code := gocv.ColorBGRToGray
		if img.Channels() == 4 {
			code = gocv.ColorBGRAToGray
		}
		gocv.CvtColor(img, &grey, code)
		return encodeBMP(grey)
	}
	return encodeBMP(img)
}

// normalizeWord returns Tesseract's word in NFC with surrounding white
// space removed; Tesseract emits a mix of precomposed and combining marks.
func normalizeWord(s string) string {
	return norm.NFC.String(strings.TrimSpace(s))
}

// encodeBMP serialises an 8-bit single-channel Mat as an uncompressed
// 8-bit BMP with a grey palette, for Leptonica: its BMP reader copies whole
// rows, where its PGM reader reads every pixel with a call of its own
// (181 against 26 ms for a 300 dpi page, BenchmarkSetImage; PGM was 12 %
// of a worker's CPU). No
// resolution is written, as with PGM, so Tesseract sees the same image.
func encodeBMP(src gocv.Mat) ([]byte, error) {
	if src.Type() != gocv.MatTypeCV8UC1 {
		return nil, fmt.Errorf("ocr: unsupported image type %v (want 8-bit grey)", src.Type())
	}
	if !src.IsContinuous() {
		c := src.Clone()
		defer c.Close()
		src = c
	}
	pix, err := src.DataPtrUint8()
	if err != nil {
		return nil, fmt.Errorf("ocr: image data: %w", err)
	}
	const fileHeader, infoHeader, palette = 14, 40, 256 * 4
	w, h := src.Cols(), src.Rows()
	stride := (w + 3) &^ 3
	offset := fileHeader + infoHeader + palette
	size := offset + stride*h
	if size > 1<<31-1 {
		return nil, fmt.Errorf("ocr: %dx%d image too large for BMP", w, h)
	}
	out := make([]byte, size)
	le := binary.LittleEndian
	copy(out, "BM")
	le.PutUint32(out[2:], uint32(size))
	le.PutUint32(out[10:], uint32(offset))
	le.PutUint32(out[14:], infoHeader)
	le.PutUint32(out[18:], uint32(w))
	le.PutUint32(out[22:], uint32(h)) // positive: rows bottom-up
	le.PutUint16(out[26:], 1)         // planes
	le.PutUint16(out[28:], 8)         // bits per pixel
	le.PutUint32(out[34:], uint32(stride*h))
	le.PutUint32(out[46:], 256) // colours used
	le.PutUint32(out[50:], 256) // all important
	for i := range 256 {
		p := out[fileHeader+infoHeader+4*i:]
		p[0], p[1], p[2] = byte(i), byte(i), byte(i)
	}
	for y := range h {
		copy(out[offset+(h-1-y)*stride:], pix[y*w:(y+1)*w])
	}
	return out, nil
}

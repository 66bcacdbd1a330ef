package preprocess

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"io"
	"os"

	"gocv.io/x/gocv"
)

// Limits guard against hostile input.
type Limits struct {
	MaxFileBytes int64 // largest accepted file
	MaxPixels    int64 // per page, decompression-bomb guard
	MaxPages     int   // pages in a multi-page TIFF
}

// DefaultLimits returns 256 MiB files, 60 megapixels a page and 256 pages.
func DefaultLimits() Limits {
	return Limits{MaxFileBytes: 256 << 20, MaxPixels: 60e6, MaxPages: 256}
}

// withDefaults fills zero fields from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxFileBytes <= 0 {
		l.MaxFileBytes = d.MaxFileBytes
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = d.MaxPixels
	}
	if l.MaxPages <= 0 {
		l.MaxPages = d.MaxPages
	}
	return l
}

// Format is an image container format recognised from its magic bytes.
type Format string

// Recognised formats. Only JPEG, PNG and TIFF are decoded.
const (
	FormatJPEG    Format = "jpeg"
	FormatPNG     Format = "png"
	FormatTIFF    Format = "tiff"
	FormatUnknown Format = ""
)

// unsupportedMagic lists formats we recognise but refuse.
func unsupportedMagic() []struct {
	magic []byte
	name  string
} {
	return []struct {
		magic []byte
		name  string
	}{
		{[]byte("GIF87a"), "GIF"},
		{[]byte("GIF89a"), "GIF"},
		{[]byte("BM"), "BMP"},
		{[]byte("%PDF"), "PDF"},
		{[]byte("II+\x00"), "BigTIFF"},
		{[]byte("MM\x00+"), "BigTIFF"},
		{[]byte("\x00\x00\x00\x0cjP  "), "JPEG 2000"},
		{[]byte("\xff\x4f\xff\x51"), "JPEG 2000"},
	}
}

// Sniff returns the format of data from its magic bytes, or FormatUnknown.
func Sniff(data []byte) Format {
	switch {
	case len(data) >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF:
		return FormatJPEG
	case bytes.HasPrefix(data, []byte(pngMagic)):
		return FormatPNG
	case bytes.HasPrefix(data, []byte("II*\x00")), bytes.HasPrefix(data, []byte("MM\x00*")):
		return FormatTIFF
	}
	return FormatUnknown
}

const pngMagic = "\x89PNG\r\n\x1a\n"

// DecodeFile reads path (refusing files above lim.MaxFileBytes before
// reading them) and decodes it like Decode, naming errors by path.
func DecodeFile(path string, lim Limits) ([]gocv.Mat, error) {
	lim = lim.withDefaults()
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("preprocess: open: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("preprocess: stat %s: %w", path, err)
	}
	if st.IsDir() {
		return nil, decodeErr(path, ErrNotImage, "is a directory")
	}
	if st.Size() > lim.MaxFileBytes {
		return nil, decodeErr(path, ErrTooLarge, "file has %d bytes, limit %d", st.Size(), lim.MaxFileBytes)
	}
	data, err := io.ReadAll(io.LimitReader(f, lim.MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("preprocess: read %s: %w", path, err)
	}
	return Decode(path, data, lim)
}

// Decode validates and decodes a JPEG, PNG or TIFF image (one Mat per page of
// a multi-page TIFF). Magic bytes, header dimensions and structural
// completeness are checked before any pixel is decoded. Pages are 8-bit,
// grey (CV_8UC1) or BGR (CV_8UC3); alpha is dropped and JPEG EXIF orientation
// applied. Every failure is a *DecodeError naming name. The caller closes the
// Mats.
func Decode(name string, data []byte, lim Limits) ([]gocv.Mat, error) {
	var pages []gocv.Mat
	err := DecodeEach(name, data, lim, func(_ int, m gocv.Mat) error {
		pages = append(pages, m)
		return nil
	})
	if err != nil {
		for i := range pages {
			pages[i].Close()
		}
		return nil, err
	}
	return pages, nil
}

// DecodeEach validates data like Decode, then decodes one page at a time and
// hands it to fn, which owns (and must Close) the Mat. Use it for long
// multi-page TIFFs to keep one page in memory. An error from fn stops the
// walk and is returned as is.
func DecodeEach(name string, data []byte, lim Limits, fn func(page int, m gocv.Mat) error) error {
	lim = lim.withDefaults()
	if len(data) == 0 {
		return decodeErr(name, ErrEmpty, "file has no bytes")
	}
	if int64(len(data)) > lim.MaxFileBytes {
		return decodeErr(name, ErrTooLarge, "file has %d bytes, limit %d", len(data), lim.MaxFileBytes)
	}
	switch Sniff(data) {
	case FormatJPEG:
		if err := checkJPEG(name, data, lim); err != nil {
			return err
		}
		return decodeOne(name, data, 0, fn)
	case FormatPNG:
		if err := checkPNG(name, data, lim); err != nil {
			return err
		}
		return decodeOne(name, data, 0, fn)
	case FormatTIFF:
		return decodeTIFF(name, data, lim, fn)
	}
	for _, u := range unsupportedMagic() {
		if bytes.HasPrefix(data, u.magic) {
			return decodeErr(name, ErrUnsupported, "%s images are not accepted (use JPEG, PNG or TIFF)", u.name)
		}
	}
	if len(data) >= 12 && string(data[0:4]) == "RIFF" && string(data[8:12]) == "WEBP" {
		return decodeErr(name, ErrUnsupported, "WebP images are not accepted (use JPEG, PNG or TIFF)")
	}
	return decodeErr(name, ErrNotImage, "unrecognised content (starts with %q)", head(data, 8))
}

func head(b []byte, n int) []byte {
	if len(b) < n {
		return b
	}
	return b[:n]
}

// checkDims rejects empty and oversized pages.
func checkDims(name, what string, w, h int, lim Limits) error {
	if w <= 0 || h <= 0 {
		return decodeErr(name, ErrEmpty, "%s header claims %dx%d pixels", what, w, h)
	}
	if int64(w)*int64(h) > lim.MaxPixels {
		return decodeErr(name, ErrTooLarge, "%s header claims %dx%d pixels, limit %d per page", what, w, h, lim.MaxPixels)
	}
	return nil
}

func checkJPEG(name string, data []byte, lim Limits) error {
	w, h, sos, err := jpegHeader(data)
	if err != nil {
		var de *DecodeError
		if errors.As(err, &de) {
			de.File = name
			return de
		}
		return err
	}
	if err := checkDims(name, "JPEG", w, h, lim); err != nil {
		return err
	}
	// The entropy-coded data must be followed by an EOI marker; libjpeg
	// silently pads a truncated file with grey.
	if eoi := bytes.LastIndex(data, []byte{0xFF, 0xD9}); eoi < sos {
		return decodeErr(name, ErrTruncated, "JPEG has no end-of-image marker after its scan data (%d bytes)", len(data))
	}
	return nil
}

// jpegHeader walks the marker segments up to the first scan and returns the
// frame size and the offset of the SOS marker. It accepts every SOF type
// (baseline, progressive, arithmetic, lossless), which libjpeg decodes.
func jpegHeader(data []byte) (w, h, sos int, err error) {
	off := 2
	for {
		if off+4 > len(data) {
			return 0, 0, 0, decodeErr("", ErrTruncated, "JPEG header incomplete (%d bytes)", len(data))
		}
		if data[off] != 0xFF {
			return 0, 0, 0, decodeErr("", ErrCorrupt, "JPEG marker expected at byte %d", off)
		}
		m := data[off+1]
		switch {
		case m == 0xFF: // fill byte
			off++
			continue
		case m == 0x01 || (m >= 0xD0 && m <= 0xD7): // standalone markers
			off += 2
			continue
		case m == 0xD9:
			return 0, 0, 0, decodeErr("", ErrCorrupt, "JPEG ends before any image data")
		}
		n := int(data[off+2])<<8 | int(data[off+3])
		if n < 2 {
			return 0, 0, 0, decodeErr("", ErrCorrupt, "JPEG segment length %d at byte %d", n, off)
		}
		if off+2+n > len(data) {
			return 0, 0, 0, decodeErr("", ErrTruncated, "JPEG header incomplete: segment at byte %d needs %d bytes", off, n)
		}
		seg := data[off+4 : off+2+n]
		switch {
		case m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC:
			if len(seg) < 6 {
				return 0, 0, 0, decodeErr("", ErrCorrupt, "JPEG frame header too short")
			}
			h, w = int(seg[1])<<8|int(seg[2]), int(seg[3])<<8|int(seg[4])
			if nc := int(seg[5]); nc != 1 && nc != 3 && nc != 4 {
				return 0, 0, 0, decodeErr("", ErrCorrupt, "JPEG frame has %d components", nc)
			}
		case m == 0xDA:
			if w == 0 && h == 0 {
				return 0, 0, 0, decodeErr("", ErrCorrupt, "JPEG scan before frame header")
			}
			return w, h, off, nil
		}
		off += 2 + n
	}
}

func checkPNG(name string, data []byte, lim Limits) error {
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return decodeErr(name, ErrTruncated, "PNG header incomplete")
		}
		return decodeErr(name, ErrCorrupt, "PNG header: %v", err)
	}
	if err := checkDims(name, "PNG", cfg.Width, cfg.Height, lim); err != nil {
		return err
	}
	// Walk the chunks: each must fit in the file, and IEND must be reached.
	off, idat := len(pngMagic), false
	for {
		if off+8 > len(data) {
			return decodeErr(name, ErrTruncated, "PNG ends inside a chunk header at byte %d (no IEND)", off)
		}
		n := int64(uint32(data[off])<<24 | uint32(data[off+1])<<16 | uint32(data[off+2])<<8 | uint32(data[off+3]))
		typ := string(data[off+4 : off+8])
		end := int64(off) + 12 + n
		if end > int64(len(data)) {
			return decodeErr(name, ErrTruncated, "PNG chunk %q at byte %d needs %d bytes, file has %d", typ, off, end, len(data))
		}
		switch typ {
		case "IDAT":
			idat = true
		case "IEND":
			if !idat {
				return decodeErr(name, ErrCorrupt, "PNG has no image data")
			}
			return nil
		}
		off = int(end)
	}
}

// decodeOne decodes a single-image buffer with OpenCV.
func decodeOne(name string, data []byte, page int, fn func(int, gocv.Mat) error) error {
	m, err := imdecode(name, data)
	if err != nil {
		return err
	}
	return fn(page, m)
}

func imdecode(name string, data []byte) (gocv.Mat, error) {
	m, err := gocv.IMDecode(data, gocv.IMReadAnyColor)
	if err != nil {
		return gocv.Mat{}, decodeErr(name, ErrCorrupt, "decoder: %v", err)
	}
	if m.Empty() {
		m.Close()
		return gocv.Mat{}, decodeErr(name, ErrCorrupt, "decoder could not read the pixel data")
	}
	if m.Type() != gocv.MatTypeCV8UC1 && m.Type() != gocv.MatTypeCV8UC3 {
		// IMReadAnyColor yields 8-bit 1 or 3 channels; be defensive anyway.
		c := gocv.NewMat()
		switch m.Channels() {
		case 4:
			gocv.CvtColor(m, &c, gocv.ColorBGRAToBGR)
		default:
			m.ConvertTo(&c, gocv.MatTypeCV8U)
		}
		m.Close()
		if c.Empty() {
			c.Close()
			return gocv.Mat{}, decodeErr(name, ErrUnsupported, "pixel type not convertible to 8-bit")
		}
		m = c
	}
	return m, nil
}

package server

import (
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"
	"os"

	"gocv.io/x/gocv"

	"github.com/sohoa/sohoa/preprocess"
)

// imageInfo is what the header check learned about an upload.
type imageInfo struct {
	Format        preprocess.Format
	Width, Height int
}

// contentType is the MIME type stored with the original.
func (i imageInfo) contentType() string {
	switch i.Format {
	case preprocess.FormatJPEG:
		return "image/jpeg"
	case preprocess.FormatPNG:
		return "image/png"
	case preprocess.FormatTIFF:
		return "image/tiff"
	}
	return "application/octet-stream"
}

// checkImage validates the header of the image in f (size bytes) without
// decoding any pixel: the format must be JPEG, PNG or TIFF (by magic bytes),
// the header must parse, and the first page must have between 1 and
// maxPixels pixels. Refusals are *apiErrors (415, 422 or 413).
func checkImage(f io.ReaderAt, size int64, maxPixels int64) (imageInfo, error) {
	head := make([]byte, 512)
	n, err := f.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return imageInfo{}, fmt.Errorf("read upload: %w", err)
	}
	head = head[:n]
	if n == 0 {
		return imageInfo{}, refuse(http.StatusUnprocessableEntity, reasonEmpty, "the body is empty")
	}
	info := imageInfo{Format: preprocess.Sniff(head)}
	switch info.Format {
	case preprocess.FormatJPEG:
		info.Width, info.Height, err = jpegSize(io.NewSectionReader(f, 0, size))
	case preprocess.FormatPNG:
		var c image.Config
		c, err = png.DecodeConfig(io.NewSectionReader(f, 0, size))
		info.Width, info.Height = c.Width, c.Height
	case preprocess.FormatTIFF:
		info.Width, info.Height, err = tiffSize(f, size)
	default:
		detected := http.DetectContentType(head)
		return imageInfo{}, refuse(http.StatusUnsupportedMediaType, reasonNotImage,
			"the body is not a JPEG, PNG or TIFF image (it looks like %s)", detected)
	}
	if err != nil {
		return imageInfo{}, refuse(http.StatusUnprocessableEntity, reasonBadHeader,
			"the %s header cannot be read: %v", formatName(info.Format), err)
	}
	if info.Width <= 0 || info.Height <= 0 {
		return imageInfo{}, refuse(http.StatusUnprocessableEntity, reasonBadHeader,
			"the %s header claims %dx%d pixels", formatName(info.Format), info.Width, info.Height)
	}
	if int64(info.Width)*int64(info.Height) > maxPixels {
		return imageInfo{}, refuse(http.StatusRequestEntityTooLarge, reasonTooManyPixels,
			"the %s image has %dx%d pixels, more than the limit of %d", formatName(info.Format),
			info.Width, info.Height, maxPixels)
	}
	return info, nil
}

func formatName(f preprocess.Format) string {
	switch f {
	case preprocess.FormatJPEG:
		return "JPEG"
	case preprocess.FormatPNG:
		return "PNG"
	case preprocess.FormatTIFF:
		return "TIFF"
	}
	return "image"
}

// jpegSize walks the JPEG marker segments up to the first frame header and
// returns its size. Every SOF type is accepted (libjpeg decodes them all).
func jpegSize(r io.Reader) (w, h int, err error) {
	var b [4]byte
	if _, err := io.ReadFull(r, b[:2]); err != nil {
		return 0, 0, errTruncated(err)
	}
	for {
		if _, err := io.ReadFull(r, b[:2]); err != nil {
			return 0, 0, errTruncated(err)
		}
		if b[0] != 0xFF {
			return 0, 0, errors.New("marker expected")
		}
		m := b[1]
		for m == 0xFF { // fill bytes before the marker code
			if _, err := io.ReadFull(r, b[:1]); err != nil {
				return 0, 0, errTruncated(err)
			}
			m = b[0]
		}
		switch {
		case m == 0x01 || (m >= 0xD0 && m <= 0xD7):
			continue
		case m == 0xD9 || m == 0xDA:
			return 0, 0, errors.New("no frame header before the image data")
		}
		if _, err := io.ReadFull(r, b[:2]); err != nil {
			return 0, 0, errTruncated(err)
		}
		n := int(b[0])<<8 | int(b[1])
		if n < 2 {
			return 0, 0, fmt.Errorf("segment length %d", n)
		}
		if m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC {
			if n < 8 {
				return 0, 0, errors.New("frame header too short")
			}
			var sof [6]byte
			if _, err := io.ReadFull(r, sof[:]); err != nil {
				return 0, 0, errTruncated(err)
			}
			if nc := sof[5]; nc != 1 && nc != 3 && nc != 4 {
				return 0, 0, fmt.Errorf("frame has %d colour components", nc)
			}
			return int(sof[3])<<8 | int(sof[4]), int(sof[1])<<8 | int(sof[2]), nil
		}
		if _, err := io.CopyN(io.Discard, r, int64(n-2)); err != nil {
			return 0, 0, errTruncated(err)
		}
	}
}

func errTruncated(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("the file ends inside the header")
	}
	return err
}

// tiffSize reads the width and length of the first TIFF directory.
func tiffSize(f io.ReaderAt, size int64) (w, h int, err error) {
	var hdr [8]byte
	if _, err := f.ReadAt(hdr[:], 0); err != nil {
		return 0, 0, errTruncated(err)
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if hdr[0] == 'M' {
		bo = binary.BigEndian
	}
	off := int64(bo.Uint32(hdr[4:8]))
	var cnt [2]byte
	if off < 8 || off+2 > size {
		return 0, 0, fmt.Errorf("first directory at byte %d is outside the file (%d bytes)", off, size)
	}
	if _, err := f.ReadAt(cnt[:], off); err != nil {
		return 0, 0, errTruncated(err)
	}
	n := int64(bo.Uint16(cnt[:]))
	if off+2+n*12 > size {
		return 0, 0, errors.New("the first directory runs past the end of the file")
	}
	dir := make([]byte, n*12)
	if _, err := f.ReadAt(dir, off+2); err != nil {
		return 0, 0, errTruncated(err)
	}
	for e := int64(0); e < n; e++ {
		ent := dir[e*12 : e*12+12]
		tag, typ := bo.Uint16(ent[0:2]), bo.Uint16(ent[2:4])
		if tag != 256 && tag != 257 {
			continue
		}
		var v int
		switch typ {
		case 3: // SHORT
			v = int(bo.Uint16(ent[8:10]))
		case 4: // LONG
			v = int(bo.Uint32(ent[8:12]))
		default:
			return 0, 0, fmt.Errorf("tag %d has type %d", tag, typ)
		}
		if tag == 256 {
			w = v
		} else {
			h = v
		}
	}
	return w, h, nil
}

// dHash computes the 64-bit difference hash of the image file at path: the
// page is read at an eighth of its size in grey (JPEG decodes at that scale
// directly), shrunk to 9×8 and each bit says whether a cell is brighter
// than its right neighbour. Re-encoded, rescaled or slightly cropped copies
// of a page land a few bits apart.
func dHash(path string) (uint64, error) {
	if _, err := os.Stat(path); err != nil {
		return 0, fmt.Errorf("dhash: %w", err)
	}
	img := gocv.IMRead(path, gocv.IMReadReducedGrayscale8)
	defer img.Close()
	if img.Empty() {
		return 0, errors.New("dhash: the image cannot be decoded")
	}
	small := gocv.NewMat()
	defer small.Close()
	gocv.Resize(img, &small, image.Point{X: 9, Y: 8}, 0, 0, gocv.InterpolationArea)
	return dHashBits(func(x, y int) uint8 { return small.GetUCharAt(y, x) }), nil
}

// dHashBits packs the 64 left-brighter-than-right comparisons of a 9×8
// grid, row by row, most significant bit first.
func dHashBits(at func(x, y int) uint8) uint64 {
	var h uint64
	for y := 0; y < 8; y++ {
		for x := 0; x < 8; x++ {
			h <<= 1
			if at(x, y) > at(x+1, y) {
				h |= 1
			}
		}
	}
	return h
}

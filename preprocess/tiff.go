package preprocess

import (
	"encoding/binary"
	"errors"
	"strconv"

	"gocv.io/x/gocv"
)

// TIFF tags read during validation.
const (
	tagImageWidth      = 256
	tagImageLength     = 257
	tagStripOffsets    = 273
	tagStripByteCounts = 279
	tagTileOffsets     = 324
	tagTileByteCounts  = 325
)

// tiffIFD is what validation learned about one page.
type tiffIFD struct {
	offset        uint32 // of the IFD in the file
	width, height int
}

// decodeTIFF validates every page's IFD (dimensions, strips within the
// file), then decodes the pages one at a time. OpenCV's TIFF reader only
// reads the first directory, so for page i the header's first-IFD pointer is
// patched to point at directory i; all other offsets are absolute and stay
// valid.
func decodeTIFF(name string, data []byte, lim Limits, fn func(int, gocv.Mat) error) error {
	ifds, err := scanTIFF(name, data, lim)
	if err != nil {
		return err
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if data[0] == 'M' {
		bo = binary.BigEndian
	}
	buf := make([]byte, len(data))
	copy(buf, data)
	for i, d := range ifds {
		bo.PutUint32(buf[4:8], d.offset)
		m, err := imdecode(name, buf)
		if err != nil {
			var de *DecodeError
			if errors.As(err, &de) {
				de.Reason = "TIFF page " + strconv.Itoa(i+1) + ": " + de.Reason
			}
			return err
		}
		if err := fn(i, m); err != nil {
			return err
		}
	}
	return nil
}

// scanTIFF walks the IFD chain.
func scanTIFF(name string, data []byte, lim Limits) ([]tiffIFD, error) {
	if len(data) < 8 {
		return nil, decodeErr(name, ErrTruncated, "TIFF header incomplete")
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if data[0] == 'M' {
		bo = binary.BigEndian
	}
	var ifds []tiffIFD
	seen := map[uint32]bool{}
	off := bo.Uint32(data[4:8])
	for off != 0 {
		if seen[off] {
			return nil, decodeErr(name, ErrCorrupt, "TIFF directory chain loops at byte %d", off)
		}
		seen[off] = true
		if len(ifds) >= lim.MaxPages {
			return nil, decodeErr(name, ErrTooLarge, "TIFF has more than %d pages", lim.MaxPages)
		}
		if int64(off)+2 > int64(len(data)) {
			return nil, decodeErr(name, ErrTruncated, "TIFF directory %d at byte %d is past the end (%d bytes)", len(ifds)+1, off, len(data))
		}
		n := int(bo.Uint16(data[off:]))
		end := int64(off) + 2 + int64(n)*12 + 4
		if end > int64(len(data)) {
			return nil, decodeErr(name, ErrTruncated, "TIFF directory %d runs past the end", len(ifds)+1)
		}
		d := tiffIFD{offset: off}
		var offsets, counts []uint32
		for e := 0; e < n; e++ {
			ent := data[int(off)+2+e*12 : int(off)+2+e*12+12]
			tag := bo.Uint16(ent[0:2])
			switch tag {
			case tagImageWidth, tagImageLength, tagStripOffsets, tagStripByteCounts, tagTileOffsets, tagTileByteCounts:
			default:
				continue
			}
			vals, ok := tiffValues(data, bo, ent)
			if !ok {
				return nil, decodeErr(name, ErrTruncated, "TIFF tag %d of page %d points past the end", tag, len(ifds)+1)
			}
			switch tag {
			case tagImageWidth:
				if len(vals) > 0 {
					d.width = int(vals[0])
				}
			case tagImageLength:
				if len(vals) > 0 {
					d.height = int(vals[0])
				}
			case tagStripOffsets, tagTileOffsets:
				offsets = vals
			case tagStripByteCounts, tagTileByteCounts:
				counts = vals
			}
		}
		if err := checkDims(name, "TIFF page "+strconv.Itoa(len(ifds)+1), d.width, d.height, lim); err != nil {
			return nil, err
		}
		if len(offsets) == 0 || len(offsets) != len(counts) {
			return nil, decodeErr(name, ErrCorrupt, "TIFF page %d has no valid strip or tile table", len(ifds)+1)
		}
		for k := range offsets {
			if int64(offsets[k])+int64(counts[k]) > int64(len(data)) {
				return nil, decodeErr(name, ErrTruncated, "TIFF page %d: image data ends at byte %d, file has %d",
					len(ifds)+1, int64(offsets[k])+int64(counts[k]), len(data))
			}
		}
		ifds = append(ifds, d)
		off = bo.Uint32(data[end-4 : end])
	}
	if len(ifds) == 0 {
		return nil, decodeErr(name, ErrEmpty, "TIFF has no pages")
	}
	return ifds, nil
}

// tiffValues reads a SHORT or LONG array entry; other types yield nil.
func tiffValues(data []byte, bo binary.ByteOrder, ent []byte) ([]uint32, bool) {
	typ := bo.Uint16(ent[2:4])
	count := int64(bo.Uint32(ent[4:8]))
	var size int64
	switch typ {
	case 3: // SHORT
		size = 2
	case 4: // LONG
		size = 4
	default:
		return nil, true
	}
	total := size * count
	src := ent[8:12]
	if total > 4 {
		o := int64(bo.Uint32(ent[8:12]))
		if o+total > int64(len(data)) {
			return nil, false
		}
		src = data[o : o+total]
	}
	vals := make([]uint32, count)
	for i := range vals {
		if size == 2 {
			vals[i] = uint32(bo.Uint16(src[i*2:]))
		} else {
			vals[i] = bo.Uint32(src[i*4:])
		}
	}
	return vals, true
}

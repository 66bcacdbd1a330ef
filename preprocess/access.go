package preprocess

import (
	"bytes"
	"fmt"
	"image"

	"gocv.io/x/gocv"
)

// AccessOptions configures AccessCopy. The zero value means the defaults.
type AccessOptions struct {
	// DPI is the resolution of the copy (default 200); a page scanned at
	// more is scaled down to it, one scanned at less is kept as it is.
	DPI int
	// Quality is the JPEG quality, 1..100 (default 75).
	Quality int
}

func (o AccessOptions) withDefaults() AccessOptions {
	if o.DPI <= 0 {
		o.DPI = 200
	}
	if o.Quality <= 0 || o.Quality > 100 {
		o.Quality = 75
	}
	return o
}

// scales reports whether a page of resolution dpi is scaled down.
func (o AccessOptions) scales(dpi int) bool {
	return dpi > 0 && float64(dpi) > float64(o.DPI)*accessDPISlack
}

// accessDPISlack keeps pages scanned a little above the target resolution
// (or whose estimate is a little high) at their own size: scaling 220 dpi
// down to 200 saves less than it blurs.
const accessDPISlack = 1.15

// AccessCopy encodes the page image m (an original as Decode gives it, 8-bit
// grey or BGR) as the page's access copy: the whole page as scanned, nothing
// removed, colour kept, scaled down to opts.DPI when the page's resolution
// dpi (Quality.EstimatedDPI; 0 when unknown, and then the page keeps its
// size) is higher, and JPEG-compressed. It is the page image handed out with
// exported records (one PDF per record, many records a page): a 300 dpi
// colour scan comes out at about a third of its original size. The original
// itself stays untouched in the object store. scaled says whether the copy
// was scaled down.
func AccessCopy(m gocv.Mat, dpi int, opts AccessOptions) (data []byte, scaled bool, err error) {
	opts = opts.withDefaults()
	if m.Empty() || m.Type() != gocv.MatTypeCV8UC1 && m.Type() != gocv.MatTypeCV8UC3 {
		return nil, false, fmt.Errorf("%w: access copy: want an 8-bit grey or colour image", ErrBadInput)
	}
	src := m
	if opts.scales(dpi) {
		f := float64(opts.DPI) / float64(dpi)
		sz := image.Pt(max(1, int(float64(m.Cols())*f+0.5)), max(1, int(float64(m.Rows())*f+0.5)))
		small := gocv.NewMat()
		defer small.Close()
		// Bilinear: a tenth of INTER_AREA's time at this ratio (4 against
		// 40 ms for a 300 dpi colour page), and the text as legible.
		gocv.Resize(m, &small, sz, 0, 0, gocv.InterpolationLinear)
		src, scaled = small, true
	}
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, src, []int{gocv.IMWriteJpegQuality, opts.Quality})
	if err != nil {
		return nil, false, fmt.Errorf("preprocess: access copy: %w", err)
	}
	defer buf.Close()
	b := buf.GetBytes()
	return append([]byte(nil), b...), scaled, nil
}

// AccessCopyFor returns the access copy (AccessCopy) of the original whose
// file is data, decoded as m, of resolution dpi; or nil when the original
// itself serves as its access copy: a JPEG that is not scaled down (its
// copy would be no smaller), or any original whose copy comes out no
// smaller than it.
func AccessCopyFor(data []byte, m gocv.Mat, dpi int, opts AccessOptions) ([]byte, error) {
	opts = opts.withDefaults()
	if bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}) && !opts.scales(dpi) {
		return nil, nil
	}
	c, _, err := AccessCopy(m, dpi, opts)
	if err != nil || len(c) >= len(data) {
		return nil, err
	}
	return c, nil
}

package preprocess

import (
	"image"
)

// Checkbox is a printed tick box found (and removed) on the cleaned page.
type Checkbox struct {
	Rect    image.Rectangle // in cleaned-page pixels; map with Page.ToOriginal
	Checked bool            // ink inside the box (a cross, a tick, a fill)
}

// findCheckboxes picks, among letter-sized components (cs in half
// resolution, ink at full resolution, ink 255), the square boxes of ☐ and
// ☒: about as wide as tall, 0.6–1.6 x-heights, with ink along all four
// sides of the bounding box and in its four corners, which no Vietnamese
// letter or digit has. Their
// verdict becomes asCheckbox.
func findCheckboxes(ink []byte, w, h int, cs []comp, xh float64, verdict []removal) []Checkbox {
	var boxes []Checkbox
	for id, c := range cs {
		if id == 0 || verdict[id] != keep {
			continue
		}
		fw, fh := 2*float64(c.w), 2*float64(c.h) // full resolution
		if fh < 0.6*xh || fh > 1.6*xh || fw < 0.75*fh || fw > 1.33*fh {
			continue
		}
		r := image.Rect(2*c.x, 2*c.y, min(w, 2*c.x1()), min(h, 2*c.y1()))
		if r.Dx() < 6 || r.Dy() < 6 {
			continue
		}
		if !sidesInked(ink, w, r) {
			continue
		}
		in := r.Inset(max(2, r.Dx()/4))
		n, tot := 0, 0
		for y := in.Min.Y; y < in.Max.Y; y++ {
			for x := in.Min.X; x < in.Max.X; x++ {
				tot++
				if ink[y*w+x] != 0 {
					n++
				}
			}
		}
		verdict[id] = asCheckbox
		boxes = append(boxes, Checkbox{Rect: r, Checked: tot > 0 && 10*n > tot})
	}
	return boxes
}

// sidesInked reports whether each side of r carries ink along at least 90%
// of its length within its outer three pixels, corners included.
func sidesInked(ink []byte, w int, r image.Rectangle) bool {
	band := 3
	row := func(y0 int) bool { // any of rows y0..y0+band-1, per column
		hit := 0
		for x := r.Min.X; x < r.Max.X; x++ {
			for y := y0; y < y0+band; y++ {
				if ink[y*w+x] != 0 {
					hit++
					break
				}
			}
		}
		return 10*hit >= 9*r.Dx()
	}
	col := func(x0 int) bool {
		hit := 0
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := x0; x < x0+band; x++ {
				if ink[y*w+x] != 0 {
					hit++
					break
				}
			}
		}
		return 10*hit >= 9*r.Dy()
	}
	corner := func(x0, y0 int) bool { // square corners: round letters have none
		for y := y0; y < y0+band; y++ {
			for x := x0; x < x0+band; x++ {
				if ink[y*w+x] != 0 {
					return true
				}
			}
		}
		return false
	}
	return row(r.Min.Y) && row(r.Max.Y-band) && col(r.Min.X) && col(r.Max.X-band) &&
		corner(r.Min.X, r.Min.Y) && corner(r.Max.X-band, r.Min.Y) &&
		corner(r.Min.X, r.Max.Y-band) && corner(r.Max.X-band, r.Max.Y-band)
}

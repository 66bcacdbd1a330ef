package preprocess

import "math"

// Affine maps cleaned-page coordinates to original-page coordinates:
// x' = A[0]x + A[1]y + A[2], y' = A[3]x + A[4]y + A[5].
type Affine [6]float64

// Identity is the affine map that changes nothing.
func Identity() Affine { return Affine{1, 0, 0, 0, 1, 0} }

// Apply maps one point.
func (a Affine) Apply(x, y float64) (float64, float64) {
	return a[0]*x + a[1]*y + a[2], a[3]*x + a[4]*y + a[5]
}

// MapRect maps the rectangle x0,y0–x1,y1 and returns the integer bounding
// box (floor of the minimum, ceil of the maximum) of its four mapped corners.
func (a Affine) MapRect(x0, y0, x1, y1 float64) (int, int, int, int) {
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for _, c := range [4][2]float64{{x0, y0}, {x1, y0}, {x0, y1}, {x1, y1}} {
		x, y := a.Apply(c[0], c[1])
		minX, maxX = math.Min(minX, x), math.Max(maxX, x)
		minY, maxY = math.Min(minY, y), math.Max(maxY, y)
	}
	return int(math.Floor(minX)), int(math.Floor(minY)), int(math.Ceil(maxX)), int(math.Ceil(maxY))
}

// Then returns the map that applies a first and b second: b∘a.
func (a Affine) Then(b Affine) Affine {
	return Affine{
		b[0]*a[0] + b[1]*a[3], b[0]*a[1] + b[1]*a[4], b[0]*a[2] + b[1]*a[5] + b[2],
		b[3]*a[0] + b[4]*a[3], b[3]*a[1] + b[4]*a[4], b[3]*a[2] + b[4]*a[5] + b[5],
	}
}

// Invert returns the inverse map; ok is false when a is singular.
func (a Affine) Invert() (inv Affine, ok bool) {
	det := a[0]*a[4] - a[1]*a[3]
	if math.Abs(det) < 1e-12 {
		return Affine{}, false
	}
	i0, i1 := a[4]/det, -a[1]/det
	i3, i4 := -a[3]/det, a[0]/det
	return Affine{i0, i1, -(i0*a[2] + i1*a[5]), i3, i4, -(i3*a[2] + i4*a[5])}, true
}

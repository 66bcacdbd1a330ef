package preprocess

import (
	"math"
)

// point is an ink pixel of the analysis image.
type point struct{ x, y float32 }

// profileScore returns Σ count² of the projection of pts onto the axis
// perpendicular to text lines tilted by deg degrees (counter-clockwise as
// seen on screen, image y pointing down). Aligned text lines concentrate
// ink in few bins, which maximises the score. bin is the bin width in
// pixels; counts is scratch space reused between calls.
func profileScore(pts []point, deg, bin float64, counts []int32, off float64) float64 {
	for i := range counts {
		counts[i] = 0
	}
	s, c := math.Sincos(deg * math.Pi / 180)
	fs, fc := float32(s/bin), float32(c/bin)
	fo := float32(off / bin)
	n := int32(len(counts))
	for _, p := range pts {
		k := int32(p.y*fc + p.x*fs + fo)
		if k >= 0 && k < n {
			counts[k]++
		}
	}
	var sum float64
	for _, v := range counts {
		sum += float64(v) * float64(v)
	}
	return sum
}

// findSkew returns the tilt of the text lines (CCW positive) within
// ±maxDeg, searched with a coarse scan every 0.5° with
// 2-pixel bins, then a fine scan every 0.05° with 1-pixel bins around the
// best coarse angle, refined by a parabola through the fine peak.
func findSkew(pts []point, diag float64, maxDeg float64) float64 {
	if len(pts) == 0 {
		return 0
	}
	coarsePts := pts
	if len(pts) > 40000 {
		coarsePts = stride(pts, 40000)
	}
	off := diag + 2
	counts := make([]int32, int(2*off)+2)
	best, bestDeg := -1.0, 0.0
	const coarseStep = 0.5
	steps := int(math.Ceil(maxDeg / coarseStep))
	for i := -steps; i <= steps; i++ {
		d := math.Max(-maxDeg, math.Min(maxDeg, float64(i)*coarseStep))
		if s := profileScore(coarsePts, d, 2, counts, off); s > best {
			best, bestDeg = s, d
		}
	}
	finePts := pts
	if len(pts) > 150000 {
		finePts = stride(pts, 150000)
	}
	const fineStep = 0.05
	scores := make([]float64, 0, 25)
	degs := make([]float64, 0, 25)
	for i := -12; i <= 12; i++ {
		d := bestDeg + float64(i)*fineStep
		if math.Abs(d) > maxDeg+1e-9 {
			continue
		}
		scores = append(scores, profileScore(finePts, d, 1, counts, off))
		degs = append(degs, d)
	}
	bi := 0
	for i := range scores {
		if scores[i] > scores[bi] {
			bi = i
		}
	}
	deg := degs[bi]
	if bi > 0 && bi < len(scores)-1 {
		a, b, c := scores[bi-1], scores[bi], scores[bi+1]
		if den := a - 2*b + c; den < 0 {
			deg += 0.5 * fineStep * (a - c) / den
		}
	}
	return deg
}

// stride returns about n evenly spaced points of pts.
func stride(pts []point, n int) []point {
	k := (len(pts) + n - 1) / n
	out := make([]point, 0, len(pts)/k+1)
	for i := 0; i < len(pts); i += k {
		out = append(out, pts[i])
	}
	return out
}

// rotate90 maps points as the image is turned 90° clockwise (up to a
// translation, which projections ignore).
func rotate90(pts []point) []point {
	out := make([]point, len(pts))
	for i, p := range pts {
		out[i] = point{x: -p.y, y: p.x}
	}
	return out
}

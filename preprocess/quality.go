package preprocess

import (
	"fmt"
	"math"
)

// warnings turns the measurements into human-readable notes for review.
func warnings(q Quality, lay layout, fs flatStats) []string {
	var ws []string
	if math.Abs(q.SkewDeg) >= 1 {
		ws = append(ws, fmt.Sprintf("skew %.1f°", q.SkewDeg))
	}
	if q.RotationDeg != 0 {
		ws = append(ws, fmt.Sprintf("page rotated %d°", q.RotationDeg))
	}
	if lay.xHeight == 0 {
		ws = append(ws, "no text found")
	} else if q.EstimatedDPI < 150 {
		ws = append(ws, fmt.Sprintf("low resolution (about %d dpi)", q.EstimatedDPI))
	}
	if q.Contrast < 0.25 && fs.inkFrac > 0 {
		ws = append(ws, fmt.Sprintf("low contrast %.2f", q.Contrast))
	}
	if q.Sharpness > 0 && q.Sharpness < 100 {
		ws = append(ws, fmt.Sprintf("blurry (sharpness %.0f)", q.Sharpness))
	}
	return ws
}

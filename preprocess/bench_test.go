package preprocess

import (
	"image"
	"testing"

	"gocv.io/x/gocv"
)

func BenchmarkStages(b *testing.B) {
	var lines [][]seg
	for i := 0; i < 4; i++ {
		lines = append(lines, formLines...)
	}
	img, _ := renderForm(b, lines, 2480, 3508, 12, 300, true)
	src := matFromGray(b, img)
	defer src.Close()
	ink := gocv.NewMat()
	defer ink.Close()
	gocv.Threshold(src, &ink, 0, 255, gocv.ThresholdBinaryInv|gocv.ThresholdOtsu)
	b.Run("cc", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			_, l, _ := components(ink)
			l.Close()
		}
	})
	b.Run("cc-nostats", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			l := gocv.NewMat()
			gocv.ConnectedComponentsWithParams(ink, &l, 8, gocv.MatTypeCV32S, gocv.CCL_DEFAULT)
			l.Close()
		}
	})
	b.Run("cc-wu", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			l, s, c := gocv.NewMat(), gocv.NewMat(), gocv.NewMat()
			gocv.ConnectedComponentsWithStatsWithParams(ink, &l, &s, &c, 8, gocv.MatTypeCV32S, gocv.CCL_WU)
			l.Close()
			s.Close()
			c.Close()
		}
	})
	b.Run("flatten", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			m, _, _ := flattenAndStretch(src)
			m.Close()
		}
	})
	b.Run("warp", func(b *testing.B) {
		fwd, w, h := correction(2480, 3508, 3, 0, 1)
		for i := 0; i < b.N; i++ {
			d := gocv.NewMat()
			warp(src, &d, fwd, w, h, gocv.InterpolationLinear)
			d.Close()
		}
	})
	b.Run("resize", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			d := gocv.NewMat()
			gocv.Resize(src, &d, image.Pt(1202, 1700), 0, 0, gocv.InterpolationArea)
			d.Close()
		}
	})
	b.Run("sharp", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			sharpness(src)
		}
	})
}

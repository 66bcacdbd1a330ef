package preprocess

import (
	"fmt"
	"image"
	"math"

	"gocv.io/x/gocv"
)

// redDelta and redGain shape the red-stamp suppression of toGray: paper
// (even yellowed) and grey or blue ink have R − max(G, B) below redDelta.
const (
	redDelta = 25
	redGain  = 3
)

// toGray returns a continuous 8-bit single-channel copy of src. Colour
// pages become max(luminance, red) brightened by redGain·(R − max(G, B) −
// redDelta): black and blue ink stay dark while red seals and stamps, which
// often overlap signatures and text, fade to paper.
func toGray(src gocv.Mat) (gocv.Mat, error) {
	g := gocv.NewMat()
	switch src.Channels() {
	case 1:
		src.CopyTo(&g)
	case 3, 4:
		code := gocv.ColorBGRToGray
		if src.Channels() == 4 {
			code = gocv.ColorBGRAToGray
		}
		gocv.CvtColor(src, &g, code)
		if src.Type()&0x7 == gocv.MatTypeCV8U { // 8-bit depth
			suppressRed(src, &g)
		}
	default:
		g.Close()
		return gocv.Mat{}, fmt.Errorf("%w: %d channels", ErrBadInput, src.Channels())
	}
	if g.Type() != gocv.MatTypeCV8UC1 {
		c := gocv.NewMat()
		g.ConvertTo(&c, gocv.MatTypeCV8U)
		g.Close()
		g = c
	}
	if !g.IsContinuous() {
		c := g.Clone()
		g.Close()
		g = c
	}
	return g, nil
}

// suppressRed lightens reddish pixels of the BGR(A) page src in its grey
// version g.
func suppressRed(src gocv.Mat, g *gocv.Mat) {
	ch := gocv.Split(src)
	defer func() {
		for i := range ch {
			ch[i].Close()
		}
	}()
	b, gr, r := ch[0], ch[1], ch[2]
	gocv.Max(*g, r, g)
	red := gocv.NewMat()
	defer red.Close()
	gocv.Max(gr, b, &red)
	gocv.Subtract(r, red, &red) // saturates at 0
	red.SubtractUChar(redDelta)
	red.MultiplyUChar(redGain)
	gocv.Add(*g, red, g)
}

// sharpness is the variance of the Laplacian over a central crop of at most
// 1024×1024 pixels.
func sharpness(gray gocv.Mat) float64 {
	w, h := gray.Cols(), gray.Rows()
	cw, ch := min(w, 1024), min(h, 1024)
	r := image.Rect((w-cw)/2, (h-ch)/2, (w-cw)/2+cw, (h-ch)/2+ch)
	crop := gray.Region(r)
	defer crop.Close()
	lap := gocv.NewMat()
	defer lap.Close()
	gocv.Laplacian(crop, &lap, gocv.MatTypeCV32F, 1, 1, 0, gocv.BorderReplicate)
	mean, std := gocv.NewMat(), gocv.NewMat()
	defer mean.Close()
	defer std.Close()
	gocv.MeanStdDev(lap, &mean, &std)
	s := std.GetDoubleAt(0, 0)
	return math.Round(s*s*10) / 10
}

package preprocess

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"
)

func TestExplore(t *testing.T) {
	if os.Getenv("EXPLORE") == "" {
		t.Skip()
	}
	var lines [][]seg
	for i := 0; i < 4; i++ {
		lines = append(lines, formLines...)
	}
	img, _ := renderForm(t, lines, 2480, 3508, 12, 300, true)
	src := matFromGray(t, img)
	defer src.Close()
	for _, deg := range []float64{0, 3.3} {
		r, _ := rotateFit(src, deg, 255)
		for _, worn := range []bool{false, true} {
			in := r.Clone()
			if worn {
				in.Close()
				in = wear(t, imgOf(t, r), 1)
			}
			t0 := time.Now()
			var p *Page
			var err error
			for k := 0; k < 5; k++ {
				p.Close()
				p, err = Clean(context.Background(), in, DefaultOptions())
				if err != nil {
					t.Fatal(err)
				}
			}
			t.Logf("deg %v worn %v: %v %+v", deg, worn, time.Since(t0)/5, p.Quality)
			name := fmt.Sprintf("A4_d%v_w%v", deg, worn)
			saveDebug(t, name+"_in", in)
			saveDebug(t, name+"_bin", p.Binary)
			p.Close()
			in.Close()
		}
		r.Close()
	}
}

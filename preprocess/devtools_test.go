package preprocess

import (
	"context"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gocv.io/x/gocv"
)

// Development aids, skipped unless their environment variable is set.

// TestDevCleanFiles cleans the pages named in PREPROCESS_DEV_FILES and
// writes NAME.bin.png, NAME.gray.png and a 1200 px wide NAME.bin.small.png
// into PREPROCESS_DEV_OUT (default os.TempDir()), logging the Quality.
func TestDevCleanFiles(t *testing.T) {
	files := strings.Fields(os.Getenv("PREPROCESS_DEV_FILES"))
	if len(files) == 0 {
		t.Skip("set PREPROCESS_DEV_FILES")
	}
	out := os.Getenv("PREPROCESS_DEV_OUT")
	if out == "" {
		out = os.TempDir()
	}
	for _, f := range files {
		pages, err := DecodeFile(f, DefaultLimits())
		if err != nil {
			t.Fatal(err)
		}
		base := filepath.Join(out, strings.TrimSuffix(filepath.Base(f), filepath.Ext(f)))
		for i := range pages {
			p, err := Clean(context.Background(), pages[i], DefaultOptions())
			pages[i].Close()
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s page %d: %+v, %d checkboxes", f, i+1, p.Quality, len(p.Checkboxes))
			name := fmt.Sprintf("%s.p%d", base, i+1)
			gocv.IMWrite(name+".bin.png", p.Binary)
			gocv.IMWrite(name+".gray.png", p.Gray)
			small := gocv.NewMat()
			gocv.Resize(p.Binary, &small, image.Pt(1200, p.Binary.Rows()*1200/p.Binary.Cols()), 0, 0, gocv.InterpolationArea)
			gocv.IMWrite(name+".bin.small.png", small)
			small.Close()
			p.Close()
		}
	}
}

// BenchmarkClean measures Clean on a generated A4 page at 300 dpi, worn and
// tilted (colour, 8.7 Mpx), or on the files in PREPROCESS_DEV_FILES.
// Run it on one core: taskset -c 0 go test -bench Clean -run X ./preprocess/
func BenchmarkClean(b *testing.B) {
	var pages []gocv.Mat
	defer func() { closeAll(pages) }()
	if files := strings.Fields(os.Getenv("PREPROCESS_DEV_FILES")); len(files) > 0 {
		for _, f := range files {
			p, err := DecodeFile(f, DefaultLimits())
			if err != nil {
				b.Fatal(err)
			}
			pages = append(pages, p...)
		}
	} else {
		var lines [][]seg
		for i := 0; i < 4; i++ {
			lines = append(lines, formLines...)
		}
		img, _ := renderForm(b, lines, 2480, 3508, 12, 300, true)
		in, _ := input(b, img, 2.5, true, 1)
		pages = append(pages, in)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, m := range pages {
			p, err := Clean(context.Background(), m, DefaultOptions())
			if err != nil {
				b.Fatal(err)
			}
			p.Close()
		}
	}
}

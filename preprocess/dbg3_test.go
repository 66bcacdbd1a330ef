package preprocess

import (
	"context"
	"image"
	"os"
	"testing"

	"gocv.io/x/gocv"
)

// TestDbgFile: DBGFILE=path cleans one page and prints its quality (dev aid).
func TestDbgFile(t *testing.T) {
	f := os.Getenv("DBGFILE")
	if f == "" {
		t.Skip()
	}
	pages, err := DecodeFile(f, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	p, err := Clean(context.Background(), pages[0], DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", p.Quality)
	gocv.IMWrite("/tmp/pp/dbg_bin.png", p.Binary)
	gocv.IMWrite("/tmp/pp/dbg_gray.png", p.Gray)
	_ = image.Pt
}

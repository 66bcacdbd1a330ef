package pipeline

import (
	"context"
	"testing"

	"gocv.io/x/gocv"

	"github.com/sohoa/sohoa/ocr"
	"github.com/sohoa/sohoa/preprocess"
)

// Per-stage cost on the bundled samples (one page per iteration, cycling):
//
//	OMP_THREAD_LIMIT=1 go test -run '^$' -bench . -benchmem ./pipeline/
func loadSamples(b *testing.B) []gocv.Mat {
	b.Helper()
	var mats []gocv.Mat
	for _, f := range sampleImages(b) {
		ms, err := preprocess.DecodeFile(f, preprocess.DefaultLimits())
		if err != nil {
			b.Fatal(err)
		}
		mats = append(mats, ms...)
	}
	return mats
}

func BenchmarkCleanup(b *testing.B) {
	mats := loadSamples(b)
	defer closeAll(mats)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p, err := Cleanup(context.Background(), mats[i%len(mats)], preprocess.DefaultOptions())
		if err != nil {
			b.Fatal(err)
		}
		p.Close()
	}
}

func BenchmarkRecognize(b *testing.B) {
	mats := loadSamples(b)
	defer closeAll(mats)
	var pages []*preprocess.Page
	for _, m := range mats {
		p, err := Cleanup(context.Background(), m, preprocess.DefaultOptions())
		if err != nil {
			b.Fatal(err)
		}
		pages = append(pages, p)
	}
	defer func() {
		for _, p := range pages {
			p.Close()
		}
	}()
	e, err := ocr.NewEngine(ocr.DefaultOptions())
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Recognize(context.Background(), e, pages[i%len(pages)]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkScanPage(b *testing.B) {
	mats := loadSamples(b)
	defer closeAll(mats)
	e, err := ocr.NewEngine(ocr.DefaultOptions())
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	sc := testScanner(b)
	stage := sc.Stage()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var r PageResult
		if err := stage(context.Background(), e, mats[i%len(mats)], &r); err != nil {
			b.Fatal(err)
		}
	}
}

func closeAll(ms []gocv.Mat) {
	for i := range ms {
		ms[i].Close()
	}
}

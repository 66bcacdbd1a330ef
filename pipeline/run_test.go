package pipeline

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/sohoa/sohoa/eval"
	"github.com/sohoa/sohoa/ocr"
	"github.com/sohoa/sohoa/preprocess"
)

const samples = "../testdata/samples"

// maxCER is the page CER each bundled sample must stay under, by quality.
var maxCER = map[string]float64{"clean": 0.02, "scanned": 0.03, "worn": 0.06}

func sampleImages(t testing.TB) []string {
	t.Helper()
	files, err := globSamples()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no sample pages in testdata/samples")
	}
	return files
}

func globSamples() ([]string, error) {
	var files []string
	for _, pat := range []string{"*.png", "*.jpg"} {
		m, err := filepath.Glob(filepath.Join(samples, pat))
		if err != nil {
			return nil, err
		}
		files = append(files, m...)
	}
	sort.Strings(files)
	return files, nil
}

func testConfig() Config {
	return Config{Jobs: 2, Limits: preprocess.DefaultLimits(), Preprocess: preprocess.DefaultOptions(), OCR: ocr.DefaultOptions()}
}

func TestRunSamplesCER(t *testing.T) {
	corpus, err := eval.LoadCorpus(samples)
	if err != nil {
		t.Fatal(err)
	}
	truth := map[string]eval.TruthPage{}
	for _, p := range corpus {
		truth[p.Name] = p
	}
	var results []PageResult
	err = Run(context.Background(), sampleImages(t), testConfig(), OCRStage(preprocess.DefaultOptions()), func(r PageResult) { results = append(results, r) })
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != len(corpus) {
		t.Fatalf("%d results for %d sample pages", len(results), len(corpus))
	}
	for _, r := range results {
		if r.Err != nil {
			t.Errorf("%s: %v", r.Source, r.Err)
			continue
		}
		tp, ok := truth[r.Name]
		if !ok {
			t.Errorf("result %s has no ground truth", r.Name)
			continue
		}
		cer := eval.PageCER(tp.Text, r.OCR.Text()).CER()
		t.Logf("%-40s %-8s CER %.2f%% skew %.2f°", r.Name, tp.Quality, 100*cer, r.Quality.SkewDeg)
		if lim := maxCER[tp.Quality]; cer > lim {
			t.Errorf("%s (%s): CER %.2f%% above %.0f%%", r.Name, tp.Quality, 100*cer, 100*lim)
		}
		for _, l := range r.OCR.Lines {
			for _, w := range l.Words {
				b := w.BBox
				if b[0] < -5 || b[1] < -5 || b[2] > r.OCR.Width+5 || b[3] > r.OCR.Height+5 || b[2] < b[0] || b[3] < b[1] {
					// boxes are mapped to the original page: they must lie on it
					t.Errorf("%s: word %q box %v outside the %dx%d page", r.Name, w.Text, b, r.OCR.Width, r.OCR.Height)
				}
			}
		}
	}
}

func TestRunReportsBadFiles(t *testing.T) {
	dir := t.TempDir()
	good := sampleImages(t)[0]
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	bad := map[string][]byte{
		"truncated" + filepath.Ext(good): data[:len(data)/3],
		"empty.png":                      nil,
		"notes.jpg":                      []byte("Sổ đăng ký khai sinh — this is text, not an image\n"),
	}
	var files []string
	for name, b := range bad {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	var results []PageResult
	err = Run(context.Background(), files, testConfig(), OCRStage(preprocess.DefaultOptions()), func(r PageResult) { results = append(results, r) })
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != len(files) {
		t.Fatalf("%d results for %d files: a bad file was dropped", len(results), len(files))
	}
	for _, r := range results {
		var de *preprocess.DecodeError
		if !errors.As(r.Err, &de) {
			t.Errorf("%s: err = %v, want a *preprocess.DecodeError", r.Source, r.Err)
			continue
		}
		if !strings.Contains(r.Err.Error(), filepath.Base(r.Source)) {
			t.Errorf("error %q does not name the file", r.Err)
		}
	}
}

func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := Run(ctx, sampleImages(t), testConfig(), OCRStage(preprocess.DefaultOptions()), func(PageResult) {})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

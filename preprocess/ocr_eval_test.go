//go:build ocreval

package preprocess_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"gocv.io/x/gocv"

	"github.com/sohoa/sohoa/eval"
	"github.com/sohoa/sohoa/preprocess"
	"github.com/sohoa/sohoa/synth"
)

// TestOCREval measures what cleanup does for Tesseract on a synthetic
// corpus (see package synth): page CER and CPU of `tesseract -l vie` on the
// raw image and on the cleaned binary page, and the skew error. It needs
// the tesseract CLI and is skipped unless PREPROCESS_OCR_EVAL names a
// corpus directory, or is synth:SEED:PAGES to generate one, e.g.
//
//	PREPROCESS_OCR_EVAL=../testdata/samples go test -tags ocreval -run TestOCREval -v ./preprocess/
//
// PREPROCESS_OCR_OUT, when set, keeps the cleaned pages there;
// PREPROCESS_OCR_PSM sets the page segmentation mode for cleaned pages (6,
// one block, as package ocr uses, by default). Raw pages get plain
// `tesseract -l vie`.
func TestOCREval(t *testing.T) {
	dir := os.Getenv("PREPROCESS_OCR_EVAL")
	if dir == "" {
		t.Skip("set PREPROCESS_OCR_EVAL to a synth corpus directory")
	}
	if _, err := exec.LookPath("tesseract"); err != nil {
		t.Skip("no tesseract CLI")
	}
	if spec, ok := strings.CutPrefix(dir, "synth:"); ok {
		var seed int64
		var n int
		if _, err := fmt.Sscanf(spec, "%d:%d", &seed, &n); err != nil {
			t.Fatalf("want synth:SEED:PAGES, got %q", dir)
		}
		dir = t.TempDir()
		if o := os.Getenv("PREPROCESS_OCR_OUT"); o != "" {
			dir = filepath.Join(o, "corpus")
		}
		if _, err := synth.Generate(context.Background(), synth.Options{Seed: seed, Pages: n}, dir); err != nil {
			t.Fatal(err)
		}
	}
	psm := os.Getenv("PREPROCESS_OCR_PSM")
	if psm == "" {
		psm = "6"
	}
	out := os.Getenv("PREPROCESS_OCR_OUT")
	if out == "" {
		out = t.TempDir()
	}
	gts, err := filepath.Glob(filepath.Join(dir, "*.gt.txt"))
	if err != nil || len(gts) == 0 {
		t.Fatalf("no *.gt.txt in %s", dir)
	}
	opts := preprocess.DefaultOptions()
	if v := os.Getenv("PREPROCESS_OCR_TARGET_XH"); v != "" { // experiment with the text size
		fmt.Sscan(v, &opts.TargetXHeight, &opts.MinXHeight, &opts.MaxXHeight)
	}
	var raw, clean eval.Score
	var rawCPU, ocrCPU, cleanCPU time.Duration
	byQuality := map[string]*[2]eval.Score{}
	for _, gt := range gts {
		name := strings.TrimSuffix(filepath.Base(gt), ".gt.txt")
		var meta struct {
			Image   string  `json:"image"`
			Quality string  `json:"quality"`
			Skew    float64 `json:"skew_deg"`
			DPI     int     `json:"dpi"`
		}
		if b, err := os.ReadFile(filepath.Join(dir, name+".gt.json")); err == nil {
			json.Unmarshal(b, &meta)
		}
		img := filepath.Join(dir, meta.Image)
		truth, err := os.ReadFile(gt)
		if err != nil {
			t.Fatal(err)
		}
		pages, err := preprocess.DecodeFile(img, preprocess.DefaultLimits())
		if err != nil {
			t.Fatal(err)
		}
		c0 := cpuNow()
		p, err := preprocess.Clean(context.Background(), pages[0], opts)
		dc := cpuNow() - c0
		pages[0].Close()
		if err != nil {
			t.Fatal(err)
		}
		cleaned := filepath.Join(out, name+".clean.png")
		gocv.IMWrite(cleaned, p.Binary)
		q := p.Quality
		p.Close()
		rt, rc := tesseract(t, img)
		// The ocr package reads whole pages as one block at 300 dpi.
		ct, cc := tesseract(t, cleaned, "--psm", psm, "--dpi", "300")
		rs, cs := eval.PageCER(string(truth), rt), eval.PageCER(string(truth), ct)
		raw.Add(rs)
		clean.Add(cs)
		rawCPU += rc
		ocrCPU += cc
		cleanCPU += dc
		if byQuality[meta.Quality] == nil {
			byQuality[meta.Quality] = &[2]eval.Score{}
		}
		byQuality[meta.Quality][0].Add(rs)
		byQuality[meta.Quality][1].Add(cs)
		t.Logf("%-34s %-7s CER raw %5.1f%% clean %5.1f%% | skew %+.2f° (true %+.2f°, err %.2f) rot %d dpi %d→est %d scale %.2f | cpu raw %v clean %v+%v %q",
			name, meta.Quality, 100*rs.CER(), 100*cs.CER(), q.SkewDeg, meta.Skew, math.Abs(q.SkewDeg-meta.Skew),
			q.RotationDeg, meta.DPI, q.EstimatedDPI, q.Scale, rc.Round(time.Millisecond), dc.Round(time.Millisecond), cc.Round(time.Millisecond), q.Warnings)
	}
	for k, v := range byQuality {
		t.Logf("quality %-8s CER raw %5.2f%% clean %5.2f%%", k, 100*v[0].CER(), 100*v[1].CER())
	}
	t.Logf("ALL CER raw %.2f%% clean %.2f%%; CPU raw %v, clean+ocr %v (%.2fx), cleanup alone %v/page",
		100*raw.CER(), 100*clean.CER(), rawCPU.Round(time.Millisecond), (cleanCPU + ocrCPU).Round(time.Millisecond),
		float64(cleanCPU+ocrCPU)/float64(rawCPU), (cleanCPU / time.Duration(len(gts))).Round(time.Millisecond))
}

// tesseract runs the CLI single-threaded and returns its text and CPU time.
func tesseract(t *testing.T, img string, args ...string) (string, time.Duration) {
	t.Helper()
	cmd := exec.Command("tesseract", append([]string{img, "-", "-l", "vie"}, args...)...)
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	var so bytes.Buffer
	cmd.Stdout = &so
	if err := cmd.Run(); err != nil {
		t.Fatalf("tesseract %s: %v", img, err)
	}
	return so.String(), cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

func cpuNow() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// run executes the command line in-process and returns stdout, stderr and
// the error Execute returned.
func run(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	root := newRoot(&out, &errb)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), errb.String(), err
}

func TestOCRWritesTextAndReportsBadFiles(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	if err := os.MkdirAll(in, 0o755); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("../../testdata/samples/p0001-birth-extract-clean.png")
	if err != nil {
		t.Fatal(err)
	}
	must(t, os.WriteFile(filepath.Join(in, "good.png"), src, 0o644))
	must(t, os.WriteFile(filepath.Join(in, "cut.png"), src[:len(src)/2], 0o644))
	outDir := filepath.Join(dir, "out")

	stdout, _, err := run(t, "ocr", "--jobs", "2", "--out-dir", outDir, in)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 1 {
		t.Fatalf("err = %v, want exit status 1 for a failed page", err)
	}
	for _, want := range []string{"pages: 1 ok, 1 failed", "s/page", "cut.png"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	text, err := os.ReadFile(filepath.Join(outDir, "good.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(text), "TRÍCH LỤC KHAI SINH") {
		t.Errorf("good.txt lacks the title:\n%s", text)
	}
	if _, err := os.Stat(filepath.Join(outDir, "cut.txt")); !os.IsNotExist(err) {
		t.Errorf("a text file was written for the truncated page (err %v)", err)
	}
}

func TestOCRArguments(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no out dir", []string{"ocr", "x.png"}, "--out-dir is required"},
		{"no inputs", []string{"ocr", "--out-dir", t.TempDir()}, "requires at least 1 arg"},
		{"missing input", []string{"ocr", "--out-dir", t.TempDir(), "/no/such/file.png"}, "/no/such/file.png"},
		{"zero jobs", []string{"ocr", "--jobs", "0", "--out-dir", t.TempDir(), "x.png"}, "--jobs 0"},
		{"empty dir", []string{"ocr", "--out-dir", t.TempDir(), t.TempDir()}, "no image files"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := run(t, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestSynthThenEval(t *testing.T) {
	corpus := filepath.Join(t.TempDir(), "corpus")
	if _, _, err := run(t, "synth", "--out", corpus, "--pages", "1", "--quality", "clean", "--seed", "7"); err != nil {
		t.Fatal(err)
	}
	pred := filepath.Join(t.TempDir(), "pred")
	if _, _, err := run(t, "ocr", "--out-dir", pred, corpus); err != nil {
		t.Fatal(err)
	}
	stdout, _, err := run(t, "eval", "--truth", corpus, "--pred", pred)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "clean") || !strings.Contains(stdout, "all") {
		t.Fatalf("eval report:\n%s", stdout)
	}
	// eval of an empty prediction directory counts every page as missing.
	stdout, _, err = run(t, "eval", "--truth", corpus, "--pred", t.TempDir())
	if err != nil || !strings.Contains(stdout, "missing predictions: 1") || !strings.Contains(stdout, "100.00%") {
		t.Fatalf("err %v, report:\n%s", err, stdout)
	}
}

func TestExpandInputs(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	must(t, os.MkdirAll(sub, 0o755))
	for _, f := range []string{"b.JPG", "a.png", "notes.txt", "sub/c.tiff"} {
		must(t, os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o644))
	}
	explicit := filepath.Join(dir, "notes.txt")
	got, err := expandInputs([]string{dir, explicit, filepath.Join(dir, "a.png")})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "a.png"), filepath.Join(dir, "b.JPG"), filepath.Join(sub, "c.tiff"), explicit}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %v\nwant %v", got, want)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

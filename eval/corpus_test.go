package eval

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
)

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestComparePages(t *testing.T) {
	truth, pred := t.TempDir(), t.TempDir()
	write(t, truth, "a.gt.txt", "abcd\n")
	write(t, truth, "a.gt.json", `{"name":"a","quality":"clean"}`)
	write(t, truth, "b.gt.txt", "efgh\n")
	write(t, truth, "b.gt.json", `{"name":"b","quality":"worn"}`)
	write(t, truth, "c.gt.txt", "ijkl\n")
	write(t, truth, "c.gt.json", `{"name":"c","quality":"worn"}`)
	write(t, pred, "a.txt", "abcd\n")
	write(t, pred, "b.txt", "efgX\n")
	// c has no prediction.

	corpus, err := LoadCorpus(truth)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ComparePages(corpus, pred)
	if err != nil {
		t.Fatal(err)
	}
	if r.Missing != 1 {
		t.Errorf("missing = %d, want 1", r.Missing)
	}
	want := map[string]float64{"clean": 0, "worn": 5.0 / 8, "all": 5.0 / 12}
	for q, w := range want {
		if math.Abs(r.CER[q]-w) > 1e-9 {
			t.Errorf("CER[%s] = %v, want %v", q, r.CER[q], w)
		}
	}
}

func TestLoadCorpusEmpty(t *testing.T) {
	if _, err := LoadCorpus(t.TempDir()); !errors.Is(err, ErrNoTruth) {
		t.Fatalf("err = %v, want ErrNoTruth", err)
	}
}

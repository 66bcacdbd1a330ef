package synth

import (
	"context"
	"flag"
	"os"
	"sync"
	"testing"
)

var (
	genOut   = flag.String("synth.out", "", "write a corpus to this directory (used by go:generate for testdata/samples)")
	genPages = flag.Int("synth.pages", 6, "pages written with -synth.out")
)

// TestWriteCorpus writes a corpus when -synth.out is given; see the
// go:generate line in doc.go.
func TestWriteCorpus(t *testing.T) {
	if *genOut == "" {
		t.Skip("no -synth.out")
	}
	if _, err := Generate(context.Background(), Options{Seed: 1, Pages: *genPages}, *genOut); err != nil {
		t.Fatal(err)
	}
}

// sharedCorpus is one corpus of six pages (every type × layout, two pages
// of each quality) generated once for the tests that only read it.
type sharedCorpus struct {
	once   sync.Once
	dir    string
	truths []PageTruth
	err    error
}

var corpus sharedCorpus

func testCorpus(t *testing.T) (string, []PageTruth) {
	t.Helper()
	corpus.once.Do(func() {
		corpus.dir, corpus.err = os.MkdirTemp("", "synth-test-")
		if corpus.err != nil {
			return
		}
		corpus.truths, corpus.err = Generate(context.Background(), Options{Seed: 42, Pages: 6}, corpus.dir)
	})
	if corpus.err != nil {
		t.Fatal(corpus.err)
	}
	return corpus.dir, corpus.truths
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if corpus.dir != "" {
		os.RemoveAll(corpus.dir)
	}
	os.Exit(code)
}

package extract

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/ocr"
	"github.com/sohoa/sohoa/synth"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// samplesDir holds the bundled synthetic sample pages.
const samplesDir = "../testdata/samples"

func loadSet(t *testing.T) *Set {
	t.Helper()
	s, err := LoadTemplates("")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// pageFromTruth builds an OCR page from the ground-truth lines: words split
// on spaces, confidence 1, boxes divided evenly over the line box.
func pageFromTruth(pt *synth.PageTruth) *ocr.Page {
	texts := make([]string, len(pt.Lines))
	boxes := make([]models.BBox, len(pt.Lines))
	for i, l := range pt.Lines {
		texts[i], boxes[i] = l.Text, l.BBox
	}
	return pageFromLines(pt.Width, pt.Height, texts, boxes)
}

// truthFiles lists the *.gt.json files of a directory.
func truthFiles(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.gt.json"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

// checkTruth asserts that every ground-truth field is read with exactly
// its value and that no other field has a value.
func checkTruth(t *testing.T, res *Result, pt *synth.PageTruth) {
	t.Helper()
	if want := string(pt.RegisterType) + "/" + pt.Layout; !strings.HasPrefix(res.Template, want+"@") {
		t.Errorf("template %s, want %s", res.Template, want)
	}
	if res.RegisterType != pt.RegisterType {
		t.Errorf("register type %s, want %s", res.RegisterType, pt.RegisterType)
	}
	if len(res.Entries) != len(pt.Records) {
		t.Fatalf("%d entries, want %d", len(res.Entries), len(pt.Records))
	}
	for i, rec := range pt.Records {
		got := res.Entries[i].Fields
		for k, ft := range rec.Fields {
			rd, ok := got[k]
			switch {
			case !ok:
				t.Errorf("entry %d: %s missing, want %q", i, k, ft.Value)
			case rd.Value == nil:
				t.Errorf("entry %d: %s = nil (raw %q, %v), want %q", i, k, rd.Raw, rd.Problems, ft.Value)
			case *rd.Value != ft.Value:
				t.Errorf("entry %d: %s = %q (raw %q), want %q", i, k, *rd.Value, rd.Raw, ft.Value)
			}
		}
		for k, rd := range got {
			if _, ok := rec.Fields[k]; !ok && rd.Value != nil {
				t.Errorf("entry %d: unexpected %s = %q", i, k, *rd.Value)
			}
		}
	}
}

// checkGolden compares v, as indented JSON, with a golden file.
func checkGolden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "golden", name+".json")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run with -update to accept):\n%s", path, firstDiff(string(want), string(got)))
	}
}

// firstDiff shows the first differing line of two texts.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n  want " + w + "\n  got  " + g
		}
	}
	return ""
}

func TestSamplesGolden(t *testing.T) {
	s := loadSet(t)
	files := truthFiles(t, samplesDir)
	if len(files) == 0 {
		t.Skip("no samples in " + samplesDir)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".gt.json")
		t.Run(name, func(t *testing.T) {
			pt, err := synth.LoadTruth(f)
			if err != nil {
				t.Fatal(err)
			}
			res, err := s.Extract(pageFromTruth(pt))
			if err != nil {
				t.Fatal(err)
			}
			checkTruth(t, res, pt)
			checkGolden(t, "samples/"+name, res)
		})
	}
}

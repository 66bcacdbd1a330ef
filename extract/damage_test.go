package extract

import (
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/sohoa/sohoa/synth"
	"github.com/sohoa/sohoa/vn"
)

// valueWords marks the words of a line that belong to a field value.
func valueWords(words []string, raws []string) []bool {
	mark := make([]bool, len(words))
	for _, raw := range raws {
		rw := strings.Fields(raw)
		if len(rw) == 0 {
			continue
		}
		for i := 0; i+len(rw) <= len(words); i++ {
			match := true
			for j, w := range rw {
				if strings.TrimRight(words[i+j], ",.;") != strings.TrimRight(w, ",.;") {
					match = false
					break
				}
			}
			if match {
				for j := range rw {
					mark[i+j] = true
				}
			}
		}
	}
	return mark
}

// substitute replaces one letter of w, keeping its case.
func substitute(rng *rand.Rand, w string) string {
	rs := []rune(w)
	var letters []int
	for i, r := range rs {
		if unicode.IsLetter(r) {
			letters = append(letters, i)
		}
	}
	i := letters[rng.IntN(len(letters))]
	old := unicode.ToLower(rs[i])
	r := old
	for r == old {
		r = rune('a' + rng.IntN(26))
	}
	if unicode.IsUpper(rs[i]) {
		r = unicode.ToUpper(r)
	}
	rs[i] = r
	return string(rs)
}

func letterCount(w string) int {
	n := 0
	for _, r := range w {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

// damage returns a copy of the truth whose non-value words (the labels,
// titles and other print) lost their diacritics, with one letter of one
// word of at least four letters substituted on every line. Deterministic
// for a seed.
func damage(pt *synth.PageTruth, seed uint64) *synth.PageTruth {
	var raws []string
	for _, r := range pt.Records {
		for _, f := range r.Fields {
			raws = append(raws, f.Raw)
		}
	}
	out := *pt
	out.Lines = make([]synth.LineTruth, len(pt.Lines))
	for li, l := range pt.Lines {
		rng := rand.New(rand.NewPCG(seed, uint64(li)))
		words := strings.Fields(l.Text)
		isValue := valueWords(words, raws)
		var cands []int
		for i, w := range words {
			if isValue[i] {
				continue
			}
			words[i] = vn.StripDiacritics(w)
			if letterCount(words[i]) >= 4 {
				cands = append(cands, i)
			}
		}
		if len(cands) > 0 {
			i := cands[rng.IntN(len(cands))]
			words[i] = substitute(rng, words[i])
		}
		out.Lines[li] = synth.LineTruth{Text: strings.Join(words, " "), BBox: l.BBox}
	}
	return &out
}

func TestSamplesDamaged(t *testing.T) {
	s := loadSet(t)
	files := truthFiles(t, samplesDir)
	if len(files) == 0 {
		t.Skip("no samples in " + samplesDir)
	}
	for i, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".gt.json"), func(t *testing.T) {
			pt, err := synth.LoadTruth(f)
			if err != nil {
				t.Fatal(err)
			}
			checkDamaged(t, s, pt, uint64(i+1))
		})
	}
}

// checkDamaged extracts a damaged copy of the page and checks it against
// the truth; the labels must have been found with imperfect scores.
func checkDamaged(t *testing.T, s *Set, pt *synth.PageTruth, seed uint64) {
	t.Helper()
	d := damage(pt, seed)
	res, err := s.Extract(pageFromTruth(d))
	if err != nil {
		t.Fatal(err)
	}
	checkTruth(t, res, pt)
	fuzzy := 0
	for _, e := range res.Entries {
		for _, rd := range e.Fields {
			if rd.Value != nil && rd.LabelScore < scoreNoMarks {
				fuzzy++
			}
		}
	}
	if fuzzy == 0 {
		t.Errorf("no label was matched approximately: the damage did not reach the labels")
	}
	if t.Failed() {
		for _, l := range d.Lines {
			t.Log(l.Text)
		}
	}
}

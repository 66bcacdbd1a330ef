package eval

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ErrNoTruth is returned when a corpus directory holds no ground truth.
var ErrNoTruth = errors.New("eval: no ground-truth pages (*.gt.txt) found")

// TruthPage is the part of a corpus page's ground truth that evaluation
// needs.
type TruthPage struct {
	Name         string `json:"name"`
	Quality      string `json:"quality"`
	RegisterType string `json:"register_type"`
	Layout       string `json:"layout"`
	Text         string `json:"-"`
}

// LoadCorpus reads every NAME.gt.txt (and its NAME.gt.json, when present)
// in dir, sorted by name.
func LoadCorpus(dir string) ([]TruthPage, error) {
	txts, err := filepath.Glob(filepath.Join(dir, "*.gt.txt"))
	if err != nil {
		return nil, err
	}
	if len(txts) == 0 {
		return nil, fmt.Errorf("%w in %s", ErrNoTruth, dir)
	}
	sort.Strings(txts)
	pages := make([]TruthPage, 0, len(txts))
	for _, p := range txts {
		name := strings.TrimSuffix(filepath.Base(p), ".gt.txt")
		text, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("eval: read truth: %w", err)
		}
		tp := TruthPage{Name: name, Quality: "unknown"}
		meta, err := os.ReadFile(filepath.Join(dir, name+".gt.json"))
		switch {
		case err == nil:
			if err := json.Unmarshal(meta, &tp); err != nil {
				return nil, fmt.Errorf("eval: %s.gt.json: %w", name, err)
			}
		case !errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("eval: read truth: %w", err)
		}
		tp.Name = name
		tp.Text = string(text)
		pages = append(pages, tp)
	}
	return pages, nil
}

// PageScore is one page's result.
type PageScore struct {
	Name    string  `json:"name"`
	Quality string  `json:"quality"`
	Missing bool    `json:"missing,omitempty"` // no prediction: counted as all wrong
	Score   Score   `json:"score"`
	CER     float64 `json:"cer"`
}

// Report is the page CER of a prediction directory against a corpus.
type Report struct {
	Pages     []PageScore        `json:"pages"`
	ByQuality map[string]Score   `json:"by_quality"`
	CER       map[string]float64 `json:"cer"` // per quality and "all"
	Total     Score              `json:"total"`
	Missing   int                `json:"missing"`
}

// ComparePages scores the predicted NAME.txt files in predDir against the
// corpus. A page with no prediction scores as entirely wrong, so a tool
// cannot look better by skipping hard pages.
func ComparePages(corpus []TruthPage, predDir string) (*Report, error) {
	r := &Report{ByQuality: map[string]Score{}, CER: map[string]float64{}}
	for _, tp := range corpus {
		ps := PageScore{Name: tp.Name, Quality: tp.Quality}
		got, err := os.ReadFile(filepath.Join(predDir, tp.Name+".txt"))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			ps.Missing = true
			r.Missing++
		case err != nil:
			return nil, fmt.Errorf("eval: read prediction: %w", err)
		}
		ps.Score = PageCER(tp.Text, string(got))
		ps.CER = ps.Score.CER()
		r.Pages = append(r.Pages, ps)
		q := r.ByQuality[tp.Quality]
		q.Add(ps.Score)
		r.ByQuality[tp.Quality] = q
		r.Total.Add(ps.Score)
	}
	for q, s := range r.ByQuality {
		r.CER[q] = s.CER()
	}
	r.CER["all"] = r.Total.CER()
	return r, nil
}

package eval

import (
	"path/filepath"
	"strings"

	"github.com/sohoa/sohoa/confidence"
	"github.com/sohoa/sohoa/extract"
	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/synth"
)

// Tally counts field outcomes against ground truth.
type Tally struct {
	Fields        int `json:"fields"`         // fields in the ground truth
	Correct       int `json:"correct"`        // value equals the truth's normalised value
	Accepted      int `json:"accepted"`       // routed without review (spurious fields included)
	AcceptedWrong int `json:"accepted_wrong"` // accepted but not equal to the truth
	Spurious      int `json:"spurious"`       // accepted fields the truth does not have
}

// Accuracy is the share of ground-truth fields read correctly, accepted or not.
func (t Tally) Accuracy() float64 { return ratio(t.Correct, t.Fields) }

// StraightThrough is the share of ground-truth fields accepted without
// review (spurious accepted fields count against precision, not here).
func (t Tally) StraightThrough() float64 { return ratio(t.Accepted-t.Spurious, t.Fields) }

// Precision is the share of accepted fields that are right.
func (t Tally) Precision() float64 {
	if t.Accepted == 0 {
		return 1
	}
	return 1 - float64(t.AcceptedWrong)/float64(t.Accepted)
}

func (t *Tally) add(o Tally) {
	t.Fields += o.Fields
	t.Correct += o.Correct
	t.Accepted += o.Accepted
	t.AcceptedWrong += o.AcceptedWrong
	t.Spurious += o.Spurious
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// FieldReport holds field metrics by field key, register type and quality.
type FieldReport struct {
	Total     Tally             `json:"total"`
	ByKey     map[string]*Tally `json:"by_key"`
	ByType    map[string]*Tally `json:"by_type"`
	ByQuality map[string]*Tally `json:"by_quality"`
	// Pages whose records are missing from the output entirely.
	MissingPages []string `json:"missing_pages,omitempty"`
}

// RecordName is the corpus page name a record's source refers to.
func RecordName(source string) string {
	b := filepath.Base(source)
	if i := strings.IndexByte(b, '#'); i >= 0 {
		b = b[:i]
	}
	return strings.TrimSuffix(b, filepath.Ext(b))
}

// CompareRecords scores records (as `sohoa scan` writes them) against the
// corpus's ground truth. A truth field with no output counts as neither
// correct nor accepted; an accepted output field the truth lacks counts as
// an accepted error.
func CompareRecords(truth []*synth.PageTruth, recs []models.Record) *FieldReport {
	rep := &FieldReport{ByKey: map[string]*Tally{}, ByType: map[string]*Tally{}, ByQuality: map[string]*Tally{}}
	byPage := map[string]map[int]models.Record{}
	for _, r := range recs {
		n := RecordName(r.Source)
		if byPage[n] == nil {
			byPage[n] = map[int]models.Record{}
		}
		byPage[n][r.EntryIndex] = r
	}
	bump := func(m map[string]*Tally, k string, t Tally) {
		if m[k] == nil {
			m[k] = &Tally{}
		}
		m[k].add(t)
	}
	for _, p := range truth {
		got, ok := byPage[p.Name]
		if !ok {
			rep.MissingPages = append(rep.MissingPages, p.Name)
		}
		for _, tr := range p.Records {
			out := got[tr.EntryIndex]
			for key, tf := range tr.Fields {
				t := Tally{Fields: 1}
				if f, ok := out.Fields[key]; ok {
					right := f.Value != nil && *f.Value == tf.Value
					if right {
						t.Correct = 1
					}
					if f.Status == models.StatusAccepted {
						t.Accepted = 1
						if !right {
							t.AcceptedWrong = 1
						}
					}
				}
				rep.Total.add(t)
				bump(rep.ByKey, key, t)
				bump(rep.ByType, string(tr.RegisterType), t)
				bump(rep.ByQuality, string(p.Quality), t)
			}
			for key, f := range out.Fields {
				if _, ok := tr.Fields[key]; ok || f.Status != models.StatusAccepted {
					continue
				}
				t := Tally{Accepted: 1, AcceptedWrong: 1, Spurious: 1}
				rep.Total.add(t)
				bump(rep.ByKey, key, t)
				bump(rep.ByType, string(tr.RegisterType), t)
				bump(rep.ByQuality, string(p.Quality), t)
			}
		}
	}
	return rep
}

// Samples labels every reading of an extraction result against the page's
// ground truth, for fitting the confidence model. settle turns a reading
// into the one the scanner keeps (a second reading of its crop may replace
// it) and the model's inputs.
func Samples(truth *synth.PageTruth, res *extract.Result, settle func(*extract.Reading) (*extract.Reading, confidence.Evidence)) []confidence.Sample {
	var out []confidence.Sample
	byIndex := map[int]synth.RecordTruth{}
	for _, r := range truth.Records {
		byIndex[r.EntryIndex] = r
	}
	for _, e := range res.Entries {
		tr, ok := byIndex[e.Index]
		for key, rd := range e.Fields {
			rd, ev := settle(rd)
			tf, has := tr.Fields[key]
			correct := ok && has && rd.Value != nil && *rd.Value == tf.Value
			out = append(out, confidence.Sample{Key: key, Evidence: ev, Correct: correct})
		}
	}
	return out
}

package pipeline

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/sohoa/sohoa/confidence"
	"github.com/sohoa/sohoa/extract"
	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/preprocess"
	"github.com/sohoa/sohoa/synth"
)

func testScanner(t testing.TB) *Scanner {
	t.Helper()
	set, err := extract.LoadTemplates("")
	if err != nil {
		t.Fatal(err)
	}
	m, err := confidence.Default()
	if err != nil {
		t.Fatal(err)
	}
	return &Scanner{Templates: set, Model: m, Preprocess: preprocess.DefaultOptions(), ReOCR: true}
}

// TestScanSamples runs the whole local pipeline on the bundled samples and
// checks the records against their ground truth: every record found with
// the right register type, accepted fields right, most fields right.
func TestScanSamples(t *testing.T) {
	sc := testScanner(t)
	var results []PageResult
	err := Run(context.Background(), sampleImages(t), testConfig(), sc.Stage(), func(r PageResult) { results = append(results, r) })
	if err != nil {
		t.Fatal(err)
	}
	var fields, correct, accepted, acceptedWrong int
	for _, r := range results {
		if r.Err != nil {
			t.Errorf("%s: %v", r.Source, r.Err)
			continue
		}
		truth, err := synth.LoadTruth(filepath.Join(samples, r.Name+".gt.json"))
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Records) != len(truth.Records) {
			t.Errorf("%s: %d records, want %d", r.Name, len(r.Records), len(truth.Records))
			continue
		}
		for i, rec := range r.Records {
			tr := truth.Records[i]
			if rec.RegisterType != tr.RegisterType || rec.EntryIndex != tr.EntryIndex {
				t.Errorf("%s record %d: %s/%d, want %s/%d", r.Name, i, rec.RegisterType, rec.EntryIndex, tr.RegisterType, tr.EntryIndex)
			}
			if rec.PageSHA256 == "" || rec.ID == "" || rec.Template == "" {
				t.Errorf("%s record %d lacks id, page hash or template: %+v", r.Name, i, rec)
			}
			allAccepted := true
			for key, tf := range tr.Fields {
				f, ok := rec.Fields[key]
				fields++
				if !ok {
					continue
				}
				right := f.Value != nil && *f.Value == tf.Value
				if right {
					correct++
				}
				if f.Status == models.StatusAccepted {
					accepted++
					if !right {
						acceptedWrong++
						t.Errorf("%s %s accepted %v (conf %.3f), truth %q", r.Name, key, deref(f.Value), f.Confidence, tf.Value)
					}
				} else {
					allAccepted = false
					if len(f.Reasons) == 0 {
						t.Errorf("%s %s in review without a reason", r.Name, key)
					}
				}
				if f.Confidence < 0 || f.Confidence > 1 {
					t.Errorf("%s %s confidence %v outside 0..1", r.Name, key, f.Confidence)
				}
			}
			if allAccepted != (rec.Status == models.StatusAccepted) && len(rec.Fields) == len(tr.Fields) {
				t.Errorf("%s record %d status %s inconsistent with its fields", r.Name, i, rec.Status)
			}
		}
	}
	t.Logf("fields %d, correct %d, accepted %d (wrong %d)", fields, correct, accepted, acceptedWrong)
	if float64(correct) < 0.9*float64(fields) {
		t.Errorf("only %d of %d fields correct", correct, fields)
	}
	if float64(accepted) < 0.5*float64(fields) {
		t.Errorf("only %d of %d fields accepted straight through", accepted, fields)
	}
}

func TestRecordIDStable(t *testing.T) {
	a := RecordID("abc", "x.jpg", 0)
	if a != RecordID("abc", "y.jpg", 0) {
		t.Error("the id must depend on the page bytes, not the path")
	}
	if a == RecordID("abc", "x.jpg", 1) || a == RecordID("abd", "x.jpg", 0) {
		t.Error("different entries or pages share an id")
	}
}

func deref(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

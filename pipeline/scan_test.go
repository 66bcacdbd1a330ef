package pipeline

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"gocv.io/x/gocv"

	"github.com/sohoa/sohoa/confidence"
	"github.com/sohoa/sohoa/extract"
	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/ocr"
	"github.com/sohoa/sohoa/preprocess"
	"github.com/sohoa/sohoa/synth"
	"github.com/sohoa/sohoa/validate"
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

// TestCrossRead: a name is read a second time from its crop; the two
// readings agreeing is evidence, and where they differ the surer one is
// kept. Kinds the model does not cross-read are left as read.
func TestCrossRead(t *testing.T) {
	ctx := context.Background()
	sc := testScanner(t)
	sc.Model = &confidence.Model{CrossRead: []string{"name"}, Kinds: sc.Model.Kinds}
	src := gocv.IMRead(filepath.Join(samples, "p0001-birth-extract-clean.png"), gocv.IMReadColor)
	defer src.Close()
	e, err := ocr.NewEngine(ocr.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	page, err := Cleanup(ctx, src, sc.Preprocess)
	if err != nil {
		t.Fatal(err)
	}
	defer page.Close()
	text, err := Recognize(ctx, e, page)
	if err != nil {
		t.Fatal(err)
	}
	res, err := sc.Templates.Extract(text)
	if err != nil {
		t.Fatal(err)
	}
	truth, err := synth.LoadTruth(filepath.Join(samples, "p0001-birth-extract-clean.gt.json"))
	if err != nil {
		t.Fatal(err)
	}
	rd := res.Entries[0].Fields["full_name"]
	want := truth.Records[0].Fields["full_name"].Value
	if rd == nil || rd.Value == nil || *rd.Value != want {
		t.Fatalf("page read of full_name = %+v, want %q", rd, want)
	}

	got, ev := sc.Reading(ctx, e, page, rd, 1)
	if !ev.Agree || got.Value == nil || *got.Value != want {
		t.Errorf("clean name: reading %v agree %v, want %q read the same twice", deref(got.Value), ev.Agree, want)
	}

	// A misreading the page's OCR was unsure of gives way to the crop's.
	bad := *rd
	wrong := "Nguyên Văn X"
	bad.Value, bad.Raw, bad.WordConfs = &wrong, wrong, []float64{0.5, 0.4, 0.3}
	got, ev = sc.Reading(ctx, e, page, &bad, 1)
	if ev.Agree || got.Value == nil || *got.Value != want {
		t.Errorf("unsure misreading: kept %v agree %v, want the crop's %q and no agreement", deref(got.Value), ev.Agree, want)
	}
	// A reading in conflict with another field is left for a person: a
	// second reading, validated alone, would drop the conflict.
	conflict := bad
	conflict.Problems = []validate.Problem{{Code: validate.CodeConflict, Message: "test"}}
	if got, ev := sc.Reading(ctx, e, page, &conflict, 1); got != &conflict || ev.Agree {
		t.Errorf("a conflicting name was read again: %v", deref(got.Value))
	}
	num := *res.Entries[0].Fields["entry_number"]
	misread := "999"
	num.Value, num.Raw, num.WordConfs = &misread, misread, []float64{0.3}
	num.Problems = []validate.Problem{{Code: validate.CodeConflict, Message: "entries out of sequence"}}
	if f := sc.route(ctx, e, page, &num, 1); f.Status != models.StatusReview || deref(f.Value) != misread || !slices.Contains(f.Reasons, validate.CodeConflict) {
		t.Errorf("conflicting entry number routed %s %v %v, want review of the page's reading with its conflict", f.Status, deref(f.Value), f.Reasons)
	}

	// One the page's OCR was surer of than the crop's stays, but disagrees.
	bad.WordConfs = []float64{1, 1, 1}
	got, ev = sc.Reading(ctx, e, page, &bad, 1)
	if ev.Agree || got.Value == nil || *got.Value != wrong {
		t.Errorf("sure misreading: kept %v agree %v, want it kept without agreement", deref(got.Value), ev.Agree)
	}

	// A long reading that agreeing could not get accepted is not read
	// again: a line of an address costs Tesseract four times a name.
	sc.Model.CrossRead = []string{"name", "text"}
	pob := res.Entries[0].Fields["place_of_birth"]
	if pob == nil || pob.Value == nil || len([]rune(pob.Raw)) <= crossReadShort {
		t.Fatalf("place_of_birth %+v: want a long reading", pob)
	}
	sc.Model.Overrides = map[string]float64{"place_of_birth": 2}
	if got, ev := sc.Reading(ctx, e, page, pob, 1); got != pob || ev.Agree {
		t.Errorf("a long place that could not be accepted was read again (agree %v)", ev.Agree)
	}
	sc.Model.Overrides = map[string]float64{"place_of_birth": 0.5}
	if _, ev := sc.Reading(ctx, e, page, pob, 1); !ev.Agree {
		t.Errorf("a long place that agreeing gets accepted was not read again")
	}

	// Not a cross-read kind, or re-reading off: the page's reading alone.
	if d := res.Entries[0].Fields["date_of_birth"]; d != nil {
		if got, ev := sc.Reading(ctx, e, page, d, 1); got != d || ev.Agree {
			t.Errorf("date was cross-read: %v agree %v", deref(got.Value), ev.Agree)
		}
	}
	sc.ReOCR = false
	if got, ev := sc.Reading(ctx, e, page, rd, 1); got != rd || ev.Agree {
		t.Errorf("re-reading off, yet the name was read again (agree %v)", ev.Agree)
	}
}

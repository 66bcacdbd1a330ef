package pipeline

import (
	"context"
	"errors"
	"maps"
	"path/filepath"
	"slices"
	"strings"
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
						t.Logf("%s %s accepted %v (conf %.3f), truth %q", r.Name, key, deref(f.Value), f.Confidence, tf.Value)
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
	// The model is calibrated so that accepted fields are wrong well under
	// 0.5 % of the time (under 0.1 % on the held-out corpus in BENCHMARKS.md).
	// The samples hold some 140 accepted fields: at that rate one wrong is
	// seen one time in six, two one time in a hundred, so two or more mean
	// the model accepts far more than it should.
	if acceptedWrong > 1 {
		t.Errorf("%d of %d accepted fields wrong", acceptedWrong, accepted)
	}
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

// readSample cleans and reads a bundled sample page with an engine that is
// closed, like the page, when the test ends.
func readSample(t *testing.T, sc *Scanner, file string) (*ocr.Engine, *preprocess.Page, *ocr.Page) {
	t.Helper()
	src := gocv.IMRead(filepath.Join(samples, file), gocv.IMReadColor)
	defer src.Close()
	e, err := ocr.NewEngine(ocr.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	page, err := Cleanup(context.Background(), src, sc.Preprocess)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { page.Close() })
	text, err := Recognize(context.Background(), e, page)
	if err != nil {
		t.Fatal(err)
	}
	return e, page, text
}

// TestCrossRead: a name is read a second time from its crop; the two
// readings agreeing is evidence, and where they differ the surer one is
// kept. Kinds the model does not cross-read are left as read.
func TestCrossRead(t *testing.T) {
	ctx := context.Background()
	sc := testScanner(t)
	sc.Model = &confidence.Model{CrossRead: []string{"name"}, Kinds: sc.Model.Kinds}
	e, page, text := readSample(t, sc, "p0001-birth-extract-clean.png")
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

	// The father's name reads the same three times (the page, the crop at
	// 0.75, and the crop by ocr.ScriptModel: crossReads). The agreeing
	// crops' confidence is evidence too; the page's stays the reading's own.
	father := res.Entries[0].Fields["father_name"]
	wantFather := truth.Records[0].Fields["father_name"].Value
	got, ev := sc.Reading(ctx, e, page, father, 1)
	if !ev.Agree || got.Value == nil || *got.Value != wantFather {
		t.Errorf("clean name: reading %v agree %v, want %q read the same three times", deref(got.Value), ev.Agree, wantFather)
	}
	if ev.AgreeConf <= 0 || ev.AgreeConf > 1 || !slices.Equal(ev.WordConfs, father.WordConfs) {
		t.Errorf("clean name: agreeing confidence %v, word confidences %v; want the crops' in (0, 1] and the page's %v", ev.AgreeConf, ev.WordConfs, father.WordConfs)
	}
	// Where agreeing could not get a name accepted (a threshold no score
	// reaches), it is not read the third time and does not agree.
	kinds := maps.Clone(sc.Model.Kinds)
	unreachable := *kinds["name"]
	unreachable.Threshold = 2
	kinds["name"] = &unreachable
	strict := *sc
	strict.Model = &confidence.Model{CrossRead: []string{"name"}, Kinds: kinds}
	if _, ev := strict.Reading(ctx, e, page, father, 1); ev.Agree || ev.AgreeConf != 0 {
		t.Errorf("name agreeing could not get accepted: agree %v (%v), want no third reading and no agreement", ev.Agree, ev.AgreeConf)
	}
	// The child's name, "Sơn Sô Phanh", is read the same by the page and
	// the first crop, but "Sơn Số Phanh" by ocr.ScriptModel: the reading
	// stays, without agreement.
	got, ev = sc.Reading(ctx, e, page, rd, 1)
	if ev.Agree || ev.AgreeConf != 0 || got != rd {
		t.Errorf("name the third reading disagrees with: reading %v agree %v (%v), want the page's %q without agreement", deref(got.Value), ev.Agree, ev.AgreeConf, want)
	}

	// A misreading the page's OCR was unsure of gives way to the crop's.
	bad := *rd
	wrong := "Nguyên Văn X"
	bad.Value, bad.Raw, bad.WordConfs = &wrong, wrong, []float64{0.5, 0.4, 0.3}
	got, ev = sc.Reading(ctx, e, page, &bad, 1)
	if ev.Agree || ev.AgreeConf != 0 || got.Value == nil || *got.Value != want {
		t.Errorf("unsure misreading: kept %v agree %v (%v), want the crop's %q and no agreement", deref(got.Value), ev.Agree, ev.AgreeConf, want)
	}
	// A reading that contradicts itself (a date's figures against its
	// words) is left for a person: its crop, validated alone, could lose
	// the part it contradicts. One in conflict with another field is read
	// again: the checks across fields run again on the settled readings.
	within := bad
	within.Problems = []validate.Problem{{Code: validate.CodeConflict, Message: "test"}}
	if got, ev := sc.Reading(ctx, e, page, &within, 1); got != &within || ev.Agree {
		t.Errorf("a reading in conflict with itself was read again: %v", deref(got.Value))
	}
	across := within
	across.Checks = within.Problems
	if got, _ := sc.Reading(ctx, e, page, &across, 1); got == &across || deref(got.Value) != want || len(got.Checks) != 0 {
		t.Errorf("a reading in conflict with another field: got %v (checks %v), want the crop's %q without the old conflict", deref(got.Value), got.Checks, want)
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

// TestRecordsRecheck: the checks across fields run again on the settled
// readings. An entry number misread out of sequence is read again from
// its crop; when the second reading restores the sequence, neither entry
// keeps the conflict, and when the sequence stays broken both go to
// review with it.
func TestRecordsRecheck(t *testing.T) {
	ctx := context.Background()
	sc := testScanner(t)
	const name = "p0004-marriage-register-clean"
	e, page, text := readSample(t, sc, name+".png")
	truth, err := synth.LoadTruth(filepath.Join(samples, name+".gt.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(truth.Records) < 2 {
		t.Fatalf("%s: %d entries in truth, want a register page of two", name, len(truth.Records))
	}
	want0 := truth.Records[0].Fields["entry_number"].Value
	want1 := truth.Records[1].Fields["entry_number"].Value
	// misread extracts the page and puts "999" in the first entry's number,
	// read from the box box gives (the first entry's own when nil), as a
	// misreading the page's OCR was unsure of.
	misread := func(box func(res *extract.Result) models.BBox) *extract.Result {
		t.Helper()
		res, err := sc.Templates.Extract(text)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Entries) != 2 {
			t.Fatalf("%d entries extracted, want 2", len(res.Entries))
		}
		for i, want := range []string{want0, want1} {
			if rd := res.Entries[i].Fields["entry_number"]; rd == nil || deref(rd.Value) != want {
				t.Fatalf("entry %d: number read %+v, want %q", i, rd, want)
			}
		}
		rd := res.Entries[0].Fields["entry_number"]
		if box != nil {
			rd.BBox = box(res)
		}
		v := "999"
		rd.Value, rd.Raw, rd.WordConfs = &v, v, []float64{0.3}
		extract.Recheck(res.RegisterType, res.Entries)
		for i := range res.Entries {
			if !slices.ContainsFunc(res.Entries[i].Fields["entry_number"].Problems, func(p validate.Problem) bool { return p.Code == validate.CodeConflict }) {
				t.Fatalf("entry %d: no conflict after the misreading", i)
			}
		}
		return res
	}
	number := func(r models.Record) models.Field { return r.Fields["entry_number"] }

	recs := sc.records(ctx, e, page, misread(nil), Source{Path: name, SHA256: "x"})
	for i, want := range []string{want0, want1} {
		f := number(recs[i])
		if deref(f.Value) != want || f.Status != models.StatusAccepted || slices.Contains(f.Reasons, validate.CodeConflict) {
			t.Errorf("resolved: entry %d number %v %s %v, want %q accepted", i, deref(f.Value), f.Status, f.Reasons, want)
		}
	}

	// The first entry's crop is the second entry's number: read again, it
	// gives that number twice, and the sequence stays broken.
	recs = sc.records(ctx, e, page, misread(func(res *extract.Result) models.BBox {
		return res.Entries[1].Fields["entry_number"].BBox
	}), Source{Path: name, SHA256: "x"})
	for i, want := range []string{want1, want1} {
		f := number(recs[i])
		if deref(f.Value) != want || f.Status != models.StatusReview || !slices.Contains(f.Reasons, validate.CodeConflict) {
			t.Errorf("still broken: entry %d number %v %s %v, want %q in review for a conflict", i, deref(f.Value), f.Status, f.Reasons, want)
		}
	}

	// Without second readings the misreading stays, in conflict.
	sc.ReOCR = false
	recs = sc.records(ctx, e, page, misread(nil), Source{Path: name, SHA256: "x"})
	if f := number(recs[0]); deref(f.Value) != "999" || !slices.Contains(f.Reasons, validate.CodeConflict) {
		t.Errorf("no second readings: entry 0 number %v %v, want 999 in conflict", deref(f.Value), f.Reasons)
	}
}

// TestKeepPageReadings: of the fields in a conflict, each read again, the
// page's reading of one refused only for the conflict comes back when the
// conflict goes without replacing it; a reading wrong on its own, or one
// refused for another reason, keeps its second reading.
func TestKeepPageReadings(t *testing.T) {
	rd := func(key, v string, own ...validate.Problem) *extract.Reading {
		return &extract.Reading{Key: key, Kind: "date", Raw: v, Value: &v, Problems: own}
	}
	outOfRange := validate.Problem{Code: validate.CodeOutOfRange, Message: "year 7992"}
	tests := []struct {
		name                string
		birth, reg          *extract.Reading // the page's readings
		birth2, reg2        string           // their second readings
		wantBirth, wantReg  string
		keptBirth, keptReg  bool // the page's reading is the one kept
		wantConflictsRemain bool
	}{
		{name: "birth misread, registration right",
			birth: rd("date_of_birth", "2030-01-01"), reg: rd("registration_date", "2020-05-05"),
			birth2: "2019-01-01", reg2: "2020-05-06",
			wantBirth: "2019-01-01", wantReg: "2020-05-05", keptReg: true},
		{name: "birth invalid on its own stays replaced",
			birth: rd("date_of_birth", "7992-01", outOfRange), reg: rd("registration_date", "2020-05-05"),
			birth2: "1992-07-01", reg2: "2020-05-05",
			wantBirth: "1992-07-01", wantReg: "2020-05-05", keptReg: true},
		{name: "neither page reading can come back",
			birth: rd("date_of_birth", "2030-01-01"), reg: rd("registration_date", "2020-05-05"),
			birth2: "2031-01-01", reg2: "2020-05-06",
			wantBirth: "2031-01-01", wantReg: "2020-05-06", wantConflictsRemain: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			entries := []extract.Entry{{Fields: map[string]*extract.Reading{"date_of_birth": tc.birth, "registration_date": tc.reg}}}
			extract.Recheck(models.Birth, entries)
			if !validate.Blocking(tc.reg.Checks) {
				t.Fatalf("page readings not in conflict: %v", tc.reg.Problems)
			}
			first := []map[string]*extract.Reading{{"date_of_birth": tc.birth, "registration_date": tc.reg}}
			entries[0].Fields["date_of_birth"] = rd("date_of_birth", tc.birth2)
			entries[0].Fields["registration_date"] = rd("registration_date", tc.reg2)
			keepPageReadings(models.Birth, entries, first)
			b, r := entries[0].Fields["date_of_birth"], entries[0].Fields["registration_date"]
			if deref(b.Value) != tc.wantBirth || deref(r.Value) != tc.wantReg {
				t.Errorf("birth %v registration %v, want %s and %s", deref(b.Value), deref(r.Value), tc.wantBirth, tc.wantReg)
			}
			if (b == tc.birth) != tc.keptBirth || (r == tc.reg) != tc.keptReg {
				t.Errorf("page reading kept: birth %v registration %v, want %v %v", b == tc.birth, r == tc.reg, tc.keptBirth, tc.keptReg)
			}
			if got := validate.Blocking(r.Problems) || validate.Blocking(b.Problems); got != tc.wantConflictsRemain {
				t.Errorf("blocking problems %v / %v, want conflicts left %v", b.Problems, r.Problems, tc.wantConflictsRemain)
			}
		})
	}
}

// TestRecordsNeedModels: an engine without the model names are confirmed
// with is refused with ErrModel naming it, instead of every name going to
// review; without re-reading it serves.
func TestRecordsNeedModels(t *testing.T) {
	ctx := context.Background()
	sc := testScanner(t)
	const name = "p0002-birth-register-scanned"
	_, page, text := readSample(t, sc, name+".jpg")
	e, err := ocr.NewEngine(ocr.Options{Language: "vie"})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	_, err = sc.Records(ctx, e, page, text, Source{Path: name})
	if !errors.Is(err, ocr.ErrModel) || !strings.Contains(err.Error(), ocr.ScriptModel) {
		t.Fatalf("Records with an engine lacking %q: %v, want ErrModel naming it", ocr.ScriptModel, err)
	}
	plain := *sc
	plain.ReOCR = false
	if recs, err := plain.Records(ctx, e, page, text, Source{Path: name}); err != nil || len(recs) == 0 {
		t.Fatalf("Records without re-reading: %d records, %v", len(recs), err)
	}
}

// TestEvidenceDictionary: a name whose family name the table lacks, an
// address whose units are not where it says, count against a reading; a
// repair, or a given name not among the usual ones, counts half, and kinds
// without a dictionary count fully.
func TestEvidenceDictionary(t *testing.T) {
	val := func(s string) *string { return &s }
	repaired := []validate.Problem{{Code: validate.CodeRepaired}}
	for _, c := range []struct {
		desc string
		rd   extract.Reading
		want float64
	}{
		{"known family name", extract.Reading{Kind: "name", Value: val("Nguyễn Văn An"), Raw: "NGUYỄN VĂN AN"}, 1},
		{"unknown family name", extract.Reading{Kind: "name", Value: val("Khống Thị Lan"), Raw: "KHỐNG THỊ LAN"}, 0},
		{"repaired family name", extract.Reading{Kind: "name", Value: val("Nguyễn Văn An"), Raw: "NGUYÊN VĂN AN", Problems: repaired}, 0.5},
		{"unusual given name", extract.Reading{Kind: "name", Value: val("Nguyễn Thị Hông"), Raw: "NGUYỄN THỊ HÔNG"}, 0.5},
		{"unusual given name, repaired", extract.Reading{Kind: "name", Value: val("Nguyễn Thị Hông"), Raw: "NGUYÊN THỊ HÔNG", Problems: repaired}, 0.5},
		{"unknown family and unusual given name", extract.Reading{Kind: "name", Value: val("Khống Thị Hông"), Raw: "KHỐNG THỊ HÔNG"}, 0},
		{"no name read", extract.Reading{Kind: "name"}, 1},
		{"text, no address", extract.Reading{Kind: "text", Value: val("Ung thư phổi"), Raw: "Ung thư phổi"}, 1},
		{"known address", extract.Reading{Kind: "text", Value: val("xã Huổi Só, huyện Tủa Chùa, tỉnh Điện Biên"), Raw: "xã Huổi Só, huyện Tủa Chùa, tỉnh Điện Biên"}, 1},
		{"unknown address", extract.Reading{Kind: "text", Value: val("xã Huối Só, huyện Tủa Chùa, tỉnh Điện Biên"), Raw: "xã Huối Só, huyện Tủa Chùa, tỉnh Điện Biên"}, 0},
		{"repaired known address", extract.Reading{Kind: "text", Value: val("tổ dân phố 3, phường An Hòa, quận Ninh Kiều, thành phố Cần Thơ"), Raw: "tố dần phố 3, phường An Hòa, quận Ninh Kiều, thành phố Cần Thơ", Problems: repaired}, 1},
		{"repaired, no address", extract.Reading{Kind: "text", Value: val("Đột quỵ"), Raw: "Đột quy", Problems: repaired}, 0.5},
		{"no dictionary", extract.Reading{Kind: "date", Value: val("2020-01-02"), Raw: "02/01/2020"}, 1},
	} {
		if got := Evidence(&c.rd, 1).DictScore; got != c.want {
			t.Errorf("%s: DictScore = %v, want %v", c.desc, got, c.want)
		}
	}
}

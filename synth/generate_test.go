package synth

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/vn"
)

func TestGenerateIsDeterministic(t *testing.T) {
	opts := Options{Seed: 7, Pages: 3}
	a, b := t.TempDir(), t.TempDir()
	if _, err := Generate(context.Background(), opts, a); err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(context.Background(), opts, b); err != nil {
		t.Fatal(err)
	}
	fa, fb := dirFiles(t, a), dirFiles(t, b)
	if !reflect.DeepEqual(keys(fa), keys(fb)) {
		t.Fatalf("file sets differ: %v vs %v", keys(fa), keys(fb))
	}
	if len(fa) != 3*3+1 {
		t.Errorf("got %d files, want %d: %v", len(fa), 3*3+1, keys(fa))
	}
	for name, data := range fa {
		if !bytes.Equal(data, fb[name]) {
			t.Errorf("%s differs between two runs with the same seed", name)
		}
	}
	// another seed gives other pages
	c := t.TempDir()
	if _, err := Generate(context.Background(), Options{Seed: 8, Pages: 1}, c); err != nil {
		t.Fatal(err)
	}
	fc := dirFiles(t, c)
	name := "p0001-birth-extract-clean.gt.txt"
	if bytes.Equal(fa[name], fc[name]) {
		t.Errorf("seeds 7 and 8 gave the same %s", name)
	}
}

func dirFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = data
	}
	return out
}

func keys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func TestManifestAndFiles(t *testing.T) {
	dir, truths := testCorpus(t)
	man, err := LoadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if man.Seed != 42 || len(man.Pages) != len(truths) {
		t.Fatalf("manifest seed %d with %d pages, want 42 and %d", man.Seed, len(man.Pages), len(truths))
	}
	qualities := map[Quality]int{}
	combos := map[string]bool{}
	for i, p := range man.Pages {
		want := fmt.Sprintf("p%04d-%s-%s-%s", i+1, p.RegisterType, p.Layout, p.Quality)
		if p.Name != want {
			t.Errorf("page %d named %q, want %q", i, p.Name, want)
		}
		qualities[p.Quality]++
		combos[string(p.RegisterType)+"/"+p.Layout] = true
		got, err := LoadTruth(filepath.Join(dir, p.Truth))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(*got, truths[i]) {
			t.Errorf("%s: loaded truth differs from the returned one", p.Name)
		}
		// the image decodes to the size and resolution the truth says
		f, err := os.Open(filepath.Join(dir, p.Image))
		if err != nil {
			t.Fatal(err)
		}
		cfg, format, err := image.DecodeConfig(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", p.Image, err)
		}
		if cfg.Width != got.Width || cfg.Height != got.Height {
			t.Errorf("%s: image %dx%d, truth %dx%d", p.Name, cfg.Width, cfg.Height, got.Width, got.Height)
		}
		wantFormat, wantDPI := "jpeg", 300
		switch got.Quality {
		case QualityClean:
			wantFormat = "png"
		case QualityWorn:
			wantDPI = 200
		}
		if format != wantFormat || got.DPI != wantDPI {
			t.Errorf("%s: %s at %d dpi, want %s at %d", p.Name, format, got.DPI, wantFormat, wantDPI)
		}
		if w := int(float64(pageW)*float64(got.DPI)/renderDPI + 0.5); got.Width != w {
			t.Errorf("%s: width %d, want A4 at %d dpi = %d", p.Name, got.Width, got.DPI, w)
		}
		limit := map[Quality]float64{QualityClean: 0.3, QualityScanned: 3, QualityWorn: 6}[got.Quality]
		if got.SkewDeg < -limit || got.SkewDeg > limit {
			t.Errorf("%s: skew %.3f outside ±%.1f", p.Name, got.SkewDeg, limit)
		}
		// gt.txt is the lines of the truth, one per line
		txt, err := os.ReadFile(filepath.Join(dir, p.Text))
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, l := range got.Lines {
			lines = append(lines, l.Text)
		}
		if string(txt) != strings.Join(lines, "\n")+"\n" {
			t.Errorf("%s: gt.txt does not match the truth lines", p.Name)
		}
	}
	if len(combos) != 6 {
		t.Errorf("six pages cover %d type/layout combinations, want 6", len(combos))
	}
	for _, q := range []Quality{QualityClean, QualityScanned, QualityWorn} {
		if qualities[q] != 2 {
			t.Errorf("%d pages of quality %s, want 2", qualities[q], q)
		}
	}
}

// fieldKeys are the keys record-format.md defines per register type.
func fieldKeys(rt models.RegisterType) map[string]bool {
	ks := []string{"entry_number", "book_number", "registration_date", "registration_office"}
	switch rt {
	case models.Birth:
		ks = append(ks, "full_name", "date_of_birth", "gender", "ethnicity", "nationality", "place_of_birth", "hometown", "personal_id",
			"mother_name", "mother_birth_year", "mother_ethnicity", "mother_nationality", "mother_residence",
			"father_name", "father_birth_year", "father_ethnicity", "father_nationality", "father_residence", "declarant_name")
	case models.Marriage:
		for _, p := range []string{"husband_", "wife_"} {
			for _, k := range []string{"name", "date_of_birth", "ethnicity", "nationality", "residence", "id_number"} {
				ks = append(ks, p+k)
			}
		}
	case models.Death:
		ks = append(ks, "full_name", "date_of_birth", "gender", "ethnicity", "nationality", "id_number", "date_of_death",
			"place_of_death", "cause_of_death", "declarant_name")
	}
	m := map[string]bool{}
	for _, k := range ks {
		m[k] = true
	}
	return m
}

func TestGroundTruthConsistency(t *testing.T) {
	_, truths := testCorpus(t)
	checkTruths(t, truths)
}

// TestBundledSamples checks the ground truth of ../testdata/samples, the
// project's sample pages written by go generate.
func TestBundledSamples(t *testing.T) {
	dir := filepath.Join("..", "testdata", "samples")
	man, err := LoadManifest(dir)
	if errors.Is(err, os.ErrNotExist) {
		t.Skip("no bundled samples")
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(man.Pages) != 6 {
		t.Errorf("%d sample pages, want 6", len(man.Pages))
	}
	var truths []PageTruth
	for _, p := range man.Pages {
		pt, err := LoadTruth(filepath.Join(dir, p.Truth))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, pt.Image)); err != nil {
			t.Error(err)
		}
		truths = append(truths, *pt)
	}
	checkTruths(t, truths)
}

func checkTruths(t *testing.T, truths []PageTruth) {
	t.Helper()
	leaders := regexp.MustCompile(`\.\.\.|…`)
	for _, pt := range truths {
		t.Run(pt.Name, func(t *testing.T) {
			if len(pt.Lines) < 15 {
				t.Errorf("only %d lines", len(pt.Lines))
			}
			for _, l := range pt.Lines {
				switch {
				case l.Text == "" || strings.TrimSpace(l.Text) != l.Text || strings.Contains(l.Text, "  "):
					t.Errorf("line %q: empty, untrimmed or double-spaced", l.Text)
				case !norm.NFC.IsNormalString(l.Text) || !utf8.ValidString(l.Text):
					t.Errorf("line %q is not NFC", l.Text)
				case leaders.MatchString(l.Text):
					t.Errorf("line %q keeps leader dots", l.Text)
				}
				checkBox(t, pt, "line "+l.Text, l.BBox)
			}
			// reading order: lines go down the page
			for i := 1; i < len(pt.Lines); i++ {
				a, b := pt.Lines[i-1].BBox, pt.Lines[i].BBox
				if (b[1]+b[3])/2 < (a[1]+a[3])/2-int(float64(a[2]-a[0])*0.11) {
					t.Errorf("line %q is above the previous line %q", pt.Lines[i].Text, pt.Lines[i-1].Text)
				}
			}
			wantRecords := 1
			if pt.Layout == LayoutRegister {
				wantRecords = 2
			}
			if len(pt.Records) != wantRecords {
				t.Fatalf("%d records, want %d", len(pt.Records), wantRecords)
			}
			allowed := fieldKeys(pt.RegisterType)
			for i, r := range pt.Records {
				if r.EntryIndex != i || r.RegisterType != pt.RegisterType {
					t.Errorf("record %d: index %d type %s", i, r.EntryIndex, r.RegisterType)
				}
				if len(r.Fields) < 12 {
					t.Errorf("record %d has only %d fields", i, len(r.Fields))
				}
				for k, f := range r.Fields {
					if !allowed[k] {
						t.Errorf("record %d: key %q is not a %s field of record-format.md", i, k, pt.RegisterType)
					}
					if f.Raw == "" || f.Value == "" {
						t.Errorf("%s: empty raw %q or value %q", k, f.Raw, f.Value)
					}
					if !onLine(pt.Lines, f) {
						t.Errorf("%s: raw %q is on no line whose box holds its box", k, f.Raw)
						continue
					}
					checkBox(t, pt, k, f.BBox)
				}
				checkValues(t, pt, r)
			}
		})
	}
}

// onLine reports whether a line's text holds the field's raw text and its
// box contains the field's box.
func onLine(lines []LineTruth, f FieldTruth) bool {
	for _, l := range lines {
		b := l.BBox
		if strings.Contains(l.Text, f.Raw) && f.BBox[0] >= b[0] && f.BBox[1] >= b[1] && f.BBox[2] <= b[2] && f.BBox[3] <= b[3] {
			return true
		}
	}
	return false
}

func checkBox(t *testing.T, pt PageTruth, what string, b models.BBox) {
	t.Helper()
	if b[0] < 0 || b[1] < 0 || b[2] > pt.Width || b[3] > pt.Height || b[2] <= b[0] || b[3] <= b[1] {
		t.Errorf("%s: bbox %v outside the %dx%d image or empty", what, b, pt.Width, pt.Height)
	}
	// a printed line is between 8 and 160 px high at 200-300 dpi before
	// rotation widens it
	if h := b[3] - b[1]; h < 8 {
		t.Errorf("%s: bbox %v only %d px high", what, b, h)
	}
}

var (
	isoDate  = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	year     = regexp.MustCompile(`^\d{4}$`)
	digits12 = regexp.MustCompile(`^\d{12}$`)
	idNumber = regexp.MustCompile(`^(\d{9}|\d{12}|[A-Z]\d{7})$`)
)

func parseISO(t *testing.T, s string) vn.Date {
	t.Helper()
	var d vn.Date
	if _, err := fmt.Sscanf(s, "%d-%d-%d", &d.Year, &d.Month, &d.Day); err != nil || !d.Valid() {
		t.Errorf("bad date %q", s)
	}
	return d
}

// checkValues checks the normalised values against record-format.md and
// the consistency rules the generator promises.
func checkValues(t *testing.T, pt PageTruth, r RecordTruth) {
	t.Helper()
	ethnic := map[string]bool{}
	for _, e := range vn.Ethnicities() {
		ethnic[e] = true
	}
	dates := map[string]vn.Date{}
	for k, f := range r.Fields {
		switch {
		case strings.HasSuffix(k, "date_of_birth") || k == "date_of_death" || k == "registration_date":
			if !isoDate.MatchString(f.Value) {
				t.Errorf("%s = %q, want YYYY-MM-DD", k, f.Value)
			}
			dates[k] = parseISO(t, f.Value)
		case strings.HasSuffix(k, "birth_year"):
			if !year.MatchString(f.Value) {
				t.Errorf("%s = %q, want four digits", k, f.Value)
			}
		case k == "gender":
			if f.Value != "Nam" && f.Value != "Nữ" {
				t.Errorf("gender = %q", f.Value)
			}
		case strings.HasSuffix(k, "ethnicity"):
			if !ethnic[f.Value] {
				t.Errorf("%s = %q is not one of the 54 groups", k, f.Value)
			}
		case strings.HasSuffix(k, "nationality"):
			if f.Value != "Việt Nam" {
				t.Errorf("%s = %q", k, f.Value)
			}
		case k == "personal_id":
			if !digits12.MatchString(f.Value) || strings.ReplaceAll(f.Raw, " ", "") != f.Value {
				t.Errorf("personal_id %q (raw %q)", f.Value, f.Raw)
			}
		case strings.HasSuffix(k, "id_number"):
			if !idNumber.MatchString(f.Value) {
				t.Errorf("%s = %q", k, f.Value)
			}
		case strings.HasSuffix(k, "name"):
			var words []string
			for _, w := range strings.Fields(f.Raw) {
				words = append(words, titleWord(w))
			}
			if strings.Join(words, " ") != f.Value {
				t.Errorf("%s: value %q is not the title case of raw %q", k, f.Value, f.Raw)
			}
		case k == "book_number":
			if !regexp.MustCompile(`^\d{2}/\d{4}$`).MatchString(f.Value) {
				t.Errorf("book_number %q", f.Value)
			}
		case k == "entry_number":
			if !regexp.MustCompile(`^\d+$`).MatchString(f.Value) {
				t.Errorf("entry_number %q", f.Value)
			}
		default:
			if f.Value != f.Raw || strings.HasSuffix(f.Value, ",") || strings.HasSuffix(f.Value, ".") {
				t.Errorf("%s: value %q differs from raw %q or ends in punctuation", k, f.Value, f.Raw)
			}
		}
	}
	reg := dates["registration_date"]
	before := func(a, b string) {
		da, oka := dates[a]
		db, okb := dates[b]
		if oka && okb && da.Compare(db) > 0 {
			t.Errorf("%s %v after %s %v", a, da, b, db)
		}
	}
	switch pt.RegisterType {
	case models.Birth:
		before("date_of_birth", "registration_date")
		dob := dates["date_of_birth"]
		for _, p := range []string{"mother", "father"} {
			if y, ok := r.Fields[p+"_birth_year"]; ok {
				var yy int
				fmt.Sscan(y.Value, &yy)
				if dob.Year-yy < 16 {
					t.Errorf("%s born %d, child %d", p, yy, dob.Year)
				}
			}
		}
		if id, ok := r.Fields["personal_id"]; ok {
			checkPersonalID(t, id.Value, dob, r.Fields["gender"].Value == "Nữ")
		}
		if pt.Era == EraOld {
			if _, ok := r.Fields["personal_id"]; ok {
				t.Errorf("old-era page carries a personal id")
			}
		}
	case models.Marriage:
		for _, p := range []string{"husband", "wife"} {
			if d := dates[p+"_date_of_birth"]; reg.Year-d.Year < 18 {
				t.Errorf("%s born %v, married %v", p, d, reg)
			}
			if id := r.Fields[p+"_id_number"].Value; len(id) == 12 {
				checkPersonalID(t, id, dates[p+"_date_of_birth"], p == "wife")
			}
		}
	case models.Death:
		before("date_of_birth", "date_of_death")
		before("date_of_death", "registration_date")
		if id, ok := r.Fields["id_number"]; ok && len(id.Value) == 12 {
			checkPersonalID(t, id.Value, dates["date_of_birth"], r.Fields["gender"].Value == "Nữ")
		}
	}
}

func checkPersonalID(t *testing.T, id string, born vn.Date, female bool) {
	t.Helper()
	if _, ok := vn.ProvinceByIDCode(id[:3]); !ok {
		t.Errorf("personal id %s: %s is not a province code", id, id[:3])
	}
	d, err := vn.PersonalIDCenturySexDigit(born.Year, female)
	if err != nil || int(id[3]-'0') != d || id[4:6] != fmt.Sprintf("%02d", born.Year%100) {
		t.Errorf("personal id %s does not match birth %v female=%v", id, born, female)
	}
}

func TestOptionErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	tests := []struct {
		name string
		opts Options
		want error
	}{
		{"no pages", Options{}, ErrOption},
		{"bad quality", Options{Pages: 1, Qualities: []Quality{"blurry"}}, ErrOption},
		{"bad layout", Options{Pages: 1, Layouts: []string{"poster"}}, ErrOption},
		{"bad type", Options{Pages: 1, RegisterTypes: []models.RegisterType{"adoption"}}, ErrOption},
		{"no fonts there", Options{Pages: 1, FontDirs: []string{t.TempDir()}}, ErrFontNotFound},
		{"missing dir", Options{Pages: 1, FontDirs: []string{filepath.Join(dir, "nope")}}, ErrFontNotFound},
		{"unknown family", Options{Pages: 1, Fonts: []string{"Comic Sans"}}, ErrFontNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Generate(ctx, tc.opts, dir)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestFontErrorNamesTheFont(t *testing.T) {
	_, err := loadFontSet([]string{t.TempDir()}, []string{"FreeSerif"})
	if err == nil || !strings.Contains(err.Error(), "FreeSerif.ttf") {
		t.Fatalf("err = %v, want it to name FreeSerif.ttf", err)
	}
}

func TestGenerateHonoursCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Generate(ctx, Options{Pages: 2}, t.TempDir())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestGenerateRestrictions(t *testing.T) {
	truths, err := Generate(context.Background(), Options{
		Seed: 3, Pages: 2, Qualities: []Quality{QualityWorn}, RegisterTypes: []models.RegisterType{models.Death},
		Layouts: []string{LayoutRegister}, Fonts: []string{"FreeSerif"},
	}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, pt := range truths {
		if pt.Quality != QualityWorn || pt.RegisterType != models.Death || pt.Layout != LayoutRegister || pt.Font != "FreeSerif" {
			t.Errorf("%s: got %s %s %s %s", pt.Name, pt.Quality, pt.RegisterType, pt.Layout, pt.Font)
		}
	}
}

func TestPlanCoversEveryCombination(t *testing.T) {
	opts, err := Options{Pages: 18}.normalised()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, p := range opts.plan() {
		seen[fmt.Sprintf("%s-%s-%s", p.rt, p.layout, p.quality)] = true
	}
	if len(seen) != 18 {
		t.Errorf("18 pages cover %d of the 18 combinations", len(seen))
	}
}

// A page whose drawn content does not fit is drawn again from the next
// stream, the first draw keeps the stream pages always had, and other
// errors are not retried.
func TestDrawUntilFits(t *testing.T) {
	first := rand.New(rand.NewPCG(7, 0x5eed0000+3)).Uint64()
	tests := []struct {
		name      string
		noFit     int   // draws that do not fit before one does
		other     error // returned instead of fitting
		wantDraws int
		wantErr   error
	}{
		{"fits at once", 0, nil, 1, nil},
		{"fits at the third draw", 2, nil, 3, nil},
		{"never fits", fitAttempts, nil, fitAttempts, errNoFit},
		{"other error", 0, errors.New("boom"), 1, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			draws := 0
			seen := map[uint64]bool{}
			pg, err := drawUntilFits(7, 3, func(rng *rand.Rand) (*page, error) {
				v := rng.Uint64()
				if draws == 0 && v != first {
					t.Errorf("first draw from another stream")
				}
				if seen[v] {
					t.Errorf("draw %d repeats a stream", draws)
				}
				seen[v] = true
				draws++
				switch {
				case draws <= tc.noFit:
					return nil, errNoFit
				case tc.other != nil:
					return nil, tc.other
				}
				return &page{}, nil
			})
			if draws != tc.wantDraws {
				t.Errorf("%d draws, want %d", draws, tc.wantDraws)
			}
			switch {
			case tc.wantErr != nil && !errors.Is(err, tc.wantErr):
				t.Errorf("err = %v, want %v", err, tc.wantErr)
			case tc.other != nil && !errors.Is(err, tc.other):
				t.Errorf("err = %v, want %v", err, tc.other)
			case tc.wantErr == nil && tc.other == nil && (err != nil || pg == nil):
				t.Errorf("page %v, err %v; want a page", pg, err)
			}
		})
	}
}

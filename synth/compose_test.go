package synth

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/vn"
)

// TestComposeAndLayoutManyPages lays out many pages in every font family:
// every page must fit and every rune must have a glyph.
func TestComposeAndLayoutManyPages(t *testing.T) {
	set, err := loadFontSet(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	shrunk := 0
	n := 0
	for seed := range uint64(20) {
		for _, rt := range []models.RegisterType{models.Birth, models.Marriage, models.Death} {
			for _, layout := range []string{LayoutExtract, LayoutRegister} {
				rng := rand.New(rand.NewPCG(seed, 1))
				c, err := composePage(rng, set, rt, layout)
				if err != nil {
					t.Fatal(err)
				}
				ff := set.families[n%len(set.families)]
				fam := ff.Name
				n++
				c.geom.size *= ff.Scale / c.family.Scale
				fc := newFaceCache(set, fam, renderDPI)
				res, err := layoutPage(fc, c.geom, c.lines)
				fc.close()
				if err != nil {
					t.Fatalf("seed %d %s %s in %s: %v", seed, rt, layout, fam, err)
				}
				if layout == LayoutExtract && res.size < c.geom.size*0.9 {
					shrunk++
				}
				keys := map[string]int{}
				for _, f := range res.fields {
					keys[f.key]++
				}
				if keys["entry_number"] == 0 || keys["registration_date"] == 0 || keys["registration_office"] == 0 {
					t.Errorf("seed %d %s %s: common fields missing: %v", seed, rt, layout, keys)
				}
			}
		}
	}
	// most extracts keep their size: long lines are rare
	if shrunk > n/6 {
		t.Errorf("%d of %d extracts had to shrink the font", shrunk, n/2)
	}
}

func TestRecordsAreConsistent(t *testing.T) {
	all := districts()
	for seed := range uint64(200) {
		rng := rand.New(rand.NewPCG(seed, 5))
		newEra := seed%2 == 0
		es := entriesOf(rng, all, newEra, 2)
		if es[1].number != es[0].number+1 || es[1].reg.Compare(es[0].reg) < 0 || es[0].book != es[1].book {
			t.Fatalf("entries %+v", es)
		}
		if newEra != (es[0].reg.Year >= 2016) {
			t.Errorf("era new=%v with registration %v", newEra, es[0].reg)
		}
		b, err := newBirth(rng, es[0], newEra)
		if err != nil {
			t.Fatal(err)
		}
		if b.child.born.Compare(b.reg) > 0 || b.mother.born.Year > b.child.born.Year-18 {
			t.Errorf("birth dates: child %v reg %v mother %d", b.child.born, b.reg, b.mother.born.Year)
		}
		if b.father != nil && b.father.born.Year > b.child.born.Year-20 {
			t.Errorf("father born %d, child %v", b.father.born.Year, b.child.born)
		}
		if (b.pid != "") != newEra {
			t.Errorf("personal id %q on a new=%v page", b.pid, newEra)
		}
		// post-merger registrations write two-level places
		twoLevel := !strings.Contains(b.hometown, "huyện") && !strings.Contains(b.hometown, "quận") && !strings.Contains(b.hometown, "thị xã") && !strings.Contains(b.hometown, "thành phố Buôn") && !strings.Contains(b.hometown, "thành phố Huế")
		if after := b.reg.Compare(vn.MergerDate) >= 0; after != twoLevel {
			t.Errorf("registered %v, hometown %q", b.reg, b.hometown)
		}
		d, err := newDeath(rng, es[1], newEra)
		if err != nil {
			t.Fatal(err)
		}
		if d.dead.born.Compare(d.died) >= 0 || d.died.Compare(d.reg) > 0 || d.noticeDate.Compare(d.reg) > 0 {
			t.Errorf("death dates: born %v died %v notice %v reg %v", d.dead.born, d.died, d.noticeDate, d.reg)
		}
		m, err := newMarriage(rng, es[0])
		if err != nil {
			t.Fatal(err)
		}
		if m.reg.Year-m.husband.born.Year < 20 || m.reg.Year-m.wife.born.Year < 18 {
			t.Errorf("marriage %v: husband %v wife %v", m.reg, m.husband.born, m.wife.born)
		}
		if !m.wife.female || m.husband.female {
			t.Error("spouse genders")
		}
	}
}

func TestNames(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, eth := range []string{"Kinh", "Mông", "Thái", "Dao", "Ê Đê", "Khmer", "Tày", "Nùng", "Mường", "Hoa"} {
		for range 50 {
			female := rng.IntN(2) == 0
			n := personName(rng, eth, female, "")
			if len(strings.Fields(n)) < 2 {
				t.Errorf("%s name %q has fewer than two words", eth, n)
			}
			for _, w := range strings.Fields(n) {
				if titleWord(w) != w {
					t.Errorf("%s name %q: word %q is not in title case", eth, n, w)
				}
			}
			if eth == "Ê Đê" {
				if female != strings.HasPrefix(n, "H'") || !female && !strings.HasPrefix(n, "Y ") {
					t.Errorf("Ê Đê name %q for female=%v", n, female)
				}
			}
			if s := surnameOf(eth, n); s != "" {
				child := personName(rng, eth, !female, s)
				if surnameOf(eth, child) != s {
					t.Errorf("%s: child %q of %q does not keep the family name %q", eth, child, n, s)
				}
			}
		}
	}
}

func TestPersonalID(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	tests := []struct {
		code   string
		born   vn.Date
		female bool
		prefix string
	}{
		{"040", ymd(1973, 11, 9), true, "040173"},
		{"001", ymd(2005, 1, 2), false, "001205"},
		{"079", ymd(1999, 5, 5), false, "079099"},
	}
	for _, tc := range tests {
		id, err := personalID(rng, tc.code, tc.born, tc.female)
		if err != nil {
			t.Fatal(err)
		}
		if len(id) != 12 || !strings.HasPrefix(id, tc.prefix) {
			t.Errorf("personalID(%s, %v, %v) = %s, want prefix %s", tc.code, tc.born, tc.female, id, tc.prefix)
		}
	}
	if _, err := personalID(rng, "040", ymd(1890, 1, 1), false); err == nil {
		t.Error("a birth in 1890 must be rejected")
	}
}

func TestAddressLevels(t *testing.T) {
	p := place{d: districts()[0], commune: "xã Tà Cạ"}
	if got := p.address(ymd(2019, 3, 12)); got != "xã Tà Cạ, huyện Kỳ Sơn, tỉnh Nghệ An" {
		t.Errorf("pre-2025 address %q", got)
	}
	if got := p.address(ymd(2025, 7, 1)); got != "xã Tà Cạ, tỉnh Nghệ An" {
		t.Errorf("post-2025 address %q", got)
	}
	for _, d := range districts() {
		if d.Province == "10" {
			q := place{d: d, commune: d.Communes[0]}
			if got := q.address(ymd(2026, 1, 1)); !strings.HasSuffix(got, "tỉnh Lào Cai") {
				t.Errorf("%q", got)
			}
		}
		if d.Province == "02" {
			q := place{d: d, commune: d.Communes[0]}
			if got := q.address(ymd(2026, 1, 1)); !strings.HasSuffix(got, "tỉnh Tuyên Quang") {
				t.Errorf("Hà Giang after the merger: %q", got)
			}
			if got := provinceIDCode(d.Province, ymd(2026, 1, 1)); got != "008" {
				t.Errorf("Hà Giang id code after the merger %s, want 008", got)
			}
		}
		if d.Province == "01" && !strings.HasSuffix(place{d: d, commune: d.Communes[0]}.address(ymd(2020, 1, 1)), "thành phố Hà Nội") {
			t.Error("Hà Nội is a city")
		}
	}
}

package vn

import (
	_ "embed"
	"slices"
	"strings"
	"sync"
	"unicode"
)

// adminUnitsTSV is the table of administrative units before 1 July 2025:
// the 705 districts and 10,599 communes of the 63 provinces (whose codes
// are those of provincesBefore2025), with codes and parents (see its header for the source and licence, and
// vn/internal/genadmin for how it is written).
//
//go:embed adminunits.tsv
var adminUnitsTSV string

// placeKey is the key place names are compared on: ToneKey (case and
// tone placement aside) with spaces collapsed and none around a hyphen
// ("Bà Rịa - Vũng Tàu" and "Bà Rịa-Vũng Tàu" are one name), but every
// other character kept: a space misread as a hyphen ("Vĩnh Hòa
// Hưng-Bắc") or a stray mark is a misreading the check must catch.
func placeKey(s string) string {
	k := strings.Join(strings.Fields(ToneKey(s)), " ")
	return strings.ReplaceAll(strings.ReplaceAll(k, " -", "-"), "- ", "-")
}

// adminIndex answers which units of a level bear a name under a parent.
type adminIndex struct {
	provinces map[string][]string            // placeKey(name) → pre-2025 codes, after 2025 too
	districts map[string]map[string][]string // province code → name → district codes
	communes  map[string]map[string]bool     // district code → commune names
	// communes by province, for addresses written without their district
	// (from 1 July 2025 there is none).
	provinceCommunes map[string]map[string]bool
}

// adminUnits is the index, built once from adminUnitsTSV.
var adminUnits = sync.OnceValue(adminUnitsLoad)

func adminUnitsLoad() *adminIndex {
	ix := &adminIndex{
		provinces: map[string][]string{}, districts: map[string]map[string][]string{},
		communes: map[string]map[string]bool{}, provinceCommunes: map[string]map[string]bool{},
	}
	districtProvince := map[string]string{}
	for line := range strings.SplitSeq(adminUnitsTSV, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 5 {
			panic("vn: bad line in adminunits.tsv: " + line)
		}
		level, code, parent, name := f[0], f[1], f[2], placeKey(f[4])
		switch level {
		case "d":
			districtProvince[code] = parent
			if ix.districts[parent] == nil {
				ix.districts[parent] = map[string][]string{}
			}
			ix.districts[parent][name] = append(ix.districts[parent][name], code)
		case "c":
			if ix.communes[parent] == nil {
				ix.communes[parent] = map[string]bool{}
			}
			ix.communes[parent][name] = true
			p := districtProvince[parent]
			if ix.provinceCommunes[p] == nil {
				ix.provinceCommunes[p] = map[string]bool{}
			}
			ix.provinceCommunes[p][name] = true
		}
	}
	for _, p := range provincesBefore2025 {
		k := placeKey(p.Name)
		ix.provinces[k] = append(ix.provinces[k], p.Code)
	}
	// Units named after 1 July 2025 stand for the provinces they absorbed.
	for _, m := range merged2025 {
		k := placeKey(m.p.Name)
		for _, c := range m.from {
			if !slices.Contains(ix.provinces[k], c) {
				ix.provinces[k] = append(ix.provinces[k], c)
			}
		}
	}
	return ix
}

// AddressCheck is what the table of administrative units says of the
// communes, districts and province an address names.
type AddressCheck int

const (
	// AddressUnchecked: the text names no province to check against
	// ("Ung thư phổi", "thôn Nà Tâm").
	AddressUnchecked AddressCheck = iota
	// AddressKnown: every unit it names exists, within the next one.
	AddressKnown
	// AddressUnknown: a unit it names does not exist where it says (a
	// misread name, a unit renamed or merged, or one outside the table).
	AddressUnknown
)

// unitLevel is the level of a unit a kind word introduces.
type unitLevel int

const (
	levelCommune unitLevel = iota
	levelDistrict
	levelProvince
	levelCity // "thành phố": a province-level city or a district-level one
)

// unitKind is a word or two that introduce a unit, and the unit's level.
type unitKind struct {
	words []string
	level unitLevel
}

// unitKinds are the words that introduce a unit, longest first so that
// "thị xã" is not taken for "xã".
var unitKinds = []unitKind{
	{[]string{"thành", "phố"}, levelCity},
	{[]string{"thị", "trấn"}, levelCommune},
	{[]string{"thị", "xã"}, levelDistrict},
	{[]string{"xã"}, levelCommune},
	{[]string{"phường"}, levelCommune},
	{[]string{"huyện"}, levelDistrict},
	{[]string{"quận"}, levelDistrict},
	{[]string{"tỉnh"}, levelProvince},
}

// kindAt returns the kind word that starts at words[i] (lower case), if
// one does.
func kindAt(words []string, i int) (unitKind, bool) {
	for _, k := range unitKinds {
		if i+len(k.words) > len(words) {
			continue
		}
		if slices.Equal(words[i:i+len(k.words)], k.words) {
			return k, true
		}
	}
	return unitKind{}, false
}

// unitMention is a unit an address names: its level and its name.
type unitMention struct {
	level unitLevel
	name  string // placeKey
}

// mentionIn finds the unit a part of an address (between commas) names:
// the last kind word in it and the words after ("Trạm y tế xã Tả Van" →
// xã Tả Van, "UBND xã Bản Hồ, thị xã Sa Pa" → thị xã Sa Pa). ok is false
// when the part names none ("thôn Nà Tâm", "số 12 đường Lê Lợi").
func mentionIn(part string) (m unitMention, ok bool) {
	words := strings.Fields(strings.ToLower(part)) // placeKey ignores case anyway
	for i := 0; i < len(words); {
		k, found := kindAt(words, i)
		if !found {
			i++
			continue
		}
		i += len(k.words)
		if i < len(words) {
			m, ok = unitMention{k.level, placeKey(strings.Join(words[i:], " "))}, true
		}
	}
	return m, ok && m.name != ""
}

// CheckAddress checks the units an address names against the table of
// administrative units before 1 July 2025: its province (or a unit of
// the 34 from then on, standing for the provinces it absorbed), its
// district within that province and its commune within that district, or
// within the province when no district is written. Names are compared
// with their marks (tone placement and case aside), since a misread mark
// is what this check catches: "Huối Só" is no commune of Tủa Chùa, "Krông
// Đắc" no district of Đắk Lắk. Villages, streets and house numbers are
// not in the table and are not checked.
func CheckAddress(s string) AddressCheck {
	var ms []unitMention
	for part := range strings.SplitSeq(s, ",") {
		m, ok := mentionIn(part)
		switch {
		case ok:
			ms = append(ms, m)
		case len(ms) > 0:
			// After its first unit an address names only units, up to
			// the province: a part that names none is a misread one
			// ("xã Ngãi Xuyên, fỉnh Vĩnh Long").
			return AddressUnknown
		}
		if w := strings.TrimSpace(part); w != "" && !startsWithLetterOrDigit(w) {
			return AddressUnknown // "buôn Kplăng, -xã Ea Yông": a stray mark
		}
	}
	if len(ms) == 0 {
		return AddressUnchecked
	}
	last := ms[len(ms)-1]
	if last.level != levelProvince && last.level != levelCity {
		return AddressUnchecked // no province: nothing to check the rest against
	}
	ix := adminUnits()
	provinces := ix.provinces[last.name]
	if len(provinces) == 0 {
		return AddressUnknown
	}
	ms = ms[:len(ms)-1]
	if len(ms) > 2 {
		return AddressUnknown // more units than commune and district
	}
	var districts []string
	if len(ms) == 2 || len(ms) == 1 && ms[0].level != levelCommune {
		d := ms[len(ms)-1]
		if d.level != levelDistrict && d.level != levelCity {
			return AddressUnknown
		}
		for _, p := range provinces {
			districts = append(districts, ix.districts[p][d.name]...)
		}
		if len(districts) == 0 {
			return AddressUnknown
		}
		ms = ms[:len(ms)-1]
	}
	if len(ms) == 0 {
		return AddressKnown
	}
	c := ms[0]
	if c.level != levelCommune {
		return AddressUnknown
	}
	if districts != nil {
		for _, d := range districts {
			if ix.communes[d][c.name] {
				return AddressKnown
			}
		}
		return AddressUnknown
	}
	for _, p := range provinces {
		if ix.provinceCommunes[p][c.name] {
			return AddressKnown
		}
	}
	return AddressUnknown
}

// startsWithLetterOrDigit reports whether s opens with a letter or a digit,
// as every part of an address does.
func startsWithLetterOrDigit(s string) bool {
	for _, r := range s {
		return unicode.IsLetter(r) || unicode.IsDigit(r)
	}
	return false
}

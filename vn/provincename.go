package vn

import (
	"strings"
	"sync"
)

// provinceAliases are other spellings of province names. An alias applies
// in an era only when its target exists in that era's table.
var provinceAliases = [...][2]string{
	{"HCM", "Hồ Chí Minh"}, {"Sài Gòn", "Hồ Chí Minh"}, {"Sài Gòn - Gia Định", "Hồ Chí Minh"},
	{"Huế", "Thừa Thiên Huế"}, {"Thừa Thiên", "Thừa Thiên Huế"},
	{"Thừa Thiên Huế", "Huế"},
	{"BR-VT", "Bà Rịa - Vũng Tàu"}, {"Vũng Tàu", "Bà Rịa - Vũng Tàu"},
	{"Bắc Cạn", "Bắc Kạn"}, {"Đắc Lắc", "Đắk Lắk"}, {"Đắk Lắc", "Đắk Lắk"},
	{"Đắc Nông", "Đắk Nông"}, {"HN", "Hà Nội"},
}

// provincePrefixes are the administrative words dropped before matching,
// as compact diacritics-free keys.
var provincePrefixes = [...]string{"thanhpho", "tinh", "tp"}

// provinceMinScore is the lowest fuzzy score ProvinceByName accepts.
const provinceMinScore = 0.8

type provinceIndex struct {
	m      nameMatcher
	byName map[string]Province
}

func newProvinceIndex(ps []Province) provinceIndex {
	idx := provinceIndex{byName: make(map[string]Province, len(ps))}
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
		idx.byName[p.Name] = p
	}
	var aliases [][2]string
	for _, a := range provinceAliases {
		if _, ok := idx.byName[a[1]]; ok {
			aliases = append(aliases, a)
		}
	}
	idx.m = newNameMatcher(names, aliases)
	return idx
}

var provinceIndexes = sync.OnceValue(func() [2]provinceIndex {
	return [2]provinceIndex{
		newProvinceIndex(ProvincesBefore2025()),
		newProvinceIndex(ProvincesAfter2025()),
	}
})

// stripProvincePrefix drops "tỉnh", "thành phố", "TP", "TP." (any case,
// with or without diacritics) from the start of name.
func stripProvincePrefix(name string) string {
	name = strings.TrimSpace(NFC(name))
	for {
		trimmed := false
		for _, p := range provincePrefixes {
			// Walk the runes of name until their compact fold equals p.
			rs := []rune(name)
			for i := 1; i <= len(rs) && i <= 3*len(p); i++ {
				if compactFold(string(rs[:i])) == p {
					// The prefix must end at a word boundary or a dot.
					rest := string(rs[i:])
					if rest == "" {
						break
					}
					if c := rs[i]; c == ' ' || c == '.' || p == "tp" {
						name = strings.TrimLeft(rest, " .")
						trimmed = true
					}
					break
				}
			}
		}
		if !trimmed {
			return name
		}
	}
}

// ProvinceByName finds a province by name as written on a record: case,
// diacritics, tone placement and prefixes ("tỉnh", "thành phố", "TP.")
// do not matter, small OCR damage is tolerated, and common other spellings
// ("TP.HCM", "Sài Gòn", "Bắc Cạn") are known. The table in force on date on
// is searched first (a zero date means the pre-2025 table); a name found only
// in the other table is still returned, because records keep place names as
// written at registration ("Bắc Giang" in 2026 → the old Bắc Giang, code 24;
// "Lào Cai" in 2026 → the new Lào Cai, code 15).
func ProvinceByName(name string, on Date) (Province, bool) {
	name = stripProvincePrefix(name)
	idx := provinceIndexes()
	first, second := idx[0], idx[1]
	if after2025(on) {
		first, second = second, first
	}
	for _, ix := range [2]provinceIndex{first, second} {
		if t, _, ok := ix.m.match(name, provinceMinScore); ok {
			return ix.byName[t], true
		}
	}
	return Province{}, false
}

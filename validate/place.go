package validate

import (
	"regexp"
	"strings"
	"sync"

	"github.com/sohoa/sohoa/vn"
)

// provinceUnit finds the unit word before a province's name: "tỉnh" (also
// as OCR reads it without its hook, "tình", "tinh"), "thành phố", "TP.",
// followed by spaces or a hyphen or full stop OCR glued to it.
var provinceUnit = regexp.MustCompile(`(?i)(?:^|[\s,])(t[iìíỉĩị]nh|thành phố|TP\.?)[\s.\-]+`)

// unitNumber finds a numbered administrative unit whose number OCR read
// with look-alike letters ("phường I1", "tổ dân phố O3").
var unitNumber = regexp.MustCompile(`\b(phường|quận|tổ dân phố|tổ|xóm|khu phố|khu|đội)\s+([0-9IlO|]*[0-9][0-9IlO|]*)\b`)

// spacedNumber finds a unit's two-figure number read with a space inside
// ("tổ dân phố 1 1").
var spacedNumber = regexp.MustCompile(`\b(phường|quận|tổ dân phố|tổ|xóm|khu phố)\s+(\d) (\d)(\s*,|$)`)

// wardNumber finds a ward or urban district numbered with one or two
// look-alikes only ("phường II", "phường l l", "quận I"): wards and urban
// districts are numbered in Arabic figures, never in Roman ones.
var wardNumber = regexp.MustCompile(`\b(phường|quận)\s+([Il|](?: ?[Il|])?)(\s*,|$)`)

// repairPlace fixes what OCR commonly damages in an address and is safe to
// fix: the province's name, checked against the table of provinces (a name
// that is not a province but has the letters of one, once its marks,
// spaces and stray punctuation are removed, is replaced by that province
// as written in the table; "tỉnh" read as "tình" is put right with it),
// and look-alike letters in unit numbers. It reports whether it changed
// anything.
func repairPlace(s string) (string, bool) {
	changed := false
	s = unitNumber.ReplaceAllStringFunc(s, func(m string) string {
		sub := unitNumber.FindStringSubmatch(m)
		fixed := strings.NewReplacer("I", "1", "l", "1", "|", "1", "O", "0").Replace(sub[2])
		if fixed == sub[2] {
			return m
		}
		changed = true
		return sub[1] + " " + fixed
	})
	s = spacedNumber.ReplaceAllStringFunc(s, func(m string) string {
		changed = true
		sub := spacedNumber.FindStringSubmatch(m)
		return sub[1] + " " + sub[2] + sub[3] + sub[4]
	})
	s = wardNumber.ReplaceAllStringFunc(s, func(m string) string {
		sub := wardNumber.FindStringSubmatch(m)
		changed = true
		return sub[1] + " " + strings.NewReplacer("I", "1", "l", "1", "|", "1", " ", "").Replace(sub[2]) + sub[3]
	})
	all := provinceUnit.FindAllStringSubmatchIndex(s, -1)
	if all == nil {
		return s, changed
	}
	loc := all[len(all)-1]
	unit, name := s[loc[2]:loc[3]], strings.TrimSpace(s[loc[1]:])
	keys := provinceKeys()
	exact := keys.tone[vn.ToneKey(name)]
	unitOK := vn.FoldKey(unit) != "tinh" || vn.ToneKey(unit) == vn.ToneKey("tỉnh")
	if exact && unitOK && s[loc[3]:loc[1]] == " " {
		return s, changed // a real province, as printed
	}
	match := name
	if !exact {
		m, ok := keys.compact[letterKey(name)]
		if !ok || m == "" {
			return s, changed // none, or ambiguous without marks
		}
		match = m
	}
	if !unitOK {
		unit = inCase("tỉnh", unit)
	}
	if strings.EqualFold(unit, "TP") && strings.Contains(s[loc[3]:loc[1]], ".") {
		unit += "." // "TP.Hồ Chí Minh": the abbreviation's full stop
	}
	out := s[:loc[2]] + unit + " " + match
	return out, changed || out != s
}

// provinceIndex holds the provinces of both tables (before and after 2025)
// by tone key, and by their letters without marks, spaces or punctuation
// (letterKey): the name as written in the table, "" when two names differ
// only by their marks.
type provinceIndex struct {
	tone    map[string]bool
	compact map[string]string
}

// provinceKeys is made once: repairPlace runs for every address keyed in
// review, and keying the two tables for each cost more than the rest of
// the validation of a record.
var provinceKeys = sync.OnceValue(func() (k provinceIndex) {
	k.tone, k.compact = map[string]bool{}, map[string]string{}
	for _, table := range [][]vn.Province{vn.ProvincesBefore2025(), vn.ProvincesAfter2025()} {
		for _, p := range table {
			k.tone[vn.ToneKey(p.Name)] = true
			f := letterKey(p.Name)
			if prev, seen := k.compact[f]; seen && prev != p.Name {
				k.compact[f] = ""
			} else {
				k.compact[f] = p.Name
			}
		}
	}
	return k
})

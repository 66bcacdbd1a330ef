package validate

import (
	"regexp"
	"strings"
	"sync"

	"github.com/sohoa/sohoa/vn"
)

// provinceTail finds the province at the end of an address or office:
// "…, tỉnh Tuyên Quang", "…, thành phố Hà Nội".
var provinceTail = regexp.MustCompile(`(?i)(tỉnh|thành phố|TP\.?)\s+([^,]+)$`)

// unitNumber finds a numbered administrative unit whose number OCR read
// with look-alike letters ("phường I1", "tổ dân phố O3").
var unitNumber = regexp.MustCompile(`\b(phường|quận|tổ dân phố|tổ|xóm|khu phố|khu|đội)\s+([0-9IlO|]*[0-9][0-9IlO|]*)\b`)

// repairPlace fixes what OCR commonly damages in an address and is safe to
// fix: the province's name, checked against the table of provinces (a name
// that is not a province but equals one once its marks are removed is
// replaced by that province, as written in the table), and look-alike
// letters in unit numbers. It reports whether it changed anything.
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
	loc := provinceTail.FindStringSubmatchIndex(s)
	if loc == nil {
		return s, changed
	}
	name := strings.TrimSpace(s[loc[4]:loc[5]])
	keys := provinceKeys()
	if keys.tone[vn.ToneKey(name)] {
		return s, changed // a real province, as printed
	}
	match, ok := keys.fold[vn.FoldKey(name)]
	if !ok || match == "" {
		return s, changed // none, or ambiguous without marks
	}
	return s[:loc[4]] + match + s[loc[4]+len(name):], true
}

// provinceIndex holds the provinces of both tables (before and after 2025)
// by tone key, and by fold key: the name as written in the table, "" when
// two names differ only by their marks.
type provinceIndex struct {
	tone map[string]bool
	fold map[string]string
}

// provinceKeys is made once: repairPlace runs for every address keyed in
// review, and keying the two tables for each cost more than the rest of
// the validation of a record.
var provinceKeys = sync.OnceValue(func() (k provinceIndex) {
	k.tone, k.fold = map[string]bool{}, map[string]string{}
	for _, table := range [][]vn.Province{vn.ProvincesBefore2025(), vn.ProvincesAfter2025()} {
		for _, p := range table {
			k.tone[vn.ToneKey(p.Name)] = true
			f := vn.FoldKey(p.Name)
			if prev, seen := k.fold[f]; seen && prev != p.Name {
				k.fold[f] = ""
			} else {
				k.fold[f] = p.Name
			}
		}
	}
	return k
})

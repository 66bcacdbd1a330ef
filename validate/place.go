package validate

import (
	"regexp"
	"strings"

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
	for _, table := range [][]vn.Province{vn.ProvincesBefore2025(), vn.ProvincesAfter2025()} {
		for _, p := range table {
			if vn.ToneKey(p.Name) == vn.ToneKey(name) {
				return s, changed // a real province, as printed
			}
		}
	}
	var match string
	for _, table := range [][]vn.Province{vn.ProvincesBefore2025(), vn.ProvincesAfter2025()} {
		for _, p := range table {
			if vn.FoldKey(p.Name) == vn.FoldKey(name) {
				if match != "" && match != p.Name {
					return s, changed // ambiguous without marks
				}
				match = p.Name
			}
		}
	}
	if match == "" {
		return s, changed
	}
	return s[:loc[4]] + match + s[loc[4]+len(name):], true
}

package validate

import (
	"strings"

	"github.com/sohoa/sohoa/vn"
)

// Gender values.
const (
	Male   = "Nam"
	Female = "Nữ"
)

// Gender normalises a gender to "Nam" or "Nữ". Case, missing or damaged
// marks ("Nu", "Nũ", "Nừ") and a leading "giới tính" are tolerated; when the
// marks differ from the standard spelling the value is reported "repaired".
// "trai"/"gái" (boy/girl) are read as Nam/Nữ, also marked "repaired".
func Gender(raw string) (string, []Problem) {
	s := cleanText(raw)
	if s == "" {
		return "", []Problem{problem(CodeMissing, "no gender")}
	}
	s = stripLabel(s, "giới tính")
	key := vn.FoldKey(strings.Trim(s, " :"))
	var v string
	switch key {
	case "nam", "trai", "con trai":
		v = Male
	case "nu", "gai", "con gai":
		v = Female
	default:
		return "", []Problem{problem(CodeInvalid, "not a gender: %q", s)}
	}
	if vn.ToneKey(s) != vn.ToneKey(v) {
		return v, []Problem{problem(CodeRepaired, "read %q as %q", s, v)}
	}
	return v, nil
}

// isFemale maps a normalised gender to a bool; ok is false when unknown.
func isFemale(g string) (female, ok bool) {
	v, _ := Gender(g)
	switch v {
	case Male:
		return false, true
	case Female:
		return true, true
	}
	return false, false
}

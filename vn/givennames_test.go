package vn

import "testing"

func TestGivenNameSyllable(t *testing.T) {
	for _, c := range []struct {
		s    string
		want bool
	}{
		{"Hồng", true},
		{"HỒNG", true},
		{"hồng", true},
		{"Hông", false}, // the grave accent lost
		{"Hòa", true},
		{"Hoà", true}, // the old tone placement
		{"Thủy", true},
		{"Thuỷ", true},
		{"Thị", true}, // a middle name, not in the list of given names
		{"Thi", true}, // a given name too
		{"Văn", true},
		{"Vặn", false},
		{"Páo", false}, // Mông names are not listed
		{"Hà Nội", false},
		{"", false},
	} {
		if got := GivenNameSyllable(c.s); got != c.want {
			t.Errorf("GivenNameSyllable(%q) = %v, want %v", c.s, got, c.want)
		}
	}
}

package validate

import "testing"

func TestTextAddressPunctuation(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"bản Sín Chải, xã Huổi Só. huyện Tủa Chùa, tỉnh Điện Biên", "bản Sín Chải, xã Huổi Só, huyện Tủa Chùa, tỉnh Điện Biên"},
		{"xã Tả Sìn Thàng, huyện Tủa Chùa. tỉnh Điện Biên", "xã Tả Sìn Thàng, huyện Tủa Chùa, tỉnh Điện Biên"},
		{"UBND xã Lương Ngoại, huyện Bá.Thước, tỉnh Thanh Hoá", "UBND xã Lương Ngoại, huyện Bá Thước, tỉnh Thanh Hoá"},
		{"phường 1, TP. Hồ Chí Minh", "phường 1, TP. Hồ Chí Minh"}, // abbreviation kept
		{"Đột quỵ", "Đột quỵ"},
	}
	for _, tc := range tests {
		if got, _ := Text(tc.raw); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.raw, got, tc.want)
		}
	}
}

func TestTextPlaceRepair(t *testing.T) {
	tests := []struct {
		raw, want string
		repaired  bool
	}{
		{"Trung tâm Y tế huyện Na Hang, tỉnh Tuyền Quang", "Trung tâm Y tế huyện Na Hang, tỉnh Tuyên Quang", true},
		{"xã Kim Hòa, huyện Cầu Ngang, tỉnh Trà Vinh", "xã Kim Hòa, huyện Cầu Ngang, tỉnh Trà Vinh", false},
		{"UBND xã Lương Ngoại, tỉnh Thanh Hoá", "UBND xã Lương Ngoại, tỉnh Thanh Hoá", false}, // old tone placement kept
		{"tổ dân phố 24, phường I1, quận 3, thành phố Hồ Chí Minh", "tổ dân phố 24, phường 11, quận 3, thành phố Hồ Chí Minh", true},
		{"xã Tà Cạ, tỉnh Xyz Abc", "xã Tà Cạ, tỉnh Xyz Abc", false},
	}
	for _, tc := range tests {
		got, ps := Text(tc.raw)
		rep := false
		for _, p := range ps {
			rep = rep || p.Code == CodeRepaired
		}
		if got != tc.want || rep != tc.repaired {
			t.Errorf("Text(%q) = %q (repaired %v), want %q (%v)", tc.raw, got, rep, tc.want, tc.repaired)
		}
	}
}

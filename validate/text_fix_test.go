package validate

import "testing"

func TestTextAddressPunctuation(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"bản Sín Chải, xã Huổi Só. huyện Tủa Chùa, tỉnh Điện Biên", "bản Sín Chải, xã Huổi Só, huyện Tủa Chùa, tỉnh Điện Biên"},
		{"xã Tả Sìn Thàng, huyện Tủa Chùa. tỉnh Điện Biên", "xã Tả Sìn Thàng, huyện Tủa Chùa, tỉnh Điện Biên"},
		{"UBND xã Lương Ngoại, huyện Bá.Thước, tỉnh Thanh Hoá", "UBND xã Lương Ngoại, huyện Bá Thước, tỉnh Thanh Hoá"},
		{"phường 1, TP. Hồ Chí Minh", "phường 1, TP. Hồ Chí Minh"}, // abbreviation kept
		// A stop inside a unit of two words is not the end of a part.
		{"Uỷ ban nhân dân phường Sa Pa, thị.xã Sa Pa, tỉnh Lào Cai", "Uỷ ban nhân dân phường Sa Pa, thị xã Sa Pa, tỉnh Lào Cai"},
		{"tổ dân.phố 8, phường Thuỷ Biều, thành. phố Huế", "tổ dân phố 8, phường Thuỷ Biều, thành phố Huế"},
		{"thôn Tân Thành. xã Hòa An", "thôn Tân Thành, xã Hòa An"},
		{"Đột quỵ", "Đột quỵ"},
	}
	for _, tc := range tests {
		if got, _ := Text(tc.raw); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.raw, got, tc.want)
		}
	}
}

func TestTextPlaceRepair(t *testing.T) {
	runRepairCases(t, "Text", Text, []repairCase{
		{"Trung tâm Y tế huyện Na Hang, tỉnh Tuyền Quang", "Trung tâm Y tế huyện Na Hang, tỉnh Tuyên Quang", true},
		{"xã Kim Hòa, huyện Cầu Ngang, tỉnh Trà Vinh", "xã Kim Hòa, huyện Cầu Ngang, tỉnh Trà Vinh", false},
		{"UBND xã Lương Ngoại, tỉnh Thanh Hoá", "UBND xã Lương Ngoại, tỉnh Thanh Hoá", false}, // old tone placement kept
		{"tổ dân phố 24, phường I1, quận 3, thành phố Hồ Chí Minh", "tổ dân phố 24, phường 11, quận 3, thành phố Hồ Chí Minh", true},
		{"xã Tà Cạ, tỉnh Xyz Abc", "xã Tà Cạ, tỉnh Xyz Abc", false},
	})
}

func TestOCRRepairs(t *testing.T) {
	if v, ps := Date("30/1 1/1973"); v != "1973-11-30" || len(ps) == 0 {
		t.Errorf("Date(split digits) = %q %v, want 1973-11-30 marked repaired", v, ps)
	}
	if v, _ := Name("SÌNH A CHÁ ˆ"); v != "Sình A Chá" {
		t.Errorf("Name with a stray accent = %q", v)
	}
	got := CrossCheck("birth", map[string]string{"book_number": "03/2028", "registration_date": "2025-04-02"})
	if len(got["book_number"]) == 0 || len(got["registration_date"]) == 0 {
		t.Errorf("book year 2028 vs registration 2025 not flagged: %v", got)
	}
	if got := CrossCheck("birth", map[string]string{"book_number": "03/2025", "registration_date": "2025-04-02"}); len(got) != 0 {
		t.Errorf("consistent book year flagged: %v", got)
	}
}

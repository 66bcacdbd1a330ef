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

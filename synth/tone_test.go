package synth

import "testing"

func TestToneStyle(t *testing.T) {
	tests := []struct {
		in       string
		old, new string
	}{
		{"Hòa Bình", "Hòa Bình", "Hoà Bình"},
		{"Thanh Hoá", "Thanh Hóa", "Thanh Hoá"},
		{"Lê Thị Thủy", "Lê Thị Thủy", "Lê Thị Thuỷ"},
		{"khoẻ", "khỏe", "khoẻ"},
		{"THỤY", "THỤY", "THUỴ"},
		{"Hoàng Quý Hoàn", "Hoàng Quý Hoàn", "Hoàng Quý Hoàn"},
		{"quả hoa", "quả hoa", "quả hoa"},
		{"xã Vĩnh Hòa Hưng Bắc, tỉnh Kiên Giang", "xã Vĩnh Hòa Hưng Bắc, tỉnh Kiên Giang", "xã Vĩnh Hoà Hưng Bắc, tỉnh Kiên Giang"},
	}
	for _, tc := range tests {
		if got := toneStyle(tc.in, false); got != tc.old {
			t.Errorf("toneStyle(%q, old) = %q, want %q", tc.in, got, tc.old)
		}
		if got := toneStyle(tc.in, true); got != tc.new {
			t.Errorf("toneStyle(%q, new) = %q, want %q", tc.in, got, tc.new)
		}
	}
}

func TestTitleWord(t *testing.T) {
	for in, want := range map[string]string{"H'HEN": "H'Hen", "NGUYỄN": "Nguyễn", "đỗ": "Đỗ", "BRU-VÂN": "Bru-Vân"} {
		if got := titleWord(in); got != want {
			t.Errorf("titleWord(%q) = %q, want %q", in, got, want)
		}
	}
}

package eval

import "testing"

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "", 3},
		{"", "abc", 3},
		{"kitten", "sitting", 3},
		{"Nguyễn", "Nguyen", 1},
		{"Hòa", "Hoà", 2}, // different code points once NFC: ò vs o + à
		{"Việt Nam", "Việt Nam", 0},
	}
	for _, tc := range tests {
		if got := Distance([]rune(tc.a), []rune(tc.b)); got != tc.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestNormalizePage(t *testing.T) {
	in := "  Họ, chữ đệm,   tên:\tNGUYỄN VĂN A \n\n\nGiới tính: Nam\n"
	want := "Họ, chữ đệm, tên: NGUYỄN VĂN A\nGiới tính: Nam"
	if got := NormalizePage(in); got != want {
		t.Fatalf("NormalizePage = %q, want %q", got, want)
	}
	// NFD input compares equal to NFC.
	nfd := "Vie\u0302\u0323t"
	if got := NormalizePage(nfd); got != "Việt" {
		t.Fatalf("NFD not composed: %q", got)
	}
}

func TestPageCER(t *testing.T) {
	tests := []struct {
		name, truth, got string
		want             float64
	}{
		{"identical", "ab\ncd", "ab\ncd", 0},
		{"one substitution", "abcd", "abxd", 0.25},
		{"merged lines count the break", "ab\ncd", "ab cd", 0.2},
		{"nothing read", "abcd", "", 1},
		{"garbage leaders", "Tên: A", "Tên: A ......", 7.0 / 6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := PageCER(tc.truth, tc.got).CER(); got != tc.want {
				t.Fatalf("CER = %v, want %v", got, tc.want)
			}
		})
	}
}

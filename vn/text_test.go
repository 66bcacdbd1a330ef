package vn

import "testing"

func TestToneKey(t *testing.T) {
	equal := [][2]string{
		{"hòa", "hoà"}, {"thủy", "thuỷ"}, {"khỏe", "khoẻ"}, {"Hòa Bình", "HOÀ BÌNH"},
		{"Thanh Hóa", "thanh hoá"}, {"quý", "qúy"},
		{"ho\u0300a", "hòa"}, // NFD input
	}
	for _, p := range equal {
		if a, b := ToneKey(p[0]), ToneKey(p[1]); a != b {
			t.Errorf("ToneKey(%q)=%q != ToneKey(%q)=%q", p[0], a, p[1], b)
		}
	}
	differ := [][2]string{{"ma", "mà"}, {"mà", "mâ"}, {"hòa", "hỏa"}, {"đa", "da"}, {"hòa bình", "hoàbình"}}
	for _, p := range differ {
		if ToneKey(p[0]) == ToneKey(p[1]) {
			t.Errorf("ToneKey(%q) == ToneKey(%q)", p[0], p[1])
		}
	}
	if k := ToneKey("Hòa"); !IsNFC(k) {
		t.Errorf("ToneKey not NFC: %q", k)
	}
}

func TestStripDiacritics(t *testing.T) {
	tests := map[string]string{
		"Nguyễn Đức Thắng": "Nguyen Duc Thang",
		"đường Ưng Ơ":      "duong Ung O",
		"Kïnh öå":          "Kinh oa",
		"plain":            "plain",
	}
	for in, want := range tests {
		if got := StripDiacritics(in); got != want {
			t.Errorf("StripDiacritics(%q) = %q, want %q", in, got, want)
		}
	}
	if got := FoldKey("  Nguyễn   ĐỨC "); got != "nguyen duc" {
		t.Errorf("FoldKey = %q", got)
	}
}

func TestIsVietnameseLetter(t *testing.T) {
	for _, r := range "aăâbcdđeêghiklmnopqrstuvxyfjwzÁÀẢÃẠẮẰẲẴẶẤẦẨẪẬĐÉỀỂỄỆÍỊÓỒỔỖỘỚỜỞỠỢÚỦŨỤỨỪỬỮỰÝỲỶỸỴ" {
		if !IsVietnameseLetter(r) {
			t.Errorf("IsVietnameseLetter(%q) = false", r)
		}
	}
	for _, r := range "öïåñç0 -'ß" {
		if IsVietnameseLetter(r) {
			t.Errorf("IsVietnameseLetter(%q) = true", r)
		}
	}
}

func TestNormalizeName(t *testing.T) {
	tests := map[string]string{
		"LÊ THỊ OANH":            "Lê Thị Oanh",
		"NGUYỄN ĐỨC":             "Nguyễn Đức",
		"  nguyễn   văn   an  ":  "Nguyễn Văn An",
		"HOÀNG THỊ THUỶ":         "Hoàng Thị Thuỷ",
		"hoàng thị thủy":         "Hoàng Thị Thủy",
		"KSOR H’BIA":             "Ksor H'Bia",
		"H'MÔNG":                 "H'Mông",
		"BRU-VÂN KIỀU":           "Bru-Vân Kiều",
		"ĐINH\u00a0VĂN\tƯỚC":     "Đinh Văn Ước",
		"Nguye\u0302\u0303n Ánh": "Nguyễn Ánh", // NFD input becomes NFC
		"":                       "",
	}
	for in, want := range tests {
		if got := NormalizeName(in); got != want {
			t.Errorf("NormalizeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSimilarity(t *testing.T) {
	if s := Similarity("kinh", "kinh"); s != 1 {
		t.Errorf("same = %v", s)
	}
	if s := Similarity("kinh", "kimh"); s != 0.75 {
		t.Errorf("one edit in four = %v", s)
	}
	if s := Similarity("", ""); s != 1 {
		t.Errorf("empty = %v", s)
	}
	if s := Similarity("ab", ""); s != 0 {
		t.Errorf("vs empty = %v", s)
	}
}

package vn

import "testing"

func TestEthnicitiesTable(t *testing.T) {
	e := Ethnicities()
	if len(e) != 54 {
		t.Fatalf("len = %d", len(e))
	}
	seen := map[string]bool{}
	for _, n := range e {
		if seen[n] || !IsNFC(n) {
			t.Errorf("duplicate or non-NFC %q", n)
		}
		seen[n] = true
		if got, sc, ok := MatchEthnicity(n); !ok || got != n || sc != ScoreExact {
			t.Errorf("MatchEthnicity(%q) = %q %v %v", n, got, sc, ok)
		}
	}
	e[0] = "changed"
	if Ethnicities()[0] != "Kinh" {
		t.Error("Ethnicities returns shared storage")
	}
	for _, a := range ethnicAliases {
		if !seen[a[1]] {
			t.Errorf("alias %q targets unknown %q", a[0], a[1])
		}
	}
	// Diacritics-free keys must not collide between different groups, or a
	// mark-less spelling would be ambiguous.
	m := ethnicMatcher()
	byFold := map[string]string{}
	for _, en := range m.entries {
		if prev, ok := byFold[en.fold]; ok && prev != en.target {
			t.Errorf("fold key %q maps to %q and %q", en.fold, prev, en.target)
		}
		byFold[en.fold] = en.target
	}
}

func TestMatchEthnicity(t *testing.T) {
	tests := []struct {
		in       string
		want     string
		minScore float64
		ok       bool
	}{
		{"Kinh", "Kinh", 1, true},
		{"KINH", "Kinh", 1, true},
		{"Dân tộc: Kinh.", "Kinh", 1, true},
		{"Việt", "Kinh", 1, true},
		{"Kïnh", "Kinh", 0.95, true},
		{"Kimh", "Kinh", 0.75, true},
		{"Tay", "Tày", 0.95, true},
		{"Thải", "Thái", 0.95, true},
		{"H'Mông", "Mông", 1, true},
		{"H’Mông", "Mông", 1, true},
		{"HMONG", "Mông", 0.95, true},
		{"Mèo", "Mông", 1, true},
		{"Khơ-me", "Khmer", 1, true},
		{"Khơme", "Khmer", 1, true},
		{"khmer", "Khmer", 1, true},
		{"Bru Vân Kiều", "Bru-Vân Kiều", 1, true},
		{"Bru-Vân-Kiều", "Bru-Vân Kiều", 1, true},
		{"bru van kieu", "Bru-Vân Kiều", 0.95, true},
		{"Ê-đê", "Ê Đê", 1, true},
		{"Ede", "Ê Đê", 0.95, true},
		{"Xtiêng", "Stiêng", 1, true},
		{"Gié Triêng", "Giẻ-Triêng", 1, true},
		{"Mường", "Mường", 1, true},
		{"Muờng", "Mường", 0.95, true},
		{"Mưòng", "Mường", 0.95, true},
		{"Sán Dìu", "Sán Dìu", 1, true},
		{"San Diu", "Sán Dìu", 0.95, true},
		{"Pà Thẻn", "Pà Thẻn", 1, true},
		{"Xyzabc", "", 0, false},
		{"Pháp", "", 0, false},
		{"", "", 0, false},
		{"Ma", "Mạ", 0.95, true},
		{"Mang", "Mảng", 0.95, true},
	}
	for _, tt := range tests {
		got, sc, ok := MatchEthnicity(tt.in)
		if ok != tt.ok || (ok && (got != tt.want || sc < tt.minScore)) {
			t.Errorf("MatchEthnicity(%q) = %q, %v, %v; want %q >= %v, %v", tt.in, got, sc, ok, tt.want, tt.minScore, tt.ok)
		}
	}
}

func TestMatchNationality(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"Việt Nam", "Việt Nam", true},
		{"VIỆT NAM", "Việt Nam", true},
		{"Viet Nam", "Việt Nam", true},
		{"Vệt Nam", "Việt Nam", true},
		{"Quốc tịch: Việt Nam", "Việt Nam", true},
		{"Việt Nam.", "Việt Nam", true},
		{"VN", "Việt Nam", true},
		{"Mỹ", "Hoa Kỳ", true},
		{"Trung Quốc", "Trung Quốc", true},
		{"Cam-pu-chia", "Campuchia", true},
		{"Lào", "Lào", true},
		{"Kinh", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, _, ok := MatchNationality(tt.in)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("MatchNationality(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	seen := map[string]bool{}
	for _, n := range Nationalities() {
		seen[n] = true
	}
	for _, a := range nationalityAliases {
		if !seen[a[1]] {
			t.Errorf("alias %q targets unknown %q", a[0], a[1])
		}
	}
}

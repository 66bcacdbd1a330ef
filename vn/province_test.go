package vn

import "testing"

func TestProvinceTables(t *testing.T) {
	before, after := ProvincesBefore2025(), ProvincesAfter2025()
	if len(before) != 63 || len(after) != 34 {
		t.Fatalf("counts %d, %d", len(before), len(after))
	}
	oldCodes := map[string]bool{}
	for _, p := range before {
		if oldCodes[p.Code] || p.IDCode != "0"+p.Code || !IsNFC(p.Name) {
			t.Errorf("bad or duplicate %+v", p)
		}
		oldCodes[p.Code] = true
	}
	absorbed := map[string]int{}
	for _, m := range merged2025 {
		if !oldCodes[m.p.Code] || m.p.IDCode != "0"+m.p.Code {
			t.Errorf("new code %+v not an old code", m.p)
		}
		own := false
		for _, c := range m.from {
			absorbed[c]++
			own = own || c == m.p.Code
		}
		if !own {
			t.Errorf("%+v does not list its own code", m.p)
		}
	}
	for c := range oldCodes {
		if absorbed[c] != 1 {
			t.Errorf("old code %s absorbed %d times", c, absorbed[c])
		}
	}
	cities := 0
	for _, p := range after {
		if p.IsCity() {
			cities++
		}
	}
	if cities != 6 {
		t.Errorf("cities after 2025 = %d, want 6", cities)
	}
}

func TestProvinceByCode(t *testing.T) {
	tests := []struct {
		code string
		on   Date
		want string
		ok   bool
	}{
		{"24", Date{2020, 1, 1}, "Bắc Giang", true},
		{"24", Date{2025, 6, 30}, "Bắc Giang", true},
		{"24", Date{2025, 7, 1}, "Bắc Ninh", true},
		{"024", Date{2026, 0, 0}, "Bắc Ninh", true},
		{"24", Date{}, "Bắc Giang", true},
		{"27", Date{2025, 7, 1}, "", false},
		{"27", Date{2025, 0, 0}, "Bắc Ninh", true},
		{"46", Date{2026, 1, 1}, "Huế", true},
		{"99", Date{}, "", false},
	}
	for _, tt := range tests {
		p, ok := ProvinceByCode(tt.code, tt.on)
		if ok != tt.ok || p.Name != tt.want {
			t.Errorf("ProvinceByCode(%q, %v) = %+v, %v", tt.code, tt.on, p, ok)
		}
	}
	if p, ok := ProvinceByIDCode("040"); !ok || p.Name != "Nghệ An" {
		t.Errorf("ProvinceByIDCode(040) = %+v, %v", p, ok)
	}
	for _, c := range []string{"003", "40", "", "999"} {
		if _, ok := ProvinceByIDCode(c); ok {
			t.Errorf("ProvinceByIDCode(%q) ok", c)
		}
	}
	if p, ok := ProvinceSuccessor("93"); !ok || p.Name != "Cần Thơ" {
		t.Errorf("ProvinceSuccessor(93) = %+v", p)
	}
}

func TestProvinceByName(t *testing.T) {
	y2020, y2026 := Date{2020, 5, 1}, Date{2026, 1, 1}
	tests := []struct {
		name     string
		on       Date
		wantCode string
		wantName string
	}{
		{"Nghệ An", y2020, "40", "Nghệ An"},
		{"Tỉnh Nghệ An", Date{}, "40", "Nghệ An"},
		{"tinh nghe an", y2020, "40", "Nghệ An"},
		{"Ngệ An", y2020, "40", "Nghệ An"},
		{"TP.HCM", y2020, "79", "Hồ Chí Minh"},
		{"TP. Hồ Chí Minh", y2020, "79", "Hồ Chí Minh"},
		{"Thành phố Hồ Chí Minh", y2026, "79", "Hồ Chí Minh"},
		{"thanh pho ho chi minh", y2020, "79", "Hồ Chí Minh"},
		{"Sài Gòn", y2020, "79", "Hồ Chí Minh"},
		{"Hoà Bình", y2020, "17", "Hòa Bình"},
		{"KHÁNH HOÀ", y2026, "56", "Khánh Hòa"},
		{"Thanh Hóa", y2020, "38", "Thanh Hóa"},
		{"Bắc Giang", y2026, "24", "Bắc Giang"},
		{"Bắc Ninh", y2020, "27", "Bắc Ninh"},
		{"Bắc Ninh", y2026, "24", "Bắc Ninh"},
		{"Lào Cai", y2020, "10", "Lào Cai"},
		{"Lào Cai", y2026, "15", "Lào Cai"},
		{"Huế", y2020, "46", "Thừa Thiên Huế"},
		{"Huế", y2026, "46", "Huế"},
		{"Thừa Thiên - Huế", y2020, "46", "Thừa Thiên Huế"},
		{"Bà Rịa Vũng Tàu", y2020, "77", "Bà Rịa - Vũng Tàu"},
		{"Đắc Lắc", y2020, "66", "Đắk Lắk"},
		{"Daklak", y2020, "66", "Đắk Lắk"},
		{"Kontum", y2020, "62", "Kon Tum"},
		{"Thành phố Cần Thơ", y2026, "92", "Cần Thơ"},
		{"Hà Nội", y2026, "01", "Hà Nội"},
	}
	for _, tt := range tests {
		p, ok := ProvinceByName(tt.name, tt.on)
		if !ok || p.Code != tt.wantCode || p.Name != tt.wantName {
			t.Errorf("ProvinceByName(%q, %v) = %+v, %v; want %s %s", tt.name, tt.on, p, ok, tt.wantCode, tt.wantName)
		}
	}
	for _, bad := range []string{"Hà", "Paris", "", "Tỉnh"} {
		if p, ok := ProvinceByName(bad, y2020); ok {
			t.Errorf("ProvinceByName(%q) = %+v, want not found", bad, p)
		}
	}
}

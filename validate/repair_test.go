package validate

import (
	"slices"
	"testing"
)

func TestRepairDigits(t *testing.T) {
	tests := []struct {
		in, want string
		changed  bool
	}{
		{"l99O", "1990", true},
		{"O5/O3/l99O", "05/03/1990", true},
		{"lO/12/1990", "10/12/1990", true}, // short look-alike token next to "/"
		{"ngày 05 tháng O3 năm l99O", "ngày 05 tháng 03 năm 1990", true},
		{"ngày 05 tháng 03 năm 1990", "ngày 05 tháng 03 năm 1990", false},
		{"To Bi 1990", "To Bi 1990", false}, // words without digits or separators stay
		{"1B9O", "1890", true},              // upper-case B is 8
		{"1b9O", "1690", true},              // lower-case b is 6
		{"Sở 12", "Sở 12", false},
		{"BOOKS/2019", "BOOKS/2019", false}, // too long to be a number
	}
	for _, tt := range tests {
		got, changed := repairDigits(tt.in)
		if got != tt.want || changed != tt.changed {
			t.Errorf("repairDigits(%q) = %q, %v; want %q, %v", tt.in, got, changed, tt.want, tt.changed)
		}
	}
}

func TestDigitsOnly(t *testing.T) {
	tests := []struct {
		in, want                string
		repaired, ambiguous, ok bool
	}{
		{"0400 9001 2345", "040090012345", false, false, true},
		{"0400.9001-2345", "040090012345", false, false, true},
		{"O4OO", "0400", true, false, true},
		{"l9O1", "1901", true, false, true},
		{"0340 S506 3963", "034055063963", true, true, true}, // S: 5 or 8
		{"04B0", "0480", true, true, true},
		{"04x0", "", false, false, false},
		{"", "", false, false, false},
	}
	for _, tt := range tests {
		got, rep, ok := digitsOnly(tt.in)
		if got != tt.want || rep.repaired != tt.repaired || rep.ambiguous != tt.ambiguous || ok != tt.ok {
			t.Errorf("digitsOnly(%q) = %q, %+v, %v", tt.in, got, rep, ok)
		}
	}
}

func TestAmbiguousDigitsAreNotAccepted(t *testing.T) {
	tests := []struct {
		key, raw, want string
		blocking       bool
	}{
		{"husband_id_number", "0340 S506 3963", "034055063963", true},
		{"husband_id_number", "O34O85063963", "034085063963", false},
		{"entry_number", "S6", "56", true},
		{"entry_number", "l6", "16", false},
		{"book_number", "O1/2O1B", "01/2018", true},
		{"book_number", "O1/2O18", "01/2018", false},
		{"personal_id", "0011729009T2", "001172900972", true},
	}
	for _, tt := range tests {
		got, ps := Field(tt.key, tt.raw)
		if got != tt.want || Blocking(ps) != tt.blocking || !slices.Contains(Codes(ps), CodeRepaired) {
			t.Errorf("Field(%q, %q) = %q, %v; want %q, blocking %v", tt.key, tt.raw, got, ps, tt.want, tt.blocking)
		}
		if tt.blocking && !slices.Contains(Codes(ps), CodeAmbiguous) {
			t.Errorf("Field(%q, %q): %v, want %s", tt.key, tt.raw, ps, CodeAmbiguous)
		}
	}
}

func TestStripLabel(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Giới tính: Nữ", "Nữ"},
		{"GIOI TINH Nam", "Nam"},
		{"Nam", "Nam"},
		{"Giới tính:", "Giới tính:"},
	}
	for _, tt := range tests {
		if got := stripLabel(tt.in, "giới tính"); got != tt.want {
			t.Errorf("stripLabel(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestByKindStroke: a lone stroke read before a value in figures may be its
// first 1; the value is read without it and is ambiguous, unless the words
// of a date say which it is.
func TestByKindStroke(t *testing.T) {
	tests := []struct {
		kind     Kind
		raw      string
		want     string
		wantCode string // "" for no problem
	}{
		{KindDate, "| 1/09/1999", "1999-09-01", CodeAmbiguous},
		{KindDate, "! 1-10-2026", "2026-10-01", CodeAmbiguous},
		{KindDate, ".! 4/10/1962", "1962-10-04", CodeAmbiguous},
		{KindEntryNumber, "! 4", "4", CodeAmbiguous},
		{KindBookNumber, "| 2/2019", "2/2019", CodeAmbiguous},
		{KindDate, "| 1/09/1999 (ghi bằng chữ: ngày mồng một tháng chín năm một nghìn chín trăm chín mươi chín)", "1999-09-01", ""},
		{KindDate, "| 1/09/1999 (ghi bằng chữ: ngày mười một tháng chín năm một nghìn chín trăm chín mươi chín)", "1999-09-11", CodeRepaired},
		// Glued to the digits, a stroke is a look-alike of 1, repaired.
		{KindDate, "|1/09/1999", "1999-09-11", CodeRepaired},
		// Not before figures, or not a stroke: as before.
		{KindDate, "1/09/1999", "1999-09-01", ""},
		{KindText, "| 12 Lê Lợi", "| 12 Lê Lợi", ""},
		{KindEntryNumber, ". 4", "4", ""},
	}
	for _, tc := range tests {
		got, ps := ByKind(tc.kind, tc.raw)
		codes := Codes(ps)
		if got != tc.want || (tc.wantCode == "" && len(codes) > 0) || (tc.wantCode != "" && !slices.Contains(codes, tc.wantCode)) {
			t.Errorf("ByKind(%s, %q) = %q %v, want %q with %q", tc.kind, tc.raw, got, codes, tc.want, tc.wantCode)
		}
	}
}

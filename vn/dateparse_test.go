package vn

import (
	"errors"
	"strings"
	"testing"
)

func TestParseDateWords(t *testing.T) {
	tests := []struct {
		in      string
		want    Date
		wantErr error
	}{
		{"ngày mùng chín tháng mười một năm một nghìn chín trăm bảy mươi ba", Date{1973, 11, 9}, nil},
		{"Mùng chín tháng mười một năm một nghìn chín trăm bảy mươi ba", Date{1973, 11, 9}, nil},
		{"mung chin thang muoi mot nam mot nghin chin tram bay muoi ba", Date{1973, 11, 9}, nil},
		{"  Ngày   mồng   9 tháng Chạp năm 1973. ", Date{1973, 12, 9}, nil},
		{"ngày hai mươi tư tháng tư năm hai ngàn lẻ năm", Date{2005, 4, 24}, nil},
		{"ngày hai mươi bốn tháng bốn năm hai nghìn không trăm linh năm", Date{2005, 4, 24}, nil},
		{"ngày hai mươi tư tháng tư năm hai nghìn không trăm lẻ năm", Date{2005, 4, 24}, nil},
		{"ngày mười nhăm tháng giêng năm một nghìn chín trăm chín mươi", Date{1990, 1, 15}, nil},
		{"NGÀY MƯỜI LĂM THÁNG MƯỜI HAI NĂM HAI NGHÌN", Date{2000, 12, 15}, nil},
		{"ngày hai mươi mốt, tháng năm, năm một nghìn chín trăm năm mươi lăm", Date{1955, 5, 21}, nil},
		{"(ghi bằng chữ: ngày mồng một tháng một năm hai nghìn không trăm mười)", Date{2010, 1, 1}, nil},
		{"ngày ba mươi tháng tư năm một nghìn chín trăm bảy mươi lăm", Date{1975, 4, 30}, nil},
		{"ngày mười tháng mười năm một nghìn chín trăm mười", Date{1910, 10, 10}, nil},
		{"ngày mùng mười tháng năm năm hai nghìn", Date{2000, 5, 10}, nil},
		{"Ngày mủng chín tháng mưởi một năm một nghin chin trăm bẩy mươi ba", Date{1973, 11, 9}, nil},
		{"tháng năm năm một nghìn chín trăm chín mươi", Date{1990, 5, 0}, nil},
		{"tháng Chạp năm 1946", Date{1946, 12, 0}, nil},
		{"năm hai nghìn", Date{2000, 0, 0}, nil},
		{"Năm một ngàn chín trăm sáu mươi tư", Date{1964, 0, 0}, nil},
		{"ngày ba mươi mốt tháng hai năm hai nghìn", Date{}, ErrInvalidDate},
		{"ngày hai mươi chín tháng hai năm hai nghìn", Date{2000, 2, 29}, nil},
		{"ngày hai mươi chín tháng hai năm một nghìn chín trăm", Date{}, ErrInvalidDate},
		{"ngày mười ba tháng mười ba năm hai nghìn", Date{}, ErrNotDate},
		{"hai nghìn lẻ năm", Date{}, ErrNotDate},
		{"ngày tháng năm", Date{}, ErrNotDate},
		{"ngày hai ba tháng một năm hai nghìn", Date{}, ErrNotDate},
		{"ngày mười tháng một năm hai nghìn hai nghìn", Date{}, ErrNotDate},
		{"ngày mười tháng một năm hai nghìn linh", Date{}, ErrNotDate},
		{"ngày abc tháng một năm hai nghìn", Date{}, ErrNotDate},
		{"", Date{}, ErrNotDate},
		{"năm mười", Date{}, ErrInvalidDate},
	}
	for _, tt := range tests {
		got, err := ParseDateWords(tt.in)
		if tt.wantErr != nil {
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("ParseDateWords(%q) = %v, %v; want error %v", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseDateWords(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

// TestDateWordsRoundTrip writes many dates in every WordStyle and reads them
// back, also after removing diacritics and upper-casing.
func TestDateWordsRoundTrip(t *testing.T) {
	var dates []Date
	years := []int{1000, 1001, 1005, 1010, 1011, 1015, 1021, 1100, 1105, 1890, 1900, 1901, 1904,
		1905, 1910, 1914, 1915, 1921, 1924, 1925, 1945, 1954, 1955, 1964, 1971, 1973, 1975,
		1999, 2000, 2001, 2004, 2005, 2010, 2011, 2014, 2015, 2020, 2021, 2024, 2025, 2100, 2105, 9999}
	for i, y := range years {
		dates = append(dates, Date{y, 0, 0})
		for m := 1; m <= 12; m++ {
			dates = append(dates, Date{y, m, 0})
			for _, day := range []int{1, 4, 5, 9, 10, 11, 14, 15, 20, 21, 24, 25, 28, 31} {
				if (i+m+day)%5 == 0 { // a deterministic fifth keeps the run short
					if d := (Date{y, m, day}); d.Valid() {
						dates = append(dates, d)
					}
				}
			}
		}
	}
	for mask := 0; mask < 32; mask++ {
		st := WordStyle{Mong: mask&1 != 0, Ngan: mask&2 != 0, Le: mask&4 != 0, MonthName: mask&8 != 0, Capital: mask&16 != 0}
		for _, d := range dates {
			w := DateInWords(d, st)
			if w == "" {
				t.Fatalf("DateInWords(%v, %+v) empty", d, st)
			}
			for _, variant := range []string{w, StripDiacritics(w), strings.ToUpper(w), "  " + strings.ReplaceAll(w, " ", "   ") + " "} {
				got, err := ParseDateWords(variant)
				if err != nil || got != d {
					t.Fatalf("round trip %v %+v: %q -> %v, %v", d, st, variant, got, err)
				}
			}
		}
	}
}

func TestParseDateFigures(t *testing.T) {
	tests := []struct {
		in      string
		want    Date
		wantErr error
	}{
		{"5/3/1990", Date{1990, 3, 5}, nil},
		{"05-03-1990", Date{1990, 3, 5}, nil},
		{"05.03.1990", Date{1990, 3, 5}, nil},
		{"5 / 3 / 1990", Date{1990, 3, 5}, nil},
		{"5/3-1990", Date{1990, 3, 5}, nil},
		{"ngày 05 tháng 03 năm 1990", Date{1990, 3, 5}, nil},
		{"Ngày 5, tháng 3, năm 1990.", Date{1990, 3, 5}, nil},
		{"ngay 05 thang 03 nam 1990", Date{1990, 3, 5}, nil},
		{"ngày 05/03/1990", Date{1990, 3, 5}, nil},
		{"1990-03-05", Date{1990, 3, 5}, nil},
		{"03/1990", Date{1990, 3, 0}, nil},
		{"tháng 3 năm 1990", Date{1990, 3, 0}, nil},
		{"tháng 03/1990", Date{1990, 3, 0}, nil},
		{"1990", Date{1990, 0, 0}, nil},
		{"năm 1990", Date{1990, 0, 0}, nil},
		{"29/02/2000", Date{2000, 2, 29}, nil},
		{"29/02/1900", Date{}, ErrInvalidDate},
		{"31/04/1990", Date{}, ErrInvalidDate},
		{"00/03/1990", Date{}, ErrInvalidDate},
		{"05/00/1990", Date{}, ErrInvalidDate},
		{"13/1990", Date{}, ErrInvalidDate},
		{"0000", Date{}, ErrInvalidDate},
		{"5/3/90", Date{}, ErrTwoDigitYear},
		{"05-03.1990", Date{}, ErrNotDate},
		{"5/3/19900", Date{}, ErrNotDate},
		{"l99O", Date{}, ErrNotDate},
		{"", Date{}, ErrNotDate},
		{"mùng chín", Date{}, ErrNotDate},
	}
	for _, tt := range tests {
		got, err := ParseDateFigures(tt.in)
		if tt.wantErr != nil {
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("ParseDateFigures(%q) = %v, %v; want error %v", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseDateFigures(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestDateStringCompare(t *testing.T) {
	if s := (Date{1990, 3, 5}).String(); s != "1990-03-05" {
		t.Errorf("String = %q", s)
	}
	if s := (Date{1990, 3, 0}).String(); s != "1990-03" {
		t.Errorf("String = %q", s)
	}
	if s := (Date{990, 0, 0}).String(); s != "0990" {
		t.Errorf("String = %q", s)
	}
	tests := []struct {
		a, b Date
		want int
	}{
		{Date{1990, 3, 5}, Date{1990, 3, 6}, -1},
		{Date{1990, 3, 0}, Date{1990, 3, 6}, 0},
		{Date{1990, 0, 0}, Date{1989, 12, 31}, 1},
		{Date{1990, 4, 1}, Date{1990, 3, 31}, 1},
		{Date{1990, 3, 5}, Date{1990, 3, 5}, 0},
	}
	for _, tt := range tests {
		if got := tt.a.Compare(tt.b); got != tt.want {
			t.Errorf("%v.Compare(%v) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

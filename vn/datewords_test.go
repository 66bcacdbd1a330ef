package vn

import "testing"

func TestNumberInWords(t *testing.T) {
	tests := []struct {
		n    int
		st   numberStyle
		want string
	}{
		{0, numberStyle{}, "không"},
		{1, numberStyle{}, "một"},
		{10, numberStyle{}, "mười"},
		{11, numberStyle{}, "mười một"},
		{14, numberStyle{}, "mười bốn"},
		{15, numberStyle{}, "mười lăm"},
		{20, numberStyle{}, "hai mươi"},
		{21, numberStyle{}, "hai mươi mốt"},
		{24, numberStyle{}, "hai mươi tư"},
		{25, numberStyle{}, "hai mươi lăm"},
		{31, numberStyle{}, "ba mươi mốt"},
		{100, numberStyle{}, "một trăm"},
		{105, numberStyle{}, "một trăm linh năm"},
		{105, numberStyle{le: true}, "một trăm lẻ năm"},
		{110, numberStyle{}, "một trăm mười"},
		{1973, numberStyle{}, "một nghìn chín trăm bảy mươi ba"},
		{1905, numberStyle{le: true}, "một nghìn chín trăm lẻ năm"},
		{2000, numberStyle{}, "hai nghìn"},
		{2000, numberStyle{ngan: true}, "hai ngàn"},
		{2005, numberStyle{}, "hai nghìn không trăm linh năm"},
		{2005, numberStyle{le: true}, "hai nghìn lẻ năm"},
		{2010, numberStyle{}, "hai nghìn không trăm mười"},
		{2010, numberStyle{le: true}, "hai nghìn không trăm mười"},
		{2024, numberStyle{ngan: true}, "hai ngàn không trăm hai mươi tư"},
		{2100, numberStyle{}, "hai nghìn một trăm"},
		{-1, numberStyle{}, ""},
	}
	for _, tt := range tests {
		if got := numberInWords(tt.n, tt.st); got != tt.want {
			t.Errorf("numberInWords(%d, %+v) = %q, want %q", tt.n, tt.st, got, tt.want)
		}
	}
}

func TestDateInWords(t *testing.T) {
	tests := []struct {
		d    Date
		s    WordStyle
		want string
	}{
		{Date{1973, 11, 9}, WordStyle{}, "ngày mùng chín tháng mười một năm một nghìn chín trăm bảy mươi ba"},
		{Date{1973, 11, 9}, WordStyle{Mong: true, Capital: true}, "Ngày mồng chín tháng mười một năm một nghìn chín trăm bảy mươi ba"},
		{Date{2005, 1, 10}, WordStyle{MonthName: true, Le: true, Ngan: true}, "ngày mùng mười tháng Giêng năm hai ngàn lẻ năm"},
		{Date{2005, 12, 25}, WordStyle{MonthName: true}, "ngày hai mươi lăm tháng Chạp năm hai nghìn không trăm linh năm"},
		{Date{2005, 12, 25}, WordStyle{}, "ngày hai mươi lăm tháng mười hai năm hai nghìn không trăm linh năm"},
		{Date{1990, 4, 14}, WordStyle{}, "ngày mười bốn tháng tư năm một nghìn chín trăm chín mươi"},
		{Date{1990, 1, 21}, WordStyle{}, "ngày hai mươi mốt tháng một năm một nghìn chín trăm chín mươi"},
		{Date{1990, 5, 0}, WordStyle{}, "tháng năm năm một nghìn chín trăm chín mươi"},
		{Date{1990, 0, 0}, WordStyle{Capital: true}, "Năm một nghìn chín trăm chín mươi"},
		{Date{1990, 2, 30}, WordStyle{}, ""},
	}
	for _, tt := range tests {
		if got := DateInWords(tt.d, tt.s); got != tt.want {
			t.Errorf("DateInWords(%v, %+v) = %q, want %q", tt.d, tt.s, got, tt.want)
		}
	}
}

func TestPersonalIDCenturySexDigit(t *testing.T) {
	tests := []struct {
		year    int
		female  bool
		want    int
		wantErr bool
	}{
		{1900, false, 0, false}, {1999, true, 1, false}, {2000, false, 2, false},
		{2024, true, 3, false}, {2150, false, 4, false}, {2201, true, 7, false},
		{2399, true, 9, false}, {1899, false, 0, true}, {2400, true, 0, true},
	}
	for _, tt := range tests {
		got, err := PersonalIDCenturySexDigit(tt.year, tt.female)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("PersonalIDCenturySexDigit(%d, %v) = %d, %v", tt.year, tt.female, got, err)
		}
		if err == nil {
			c, f, ok := CenturySexFromDigit(got)
			if !ok || f != tt.female || c != tt.year/100*100 {
				t.Errorf("CenturySexFromDigit(%d) = %d, %v, %v", got, c, f, ok)
			}
		}
	}
}

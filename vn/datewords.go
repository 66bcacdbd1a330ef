package vn

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// WordStyle selects spelling variants used when writing a date in words.
type WordStyle struct {
	Mong      bool // "mồng" instead of "mùng" for days 1..10
	Ngan      bool // "ngàn" instead of "nghìn"
	Le        bool // "lẻ" instead of "linh" (e.g. 2005 "hai nghìn lẻ năm")
	MonthName bool // "tháng Giêng" for 1, "tháng Chạp" for 12 (otherwise "tháng một", "tháng mười hai")
	Capital   bool // capitalise the first letter
}

// DateInWords writes d in words, e.g.
// "ngày mùng chín tháng mười một năm một nghìn chín trăm bảy mươi ba".
// A zero Day leaves out the day ("tháng … năm …"), a zero Month the month.
// Month 4 is written "tư", days 1..10 are "mùng một" … "mùng mười".
// Years are written "hai nghìn không trăm linh năm" in the default style and
// "hai nghìn lẻ năm" with Le. It returns "" for a date that is not Valid.
func DateInWords(d Date, s WordStyle) string {
	if !d.Valid() {
		return ""
	}
	ns := numberStyle{ngan: s.Ngan, le: s.Le}
	var w []string
	if d.Day > 0 {
		w = append(w, "ngày")
		if d.Day <= 10 {
			if s.Mong {
				w = append(w, "mồng")
			} else {
				w = append(w, "mùng")
			}
		}
		w = append(w, numberInWords(d.Day, ns))
	}
	if d.Month > 0 {
		w = append(w, "tháng", monthWords(d.Month, s.MonthName))
	}
	w = append(w, "năm", numberInWords(d.Year, ns))
	out := strings.Join(w, " ")
	if s.Capital {
		out = capitalFirst(out)
	}
	return out
}

func monthWords(m int, names bool) string {
	switch {
	case names && m == 1:
		return "Giêng"
	case names && m == 12:
		return "Chạp"
	case m == 4:
		return "tư"
	}
	return numberInWords(m, numberStyle{})
}

// capitalFirst upper-cases the first letter of s.
func capitalFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

package vn

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// numberWord classifies a diacritics-free lower-case token of a number in
// words.
type numberWord int

const (
	nwNone     numberWord = iota
	nwDigit               // 0..9
	nwTens                // mươi / mười / chục
	nwHundred             // trăm
	nwThousand            // nghìn / ngàn
	nwZeroTens            // linh / lẻ
)

// wordDigits maps folded digit words to values. Several Vietnamese words
// share a fold ("một"/"mốt", "năm"/"lăm"), which is harmless here.
var wordDigits = map[string]int{
	"khong": 0, "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4,
	"nam": 5, "lam": 5, "nham": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9,
}

func classify(tok string) (numberWord, int) {
	if v, ok := wordDigits[tok]; ok {
		return nwDigit, v
	}
	switch tok {
	case "muoi", "chuc":
		return nwTens, 0
	case "tram":
		return nwHundred, 0
	case "nghin", "ngan":
		return nwThousand, 0
	case "linh", "le":
		return nwZeroTens, 0
	}
	return nwNone, 0
}

// parseNumberWords reads a number below one million written in words
// (or a single token of figures). It accepts mươi/mười, mốt, tư/bốn,
// lăm/nhăm, linh/lẻ, nghìn/ngàn, with or without "không trăm".
func parseNumberWords(toks []string) (int, error) {
	if len(toks) == 0 {
		return 0, fmt.Errorf("%w: empty number", ErrNotDate)
	}
	if len(toks) == 1 {
		if n, err := strconv.Atoi(toks[0]); err == nil {
			return n, nil
		}
	}
	var total, hundreds, tens, pending int
	hasH, hasT, hasP, hasK := false, false, false, false
	seen := false
	bad := func(tok string) (int, error) {
		return 0, fmt.Errorf("%w: unexpected %q in number %q", ErrNotDate, tok, strings.Join(toks, " "))
	}
	for _, tok := range toks {
		kind, v := classify(tok)
		switch kind {
		case nwDigit:
			if hasP {
				return bad(tok)
			}
			pending, hasP, seen = v, true, true
		case nwTens:
			if hasT {
				return bad(tok)
			}
			if hasP {
				if pending == 0 {
					return bad(tok)
				}
				tens = pending * 10
			} else {
				tens = 10
			}
			hasT, hasP, pending, seen = true, false, 0, true
		case nwHundred:
			if hasH || hasT {
				return bad(tok)
			}
			if hasP {
				hundreds = pending * 100
			} else {
				hundreds = 100
			}
			hasH, hasP, pending, seen = true, false, 0, true
		case nwZeroTens:
			if hasT || hasP {
				return bad(tok)
			}
			hasT = true
		case nwThousand:
			if hasK || (hasT && !hasP && tens == 0) {
				return bad(tok)
			}
			g := hundreds + tens + pending
			if !hasH && !hasT && !hasP {
				g = 1
			}
			total = g * 1000
			hundreds, tens, pending = 0, 0, 0
			hasH, hasT, hasP, hasK, seen = false, false, false, true, true
		default:
			return bad(tok)
		}
	}
	if !seen || (hasT && !hasP && tens == 0) {
		return 0, fmt.Errorf("%w: incomplete number %q", ErrNotDate, strings.Join(toks, " "))
	}
	return total + hundreds + tens + pending, nil
}

// dateTokens folds s and splits it into lower-case, diacritics-free words
// and digit runs.
func dateTokens(s string) []string {
	f := strings.ToLower(StripDiacritics(NFC(s)))
	return strings.FieldsFunc(f, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r))
	})
}

// ParseDateWords parses a date written in words, e.g.
// "Ngày mùng chín tháng mười một năm một nghìn chín trăm bảy mươi ba".
// It accepts mùng/mồng, nghìn/ngàn, linh/lẻ (with or without "không trăm"),
// tư/bốn, mốt, lăm/nhăm, tháng Giêng/Chạp, any capitalisation, an optional
// leading "ngày" (and "ghi bằng chữ"), missing or damaged diacritics, extra
// spaces and punctuation, and figures in place of any number. "tháng … năm
// …" gives a year-month, "năm …" a year.
func ParseDateWords(s string) (Date, error) {
	toks := dateTokens(s)
	toks = trimLabel(toks, "ghi", "bang", "chu")
	toks = trimLabel(toks, "bang", "chu")
	if len(toks) == 0 {
		return Date{}, fmt.Errorf("%w: empty", ErrNotDate)
	}
	hasNgay := toks[0] == "ngay"
	if hasNgay {
		toks = toks[1:]
	}
	thang := indexOf(toks, "thang")
	var d Date
	var rest []string
	switch {
	case thang >= 0:
		dayToks := toks[:thang]
		if len(dayToks) > 0 && (dayToks[0] == "mung" || dayToks[0] == "mong") {
			dayToks = dayToks[1:]
		}
		if len(dayToks) > 0 {
			day, err := parseNumberWords(dayToks)
			if err != nil {
				return Date{}, fmt.Errorf("day: %w", err)
			}
			if day == 0 {
				return Date{}, fmt.Errorf("%w: day 0 in %q", ErrInvalidDate, s)
			}
			d.Day = day
		} else if hasNgay || thang > 0 {
			return Date{}, fmt.Errorf("%w: missing day in %q", ErrNotDate, s)
		}
		m, y, err := parseMonthYear(toks[thang+1:])
		if err != nil {
			return Date{}, fmt.Errorf("%w in %q", err, s)
		}
		d.Month, d.Year = m, y
	default:
		if hasNgay || len(toks) < 2 || toks[0] != "nam" {
			return Date{}, fmt.Errorf("%w: %q", ErrNotDate, s)
		}
		rest = toks[1:]
		y, err := parseNumberWords(rest)
		if err != nil {
			return Date{}, fmt.Errorf("year: %w", err)
		}
		d.Year = y
	}
	if d.Year < 1000 || !d.Valid() {
		return Date{}, fmt.Errorf("%w: %q", ErrInvalidDate, s)
	}
	return d, nil
}

// parseMonthYear reads "<month words> năm <year words>": the month takes one
// to three tokens, and the first split giving a month 1..12 and a year wins.
func parseMonthYear(toks []string) (month, year int, err error) {
	err = fmt.Errorf("%w: no month and year", ErrNotDate)
	for k := 1; k <= 3 && k < len(toks)-1; k++ {
		if toks[k] != "nam" {
			continue
		}
		m, e := parseMonth(toks[:k])
		if e != nil || m < 1 || m > 12 {
			if e != nil {
				err = fmt.Errorf("month: %w", e)
			}
			continue
		}
		y, e := parseNumberWords(toks[k+1:])
		if e != nil {
			err = fmt.Errorf("year: %w", e)
			continue
		}
		return m, y, nil
	}
	return 0, 0, err
}

func parseMonth(toks []string) (int, error) {
	if len(toks) == 1 {
		switch toks[0] {
		case "gieng":
			return 1, nil
		case "chap":
			return 12, nil
		}
	}
	return parseNumberWords(toks)
}

// trimLabel drops a leading label made of the given folded words.
func trimLabel(toks []string, label ...string) []string {
	if len(toks) < len(label) {
		return toks
	}
	for i, w := range label {
		if toks[i] != w {
			return toks
		}
	}
	return toks[len(label):]
}

func indexOf(toks []string, w string) int {
	for i, t := range toks {
		if t == w {
			return i
		}
	}
	return -1
}

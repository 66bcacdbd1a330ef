package vn

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Errors returned by the date parsers. They are wrapped with details; test
// with errors.Is.
var (
	// ErrNotDate: the text is not in any accepted date form.
	ErrNotDate = errors.New("vn: not a date")
	// ErrInvalidDate: the text is a date form but not a real calendar date.
	ErrInvalidDate = errors.New("vn: invalid calendar date")
	// ErrTwoDigitYear: the year has two digits and its century is unknown.
	ErrTwoDigitYear = errors.New("vn: two-digit year")
)

var (
	reDMYWords = regexp.MustCompile(`^(?:ngay\s*)?(?:mung\s*|mong\s*)?(\d{1,2})\s*thang\s*(\d{1,2})\s*nam\s*(\d+)$`)
	reMYWords  = regexp.MustCompile(`^thang\s*(\d{1,2})\s*nam\s*(\d+)$`)
	reDMY      = regexp.MustCompile(`^(?:ngay\s*)?(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*([/.-])\s*(\d+)$`)
	reYMD      = regexp.MustCompile(`^(\d{4})\s*-\s*(\d{1,2})\s*-\s*(\d{1,2})$`)
	reMY       = regexp.MustCompile(`^(?:thang\s*)?(\d{1,2})\s*[/.-]\s*(\d+)$`)
	reY        = regexp.MustCompile(`^(?:nam\s*)?(\d+)$`)
)

// ParseDateFigures parses a date written in figures: "5/3/1990",
// "05-03-1990", "05.03.1990", "5 / 3 / 1990", "ngày 05 tháng 03 năm 1990",
// "1990-03-05", "03/1990", "tháng 3 năm 1990", "1990", "năm 1990". Labels
// may lack diacritics; surrounding punctuation is ignored. The day comes
// first (d/m/yyyy). The result must be a real calendar date; two-digit years
// are refused with ErrTwoDigitYear.
func ParseDateFigures(s string) (Date, error) {
	f := strings.Trim(FoldKey(strings.ReplaceAll(s, ",", " ")), " .,;:()")
	f = CollapseSpaces(f)
	var d Date
	var ys string
	hasDay, hasMonth := true, true
	switch {
	case reDMYWords.MatchString(f):
		m := reDMYWords.FindStringSubmatch(f)
		d.Day, d.Month, ys = atoi(m[1]), atoi(m[2]), m[3]
	case reDMY.MatchString(f):
		m := reDMY.FindStringSubmatch(f)
		if m[2] != m[4] && !(m[2] == "/" || m[4] == "/") {
			// "05-03.1990" is too odd to trust; "5/3-1990" is a common slip.
			return Date{}, fmt.Errorf("%w: mixed separators in %q", ErrNotDate, s)
		}
		d.Day, d.Month, ys = atoi(m[1]), atoi(m[3]), m[5]
	case reYMD.MatchString(f):
		m := reYMD.FindStringSubmatch(f)
		ys, d.Month, d.Day = m[1], atoi(m[2]), atoi(m[3])
	case reMYWords.MatchString(f):
		m := reMYWords.FindStringSubmatch(f)
		d.Month, ys, hasDay = atoi(m[1]), m[2], false
	case reMY.MatchString(f):
		m := reMY.FindStringSubmatch(f)
		d.Month, ys, hasDay = atoi(m[1]), m[2], false
	case reY.MatchString(f):
		ys, hasDay, hasMonth = reY.FindStringSubmatch(f)[1], false, false
	default:
		return Date{}, fmt.Errorf("%w: %q", ErrNotDate, s)
	}
	switch len(ys) {
	case 4:
		d.Year = atoi(ys)
	case 2:
		return Date{}, fmt.Errorf("%w: %q", ErrTwoDigitYear, s)
	default:
		return Date{}, fmt.Errorf("%w: year %q in %q", ErrNotDate, ys, s)
	}
	if (hasDay && d.Day == 0) || (hasMonth && d.Month == 0) || !d.Valid() {
		return Date{}, fmt.Errorf("%w: %q", ErrInvalidDate, s)
	}
	return d, nil
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

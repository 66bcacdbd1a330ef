package vn

import (
	"errors"
	"fmt"
)

// ErrYearOutOfRange reports a birth year the personal id scheme cannot encode.
var ErrYearOutOfRange = errors.New("vn: birth year outside 1900..2399")

// PersonalIDCenturySexDigit returns the 4th digit of a 12-digit personal id
// for a birth year and gender: 1900s Nam 0 / Nữ 1, 2000s 2/3, 2100s 4/5,
// 2200s 6/7, 2300s 8/9.
func PersonalIDCenturySexDigit(birthYear int, female bool) (int, error) {
	if birthYear < 1900 || birthYear > 2399 {
		return 0, fmt.Errorf("%w: %d", ErrYearOutOfRange, birthYear)
	}
	d := (birthYear/100 - 19) * 2
	if female {
		d++
	}
	return d, nil
}

// CenturySexFromDigit inverts PersonalIDCenturySexDigit: it returns the
// first year of the century (1900, 2000, …) and whether the digit means Nữ.
// ok is false for anything but 0..9.
func CenturySexFromDigit(d int) (centuryStart int, female bool, ok bool) {
	if d < 0 || d > 9 {
		return 0, false, false
	}
	return 1900 + d/2*100, d%2 == 1, true
}

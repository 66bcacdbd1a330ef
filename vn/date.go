package vn

import (
	"fmt"
	"time"
)

// Date is a civil date; zero Month/Day mean "only year" / "only year-month".
type Date struct{ Year, Month, Day int }

// IsZero reports whether d carries no date at all.
func (d Date) IsZero() bool { return d == Date{} }

// Valid reports whether d is a real calendar date (or a valid year-month /
// year when Day or Month and Day are zero). Years 1..9999 are accepted.
func (d Date) Valid() bool {
	if d.Year < 1 || d.Year > 9999 {
		return false
	}
	if d.Month == 0 {
		return d.Day == 0
	}
	if d.Month < 1 || d.Month > 12 {
		return false
	}
	if d.Day == 0 {
		return true
	}
	return d.Day >= 1 && d.Day <= DaysIn(d.Year, d.Month)
}

// DaysIn returns the number of days in month m of year y (Gregorian).
func DaysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// String formats d as ISO 8601: YYYY-MM-DD, YYYY-MM or YYYY depending on
// which parts are set.
func (d Date) String() string {
	switch {
	case d.Month == 0:
		return fmt.Sprintf("%04d", d.Year)
	case d.Day == 0:
		return fmt.Sprintf("%04d-%02d", d.Year, d.Month)
	default:
		return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
	}
}

// Compare orders two dates, returning -1, 0 or +1. It compares only the
// parts both dates carry: when one lacks the month (or day) and they agree
// so far, it returns 0, meaning "not known to differ".
func (d Date) Compare(o Date) int {
	if c := cmpInt(d.Year, o.Year); c != 0 {
		return c
	}
	if d.Month == 0 || o.Month == 0 {
		return 0
	}
	if c := cmpInt(d.Month, o.Month); c != 0 {
		return c
	}
	if d.Day == 0 || o.Day == 0 {
		return 0
	}
	return cmpInt(d.Day, o.Day)
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

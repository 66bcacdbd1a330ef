package validate

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/sohoa/sohoa/vn"
)

// EntryNumber normalises an entry number ("Số: 125", "125/TLKS-BS") to its
// digits as printed, leading zeros kept ("012"). The suffix after a slash
// or space (book, register code) is dropped. Digit look-alikes are repaired.
func EntryNumber(raw string) (string, []Problem) {
	s := cleanText(stripLabel(cleanText(raw), "số"))
	if s == "" {
		return "", []Problem{problem(CodeMissing, "no entry number")}
	}
	first := s
	if i := strings.IndexAny(s, "/ "); i >= 0 {
		first = s[:i]
	}
	d, rep, ok := digitsOnly(first)
	if !ok {
		return s, []Problem{problem(CodeInvalid, "not an entry number: %q", s)}
	}
	return d, rep.problems(first)
}

// BookNumber normalises a book number ("Quyển số: 01 / 2019") as printed
// with spaces removed ("01/2019"). Digit look-alikes next to digits are
// repaired. A value without any digit, or with characters other than
// letters, digits and / - . is invalid.
func BookNumber(raw string) (string, []Problem) {
	s := cleanText(stripLabel(cleanText(raw), "quyển số", "quyển", "Q"))
	if s == "" {
		return "", []Problem{problem(CodeMissing, "no book number")}
	}
	var ps []Problem
	// A lone stroke after a whole number and year is a speck of the
	// page, not a digit: "02/2020 |" is not book 02/20201.
	if f := strings.Fields(s); len(f) > 1 && IsStroke(f[len(f)-1]) && bookNumberYear.MatchString(strings.Join(f[:len(f)-1], "")) {
		s = strings.Join(f[:len(f)-1], "")
		ps = append(ps, problem(CodeRepaired, "dropped the stroke %q after book number %q", f[len(f)-1], s))
	}
	s = strings.Join(strings.Fields(s), "")
	if fixed, changed := repairDigits(s); changed {
		ps = digitRepair{repaired: true, ambiguous: ambiguousRepair(s, fixed)}.problems(s)
		s = fixed
	}
	if !strings.ContainsFunc(s, unicode.IsDigit) {
		return s, append(ps, problem(CodeInvalid, "no digits in book number %q", s))
	}
	if strings.ContainsFunc(s, func(r rune) bool {
		return !(vn.IsVietnameseLetter(r) || unicode.IsDigit(r) || r == '/' || r == '-' || r == '.')
	}) {
		ps = append(ps, problem(CodeInvalid, "unexpected characters in book number %q", s))
	}
	return s, ps
}

// EntrySequence checks the entry numbers of the entries of one register
// page, in page order: a register book numbers its entries one after the
// other, so each entry's number is the one before it plus one. nums holds
// the normalised numbers ("" where an entry's number was not read). It
// returns, by position, the conflict each number is part of; a number
// next to a missing one is not judged.
func EntrySequence(nums []string) map[int]Problem {
	out := map[int]Problem{}
	for i := 1; i < len(nums); i++ {
		a, errA := strconv.Atoi(nums[i-1])
		b, errB := strconv.Atoi(nums[i])
		if errA != nil || errB != nil || b == a+1 {
			continue
		}
		p := problem(CodeConflict, "entries on one page must be numbered one after the other: %d, then %d", a, b)
		if _, ok := out[i-1]; !ok {
			out[i-1] = p
		}
		out[i] = p
	}
	return out
}

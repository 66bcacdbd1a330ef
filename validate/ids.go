package validate

import (
	"regexp"
	"strings"

	"github.com/sohoa/sohoa/vn"
)

// Lengths of identity numbers.
const (
	PersonalIDLen = 12 // personal identification number / CCCD
	CMNDLen       = 9  // old identity card
)

// Personal-id century digits from 4 mean births from 2100: not issued yet.
const maxIssuedCenturyDigit = 3

// checkPersonalIDStructure checks a 12-digit string: a real province code
// (the pre-2025 personal-id table) and a century/sex digit already in use.
func checkPersonalIDStructure(id string) []Problem {
	var ps []Problem
	if _, ok := vn.ProvinceByIDCode(id[:3]); !ok {
		ps = append(ps, problem(CodeInvalid, "unknown province code %s", id[:3]))
	}
	if c := int(id[3] - '0'); c > maxIssuedCenturyDigit {
		century, _, _ := vn.CenturySexFromDigit(c)
		ps = append(ps, problem(CodeOutOfRange, "century digit %d means a birth in %d-%d", c, century, century+99))
	}
	return ps
}

// personalIDConflicts compares a 12-digit id with a gender and birth date;
// it returns problems for the id and for the gender and birth fields.
func personalIDConflicts(id, gender string, birth vn.Date) (idPs, genderPs, birthPs []Problem) {
	c := int(id[3] - '0')
	century, female, _ := vn.CenturySexFromDigit(c)
	if f, ok := isFemale(gender); ok && f != female {
		want := Male
		if female {
			want = Female
		}
		p := problem(CodeConflict, "personal id digit 4 (%d) means %s, gender says %s", c, want, gender)
		idPs, genderPs = append(idPs, p), append(genderPs, p)
	}
	if birth.Year != 0 {
		year := century + int(id[4]-'0')*10 + int(id[5]-'0')
		if year != birth.Year {
			p := problem(CodeConflict, "personal id digits 4-6 mean birth year %d, date of birth says %d", year, birth.Year)
			idPs, birthPs = append(idPs, p), append(birthPs, p)
		}
	}
	return idPs, genderPs, birthPs
}

// PersonalID normalises a 12-digit personal identification number to digits
// only ("0400 9001 2345" → "040090012345") and checks it: the first three
// digits must be a real province code, digit 4 must agree with gender
// ("Nam"/"Nữ", any spelling Gender accepts; empty skips the check) and with
// the century of birth, and digits 5-6 with the last two digits of the birth
// year (a zero birth skips the check). There is no check digit. Digit
// look-alikes are repaired ("repaired").
func PersonalID(raw string, gender string, birth vn.Date) (string, []Problem) {
	s := cleanText(stripLabel(vn.NFC(raw), "số định danh cá nhân", "số định danh", "CCCD", "số"))
	if s == "" {
		return "", []Problem{problem(CodeMissing, "no personal id")}
	}
	id, rep, ok := digitsOnly(s)
	if !ok {
		return s, []Problem{problem(CodeInvalid, "not a number: %q", s)}
	}
	ps := rep.problems(s)
	if len(id) != PersonalIDLen {
		return id, append(ps, problem(CodeInvalid, "%d digits, want %d", len(id), PersonalIDLen))
	}
	ps = append(ps, checkPersonalIDStructure(id)...)
	idPs, _, _ := personalIDConflicts(id, gender, birth)
	return id, append(ps, idPs...)
}

var (
	rePassport      = regexp.MustCompile(`(?i)(?:^|[^\pL\d])([A-Z])\s?(\d{7})(?:$|[^\pL\d])`)
	rePassportWhole = regexp.MustCompile(`^([A-Za-z])\s?(\d{7})$`)
	reDigitRun      = regexp.MustCompile(`\d[\d .]*\d`)
)

// IDNumber normalises the number of an identity paper: a CCCD / personal id
// of 12 digits (checked for a real province code and a century digit in
// use), an old CMND of 9 digits, or a passport number (one letter and seven
// digits, letter upper-cased). Digits are returned without separators. When
// the text also carries the paper's name or issue date ("CCCD số
// 040090012345, cấp ngày 01/02/2021"), the number is picked out of it.
func IDNumber(raw string) (string, []Problem) {
	s := cleanText(raw)
	if s == "" {
		return "", []Problem{problem(CodeMissing, "no identity number")}
	}
	var ps []Problem
	num := ""
	if m := rePassportWhole.FindStringSubmatch(s); m != nil {
		return strings.ToUpper(m[1]) + m[2], nil
	}
	if d, rep, ok := digitsOnly(s); ok {
		num = d
		ps = rep.problems(s)
	} else if m := rePassport.FindStringSubmatch(s); m != nil {
		return strings.ToUpper(m[1]) + m[2], nil
	} else {
		for _, run := range reDigitRun.FindAllString(s, -1) {
			d, _, _ := digitsOnly(run)
			if len(d) == PersonalIDLen || len(d) == CMNDLen {
				num = d
				break
			}
		}
		if num == "" {
			return s, []Problem{problem(CodeInvalid, "no identity number in %q", s)}
		}
	}
	switch len(num) {
	case PersonalIDLen:
		ps = append(ps, checkPersonalIDStructure(num)...)
	case CMNDLen:
	default:
		ps = append(ps, problem(CodeInvalid, "%d digits: neither CCCD (12) nor CMND (9)", len(num)))
	}
	return num, ps
}

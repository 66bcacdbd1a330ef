package validate

import (
	"strings"
	"unicode"
)

// confusable maps letters OCR reads in place of digits to the digit.
func confusable(r rune) (rune, bool) {
	switch r {
	case 'O', 'o', 'Q', 'D':
		return '0', true
	case 'l', 'I', 'i', '|', '!', '[', ']':
		return '1', true
	case 'Z', 'z':
		return '2', true
	case 'S', 's':
		return '5', true
	case 'G', 'b':
		return '6', true
	case 'T':
		return '7', true
	case 'B':
		return '8', true
	case 'g', 'q':
		return '9', true
	}
	return 0, false
}

// ambiguousLookAlike reports whether the look-alike r stands for more than
// one digit in print: S for 5 or 8, B for 8 or 3, G for 6 or 0, Z for 2 or
// 7, T for 7 or 1, g and q for 9 or 4. The round letters (O, Q, D for 0)
// and the strokes (l, I, |, !, brackets for 1) stand for one digit only.
func ambiguousLookAlike(r rune) bool {
	switch r {
	case 'S', 's', 'B', 'G', 'b', 'Z', 'z', 'T', 'g', 'q':
		return true
	}
	return false
}

// digitRepair is what repairing the look-alikes of a number did: changed
// anything, and guessed (a look-alike that may be more than one digit).
type digitRepair struct{ repaired, ambiguous bool }

// problems returns the problems a number's repair reports: CodeRepaired,
// and CodeAmbiguous (blocking) when a digit was guessed. Identity, entry
// and book numbers have no check digit, so a guessed digit cannot be
// confirmed and must be seen by a person.
func (d digitRepair) problems(s string) []Problem {
	var ps []Problem
	if d.repaired {
		ps = append(ps, problem(CodeRepaired, "digit look-alikes repaired in %q", s))
	}
	if d.ambiguous {
		ps = append(ps, problem(CodeAmbiguous, "a look-alike in %q may stand for more than one digit", s))
	}
	return ps
}

func isTokenRune(r rune) bool {
	return r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) || r == '|' || r == '!' || r == '[' || r == ']'
}

func isDateSep(r rune) bool { return r == '/' || r == '-' || r == '.' }

// repairDigits replaces digit look-alikes in the tokens of s that are made
// only of digits and look-alikes and either hold at least one real digit or
// are at most four characters long and touch a date separator ("O5/O3",
// "lO/12/1990"). It reports whether anything changed.
func repairDigits(s string) (string, bool) {
	rs := []rune(s)
	changed := false
	for i := 0; i < len(rs); {
		if !isTokenRune(rs[i]) {
			i++
			continue
		}
		j := i
		for j < len(rs) && isTokenRune(rs[j]) {
			j++
		}
		if fixTokenDigits(rs, i, j) {
			changed = true
		}
		i = j
	}
	return string(rs), changed
}

func fixTokenDigits(rs []rune, i, j int) bool {
	digits, look := 0, 0
	for _, r := range rs[i:j] {
		switch _, ok := confusable(r); {
		case unicode.IsDigit(r):
			digits++
		case ok:
			look++
		default:
			return false
		}
	}
	if look == 0 {
		return false
	}
	if digits == 0 {
		nearSep := (i > 0 && isDateSep(rs[i-1])) || (j < len(rs) && isDateSep(rs[j]))
		if j-i > 4 || !nearSep {
			return false
		}
	}
	for k := i; k < j; k++ {
		if d, ok := confusable(rs[k]); ok {
			rs[k] = d
		}
	}
	return true
}

// digitsOnly strips the separators people and printers put inside numbers
// (spaces, dots, hyphens) and repairs digit look-alikes. ok is false when
// anything else remains.
func digitsOnly(s string) (digits string, rep digitRepair, ok bool) {
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '.' || r == '-' {
			return -1
		}
		return r
	}, s)
	var b strings.Builder
	for _, r := range s {
		switch d, conf := confusable(r); {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case conf:
			b.WriteRune(d)
			rep.repaired = true
			rep.ambiguous = rep.ambiguous || ambiguousLookAlike(r)
		default:
			return "", digitRepair{}, false
		}
	}
	return b.String(), rep, b.Len() > 0
}

// ambiguousRepair reports whether repairDigits, turning before into after,
// replaced a look-alike that may stand for more than one digit.
func ambiguousRepair(before, after string) bool {
	a, b := []rune(before), []rune(after)
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && ambiguousLookAlike(a[i]) {
			return true
		}
	}
	return false
}

package validate

import (
	"errors"
	"regexp"
	"strings"

	"github.com/sohoa/sohoa/vn"
)

// Plausible years for people and events in civil-status registers.
const (
	MinYear = 1850
	MaxYear = 2100
)

// wordsMarkers introduce the words part of a date, compared without
// diacritics or case.
var wordsMarkers = [...]string{"ghi bang chu", "bang chu"}

// splitDate separates "05/03/1990 (ghi bằng chữ: ngày mùng năm …)" into its
// figures and words parts, working on diacritics-free text (both parsers
// accept it). Either part may be empty.
func splitDate(raw string) (figures, words string, marked bool) {
	base := reLeaders.ReplaceAllString(vn.StripDiacritics(vn.NFC(raw)), " ")
	// Lower-case ASCII only, so byte offsets stay aligned with base and the
	// figures keep the case digit repairs depend on (B → 8 but b → 6).
	lower := strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, base)
	for _, m := range wordsMarkers {
		if i := strings.Index(lower, m); i >= 0 {
			figures = strings.Trim(base[:i], " (:;,-")
			words = strings.Trim(lower[i+len(m):], " ():;,.")
			return figures, words, true
		}
	}
	return strings.TrimSpace(base), "", false
}

// parseFiguresRepaired parses figures, repairing digit look-alikes when the
// text does not parse as it is.
func parseFiguresRepaired(s string) (vn.Date, bool, error) {
	d, err := vn.ParseDateFigures(s)
	if err == nil {
		return d, false, nil
	}
	fixed, changed := repairDigits(s)
	if !changed {
		return vn.Date{}, false, err
	}
	d, err2 := vn.ParseDateFigures(fixed)
	if err2 != nil {
		return vn.Date{}, false, err
	}
	return d, true, nil
}

// parseAnyDate reads a date in figures or in words (without a marker).
func parseAnyDate(s string) (vn.Date, bool, error) {
	d, rep, err := parseFiguresRepaired(s)
	if err == nil {
		return d, rep, nil
	}
	if dw, errw := vn.ParseDateWords(s); errw == nil {
		return dw, false, nil
	}
	// OCR puts spaces inside a date written with slashes or dashes: it
	// splits a number ("30/1 1/1973", "24-1 I-2007") and spaces a
	// separator ("9- 1989"). Join them.
	if joined := closeDateGaps(s); joined != s && strings.ContainsAny(s, "/-.") {
		if d, _, err2 := parseFiguresRepaired(joined); err2 == nil {
			return d, true, nil
		}
	}
	return vn.Date{}, false, err
}

var (
	spacedDigits = regexp.MustCompile(`(\d) +(\d)`)
	dateGap      = regexp.MustCompile(`\s*([/\-])\s*`)
	figureGap    = regexp.MustCompile(`(^|[/.\-\s])([0-9IlO|\[\]]) ([0-9IlO|\[\]])([/.\-]|$)`)
)

// closeDateGaps removes the spaces OCR put inside a date: between digits,
// around a separator, and between the two figures (or look-alikes) of a
// day or month.
func closeDateGaps(s string) string {
	s = spacedDigits.ReplaceAllString(s, "$1$2")
	s = dateGap.ReplaceAllString(s, "$1")
	return figureGap.ReplaceAllString(s, "$1$2$3$4")
}

// ParseDate reads a date as Date does and returns it as a vn.Date.
func ParseDate(raw string) (vn.Date, []Problem) {
	figures, words, marked := splitDate(raw)
	if figures == "" && words == "" {
		return vn.Date{}, []Problem{problem(CodeMissing, "no date")}
	}
	var ps []Problem
	var df, dw vn.Date
	var errF, errW error
	if figures != "" {
		var rep bool
		df, rep, errF = parseAnyDate(figures)
		if rep {
			ps = append(ps, problem(CodeRepaired, "digit look-alikes repaired in %q", figures))
		}
	}
	if marked && words != "" {
		dw, errW = vn.ParseDateWords(words)
	}
	haveF := figures != "" && errF == nil
	haveW := marked && words != "" && errW == nil
	var d vn.Date
	switch {
	case haveF && haveW:
		d = dw
		if df != dw {
			ps = append(ps, problem(CodeConflict, "figures say %s, words say %s", df, dw))
		}
	case haveF:
		d = df
		if marked && words != "" {
			ps = append(ps, problem(CodeInvalid, "words unreadable: %v", errW))
		}
	case haveW:
		d = dw
		if figures != "" {
			ps = append(ps, problem(CodeRepaired, "figures unreadable (%v); value from the words", errF))
		}
	default:
		err := errF
		if err == nil {
			err = errW
		}
		if errors.Is(err, vn.ErrInvalidDate) {
			return vn.Date{}, append(ps, problem(CodeInvalid, "not a calendar date: %v", err))
		}
		return vn.Date{}, append(ps, problem(CodeInvalid, "unreadable date: %v", err))
	}
	if d.Year < MinYear || d.Year > MaxYear {
		ps = append(ps, problem(CodeOutOfRange, "year %d outside %d..%d", d.Year, MinYear, MaxYear))
	}
	return d, ps
}

// Date normalises a date written in figures and/or words to ISO 8601
// (YYYY-MM-DD, or YYYY-MM / YYYY when only that is written). When both the
// figures and a "(ghi bằng chữ: …)" part are present they are cross-checked:
// a disagreement is a "conflict" and the value follows the words, which are
// the legal reference and do not suffer digit confusions. Digit look-alikes
// in the figures are repaired ("repaired"). Years outside MinYear..MaxYear
// are "out_of_range".
func Date(raw string) (string, []Problem) {
	d, ps := ParseDate(raw)
	if d.IsZero() {
		return "", ps
	}
	return d.String(), ps
}

// ParseYear reads a year as Year does.
func ParseYear(raw string) (int, []Problem) {
	s := cleanText(raw)
	if s == "" {
		return 0, []Problem{problem(CodeMissing, "no year")}
	}
	var ps []Problem
	d, err := vn.ParseDateFigures(s)
	if err != nil {
		if fixed, changed := repairDigits(s); changed {
			if d2, err2 := vn.ParseDateFigures(fixed); err2 == nil {
				d, err = d2, nil
				ps = append(ps, problem(CodeRepaired, "digit look-alikes repaired in %q", s))
			}
		}
	}
	if err != nil {
		if dw, errw := vn.ParseDateWords("năm " + strings.TrimPrefix(vn.FoldKey(s), "nam ")); errw == nil {
			d, err = dw, nil
		}
	}
	if err != nil {
		if errors.Is(err, vn.ErrTwoDigitYear) {
			return 0, append(ps, problem(CodeInvalid, "two-digit year %q", s))
		}
		return 0, append(ps, problem(CodeInvalid, "unreadable year %q", s))
	}
	if d.Year < MinYear || d.Year > MaxYear {
		ps = append(ps, problem(CodeOutOfRange, "year %d outside %d..%d", d.Year, MinYear, MaxYear))
	}
	return d.Year, ps
}

// Year normalises a year to four digits. A full date is accepted and
// reduced to its year; a year in words ("một nghìn chín trăm sáu mươi lăm")
// is read too. Two-digit years are invalid (the century is unknown).
func Year(raw string) (string, []Problem) {
	y, ps := ParseYear(raw)
	if y == 0 {
		return "", ps
	}
	return vn.Date{Year: y}.String(), ps
}

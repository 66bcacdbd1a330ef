package validate

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sohoa/sohoa/vn"
)

// Kind is the normalisation rule a field follows.
type Kind string

// Field kinds of record-format.md.
const (
	KindName        Kind = "name"
	KindDate        Kind = "date"
	KindYear        Kind = "year"
	KindGender      Kind = "gender"
	KindEthnicity   Kind = "ethnicity"
	KindNationality Kind = "nationality"
	KindPersonalID  Kind = "personal_id"
	KindIDNumber    Kind = "id_number"
	KindEntryNumber Kind = "entry_number"
	KindBookNumber  Kind = "book_number"
	KindText        Kind = "text"
)

// KindOf returns the kind of a record field key ("full_name",
// "mother_birth_year", "husband_id_number", …). Unknown keys are KindText.
func KindOf(key string) Kind {
	switch {
	case key == "entry_number":
		return KindEntryNumber
	case key == "book_number":
		return KindBookNumber
	case key == "personal_id":
		return KindPersonalID
	case key == "gender":
		return KindGender
	case strings.HasSuffix(key, "id_number"):
		return KindIDNumber
	case strings.HasSuffix(key, "birth_year"):
		return KindYear
	case strings.HasSuffix(key, "date_of_birth"), strings.HasSuffix(key, "date_of_death"),
		key == "registration_date":
		return KindDate
	case strings.HasSuffix(key, "ethnicity"):
		return KindEthnicity
	case strings.HasSuffix(key, "nationality"):
		return KindNationality
	case strings.HasSuffix(key, "_name"), key == "husband_name", key == "wife_name":
		return KindName
	}
	return KindText
}

// Field normalises and validates raw as the field under key requires. The
// personal id is checked for structure only here; CrossCheck compares it
// with the gender and birth date.
func Field(key, raw string) (string, []Problem) { return ByKind(KindOf(key), raw) }

// ByKind normalises and validates raw by the rule of kind k (see Field).
// A value in figures read after a lone stroke ("| 1/09/1999", "! 4") is
// ambiguous (CodeAmbiguous): on worn pages the first 1 of a number is read
// so, apart from the rest, and the rest alone is a valid, wrong value. The
// words of a date, where printed, settle which it is.
func ByKind(k Kind, raw string) (string, []Problem) {
	stroke, rest, ok := leadingStroke(raw)
	if !ok || !k.Figures() {
		return byKind(k, raw)
	}
	v, ps := byKind(k, rest)
	if k == KindDate {
		if _, words, _ := splitDate(rest); words != "" {
			if !Blocking(ps) {
				return v, ps
			}
			if v1, ps1 := byKind(k, "1"+rest); !Blocking(ps1) {
				return v1, append(ps1, problem(CodeRepaired, "the stroke %q before %q read as 1, as the words say", stroke, rest))
			}
			return v, ps
		}
	}
	if v != "" {
		ps = append(ps, problem(CodeAmbiguous, "a stroke %q before %q may be its first digit, 1", stroke, rest))
	}
	return v, ps
}

func byKind(k Kind, raw string) (string, []Problem) {
	switch k {
	case KindName:
		return Name(raw)
	case KindDate:
		return Date(raw)
	case KindYear:
		return Year(raw)
	case KindGender:
		return Gender(raw)
	case KindEthnicity:
		return Ethnicity(raw)
	case KindNationality:
		return Nationality(raw)
	case KindPersonalID:
		return PersonalID(raw, "", vn.Date{})
	case KindIDNumber:
		return IDNumber(raw)
	case KindEntryNumber:
		return EntryNumber(raw)
	case KindBookNumber:
		return BookNumber(raw)
	}
	return Text(raw)
}

// Figures reports the kinds written in figures.
func (k Kind) Figures() bool {
	switch k {
	case KindDate, KindYear, KindPersonalID, KindIDNumber, KindEntryNumber, KindBookNumber:
		return true
	}
	return false
}

// StrokeRunes are what OCR reads a worn 1 as when it reads it apart from
// the digits after it.
const StrokeRunes = "|!¡[]"

// IsStroke reports whether a word read is a lone stroke: stroke runes,
// perhaps with leader dots or a colon stuck to them (".!", "|:").
func IsStroke(w string) bool {
	if !strings.ContainsAny(w, StrokeRunes) {
		return false
	}
	return strings.Trim(w, StrokeRunes+".…·:;,") == ""
}

// leadingStroke splits raw into a lone stroke and the rest when the rest
// starts with a digit.
func leadingStroke(raw string) (stroke, rest string, ok bool) {
	s := strings.TrimSpace(raw)
	i := strings.IndexFunc(s, unicode.IsSpace)
	if i < 0 || !IsStroke(s[:i]) {
		return "", "", false
	}
	rest = strings.TrimSpace(s[i:])
	if r, _ := utf8.DecodeRuneInString(rest); !unicode.IsDigit(r) {
		return "", "", false
	}
	return s[:i], rest, true
}

// Typed normalises and validates a value a person typed (a verifier's
// correction) by the rules of Field, without the repairs that guess what
// OCR misread from the vocabulary of civil-status text and the table of
// family names: what a person types on purpose ("Nguyên", a rare family
// name) is kept.
func Typed(key, raw string) (string, []Problem) {
	switch KindOf(key) {
	case KindName:
		return name(raw, false)
	case KindText:
		return text(raw, false)
	}
	return Field(key, raw)
}

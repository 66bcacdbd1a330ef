package validate

import (
	"strings"

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
func Field(key, raw string) (string, []Problem) {
	switch KindOf(key) {
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

package validate

import (
	"slices"
	"testing"
)

func TestCrossCheck(t *testing.T) {
	tests := []struct {
		name   string
		typ    string
		values map[string]string
		want   map[string][]string // key -> codes
	}{
		{"birth consistent", "birth", map[string]string{
			"date_of_birth": "1990-03-05", "registration_date": "1990-03-20", "gender": "Nam",
			"personal_id": "040090012345", "mother_birth_year": "1965", "father_birth_year": "1960",
		}, nil},
		{"birth after registration", "birth", map[string]string{
			"date_of_birth": "1990-03-25", "registration_date": "1990-03-20",
		}, map[string][]string{"date_of_birth": conflict, "registration_date": conflict}},
		{"same month, day unknown: no conflict", "birth", map[string]string{
			"date_of_birth": "1990-03", "registration_date": "1990-03-20",
		}, nil},
		{"id contradicts gender", "birth", map[string]string{
			"date_of_birth": "1990-03-05", "gender": "Nữ", "personal_id": "040090012345",
		}, map[string][]string{"personal_id": conflict, "gender": conflict}},
		{"id contradicts birth year", "birth", map[string]string{
			"date_of_birth": "1991-03-05", "gender": "Nam", "personal_id": "040090012345",
		}, map[string][]string{"personal_id": conflict, "date_of_birth": conflict}},
		{"id contradicts century", "birth", map[string]string{
			"date_of_birth": "2090-03-05", "gender": "Nam", "personal_id": "040090012345",
		}, map[string][]string{"personal_id": conflict, "date_of_birth": conflict}},
		{"mother too young", "birth", map[string]string{
			"date_of_birth": "1990-03-05", "mother_birth_year": "1985", "father_birth_year": "1960",
		}, map[string][]string{"mother_birth_year": conflict, "date_of_birth": conflict}},
		{"mother born after child", "birth", map[string]string{
			"date_of_birth": "1990-03-05", "mother_birth_year": "1999",
		}, map[string][]string{"mother_birth_year": conflict, "date_of_birth": conflict}},
		{"mother too old, father ok", "birth", map[string]string{
			"date_of_birth": "1990-03-05", "mother_birth_year": "1920", "father_birth_year": "1920",
		}, map[string][]string{"mother_birth_year": outOfRang}},
		{"death before birth", "death", map[string]string{
			"date_of_birth": "1950-01-01", "date_of_death": "1949-12-31", "registration_date": "1950-01-05",
		}, map[string][]string{"date_of_birth": conflict, "date_of_death": conflict}},
		{"death registered before it happened", "death", map[string]string{
			"date_of_birth": "1950-01-01", "date_of_death": "2020-05-10", "registration_date": "2020-05-01",
		}, map[string][]string{"date_of_death": conflict, "registration_date": conflict}},
		{"death at 140", "death", map[string]string{
			"date_of_birth": "1860", "date_of_death": "2001-05-10",
		}, map[string][]string{"date_of_birth": outOfRang, "date_of_death": outOfRang}},
		{"death id vs gender", "death", map[string]string{
			"date_of_birth": "1950-01-01", "gender": "Nam", "id_number": "040150012345",
		}, map[string][]string{"id_number": conflict, "gender": conflict}},
		{"death CMND not checked", "death", map[string]string{
			"date_of_birth": "1950-01-01", "gender": "Nam", "id_number": "186123456",
		}, nil},
		{"marriage consistent", "marriage", map[string]string{
			"registration_date": "2016-05-01", "husband_date_of_birth": "1990-01-01", "wife_date_of_birth": "1995-06-01",
			"husband_id_number": "040090012345", "wife_id_number": "040195012345",
		}, nil},
		{"marriage under age", "marriage", map[string]string{
			"registration_date": "2016-05-01", "husband_date_of_birth": "1996-06-01", "wife_date_of_birth": "1999-06-01",
		}, map[string][]string{"husband_date_of_birth": outOfRang, "wife_date_of_birth": outOfRang}},
		{"marriage 2010, in the 20th/18th year is enough", "marriage", map[string]string{
			"registration_date": "2010-05-01", "husband_date_of_birth": "1990-06-01", "wife_date_of_birth": "1992-06-01",
		}, nil},
		{"marriage partial dates: not certain, no problem", "marriage", map[string]string{
			"registration_date": "2016", "husband_date_of_birth": "1996", "wife_date_of_birth": "1998",
		}, nil},
		{"marriage swapped ids", "marriage", map[string]string{
			"registration_date": "2016-05-01", "husband_date_of_birth": "1990-01-01", "wife_date_of_birth": "1995-06-01",
			"husband_id_number": "040195012345", "wife_id_number": "040090012345",
		}, map[string][]string{
			"husband_id_number": {CodeConflict}, "wife_id_number": {CodeConflict},
			"husband_date_of_birth": conflict, "wife_date_of_birth": conflict,
		}},
		{"unparsable values are skipped", "birth", map[string]string{
			"date_of_birth": "", "registration_date": "garbage", "personal_id": "12",
		}, nil},
		{"unknown register type", "adoption", map[string]string{
			"date_of_birth": "1990-03-25", "registration_date": "1990-03-20",
		}, nil},
	}
	for _, tt := range tests {
		got := CrossCheck(tt.typ, tt.values)
		gotCodes := map[string][]string{}
		for k, ps := range got {
			gotCodes[k] = Codes(ps)
		}
		if len(gotCodes) != len(tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
			continue
		}
		for k, codes := range tt.want {
			if !slices.Equal(gotCodes[k], codes) {
				t.Errorf("%s: key %s got %v, want %v (all: %v)", tt.name, k, got[k], codes, got)
			}
		}
	}
}

func TestParseISO(t *testing.T) {
	good := []string{"1990", "1990-03", "1990-03-05"}
	bad := []string{"", "90", "1990-3", "1990-13", "1990-02-30", "1990-03-05-01", "abcd"}
	for _, s := range good {
		if d, ok := parseISO(s); !ok || d.String() != s {
			t.Errorf("parseISO(%q) = %v, %v", s, d, ok)
		}
	}
	for _, s := range bad {
		if d, ok := parseISO(s); ok {
			t.Errorf("parseISO(%q) = %v, ok", s, d)
		}
	}
}

package export

import "github.com/sohoa/sohoa/models"

var common = []string{"entry_number", "book_number", "registration_date", "registration_office"}

var perType = map[models.RegisterType][]string{
	models.Birth: {"full_name", "date_of_birth", "gender", "ethnicity", "nationality", "place_of_birth",
		"hometown", "personal_id", "mother_name", "mother_birth_year", "mother_ethnicity",
		"mother_nationality", "mother_residence", "father_name", "father_birth_year",
		"father_ethnicity", "father_nationality", "father_residence", "declarant_name"},
	models.Marriage: spouses(),
	models.Death: {"full_name", "date_of_birth", "gender", "ethnicity", "nationality", "id_number",
		"date_of_death", "place_of_death", "cause_of_death", "declarant_name"},
}

func spouses() []string {
	var out []string
	for _, p := range []string{"husband_", "wife_"} {
		for _, f := range []string{"name", "date_of_birth", "ethnicity", "nationality", "residence", "id_number"} {
			out = append(out, p+f)
		}
	}
	return out
}

// FieldKeys lists the field keys of a register type in register order
// (common keys first), as the record format defines them.
func FieldKeys(t models.RegisterType) []string {
	return append(append([]string(nil), common...), perType[t]...)
}

// AllFieldKeys lists the keys of every register type, each once, in order.
func AllFieldKeys() []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range []models.RegisterType{models.Birth, models.Marriage, models.Death} {
		for _, k := range FieldKeys(t) {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out
}

package validate

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/vn"
)

// Bounds used by CrossCheck.
const (
	MinParentAge       = 12  // a parent younger than this at the birth is a conflict
	MaxMotherAge       = 60  // a mother older than this at the birth is out of range
	MaxFatherAge       = 90  // likewise for a father
	MaxAgeAtDeath      = 130 // older than this at death is out of range
	lawOf2014FromYear  = 2015
	minHusbandAge2014  = 20 // Luật Hôn nhân và gia đình 2014: "nam từ đủ 20 tuổi"
	minWifeAge2014     = 18 // "nữ từ đủ 18 tuổi"
	minHusbandAgeOlder = 19 // 1986/2000 laws: "từ 20 tuổi trở lên", read as in the 20th year
	minWifeAgeOlder    = 17 // likewise, in the 18th year
)

// parseISO reads a normalised date value (YYYY, YYYY-MM or YYYY-MM-DD).
func parseISO(s string) (vn.Date, bool) {
	parts := strings.Split(s, "-")
	if len(parts) > 3 || len(parts[0]) != 4 {
		return vn.Date{}, false
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || (i > 0 && len(p) != 2) {
			return vn.Date{}, false
		}
		n[i] = v
	}
	d := vn.Date{Year: n[0], Month: n[1], Day: n[2]}
	return d, d.Valid()
}

// checker accumulates problems per field key.
type checker struct {
	values map[string]string
	out    map[string][]Problem
}

func (c *checker) add(p Problem, keys ...string) {
	for _, k := range keys {
		c.out[k] = append(c.out[k], p)
	}
}

func (c *checker) date(key string) (vn.Date, bool) {
	v, ok := c.values[key]
	if !ok || v == "" {
		return vn.Date{}, false
	}
	return parseISO(v)
}

func (c *checker) year(key string) (int, bool) {
	v := c.values[key]
	if len(v) != 4 {
		return 0, false
	}
	y, err := strconv.Atoi(v)
	return y, err == nil
}

// notAfter reports a conflict when the date under early is after the one
// under late.
func (c *checker) notAfter(early, late string) {
	a, okA := c.date(early)
	b, okB := c.date(late)
	if okA && okB && a.Compare(b) > 0 {
		c.add(problem(CodeConflict, "%s %s is after %s %s", early, a, late, b), early, late)
	}
}

// ageAt returns the whole years from birth to on; with partial dates it
// returns the smallest possible age.
func ageAt(birth, on vn.Date) int {
	age := on.Year - birth.Year
	switch {
	case birth.Month == 0 || on.Month == 0:
		return age - 1
	case on.Month < birth.Month:
		return age - 1
	case on.Month > birth.Month:
		return age
	case birth.Day == 0 || on.Day == 0:
		return age - 1
	case on.Day < birth.Day:
		return age - 1
	}
	return age
}

// maxAgeAt returns the largest possible whole years from birth to on.
func maxAgeAt(birth, on vn.Date) int {
	if birth.Month == 0 || on.Month == 0 || birth.Day == 0 || on.Day == 0 {
		return on.Year - birth.Year
	}
	return ageAt(birth, on)
}

// idVsPerson checks a 12-digit number under idKey against the gender (under
// genderKey, or fixed when genderKey starts with "=") and the birth date.
func (c *checker) idVsPerson(idKey, genderKey, birthKey string) {
	id := c.values[idKey]
	if len(id) != PersonalIDLen || strings.ContainsFunc(id, func(r rune) bool { return r < '0' || r > '9' }) {
		return
	}
	gender := c.values[genderKey]
	if fixed, ok := strings.CutPrefix(genderKey, "="); ok {
		gender, genderKey = fixed, ""
	}
	birth, _ := c.date(birthKey)
	idPs, gPs, bPs := personalIDConflicts(id, gender, birth)
	for _, p := range idPs {
		c.add(p, idKey)
	}
	if genderKey != "" {
		for _, p := range gPs {
			c.add(p, genderKey)
		}
	}
	for _, p := range bPs {
		c.add(p, birthKey)
	}
}

func (c *checker) parent(prefix string, maxAge int) {
	key := prefix + "birth_year"
	py, ok := c.year(key)
	child, okC := c.date("date_of_birth")
	if !ok || !okC {
		return
	}
	age := child.Year - py
	switch {
	case age < MinParentAge:
		c.add(problem(CodeConflict, "%s %d is only %d years before the child's birth %s", key, py, age, child), key, "date_of_birth")
	case age > maxAge:
		c.add(problem(CodeOutOfRange, "%s %d makes the parent %d at the child's birth", key, py, age), key)
	}
}

func (c *checker) spouse(prefix string, female bool) {
	birthKey := prefix + "date_of_birth"
	birth, ok := c.date(birthKey)
	reg, okR := c.date("registration_date")
	if ok && okR && birth.Compare(reg) <= 0 {
		minAge := minHusbandAge2014
		if female {
			minAge = minWifeAge2014
		}
		if reg.Year < lawOf2014FromYear {
			minAge = minHusbandAgeOlder
			if female {
				minAge = minWifeAgeOlder
			}
		}
		if maxAgeAt(birth, reg) < minAge {
			c.add(problem(CodeOutOfRange, "%s %s: under %d at registration %s", birthKey, birth, minAge, reg), birthKey)
		}
	}
	gender := "=" + Male
	if female {
		gender = "=" + Female
	}
	c.idVsPerson(prefix+"id_number", gender, birthKey)
}

// CrossCheck runs the checks that need several normalised values of one
// record (keys and values as in record-format.md; missing or empty values
// skip the checks that need them). It returns the problems per field key;
// a problem involving two fields is listed under both.
//
//   - every birth date is not after the registration date, a death not
//     after its registration nor before the birth;
//   - birth: each parent born at least MinParentAge years before the child
//     (conflict), at most MaxMotherAge / MaxFatherAge (out_of_range);
//     personal_id against gender and date_of_birth;
//   - death: age at death at most MaxAgeAtDeath; id_number (when a 12-digit
//     personal id) against gender and date_of_birth;
//   - marriage: each spouse of legal age at registration (20/18 full years
//     from 2015, 19/17 before), id_number against the spouse's sex and birth.
func CrossCheck(registerType string, values map[string]string) map[string][]Problem {
	c := &checker{values: values, out: map[string][]Problem{}}
	switch models.RegisterType(registerType) {
	case models.Birth:
		c.notAfter("date_of_birth", "registration_date")
		c.parent("mother_", MaxMotherAge)
		c.parent("father_", MaxFatherAge)
		c.idVsPerson("personal_id", "gender", "date_of_birth")
	case models.Death:
		c.notAfter("date_of_birth", "date_of_death")
		c.notAfter("date_of_death", "registration_date")
		c.notAfter("date_of_birth", "registration_date")
		birth, okB := c.date("date_of_birth")
		death, okD := c.date("date_of_death")
		if okB && okD && birth.Compare(death) <= 0 && ageAt(birth, death) > MaxAgeAtDeath {
			c.add(problem(CodeOutOfRange, "age at death over %d", MaxAgeAtDeath), "date_of_birth", "date_of_death")
		}
		c.idVsPerson("id_number", "gender", "date_of_birth")
	case models.Marriage:
		c.notAfter("husband_date_of_birth", "registration_date")
		c.notAfter("wife_date_of_birth", "registration_date")
		c.spouse("husband_", false)
		c.spouse("wife_", true)
	}
	c.bookYear()
	if len(c.out) == 0 {
		return nil
	}
	return c.out
}

// bookYear checks that a book number "NN/YYYY" names the year of the
// registration it holds: registers are opened per year.
func (c *checker) bookYear() {
	m := bookNumberYear.FindStringSubmatch(c.values["book_number"])
	reg, ok := c.date("registration_date")
	if m == nil || !ok {
		return
	}
	if y, _ := strconv.Atoi(m[1]); y != reg.Year {
		c.add(problem(CodeConflict, "book of %d holds a registration of %d", y, reg.Year), "book_number", "registration_date")
	}
}

var bookNumberYear = regexp.MustCompile(`^\d+/(\d{4})$`)

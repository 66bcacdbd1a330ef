package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/sohoa/sohoa/vn"
)

// person is one individual named on a record, in canonical spelling.
type person struct {
	name      string
	female    bool
	ethnicity string
	nation    string
	born      vn.Date
	home      place
	idKind    string // "CCCD", "CMND", "Hộ chiếu" or ""
	id        string // digits (letters and digits for passports)
}

// entry is what every register entry carries.
type entry struct {
	number int
	book   string // "01/2019"
	reg    vn.Date
	office place
}

type birthRecord struct {
	entry
	child      person
	birthPlace string
	hometown   string
	pid        string // personal id; "" on old-era pages
	mother     person
	motherRes  string
	father     *person // nil when the father is not recorded
	fatherRes  string
	declarant  person
	declRel    string
	late       bool
}

type marriageRecord struct {
	entry
	husband, wife       person
	husbandRes, wifeRes string
	again               bool // re-registration
}

type deathRecord struct {
	entry
	dead         person
	lastRes      string
	died         vn.Date
	hour, minute int
	deathPlace   string
	cause        string
	noticeNo     string
	noticeBy     string
	noticeDate   vn.Date
	declarant    person
	declRel      string
}

// Dates are handled as day numbers to draw and add days.
func dayNum(d vn.Date) int {
	return int(time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func fromDayNum(n int) vn.Date {
	t := time.Unix(int64(n)*86400, 0).UTC()
	return vn.Date{Year: t.Year(), Month: int(t.Month()), Day: t.Day()}
}

func randomDate(rng *rand.Rand, from, to vn.Date) vn.Date {
	a, b := dayNum(from), dayNum(to)
	if b <= a {
		return from
	}
	return fromDayNum(a + rng.IntN(b-a+1))
}

func addDays(d vn.Date, n int) vn.Date { return fromDayNum(dayNum(d) + n) }

func ymd(y, m, d int) vn.Date { return vn.Date{Year: y, Month: m, Day: d} }

// lastDay is the last registration date the generator uses.
func lastDay() vn.Date { return ymd(2026, 10, 31) }

// registrationDate draws a registration date of the era: 2006–2015 for old
// pages, 2016 onwards for new ones (a third of them after the 2025 merger).
func registrationDate(rng *rand.Rand, newEra bool) vn.Date {
	if !newEra {
		return randomDate(rng, ymd(2006, 4, 1), ymd(2015, 12, 31))
	}
	if rng.IntN(3) == 0 {
		return randomDate(rng, vn.MergerDate, lastDay())
	}
	return randomDate(rng, ymd(2016, 1, 1), ymd(2025, 6, 30))
}

func randomDigits(rng *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(byte('0' + rng.IntN(10)))
	}
	return b.String()
}

// personalID builds a 12-digit personal id: province code, century/sex
// digit, two year digits and six random digits.
func personalID(rng *rand.Rand, provIDCode string, born vn.Date, female bool) (string, error) {
	d, err := vn.PersonalIDCenturySexDigit(born.Year, female)
	if err != nil {
		return "", fmt.Errorf("synth: personal id: %w", err)
	}
	return fmt.Sprintf("%s%d%02d%s", provIDCode, d, born.Year%100, randomDigits(rng, 6)), nil
}

// giveIDPaper gives p an identity paper usual at date on: mostly CMND
// before 2016, mostly CCCD later, now and then a passport.
func giveIDPaper(rng *rand.Rand, p *person, on vn.Date) error {
	cmnd := on.Year < 2016 && rng.IntN(5) != 0 || on.Year >= 2016 && on.Year < 2021 && rng.IntN(3) == 0 || rng.IntN(12) == 0
	switch {
	case rng.IntN(25) == 0:
		p.idKind = "Hộ chiếu"
		p.id = string(rune('B'+rng.IntN(3))) + randomDigits(rng, 7)
	case cmnd:
		p.idKind = "CMND"
		p.id = p.home.d.CMNDCode + randomDigits(rng, 9-len(p.home.d.CMNDCode))
	default:
		id, err := personalID(rng, provinceIDCode(p.home.d.Province, vn.Date{Year: 2020}), p.born, p.female)
		if err != nil {
			return err
		}
		p.idKind, p.id = "CCCD", id
	}
	return nil
}

// newPerson draws a person of an ethnic group born in [from, to].
func newPerson(rng *rand.Rand, ethnicity string, female bool, surname string, home place, from, to vn.Date) person {
	return person{
		name:      personName(rng, ethnicity, female, surname),
		female:    female,
		ethnicity: ethnicity,
		nation:    "Việt Nam",
		born:      randomDate(rng, from, to),
		home:      home,
	}
}

// entriesOf draws n consecutive entries of one book of an office.
func entriesOf(rng *rand.Rand, all []district, newEra bool, n int) []entry {
	office := randomPlace(rng, all, "")
	reg := registrationDate(rng, newEra)
	num := 1 + rng.IntN(180)
	bookNo := 1 + rng.IntN(3)
	out := make([]entry, n)
	for i := range out {
		if i > 0 {
			next := addDays(reg, rng.IntN(12))
			if next.Year == reg.Year && next.Compare(lastDay()) <= 0 {
				reg = next
			}
		}
		out[i] = entry{number: num + i, book: fmt.Sprintf("%02d/%d", bookNo, reg.Year), reg: reg, office: office}
	}
	return out
}

// ethnicOf draws an ethnic group living in the district.
func ethnicOf(rng *rand.Rand, d district) string { return pick(rng, d.Ethnic) }

func newBirth(rng *rand.Rand, e entry, newEra bool) (birthRecord, error) {
	r := birthRecord{entry: e}
	eth := ethnicOf(rng, e.office.d)
	female := rng.IntN(2) == 0
	home := sameDistrictPlace(rng, e.office)
	var born vn.Date
	switch rng.IntN(5) {
	case 0: // late registration or re-registration of an adult
		r.late = true
		born = randomDate(rng, ymd(1950, 1, 1), ymd(e.reg.Year-5, 12, 31))
	default:
		born = randomDate(rng, addDays(e.reg, -75), e.reg)
		r.late = dayNum(e.reg)-dayNum(born) > 60
	}
	// parents
	mFrom, mTo := ymd(born.Year-40, 1, 1), ymd(born.Year-18, 12, 31)
	motherEth := eth
	if rng.IntN(8) == 0 {
		motherEth = "Kinh"
	}
	var fatherSurname string
	withFather := rng.IntN(10) != 0
	var father person
	if withFather {
		father = newPerson(rng, eth, false, "", home, ymd(born.Year-48, 1, 1), ymd(born.Year-20, 12, 31))
		father.born.Month, father.born.Day = 0, 0
		fatherSurname = surnameOf(eth, father.name)
	}
	mother := newPerson(rng, motherEth, true, "", home, mFrom, mTo)
	mother.born.Month, mother.born.Day = 0, 0
	surname := fatherSurname
	if !withFather || nameStyleFor(eth).childOfMother {
		surname = surnameOf(motherEth, mother.name)
		if motherEth != eth {
			surname = ""
		}
	}
	r.child = newPerson(rng, eth, female, surname, home, born, born)
	r.mother = mother
	on := e.reg
	r.motherRes = home.residence(rng, on)
	if withFather {
		r.father = &father
		r.fatherRes = r.motherRes
		if rng.IntN(6) == 0 {
			r.fatherRes = sameDistrictPlace(rng, home).residence(rng, on)
		}
	}
	r.birthPlace = home.birthPlace(rng, on, born)
	r.hometown = home.address(on)
	if rng.IntN(4) == 0 {
		r.hometown = randomPlace(rng, districts(), eth).address(on)
	}
	if newEra {
		pid, err := personalID(rng, provinceIDCode(e.office.d.Province, e.reg), born, female)
		if err != nil {
			return r, err
		}
		r.pid = pid
	}
	switch {
	case r.late && born.Year < e.reg.Year-16:
		r.declarant, r.declRel = r.child, "Bản thân"
	case withFather && rng.IntN(3) != 0:
		r.declarant, r.declRel = father, "Cha"
	default:
		r.declarant, r.declRel = mother, "Mẹ"
	}
	if err := giveIDPaper(rng, &r.declarant, e.reg); err != nil {
		return r, err
	}
	return r, nil
}

func newMarriage(rng *rand.Rand, e entry) (marriageRecord, error) {
	r := marriageRecord{entry: e, again: rng.IntN(12) == 0}
	eth := ethnicOf(rng, e.office.d)
	wEth := eth
	if rng.IntN(6) == 0 {
		wEth = ethnicOf(rng, e.office.d)
	}
	home := sameDistrictPlace(rng, e.office)
	y := e.reg.Year
	r.husband = newPerson(rng, eth, false, "", home, ymd(y-50, 1, 1), addDays(e.reg, -20*366))
	wifeHome := home
	if rng.IntN(3) == 0 {
		wifeHome = randomPlace(rng, districts(), wEth)
	}
	r.wife = newPerson(rng, wEth, true, "", wifeHome, ymd(y-42, 1, 1), addDays(e.reg, -18*366))
	r.husbandRes = home.residence(rng, e.reg)
	r.wifeRes = wifeHome.residence(rng, e.reg)
	if err := giveIDPaper(rng, &r.husband, e.reg); err != nil {
		return r, err
	}
	if err := giveIDPaper(rng, &r.wife, e.reg); err != nil {
		return r, err
	}
	return r, nil
}

// deathCauses are causes of death as registers write them.
func deathCauses() []string {
	return []string{"Bệnh già", "Bệnh già", "Tai nạn giao thông", "Ung thư phổi", "Tai biến mạch máu não", "Nhồi máu cơ tim", "Đuối nước", "Suy tim", "Xơ gan", "Ung thư gan", "Viêm phổi", "Suy thận", "Đột quỵ"}
}

func newDeath(rng *rand.Rand, e entry, newEra bool) (deathRecord, error) {
	r := deathRecord{entry: e}
	eth := ethnicOf(rng, e.office.d)
	home := sameDistrictPlace(rng, e.office)
	late := rng.IntN(10) == 0
	r.died = randomDate(rng, addDays(e.reg, -14), e.reg)
	if late {
		r.died = randomDate(rng, ymd(e.reg.Year-8, 1, 1), addDays(e.reg, -30))
	}
	female := rng.IntN(2) == 0
	from, to := ymd(r.died.Year-98, 1, 1), addDays(r.died, -365)
	if rng.IntN(4) != 0 {
		from = ymd(r.died.Year-95, 1, 1)
		to = ymd(r.died.Year-45, 12, 31)
	}
	r.dead = newPerson(rng, eth, female, "", home, from, to)
	r.lastRes = home.residence(rng, e.reg)
	r.hour, r.minute = rng.IntN(24), rng.IntN(12)*5
	r.cause = pick(rng, deathCauses())
	r.noticeNo = fmt.Sprintf("%d/GBT", 1+rng.IntN(300))
	if rng.IntN(3) == 0 {
		hospital := pick(rng, home.d.Hospitals)
		r.deathPlace = hospital + ", " + provinceName(home.d.Province, e.reg)
		r.noticeBy = hospital
	} else {
		r.deathPlace = "Tại nhà, " + r.lastRes
		if len([]rune(r.deathPlace)) > 70 {
			r.deathPlace = home.address(e.reg)
		}
		r.noticeBy = "Trưởng " + strings.SplitN(r.lastRes, ",", 2)[0]
		if strings.HasPrefix(r.lastRes, "số ") {
			r.noticeBy = "Công an " + home.commune
		}
	}
	r.noticeDate = addDays(r.died, rng.IntN(3))
	if r.noticeDate.Compare(e.reg) > 0 {
		r.noticeDate = e.reg
	}
	if newEra || rng.IntN(3) != 0 {
		if err := giveIDPaper(rng, &r.dead, r.died); err != nil {
			return r, err
		}
	}
	spouse := "Vợ"
	if r.dead.female {
		spouse = "Chồng"
	}
	rel := pick(rng, []string{"Con", "Con", spouse, "Cháu"})
	switch rel {
	case "Vợ":
		r.declarant = newPerson(rng, eth, true, "", home, ymd(r.dead.born.Year-5, 1, 1), ymd(r.dead.born.Year+10, 12, 31))
	case "Chồng":
		r.declarant = newPerson(rng, eth, false, "", home, ymd(r.dead.born.Year-10, 1, 1), ymd(r.dead.born.Year+5, 12, 31))
	default:
		r.declarant = newPerson(rng, eth, rng.IntN(2) == 0, surnameOf(eth, r.dead.name), home, ymd(r.dead.born.Year+18, 1, 1), ymd(r.dead.born.Year+45, 12, 31))
	}
	r.declRel = rel
	if r.declarant.born.Compare(addDays(e.reg, -18*366)) > 0 {
		r.declarant.born = addDays(e.reg, -(18*366 + rng.IntN(3000)))
	}
	if err := giveIDPaper(rng, &r.declarant, e.reg); err != nil {
		return r, err
	}
	return r, nil
}

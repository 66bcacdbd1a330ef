package synth

import (
	"fmt"
	"strings"

	"github.com/sohoa/sohoa/vn"
)

func genderWord(female bool) string {
	if female {
		return "Nữ"
	}
	return "Nam"
}

// pidRaw prints a personal id, now and then in groups of four.
func (b *builder) pidRaw(id string) string {
	if len(id) == 12 && b.rng.IntN(8) == 0 {
		return id[:4] + " " + id[4:8] + " " + id[8:]
	}
	return id
}

// idItem prints "Giấy tờ tùy thân: CCCD số 040190012345" with the number
// as the field.
func (b *builder) idItem(key string, p person) item {
	if p.idKind == "" {
		return plain(b.st.lab.idPaper, "")
	}
	return fieldV(b.st.lab.idPaper+" "+p.idKind+" số", key, b.pidRaw(p.id), p.id)
}

// birthBody prints the child and parents of a birth record.
func (b *builder) birthBody(r birthRecord) {
	l := b.st.lab
	b.row(b.nameItem(l.name, "full_name", r.child.name))
	b.row(b.dateItem(l.dob, "date_of_birth", r.child.born))
	b.longText(l.inWords, vn.DateInWords(r.child.born, b.st.words))
	b.row(field(l.gender, "gender", genderWord(r.child.female)), field(l.ethnic, "ethnicity", r.child.ethnicity), field(l.nation, "nationality", r.child.nation))
	b.row(b.placeItem(l.birthPlace, "place_of_birth", r.birthPlace))
	b.row(b.placeItem(l.hometown, "hometown", r.hometown))
	if r.pid != "" {
		b.row(fieldV(l.pid, "personal_id", b.pidRaw(r.pid), r.pid))
	}
	b.parent(l.mother, "mother", &r.mother, r.motherRes)
	b.parent(l.father, "father", r.father, r.fatherRes)
}

// parent prints a parent's three lines, unfilled when p is nil.
func (b *builder) parent(label, prefix string, p *person, res string) {
	l := b.st.lab
	if p == nil {
		b.row(plain(label, ""))
		b.row(plain(l.birthYear, ""), plain(l.ethnic, ""), plain(l.nation, ""))
		b.row(plain(l.residence, ""))
		return
	}
	year := fmt.Sprint(p.born.Year)
	b.row(b.nameItem(label, prefix+"_name", p.name))
	b.row(field(l.birthYear, prefix+"_birth_year", year), field(l.ethnic, prefix+"_ethnicity", p.ethnicity), field(l.nation, prefix+"_nationality", p.nation))
	b.row(b.placeItem(l.residence, prefix+"_residence", res))
}

func (b *builder) birthExtract(r birthRecord, issued vn.Date) {
	b.extractHead(r.office, fmt.Sprint(1+b.rng.IntN(400)), "TLKS-BS", issued, "TRÍCH LỤC KHAI SINH")
	b.birthBody(r)
	at := "Đăng ký khai sinh tại:"
	if b.st.era == EraNew && b.rng.IntN(2) == 0 {
		at = "Nơi đăng ký khai sinh:"
	}
	b.extractRegistration(at, r.entry)
	b.note(birthNote(r))
	b.signature("NGƯỜI KÝ TRÍCH LỤC", b.officialName(r.office))
}

func birthNote(r birthRecord) string {
	if r.late && r.child.born.Year < r.reg.Year-1 {
		return "Đăng ký lại"
	}
	return ""
}

func (b *builder) birthEntry(r birthRecord) {
	l := b.st.lab
	b.entryHead(r.entry)
	b.birthBody(r)
	b.row(b.nameItem(l.declarantBirth, "declarant_name", r.declarant.name))
	b.row(b.idItem("", r.declarant))
	b.row(plain(l.relation, r.declRel))
	checked := 0
	if r.late {
		checked = 1
		if birthNote(r) != "" {
			checked = 2
		}
	}
	b.boxes([]string{"Đúng hạn", "Quá hạn", "Đăng ký lại"}, checked)
	b.note("")
}

// spouse prints the lines of a husband or wife.
func (b *builder) spouse(label, prefix string, p person, res string) {
	l := b.st.lab
	b.row(b.nameItem(label, prefix+"_name", p.name))
	b.row(b.dateItem(l.dob, prefix+"_date_of_birth", p.born))
	b.row(field(l.ethnic, prefix+"_ethnicity", p.ethnicity), field(l.nation, prefix+"_nationality", p.nation))
	b.row(b.placeItem(l.residence, prefix+"_residence", res))
	b.row(b.idItem(prefix+"_id_number", p))
}

func (b *builder) marriageBody(r marriageRecord) {
	b.spouse(b.st.lab.husband, "husband", r.husband, r.husbandRes)
	b.spouse(b.st.lab.wife, "wife", r.wife, r.wifeRes)
}

func (b *builder) marriageExtract(r marriageRecord, issued vn.Date) {
	b.extractHead(r.office, fmt.Sprint(1+b.rng.IntN(200)), "TLKH-BS", issued, "TRÍCH LỤC KẾT HÔN")
	b.marriageBody(r)
	at := "Đăng ký kết hôn tại:"
	if b.st.era == EraNew && b.rng.IntN(2) == 0 {
		at = "Nơi đăng ký kết hôn:"
	}
	b.extractRegistration(at, r.entry)
	b.note("")
	b.signature("NGƯỜI KÝ TRÍCH LỤC", b.officialName(r.office))
}

func (b *builder) marriageEntry(r marriageRecord) {
	b.entryHead(r.entry)
	b.marriageBody(r)
	checked := 0
	if r.again {
		checked = 1
	}
	b.boxes([]string{"Kết hôn lần đầu", "Đăng ký lại", "Ghi chú kết hôn"}, checked)
	b.row(plain("Ngày, tháng, năm xác nhận quan hệ hôn nhân:", ""))
	b.note("")
}

func (b *builder) deathBody(r deathRecord) {
	l := b.st.lab
	b.row(b.nameItem(l.name, "full_name", r.dead.name))
	b.row(b.dateItem(l.dob, "date_of_birth", r.dead.born))
	b.row(field(l.gender, "gender", genderWord(r.dead.female)), field(l.ethnic, "ethnicity", r.dead.ethnicity), field(l.nation, "nationality", r.dead.nation))
	b.row(b.idItem("id_number", r.dead))
	b.row(plain(l.lastResidence, b.st.text(r.lastRes)))
	raw, v := b.st.date(r.died)
	at := fmt.Sprintf("Đã chết vào lúc: %d giờ %02d phút, ngày", r.hour, r.minute)
	b.row(fieldV(at, "date_of_death", raw, v))
	b.row(b.placeItem("Nơi chết:", "place_of_death", r.deathPlace))
	b.row(field("Nguyên nhân chết:", "cause_of_death", r.cause))
	b.row(plain("Giấy báo tử/giấy tờ thay thế Giấy báo tử số:", r.noticeNo))
	nd, _ := b.st.date(r.noticeDate)
	b.row(plain("Do:", b.st.text(r.noticeBy)), plain("Cấp ngày:", nd))
}

func (b *builder) deathExtract(r deathRecord, issued vn.Date) {
	b.extractHead(r.office, fmt.Sprint(1+b.rng.IntN(150)), "TLKT-BS", issued, "TRÍCH LỤC KHAI TỬ")
	b.deathBody(r)
	b.extractRegistration("Đã được đăng ký khai tử tại:", r.entry)
	b.note("")
	b.signature("NGƯỜI KÝ TRÍCH LỤC", b.officialName(r.office))
}

func (b *builder) deathEntry(r deathRecord) {
	l := b.st.lab
	b.entryHead(r.entry)
	b.deathBody(r)
	b.row(b.nameItem(l.declarantDeath, "declarant_name", r.declarant.name))
	b.row(b.idItem("", r.declarant))
	b.row(plain("Quan hệ với người chết:", r.declRel))
	checked := 0
	if dayNum(r.reg)-dayNum(r.died) > 15 {
		checked = 1
	}
	b.boxes([]string{"Đúng hạn", "Quá hạn", "Đăng ký lại"}, checked)
	b.note("")
}

// registerTitle is the heading of a register book of a type.
func registerTitle(kind string) string {
	return "SỔ ĐĂNG KÝ " + strings.ToUpper(kind)
}

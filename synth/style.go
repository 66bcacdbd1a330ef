package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/sohoa/sohoa/vn"
)

// Label eras of the printed forms.
const (
	EraOld = "old" // QĐ 01/2006, TT 08.a/2010: "Họ và tên", "Nơi thường trú"
	EraNew = "new" // TT 15/2015, TT 04/2020: "Họ, chữ đệm, tên", "Nơi cư trú"
)

// labels are the printed labels of one era (each with its colon).
type labels struct {
	name, mother, father, husband, wife  string
	declarantBirth, declarantDeath       string
	dob, inWords, gender, ethnic, nation string
	birthPlace, hometown, pid, birthYear string
	residence, lastResidence, idPaper    string
	regDate, regNo, book, note, relation string
	signerParen                          string
}

func labelsFor(era string, rng *rand.Rand) labels {
	l := labels{
		dob: "Ngày, tháng, năm sinh:", inWords: "ghi bằng chữ:", gender: "Giới tính:",
		ethnic: "Dân tộc:", nation: "Quốc tịch:", birthPlace: "Nơi sinh:", hometown: "Quê quán:",
		pid: "Số định danh cá nhân:", birthYear: "Năm sinh:", idPaper: "Giấy tờ tùy thân:",
		regDate: "Ngày, tháng, năm đăng ký:", regNo: "Số:", book: "Quyển số:", note: "Ghi chú:",
	}
	if era == EraOld {
		l.name, l.mother, l.father = "Họ và tên:", "Họ và tên mẹ:", "Họ và tên cha:"
		l.husband, l.wife = "Họ và tên chồng:", "Họ và tên vợ:"
		l.declarantBirth, l.declarantDeath = "Họ và tên người đi khai sinh:", "Họ và tên người đi khai tử:"
		l.residence = pick(rng, []string{"Nơi thường trú:", "Nơi thường trú/tạm trú:"})
		l.lastResidence = "Nơi thường trú cuối cùng:"
		l.relation = "Quan hệ với người được khai sinh:"
		l.signerParen = "(Ký, ghi rõ họ tên, chức vụ và đóng dấu)"
		return l
	}
	l.name, l.mother, l.father = "Họ, chữ đệm, tên:", "Họ, chữ đệm, tên người mẹ:", "Họ, chữ đệm, tên người cha:"
	l.husband, l.wife = "Họ, chữ đệm, tên người chồng:", "Họ, chữ đệm, tên người vợ:"
	l.declarantBirth, l.declarantDeath = "Họ, chữ đệm, tên người đi khai sinh:", "Họ, chữ đệm, tên người đi khai tử:"
	l.residence = "Nơi cư trú:"
	l.lastResidence = "Nơi cư trú cuối cùng:"
	l.relation = "Quan hệ với người được khai sinh:"
	l.signerParen = "(Ký, ghi rõ họ, chữ đệm, tên, chức vụ và đóng dấu)"
	if rng.IntN(15) == 0 {
		l.pid = "Sổ định danh cá nhân:" // a typo found on real extracts
	}
	return l
}

// pageStyle holds the per-page choices of how values are printed.
type pageStyle struct {
	era        string
	lab        labels
	capsNames  bool
	boldNames  bool
	newTone    bool
	padDates   bool
	dateSep    string
	leadValues bool    // leader dots between a label and its value
	leadEm     float64 // their length
	words      vn.WordStyle
	tabs       [2]float64 // second and third column starts
	shortOff   bool
	dash       string // in "Độc lập - Tự do - Hạnh phúc"
}

func newPageStyle(rng *rand.Rand, era string, leader leaderKind) *pageStyle {
	st := &pageStyle{
		era:       era,
		lab:       labelsFor(era, rng),
		capsNames: rng.IntN(3) != 0,
		boldNames: rng.IntN(3) == 0,
		newTone:   rng.IntN(3) == 0,
		padDates:  rng.IntN(3) != 0,
		dateSep:   "/",
		words: vn.WordStyle{
			Mong: rng.IntN(3) == 0, Ngan: rng.IntN(4) == 0, Le: rng.IntN(3) == 0,
			MonthName: rng.IntN(4) == 0, Capital: rng.IntN(2) == 0,
		},
		tabs:     [2]float64{0.33 + 0.04*rng.Float64(), 0.64 + 0.05*rng.Float64()},
		shortOff: rng.IntN(3) == 0,
		dash:     "-",
	}
	if rng.IntN(10) == 0 {
		st.dateSep = "-"
	}
	if leader != leaderNone && rng.IntN(3) == 0 {
		st.leadValues, st.leadEm = true, 2.2+1.8*rng.Float64()
	}
	if rng.IntN(4) == 0 {
		st.dash = "–"
	}
	return st
}

// name returns the printed and normalised forms of a person's name.
func (st *pageStyle) name(n string) (raw, value string) {
	v := toneStyle(n, st.newTone)
	if st.capsNames {
		return strings.ToUpper(v), v
	}
	return v, v
}

// nameStyle is the font style of names.
func (st *pageStyle) nameFont() fontStyle {
	if st.boldNames {
		return styleBold
	}
	return styleRegular
}

// text applies the page's tone placement to a place or other value.
func (st *pageStyle) text(s string) string { return toneStyle(s, st.newTone) }

// date returns the printed (figures) and ISO forms of a date.
func (st *pageStyle) date(d vn.Date) (raw, value string) {
	f := "%d%s%d%s%04d"
	if st.padDates {
		f = "%02d%s%02d%s%04d"
	}
	return fmt.Sprintf(f, d.Day, st.dateSep, d.Month, st.dateSep, d.Year), d.String()
}

// longDate writes "ngày 12 tháng 3 năm 2019".
func (st *pageStyle) longDate(d vn.Date) string {
	if st.padDates {
		return fmt.Sprintf("ngày %02d tháng %02d năm %d", d.Day, d.Month, d.Year)
	}
	return fmt.Sprintf("ngày %d tháng %d năm %d", d.Day, d.Month, d.Year)
}

// idPaper writes an identity paper: "CCCD số 040190012345".
func (st *pageStyle) idPaper(p person) string {
	return p.idKind + " số " + p.id
}

package validate

import (
	"testing"

	"github.com/sohoa/sohoa/vn"
)

func TestText(t *testing.T) {
	runCases(t, "Text", Text, []fieldCase{
		{"xã Tà Cạ, huyện Kỳ Sơn, tỉnh Nghệ An", "xã Tà Cạ, huyện Kỳ Sơn, tỉnh Nghệ An", none},
		{"  xã Tà Cạ,   huyện Kỳ Sơn ……………… ", "xã Tà Cạ, huyện Kỳ Sơn", none},
		{"Trạm y tế xã ........ Hữu Kiệm.", "Trạm y tế xã Hữu Kiệm", none},
		{": Bệnh viện . . . . . tỉnh;", "Bệnh viện tỉnh", none},
		{"TP. Hồ Chí Minh", "TP. Hồ Chí Minh", none},
		{"Ủy ban nhân dân xã ·· Mường Xén", "Ủy ban nhân dân xã Mường Xén", none},
		{"xã Tà Ca\u0323", "xã Tà Cạ", none},
		{"xã Tà Cạ ____", "xã Tà Cạ", none},
		{"huyện Kỳ Sơn ----", "huyện Kỳ Sơn", none},
		{"xã Hữu Kïệm", "xã Hữu Kïệm", invalid},
		{" .... ", "", missing},
		{"", "", missing},
	})
}

func TestName(t *testing.T) {
	runCases(t, "Name", Name, []fieldCase{
		{"LÊ THỊ OANH", "Lê Thị Oanh", none},
		{"NGUYỄN ĐỨC", "Nguyễn Đức", none},
		{"  nguyễn   văn  an ...", "Nguyễn Văn An", none},
		{"HOÀNG THỊ THUỶ", "Hoàng Thị Thuỷ", none},
		{"KSOR H’BIA", "Ksor H'Bia", none},
		{"Nguyễn Văn 4n", "Nguyễn Văn 4n", invalid},
		{"Nguyễn Văn Ån", "Nguyễn Văn Ån", invalid},
		{"Nguyễn Văn (An)", "Nguyễn Văn (An)", invalid},
		{"", "", missing},
	})
}

func TestDate(t *testing.T) {
	runCases(t, "Date", Date, []fieldCase{
		{"5/3/1990", "1990-03-05", none},
		{"05-03-1990", "1990-03-05", none},
		{"05.03.1990", "1990-03-05", none},
		{"ngày 05 tháng 03 năm 1990", "1990-03-05", none},
		{"03/1990", "1990-03", none},
		{"1990", "1990", none},
		{"05/03/1990 ……", "1990-03-05", none},
		// Figures and words agree.
		{"09/11/1973 (ghi bằng chữ: Ngày mùng chín tháng mười một năm một nghìn chín trăm bảy mươi ba)", "1973-11-09", none},
		{"09/11/1973 Bằng chữ: mồng chín tháng mười một năm một ngàn chín trăm bảy mươi ba", "1973-11-09", none},
		{"09/11/1973 (ghi bang chu: ngay mung chin thang muoi mot nam mot nghin chin tram bay muoi ba)", "1973-11-09", none},
		// Words only.
		{"Ngày mùng chín tháng mười một năm một nghìn chín trăm bảy mươi ba", "1973-11-09", none},
		// Figures disagree with the words ("9" read as "0"): the words win.
		{"00/11/1973 (ghi bằng chữ: ngày mùng chín tháng mười một năm một nghìn chín trăm bảy mươi ba)", "1973-11-09", repaired},
		{"09/11/1970 (ghi bằng chữ: ngày mùng chín tháng mười một năm một nghìn chín trăm bảy mươi ba)", "1973-11-09", conflict},
		{"19/11/1973 (ghi bằng chữ: ngày mùng chín tháng mười một năm một nghìn chín trăm bảy mươi ba)", "1973-11-09", conflict},
		// OCR look-alikes.
		{"O5/O3/l99O", "1990-03-05", repaired},
		{"05/03/l99O", "1990-03-05", repaired},
		{"lO/12/1990", "1990-12-10", repaired},
		{"[8/04/2009", "2009-04-18", repaired},  // a bracket read for a one
		{"24-1 I-2007", "2007-11-24", repaired}, // spaces inside the figures
		{"I I-9- 1989", "1989-09-11", repaired},
		{"23-2- 986", "", invalid},
		{"l99O", "1990", repaired},
		{"O5/O3/l99O (ghi bằng chữ: ngày mùng năm tháng ba năm một nghìn chín trăm chín mươi)", "1990-03-05", repaired},
		// Words unreadable: figures stand, flagged.
		{"05/03/1990 (ghi bằng chữ: ngày xyz tháng ba năm)", "1990-03-05", invalid},
		// Not real dates.
		{"31/02/1990", "", invalid},
		{"5/3/90", "", invalid},
		{"hôm qua", "", invalid},
		{"05/03/1790", "1790-03-05", outOfRang},
		{"", "", missing},
		{"…………", "", missing},
	})
}

func TestYear(t *testing.T) {
	runCases(t, "Year", Year, []fieldCase{
		{"1965", "1965", none},
		{"Năm 1965.", "1965", none},
		{"l965", "1965", repaired},
		{"I96S", "1965", repaired},
		{"199]", "1991", repaired},
		{"12/03/1965", "1965", none},
		{"một nghìn chín trăm sáu mươi lăm", "1965", none},
		{"năm một nghìn chín trăm sáu mươi lăm", "1965", none},
		{"65", "", invalid},
		{"19650", "", invalid},
		{"1765", "1765", outOfRang},
		{"abc", "", invalid},
		{"", "", missing},
	})
}

func TestGender(t *testing.T) {
	runCases(t, "Gender", Gender, []fieldCase{
		{"Nam", "Nam", none},
		{"nam", "Nam", none},
		{"NAM", "Nam", none},
		{"Nữ", "Nữ", none},
		{"NỮ", "Nữ", none},
		{"nữ.", "Nữ", none},
		{"Giới tính: Nữ", "Nữ", none},
		{"Nu", "Nữ", repaired},
		{"Nũ", "Nữ", repaired},
		{"Nừ", "Nữ", repaired},
		{"Năm", "Nam", repaired},
		{"trai", "Nam", repaired},
		{"Nấm hương", "", invalid},
		{"N", "", invalid},
		{"", "", missing},
	})
}

func TestEthnicityNationality(t *testing.T) {
	runCases(t, "Ethnicity", Ethnicity, []fieldCase{
		{"Kinh", "Kinh", none},
		{"KINH", "Kinh", none},
		{"H'Mông", "Mông", none},
		{"Khơ-me", "Khmer", none},
		{"Bru Vân Kiều", "Bru-Vân Kiều", none},
		{"Kimh", "Kinh", repaired},
		{"Tay", "Tày", repaired},
		{"Xyzabc", "Xyzabc", unknown},
		{"", "", missing},
	})
	runCases(t, "Nationality", Nationality, []fieldCase{
		{"Việt Nam", "Việt Nam", none},
		{"VIỆT NAM", "Việt Nam", none},
		{"Viet Nam", "Việt Nam", none}, // UN spelling, a known alias
		{"Viêt Nam", "Việt Nam", repaired},
		{"Vệt Nam", "Việt Nam", repaired},
		{"Mỹ", "Hoa Kỳ", none},
		{"Atlantis", "Atlantis", unknown},
		{"", "", missing},
	})
}

func TestPersonalID(t *testing.T) {
	male1990, female1990 := vn.Date{Year: 1990, Month: 3, Day: 5}, vn.Date{Year: 1990}
	tests := []struct {
		raw    string
		gender string
		birth  vn.Date
		want   string
		codes  []string
	}{
		{"040090012345", "Nam", male1990, "040090012345", none},
		{"0400 9001 2345", "Nam", male1990, "040090012345", none},
		{"0400.9001.2345", "", vn.Date{}, "040090012345", none},
		{"Số định danh cá nhân: 040190012345", "Nữ", female1990, "040190012345", none},
		{"040190012345", "nu", female1990, "040190012345", none},
		{"001305012345", "Nữ", vn.Date{Year: 2005, Month: 1, Day: 2}, "001305012345", none},
		// Contradictions.
		{"040090012345", "Nữ", female1990, "040090012345", conflict},
		{"040190012345", "Nam", male1990, "040190012345", conflict},
		{"040091012345", "Nam", male1990, "040091012345", conflict},
		{"040290012345", "Nam", male1990, "040290012345", conflict},
		// Structure.
		{"003090012345", "Nam", male1990, "003090012345", []string{CodeInvalid}},
		{"040590012345", "", vn.Date{}, "040590012345", outOfRang},
		{"04009001234", "Nam", male1990, "04009001234", invalid},
		{"0400900123456", "", vn.Date{}, "0400900123456", invalid},
		{"04OO9OOl2345", "Nam", male1990, "040090012345", repaired},
		{"0400-9001-abcd", "", vn.Date{}, "0400-9001-abcd", invalid},
		{"", "", vn.Date{}, "", missing},
	}
	for _, tt := range tests {
		got, ps := PersonalID(tt.raw, tt.gender, tt.birth)
		if got != tt.want || !equalCodes(Codes(ps), tt.codes) {
			t.Errorf("PersonalID(%q, %q, %v) = %q, %v; want %q %v", tt.raw, tt.gender, tt.birth, got, ps, tt.want, tt.codes)
		}
	}
}

func equalCodes(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestIDNumber(t *testing.T) {
	runCases(t, "IDNumber", IDNumber, []fieldCase{
		{"040090012345", "040090012345", none},
		{"0400 9001 2345", "040090012345", none},
		{"CCCD số 040090012345, cấp ngày 01/02/2021 tại Cục Cảnh sát", "040090012345", none},
		{"CMND số 186 123 456 do Công an Nghệ An cấp ngày 05/06/2005", "186123456", none},
		{"186123456", "186123456", none},
		{"B1234567", "B1234567", none},
		{"c 1234567", "C1234567", none},
		{"Hộ chiếu số N1234567 cấp ngày 01/01/2020", "N1234567", none},
		{"l86l23456", "186123456", repaired},
		{"003090012345", "003090012345", invalid},
		{"1234567", "1234567", invalid},
		{"không có", "không có", invalid},
		{"", "", missing},
	})
}

func TestEntryAndBookNumber(t *testing.T) {
	runCases(t, "EntryNumber", EntryNumber, []fieldCase{
		{"125", "125", none},
		{"Số: 125", "125", none},
		{"số 012", "012", none},
		{"125/TLKS-BS", "125", none},
		{"l25", "125", repaired},
		{"12 Quyển số 01", "12", none},
		{"abc", "abc", invalid},
		{"", "", missing},
	})
	runCases(t, "BookNumber", BookNumber, []fieldCase{
		{"01/2019", "01/2019", none},
		{"01 / 2019", "01/2019", none},
		{"Quyển số: 01/2019.", "01/2019", none},
		{"O1/2Ol9", "01/2019", repaired},
		{"01-TP/HT", "01-TP/HT", none},
		{"02/2020 |", "02/2020", repaired}, // a speck after the year, not a digit
		{"abc", "abc", invalid},
		{"01/2019#", "01/2019#", invalid},
		{"", "", missing},
	})
}

func TestKindOfAndField(t *testing.T) {
	kinds := map[string]Kind{
		"full_name": KindName, "mother_name": KindName, "husband_name": KindName, "declarant_name": KindName,
		"date_of_birth": KindDate, "wife_date_of_birth": KindDate, "registration_date": KindDate, "date_of_death": KindDate,
		"mother_birth_year": KindYear, "gender": KindGender, "ethnicity": KindEthnicity, "father_ethnicity": KindEthnicity,
		"wife_nationality": KindNationality, "personal_id": KindPersonalID, "husband_id_number": KindIDNumber,
		"id_number": KindIDNumber, "entry_number": KindEntryNumber, "book_number": KindBookNumber,
		"place_of_birth": KindText, "registration_office": KindText, "cause_of_death": KindText, "mother_residence": KindText,
	}
	for k, want := range kinds {
		if got := KindOf(k); got != want {
			t.Errorf("KindOf(%q) = %q, want %q", k, got, want)
		}
	}
	if v, ps := Field("full_name", "LÊ THỊ OANH"); v != "Lê Thị Oanh" || ps != nil {
		t.Errorf("Field(full_name) = %q %v", v, ps)
	}
	if v, _ := Field("registration_date", "5/3/1990"); v != "1990-03-05" {
		t.Errorf("Field(registration_date) = %q", v)
	}
	if v, _ := Field("personal_id", "0400 9001 2345"); v != "040090012345" {
		t.Errorf("Field(personal_id) = %q", v)
	}
}

func TestBlocking(t *testing.T) {
	if Blocking(nil) || Blocking([]Problem{{Code: CodeRepaired}}) {
		t.Error("repaired alone must not block")
	}
	if !Blocking([]Problem{{Code: CodeRepaired}, {Code: CodeConflict}}) {
		t.Error("conflict must block")
	}
}

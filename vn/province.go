package vn

// Province is one province or centrally-run city.
type Province struct {
	Code   string // 2 digits, e.g. "40"
	IDCode string // 3 digits used in personal ids, e.g. "040"
	Name   string // "Nghệ An", without "tỉnh"/"thành phố"
}

// MergerDate is the day the 34-province map took effect (Resolution
// 202/2025/QH15). It is a fixed fact: never assign to it.
var MergerDate = Date{Year: 2025, Month: 7, Day: 1}

// provincesBefore2025 are the 63 provinces in force until 30 June 2025.
// The codes are the personal-id province codes of domain.md.
var provincesBefore2025 = [63]Province{
	{"01", "001", "Hà Nội"}, {"02", "002", "Hà Giang"}, {"04", "004", "Cao Bằng"},
	{"06", "006", "Bắc Kạn"}, {"08", "008", "Tuyên Quang"}, {"10", "010", "Lào Cai"},
	{"11", "011", "Điện Biên"}, {"12", "012", "Lai Châu"}, {"14", "014", "Sơn La"},
	{"15", "015", "Yên Bái"}, {"17", "017", "Hòa Bình"}, {"19", "019", "Thái Nguyên"},
	{"20", "020", "Lạng Sơn"}, {"22", "022", "Quảng Ninh"}, {"24", "024", "Bắc Giang"},
	{"25", "025", "Phú Thọ"}, {"26", "026", "Vĩnh Phúc"}, {"27", "027", "Bắc Ninh"},
	{"30", "030", "Hải Dương"}, {"31", "031", "Hải Phòng"}, {"33", "033", "Hưng Yên"},
	{"34", "034", "Thái Bình"}, {"35", "035", "Hà Nam"}, {"36", "036", "Nam Định"},
	{"37", "037", "Ninh Bình"}, {"38", "038", "Thanh Hóa"}, {"40", "040", "Nghệ An"},
	{"42", "042", "Hà Tĩnh"}, {"44", "044", "Quảng Bình"}, {"45", "045", "Quảng Trị"},
	{"46", "046", "Thừa Thiên Huế"}, {"48", "048", "Đà Nẵng"}, {"49", "049", "Quảng Nam"},
	{"51", "051", "Quảng Ngãi"}, {"52", "052", "Bình Định"}, {"54", "054", "Phú Yên"},
	{"56", "056", "Khánh Hòa"}, {"58", "058", "Ninh Thuận"}, {"60", "060", "Bình Thuận"},
	{"62", "062", "Kon Tum"}, {"64", "064", "Gia Lai"}, {"66", "066", "Đắk Lắk"},
	{"67", "067", "Đắk Nông"}, {"68", "068", "Lâm Đồng"}, {"70", "070", "Bình Phước"},
	{"72", "072", "Tây Ninh"}, {"74", "074", "Bình Dương"}, {"75", "075", "Đồng Nai"},
	{"77", "077", "Bà Rịa - Vũng Tàu"}, {"79", "079", "Hồ Chí Minh"}, {"80", "080", "Long An"},
	{"82", "082", "Tiền Giang"}, {"83", "083", "Bến Tre"}, {"84", "084", "Trà Vinh"},
	{"86", "086", "Vĩnh Long"}, {"87", "087", "Đồng Tháp"}, {"89", "089", "An Giang"},
	{"91", "091", "Kiên Giang"}, {"92", "092", "Cần Thơ"}, {"93", "093", "Hậu Giang"},
	{"94", "094", "Sóc Trăng"}, {"95", "095", "Bạc Liêu"}, {"96", "096", "Cà Mau"},
}

// merged2025 lists the 34 units from 1 July 2025 with the old codes each
// absorbed (a unit that absorbed nothing lists only itself).
var merged2025 = [34]struct {
	p    Province
	from []string
}{
	{Province{"01", "001", "Hà Nội"}, []string{"01"}},
	{Province{"04", "004", "Cao Bằng"}, []string{"04"}},
	{Province{"08", "008", "Tuyên Quang"}, []string{"02", "08"}},
	{Province{"11", "011", "Điện Biên"}, []string{"11"}},
	{Province{"12", "012", "Lai Châu"}, []string{"12"}},
	{Province{"14", "014", "Sơn La"}, []string{"14"}},
	{Province{"15", "015", "Lào Cai"}, []string{"10", "15"}},
	{Province{"19", "019", "Thái Nguyên"}, []string{"06", "19"}},
	{Province{"20", "020", "Lạng Sơn"}, []string{"20"}},
	{Province{"22", "022", "Quảng Ninh"}, []string{"22"}},
	{Province{"24", "024", "Bắc Ninh"}, []string{"24", "27"}},
	{Province{"25", "025", "Phú Thọ"}, []string{"17", "25", "26"}},
	{Province{"31", "031", "Hải Phòng"}, []string{"30", "31"}},
	{Province{"33", "033", "Hưng Yên"}, []string{"33", "34"}},
	{Province{"37", "037", "Ninh Bình"}, []string{"35", "36", "37"}},
	{Province{"38", "038", "Thanh Hóa"}, []string{"38"}},
	{Province{"40", "040", "Nghệ An"}, []string{"40"}},
	{Province{"42", "042", "Hà Tĩnh"}, []string{"42"}},
	{Province{"44", "044", "Quảng Trị"}, []string{"44", "45"}},
	{Province{"46", "046", "Huế"}, []string{"46"}},
	{Province{"48", "048", "Đà Nẵng"}, []string{"48", "49"}},
	{Province{"51", "051", "Quảng Ngãi"}, []string{"51", "62"}},
	{Province{"52", "052", "Gia Lai"}, []string{"52", "64"}},
	{Province{"56", "056", "Khánh Hòa"}, []string{"56", "58"}},
	{Province{"66", "066", "Đắk Lắk"}, []string{"54", "66"}},
	{Province{"68", "068", "Lâm Đồng"}, []string{"60", "67", "68"}},
	{Province{"75", "075", "Đồng Nai"}, []string{"70", "75"}},
	{Province{"79", "079", "Hồ Chí Minh"}, []string{"74", "77", "79"}},
	{Province{"80", "080", "Tây Ninh"}, []string{"72", "80"}},
	{Province{"82", "082", "Đồng Tháp"}, []string{"82", "87"}},
	{Province{"86", "086", "Vĩnh Long"}, []string{"83", "84", "86"}},
	{Province{"91", "091", "An Giang"}, []string{"89", "91"}},
	{Province{"92", "092", "Cần Thơ"}, []string{"92", "93", "94"}},
	{Province{"96", "096", "Cà Mau"}, []string{"95", "96"}},
}

// ProvincesBefore2025 returns the 63 provinces in force until 30 June 2025.
func ProvincesBefore2025() []Province {
	out := make([]Province, len(provincesBefore2025))
	copy(out, provincesBefore2025[:])
	return out
}

// ProvincesAfter2025 returns the 34 provinces and cities from 1 July 2025.
func ProvincesAfter2025() []Province {
	out := make([]Province, len(merged2025))
	for i, m := range merged2025 {
		out[i] = m.p
	}
	return out
}

// ProvincesOn returns the province table in force on date on. A zero date,
// or a date too coarse to tell (year 2025 alone), gives the pre-2025 table,
// which nearly every register page uses.
func ProvincesOn(on Date) []Province {
	if after2025(on) {
		return ProvincesAfter2025()
	}
	return ProvincesBefore2025()
}

// after2025 reports whether on falls on or after the merger date. A date with
// only a year counts as after only from 2026; 2025 with no month is before.
func after2025(on Date) bool {
	if on.IsZero() {
		return false
	}
	if on.Year != MergerDate.Year {
		return on.Year > MergerDate.Year
	}
	if on.Month == 0 {
		return false
	}
	return on.Month >= MergerDate.Month
}

// IsCity reports whether p is a centrally-run city (thành phố trực thuộc
// trung ương): Hà Nội, Hải Phòng, Đà Nẵng, Hồ Chí Minh, Cần Thơ, and Huế
// from 2025.
func (p Province) IsCity() bool {
	switch p.Code {
	case "01", "31", "48", "79", "92":
		return true
	case "46":
		return p.Name == "Huế"
	}
	return false
}

// ProvinceByIDCode looks up the 3-digit province code of a personal
// identification number (the pre-2025 table of domain.md, which is what ids
// already issued carry).
func ProvinceByIDCode(code string) (Province, bool) {
	for _, p := range provincesBefore2025 {
		if p.IDCode == code {
			return p, true
		}
	}
	return Province{}, false
}

// ProvinceByCode resolves a 2-digit (or 3-digit, leading zero) province code
// as it was meant on date on: "24" is Bắc Giang before 1 July 2025 and Bắc
// Ninh from then on. A zero date uses the pre-2025 table.
func ProvinceByCode(code string, on Date) (Province, bool) {
	if len(code) == 3 && code[0] == '0' {
		code = code[1:]
	}
	for _, p := range ProvincesOn(on) {
		if p.Code == code {
			return p, true
		}
	}
	return Province{}, false
}

// ProvinceSuccessor returns the post-2025 unit that absorbed the pre-2025
// province with the given 2-digit code.
func ProvinceSuccessor(oldCode string) (Province, bool) {
	for _, m := range merged2025 {
		for _, c := range m.from {
			if c == oldCode {
				return m.p, true
			}
		}
	}
	return Province{}, false
}

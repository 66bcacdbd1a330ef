package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/sohoa/sohoa/vn"
)

// district is one district (huyện, quận, thị xã, thành phố thuộc tỉnh) of a
// pre-2025 province with some of its communes and villages, and the ethnic
// groups the generator draws for people living there.
type district struct {
	Province  string // pre-2025 two-digit province code
	Name      string // "huyện Kỳ Sơn"
	Communes  []string
	Villages  []string // "bản Xiềng"; may be empty (urban: house numbers)
	Ethnic    []string // weighted by repetition
	CMNDCode  string   // issuing police code of 9-digit CMNDs
	Urban     bool
	Hospitals []string // hospitals serving the district, without province
}

// districts returns the place table. Communes and villages are real names
// but the table is small and not exhaustive.
func districts() []district {
	return []district{
		{"40", "huyện Kỳ Sơn", []string{"xã Tà Cạ", "xã Mường Lống", "xã Huồi Tụ", "xã Nậm Cắn", "thị trấn Mường Xén"}, []string{"bản Xiềng", "bản Huồi Giảng", "bản Phà Khốm", "bản Tà Cạ", "bản Mường Lống 1"}, []string{"Mông", "Mông", "Thái", "Kinh"}, "18", false, []string{"Bệnh viện Đa khoa huyện Kỳ Sơn"}},
		{"40", "huyện Tương Dương", []string{"xã Yên Na", "xã Tam Quang", "xã Lượng Minh"}, []string{"bản Cửa Rào", "bản Xốp Nặm", "bản Chôm Lôm"}, []string{"Thái", "Thái", "Kinh"}, "18", false, []string{"Bệnh viện Đa khoa huyện Tương Dương"}},
		{"40", "huyện Quỳnh Lưu", []string{"xã Quỳnh Thuận", "xã Quỳnh Lâm", "xã Quỳnh Hưng"}, []string{"xóm 3", "xóm Đông Thịnh", "thôn 6"}, []string{"Kinh"}, "18", false, []string{"Bệnh viện Đa khoa huyện Quỳnh Lưu"}},
		{"10", "huyện Bắc Hà", []string{"xã Bản Phố", "xã Tả Van Chư", "xã Lùng Phình"}, []string{"thôn Bản Phố 1", "thôn Sín Chải", "thôn Pả Chư Tỷ"}, []string{"Mông", "Mông", "Tày", "Dao"}, "06", false, []string{"Bệnh viện Đa khoa huyện Bắc Hà"}},
		{"10", "thị xã Sa Pa", []string{"xã Tả Van", "xã Bản Hồ", "phường Sa Pa"}, []string{"thôn Giàng Tả Chải", "thôn Lao Chải", "thôn Tả Phìn"}, []string{"Mông", "Dao", "Kinh"}, "06", false, []string{"Bệnh viện Đa khoa thị xã Sa Pa"}},
		{"02", "huyện Đồng Văn", []string{"xã Lũng Cú", "xã Sà Phìn", "xã Sủng Là"}, []string{"thôn Lô Lô Chải", "thôn Thèn Pả", "thôn Lũng Hòa"}, []string{"Mông"}, "07", false, []string{"Bệnh viện Đa khoa huyện Đồng Văn"}},
		{"02", "huyện Hoàng Su Phì", []string{"xã Nậm Dịch", "xã Bản Luốc", "xã Thông Nguyên"}, []string{"thôn Nậm Khòa", "thôn Cóc Cọc", "thôn Nậm Ai"}, []string{"Dao", "Dao", "Nùng", "Tày"}, "07", false, []string{"Bệnh viện Đa khoa huyện Hoàng Su Phì"}},
		{"14", "huyện Mai Sơn", []string{"xã Chiềng Mung", "xã Hát Lót", "xã Mường Bon"}, []string{"bản Củ", "bản Nà Sản", "bản Hịa"}, []string{"Thái", "Thái", "Kinh"}, "05", false, []string{"Bệnh viện Đa khoa huyện Mai Sơn"}},
		{"14", "huyện Bắc Yên", []string{"xã Hang Chú", "xã Xím Vàng", "xã Tà Xùa"}, []string{"bản Hang Chú", "bản Xím Vàng", "bản Trò A"}, []string{"Mông"}, "05", false, []string{"Bệnh viện Đa khoa huyện Bắc Yên"}},
		{"11", "huyện Điện Biên", []string{"xã Thanh Xương", "xã Noong Luống", "xã Thanh Chăn"}, []string{"bản Noong Ứng", "bản Pa Pốm", "thôn Tân Ngoại"}, []string{"Thái", "Thái", "Kinh"}, "04", false, []string{"Trung tâm Y tế huyện Điện Biên"}},
		{"11", "huyện Tủa Chùa", []string{"xã Sín Chải", "xã Tả Sìn Thàng", "xã Huổi Só"}, []string{"bản Sín Chải", "bản Tả Sìn Thàng", "bản Háng Á"}, []string{"Mông"}, "04", false, []string{"Trung tâm Y tế huyện Tủa Chùa"}},
		{"15", "huyện Văn Yên", []string{"xã Đại Sơn", "xã Viễn Sơn", "xã Mỏ Vàng"}, []string{"thôn Khe Lép", "thôn Khe Ngõa", "thôn Làng Lạnh"}, []string{"Dao", "Dao", "Kinh", "Tày"}, "06", false, []string{"Bệnh viện Đa khoa huyện Văn Yên"}},
		{"15", "huyện Mù Cang Chải", []string{"xã La Pán Tẩn", "xã Chế Cu Nha", "xã Púng Luông"}, []string{"bản Dế Xu Phình", "bản La Pán Tẩn", "bản Chế Cu Nha"}, []string{"Mông"}, "06", false, []string{"Bệnh viện Đa khoa huyện Mù Cang Chải"}},
		{"66", "huyện Buôn Đôn", []string{"xã Ea Wer", "xã Krông Na", "xã Ea Huar"}, []string{"buôn Trí", "buôn Đôn", "buôn Ea Mar"}, []string{"Ê Đê", "Ê Đê", "Kinh"}, "24", false, []string{"Trung tâm Y tế huyện Buôn Đôn"}},
		{"66", "huyện Krông Pắc", []string{"xã Ea Yông", "xã Hòa An", "xã Ea Kly"}, []string{"buôn Kplăng", "thôn 3", "buôn Ea Kly"}, []string{"Ê Đê", "Kinh", "Kinh"}, "24", false, []string{"Trung tâm Y tế huyện Krông Pắc"}},
		{"66", "thành phố Buôn Ma Thuột", []string{"phường Tân Lợi", "xã Ea Tu", "phường Thành Nhất"}, []string{"buôn Ako Dhông", "tổ dân phố 4", "buôn Kô Tam"}, []string{"Ê Đê", "Kinh", "Kinh"}, "24", false, []string{"Bệnh viện Đa khoa vùng Tây Nguyên"}},
		{"94", "huyện Trần Đề", []string{"xã Lịch Hội Thượng", "xã Đại Ân 2", "xã Trung Bình"}, []string{"ấp Bưng Sa", "ấp Tắc Bướm", "ấp Đầu Giồng"}, []string{"Khmer", "Khmer", "Kinh"}, "36", false, []string{"Trung tâm Y tế huyện Trần Đề"}},
		{"94", "thị xã Vĩnh Châu", []string{"phường Khánh Hòa", "xã Lai Hòa", "xã Vĩnh Hải"}, []string{"ấp Sở Tại", "khóm Biển Dưới", "ấp Prey Chóp"}, []string{"Khmer", "Khmer", "Hoa", "Kinh"}, "36", false, []string{"Trung tâm Y tế thị xã Vĩnh Châu"}},
		{"84", "huyện Cầu Ngang", []string{"xã Kim Hòa", "xã Long Sơn", "xã Nhị Trường"}, []string{"ấp Sóc Chùa", "ấp Bông Ven", "ấp Chông Bát"}, []string{"Khmer", "Khmer", "Kinh"}, "33", false, []string{"Trung tâm Y tế huyện Cầu Ngang"}},
		{"84", "huyện Trà Cú", []string{"xã Ngãi Xuyên", "xã Phước Hưng", "xã Tập Sơn"}, []string{"ấp Chợ", "ấp Ba Cụm", "ấp Trà Sết"}, []string{"Khmer", "Kinh"}, "33", false, []string{"Trung tâm Y tế huyện Trà Cú"}},
		{"91", "huyện Gò Quao", []string{"xã Định An", "xã Vĩnh Hòa Hưng Bắc", "xã Vĩnh Tuy"}, []string{"ấp Hòa An", "ấp Phước Thạnh", "ấp Vĩnh Phước"}, []string{"Khmer", "Kinh", "Kinh"}, "37", false, []string{"Trung tâm Y tế huyện Gò Quao"}},
		{"01", "quận Cầu Giấy", []string{"phường Dịch Vọng", "phường Nghĩa Đô", "phường Quan Hoa"}, nil, []string{"Kinh"}, "01", true, []string{"Bệnh viện Phụ sản Hà Nội", "Bệnh viện E"}},
		{"01", "huyện Đông Anh", []string{"xã Uy Nỗ", "xã Vân Nội", "xã Kim Chung"}, []string{"thôn Cổ Dương", "thôn Đình Trung", "xóm Hậu"}, []string{"Kinh"}, "01", false, []string{"Bệnh viện Đa khoa Đông Anh"}},
		{"79", "quận 3", []string{"phường Võ Thị Sáu", "phường 9", "phường 11"}, nil, []string{"Kinh", "Kinh", "Hoa"}, "02", true, []string{"Bệnh viện Từ Dũ", "Bệnh viện Hùng Vương"}},
		{"79", "huyện Củ Chi", []string{"xã Tân Thông Hội", "xã An Nhơn Tây", "xã Phước Vĩnh An"}, []string{"ấp Ba Sa", "ấp Chợ Cũ", "ấp 3"}, []string{"Kinh"}, "02", false, []string{"Bệnh viện Đa khoa khu vực Củ Chi"}},
		{"34", "huyện Vũ Thư", []string{"xã Song An", "xã Minh Khai", "xã Tân Hòa"}, []string{"thôn Trung An", "thôn Thượng Hộ", "thôn Đồng Thanh"}, []string{"Kinh"}, "15", false, []string{"Bệnh viện Đa khoa huyện Vũ Thư"}},
		{"36", "huyện Hải Hậu", []string{"xã Hải Hưng", "xã Hải Đông", "thị trấn Yên Định"}, []string{"xóm 5", "xóm Nam Hưng", "tổ dân phố 3"}, []string{"Kinh"}, "16", false, []string{"Bệnh viện Đa khoa huyện Hải Hậu"}},
		{"38", "huyện Bá Thước", []string{"xã Lũng Cao", "xã Thành Sơn", "xã Lương Ngoại"}, []string{"bản Son", "bản Kho Mường", "thôn Đôn"}, []string{"Mường", "Thái", "Kinh"}, "17", false, []string{"Bệnh viện Đa khoa huyện Bá Thước"}},
		{"38", "huyện Quảng Xương", []string{"xã Quảng Nhân", "xã Quảng Hải", "xã Quảng Thủy"}, []string{"thôn Nam Khê", "thôn Bắc Trung", "thôn 4"}, []string{"Kinh"}, "17", false, []string{"Bệnh viện Đa khoa huyện Quảng Xương"}},
		{"17", "huyện Mai Châu", []string{"xã Chiềng Châu", "xã Vạn Mai", "xã Nà Phòn"}, []string{"bản Lác", "bản Pom Coọng", "xóm Văn"}, []string{"Thái", "Thái", "Mường"}, "11", false, []string{"Trung tâm Y tế huyện Mai Châu"}},
		{"46", "thành phố Huế", []string{"phường Phú Hội", "phường Vĩnh Ninh", "phường Thủy Biều"}, nil, []string{"Kinh"}, "19", true, []string{"Bệnh viện Trung ương Huế"}},
		{"48", "quận Hải Châu", []string{"phường Thạch Thang", "phường Hòa Cường Bắc", "phường Phước Ninh"}, nil, []string{"Kinh"}, "20", true, []string{"Bệnh viện Phụ sản - Nhi Đà Nẵng"}},
		{"92", "quận Ninh Kiều", []string{"phường An Hòa", "phường Tân An", "phường Xuân Khánh"}, nil, []string{"Kinh", "Kinh", "Hoa", "Khmer"}, "36", true, []string{"Bệnh viện Phụ sản thành phố Cần Thơ"}},
		{"20", "huyện Cao Lộc", []string{"xã Thụy Hùng", "xã Hải Yến", "xã Gia Cát"}, []string{"thôn Nà Tâm", "thôn Pò Nghiều", "thôn Khòn Pát"}, []string{"Nùng", "Tày", "Kinh"}, "08", false, []string{"Trung tâm Y tế huyện Cao Lộc"}},
		{"08", "huyện Na Hang", []string{"xã Khâu Tinh", "xã Côn Lôn", "xã Thanh Tương"}, []string{"thôn Nà Tang", "thôn Khuổi Xoan", "thôn Bản Lục"}, []string{"Tày", "Dao", "Tày"}, "07", false, []string{"Trung tâm Y tế huyện Na Hang"}},
		{"04", "huyện Trùng Khánh", []string{"xã Đàm Thủy", "xã Chí Viễn", "xã Phong Nặm"}, []string{"xóm Bản Giốc", "xóm Nà Chang", "xóm Pác Ngà"}, []string{"Tày", "Nùng"}, "08", false, []string{"Trung tâm Y tế huyện Trùng Khánh"}},
	}
}

// urbanStreets are street names for house-number addresses in cities.
func urbanStreets() []string {
	return []string{"Trần Hưng Đạo", "Lê Lợi", "Nguyễn Trãi", "Hai Bà Trưng", "Lý Thường Kiệt", "Phan Đình Phùng", "Nguyễn Văn Cừ", "Võ Văn Tần", "Xuân Thủy", "Hoàng Quốc Việt", "Cách Mạng Tháng Tám", "Điện Biên Phủ"}
}

// place is one commune of the table with its district and province.
type place struct {
	d       district
	commune string
}

// randomPlace draws a commune; with ethnicity set, one where that group
// lives (any commune when none matches).
func randomPlace(rng *rand.Rand, all []district, ethnicity string) place {
	var cands []district
	for _, d := range all {
		for _, e := range d.Ethnic {
			if e == ethnicity || ethnicity == "" {
				cands = append(cands, d)
				break
			}
		}
	}
	if len(cands) == 0 {
		cands = all
	}
	d := pick(rng, cands)
	return place{d: d, commune: pick(rng, d.Communes)}
}

// sameDistrictPlace draws another commune of p's district.
func sameDistrictPlace(rng *rand.Rand, p place) place {
	return place{d: p.d, commune: pick(rng, p.d.Communes)}
}

// provinceName writes the province part of an address as at date on:
// "tỉnh Nghệ An", "thành phố Hà Nội".
func provinceName(code string, on vn.Date) string {
	var p vn.Province
	var ok bool
	if on.Compare(vn.MergerDate) >= 0 {
		p, ok = vn.ProvinceSuccessor(code)
	} else {
		p, ok = vn.ProvinceByCode(code, vn.Date{Year: 2020})
	}
	if !ok {
		return "tỉnh " + code
	}
	if p.IsCity() {
		return "thành phố " + p.Name
	}
	return "tỉnh " + p.Name
}

// provinceIDCode returns the three-digit personal-id code of the province
// registering a birth at date on.
func provinceIDCode(code string, on vn.Date) string {
	if on.Compare(vn.MergerDate) >= 0 {
		if p, ok := vn.ProvinceSuccessor(code); ok {
			return p.IDCode
		}
	}
	if p, ok := vn.ProvinceByCode(code, vn.Date{Year: 2020}); ok {
		return p.IDCode
	}
	return "0" + code
}

// address writes "commune, district, province" as at date on: three levels
// before 1 July 2025, two levels ("xã …, tỉnh …") from then on.
func (p place) address(on vn.Date) string {
	prov := provinceName(p.d.Province, on)
	if on.Compare(vn.MergerDate) >= 0 {
		return p.commune + ", " + prov
	}
	return p.commune + ", " + p.d.Name + ", " + prov
}

// residence prefixes the address with a village or a house number.
func (p place) residence(rng *rand.Rand, on vn.Date) string {
	if len(p.d.Villages) == 0 || p.d.Urban && rng.IntN(2) == 0 {
		s := fmt.Sprintf("số %d đường %s, %s", 1+rng.IntN(280), pick(rng, urbanStreets()), p.address(on))
		if len([]rune(s)) <= 62 {
			return s
		}
		if len(p.d.Villages) == 0 {
			return fmt.Sprintf("tổ dân phố %d, %s", 1+rng.IntN(30), p.address(on))
		}
	}
	return pick(rng, p.d.Villages) + ", " + p.address(on)
}

// office is the people's committee of the commune: "Ủy ban nhân dân xã Tà
// Cạ, huyện Kỳ Sơn, tỉnh Nghệ An" (abbreviated "UBND" when short is set or
// the name is long).
func (p place) office(on vn.Date, short bool) string {
	full := "Ủy ban nhân dân " + p.address(on)
	if short || len([]rune(full)) > 56 {
		return "UBND " + p.address(on)
	}
	return full
}

// communeTitle is the commune name for the place-and-date line: "Xã Tà Cạ".
func (p place) communeTitle() string {
	return firstUpper(p.commune)
}

// communeBare is the commune's proper name without its kind ("Tà Cạ").
func (p place) communeBare() string {
	for _, k := range []string{"thị trấn ", "xã ", "phường "} {
		if s, ok := strings.CutPrefix(p.commune, k); ok {
			return s
		}
	}
	return p.commune
}

// birthPlace writes a place of birth: a health station, hospital or the
// commune itself.
func (p place) birthPlace(rng *rand.Rand, on vn.Date, born vn.Date) string {
	prov := provinceName(p.d.Province, on)
	switch {
	case born.Year < 1990 || rng.IntN(4) == 0:
		return p.address(on)
	case rng.IntN(2) == 0:
		return "Trạm y tế " + p.address(on)
	default:
		return pick(rng, p.d.Hospitals) + ", " + prov
	}
}

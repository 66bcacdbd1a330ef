package synth

import (
	"math/rand/v2"
	"strings"
)

// nameStyle is how one ethnic group builds personal names.
type nameStyle struct {
	surnames      []string
	maleMiddle    []string
	femaleMiddle  []string
	maleGiven     []string
	femaleGiven   []string
	childOfMother bool // the child takes the mother's family name (Ê Đê)
	prefixGiven   bool // "Y"/"H'" before the given name, family name last (Ê Đê)
}

// nameStyleFor returns the naming conventions of an ethnic group; groups
// without their own table use Kinh-style names with their usual surnames.
func nameStyleFor(ethnicity string) nameStyle {
	kinhMaleMiddle := []string{"Văn", "Văn", "Văn", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quang", "Công", "Xuân", "Đình", "Quốc", "Bá", "Tuấn", "Trọng", "Mạnh", "Thế"}
	kinhFemaleMiddle := []string{"Thị", "Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Phương", "Kim", "Thùy", "Hồng", "Bảo", "Mỹ", "Diệu", "Khánh", "Hoài"}
	kinhMale := []string{"Anh", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Huy", "Khánh", "Long", "Mạnh", "Nam", "Phong", "Quân", "Sơn", "Thắng", "Tuấn", "Việt", "Vinh", "Trung", "Hiếu", "Đạt", "Lộc", "Nghĩa", "Toàn", "Tú", "Thịnh", "Khoa", "Kiên", "Lâm", "Quý", "Tùng", "Duy", "Hoàng", "Phúc", "Đông", "Nhật", "Cảnh", "Hưởng", "Thụy", "Khải", "Lợi", "Sỹ", "Tiến", "Trí", "Vũ", "Đăng", "Nguyên", "Hòa", "Chiến", "Quyết"}
	kinhFemale := []string{"Vân", "Lan", "Hương", "Hoa", "Hà", "Linh", "Mai", "Ngọc", "Nhung", "Oanh", "Phương", "Thảo", "Trang", "Tuyết", "Yến", "Hằng", "Hạnh", "Huyền", "Loan", "Thủy", "Hòa", "Xuân", "Diệp", "Quỳnh", "Ánh", "Nguyệt", "Nga", "Ngân", "Thư", "Vy", "Trâm", "Uyên", "Dung", "Liễu", "Khuê", "Hiền", "Nhàn", "Duyên", "Gấm", "Lụa", "Nở", "Thoa", "Thúy", "Mỹ", "Bích", "Chi", "Giang", "Hảo", "Lệ", "Tâm"}
	kinh := nameStyle{
		surnames:     []string{"Nguyễn", "Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Trần", "Lê", "Lê", "Phạm", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trịnh", "Đào", "Mai", "Cao", "Tạ", "Lương", "Chu", "Quách", "Đoàn", "Tô", "Khổng"},
		maleMiddle:   kinhMaleMiddle,
		femaleMiddle: kinhFemaleMiddle,
		maleGiven:    kinhMale,
		femaleGiven:  kinhFemale,
	}
	switch ethnicity {
	case "Mông":
		return nameStyle{
			surnames:     []string{"Giàng", "Sùng", "Vàng", "Lý", "Thào", "Hầu", "Mùa", "Vừ", "Lầu", "Sình", "Hạng", "Ly", "Tráng", "Cứ"},
			maleMiddle:   []string{"A", "A", "A", "Seo", "Mí", "Chẩn"},
			femaleMiddle: []string{"Thị", "Thị", "Mí", "Thị"},
			maleGiven:    []string{"Páo", "Chứ", "Dế", "Sính", "Pó", "Chá", "Lử", "Vư", "Nhà", "Xá", "Chư", "Dình", "Lồng", "Tủa", "Giống", "Nủ", "Khua", "Sồng", "Phềnh", "Cở"},
			femaleGiven:  []string{"Mỷ", "Dua", "Sua", "Chá", "Mai", "Súa", "Mua", "Xúa", "Pằng", "Dở", "Say", "Chu", "Và", "Dớ", "Ly", "Sểnh", "Pàng", "Ca"},
		}
	case "Thái":
		return nameStyle{
			surnames:     []string{"Lò", "Lường", "Cầm", "Quàng", "Hà", "Vi", "Tòng", "Lù", "Điêu", "Lộc", "Sầm", "Kha", "Mè", "Lò", "Lường"},
			maleMiddle:   []string{"Văn"},
			femaleMiddle: []string{"Thị"},
			maleGiven:    []string{"Pấng", "Ín", "Ọn", "Khăm", "Phăn", "Bun", "Xiêng", "Thoong", "Panh", "Hặc", "Piềng", "Ón", "Chiến", "Tiến", "Quyết", "Thanh", "Sương", "Inh", "Ngân", "Tươi"},
			femaleGiven:  []string{"Xuân", "Én", "Hương", "Ngọc", "Ánh", "Thoa", "Panh", "Bua", "Kim", "Ọm", "Ún", "Xiêm", "Phong", "Lả", "Bình", "Hoa", "Ín", "Duyên"},
		}
	case "Dao":
		return nameStyle{
			surnames:     []string{"Triệu", "Bàn", "Đặng", "Lý", "Chảo", "Phùng", "Tẩn", "Sần", "Chìu", "Triệu", "Bàn"},
			maleMiddle:   []string{"Tài", "Văn", "Láo", "Seo", "Quáng", "Kim", "Văn"},
			femaleMiddle: []string{"Thị", "Mý", "Thị", "Thị"},
			maleGiven:    []string{"Vần", "Quẩy", "Phin", "Chòi", "Chản", "Sài", "Lở", "Sinh", "Tòng", "Diu", "Kiềm", "Phú", "Lìn", "Chiêu", "Phấy"},
			femaleGiven:  []string{"Mây", "Mẩy", "Lở", "Xiêm", "Chiêu", "Chài", "Nái", "Vẩy", "Dần", "Kiều", "San", "Tả", "Chằn", "Phây"},
		}
	case "Ê Đê":
		return nameStyle{
			surnames:      []string{"Niê", "Êban", "Mlô", "Byă", "Adrơng", "Ayun", "Buôn Yă", "Hđơk", "Kpă", "Knul", "Ksơr", "Niê Kdăm", "Êcăm", "Niê"},
			maleMiddle:    []string{"Y"},
			femaleMiddle:  []string{"H'"},
			maleGiven:     []string{"Bih", "Moan", "Bhim", "Ngông", "Thuôn", "Khuê", "Sơn", "Kông", "Jôn", "Lang", "Dhăm", "Phen", "Wơn", "Ksor", "Blin", "Thông"},
			femaleGiven:   []string{"Hen", "Zawut", "Bia", "Blúp", "Yâo", "Wơn", "Nhi", "Lan", "Dju", "Mai", "Ngơ", "Khăm", "Rin", "Đơ", "Ngel"},
			childOfMother: true,
			prefixGiven:   true,
		}
	case "Khmer":
		return nameStyle{
			surnames:     []string{"Thạch", "Thạch", "Danh", "Danh", "Sơn", "Kim", "Lâm", "Lý", "Chau", "Huỳnh", "Kiên", "Trương"},
			maleMiddle:   []string{"", "", "Văn", "Ngọc"},
			femaleMiddle: []string{"Thị", "Thị", ""},
			maleGiven:    []string{"Sơn", "Sô Phanh", "Sóc", "Rinh", "Pho", "Chanh Đa", "Sô Kha", "Kim Sên", "Đa Ra", "Mơ Ni", "Sa Ra", "Thành", "Sa Rinh", "Khum", "Ria"},
			femaleGiven:  []string{"Sa Rây", "Sa Ri", "Sà Phia", "Sà Ly", "Sóc Khênh", "Mỹ Lệ", "Sa Vy", "Chanh Thu", "Ni", "Sà Rết", "Thi Da", "Kim Hoa", "Phanh"},
		}
	case "Tày":
		kinh.surnames = []string{"Hoàng", "Nông", "Ma", "Lục", "Bế", "Đinh", "Hà", "Hoàng", "Nông", "Triệu", "Lường", "Vi"}
	case "Nùng":
		kinh.surnames = []string{"Nông", "Hoàng", "Lăng", "Mông", "Vi", "Lương", "Chu", "Nông", "Lành", "Hứa"}
	case "Mường":
		kinh.surnames = []string{"Bùi", "Đinh", "Quách", "Hà", "Bùi", "Đinh", "Xa", "Cao", "Phạm"}
	case "Hoa":
		kinh.surnames = []string{"Lâm", "Trương", "Quách", "Lý", "Mã", "Tăng", "Hứa", "Diệp", "Lương", "Trần", "Hồng", "La"}
		kinh.maleMiddle = []string{"Quốc", "Vĩnh", "Gia", "Tuấn", "Kiến", "Văn"}
		kinh.femaleMiddle = []string{"Mỹ", "Ngọc", "Thị", "Tú", "Lệ"}
	}
	return kinh
}

// personName builds a full name (title case, canonical spelling). surname,
// when not empty, is the family name to use (inherited from a parent).
func personName(rng *rand.Rand, ethnicity string, female bool, surname string) string {
	st := nameStyleFor(ethnicity)
	inherited := surname != ""
	if !inherited {
		surname = pick(rng, st.surnames)
	}
	middle, given := pick(rng, st.maleMiddle), pick(rng, st.maleGiven)
	if female {
		middle, given = pick(rng, st.femaleMiddle), pick(rng, st.femaleGiven)
	}
	if st.prefixGiven {
		// Ê Đê: "Y Bih Niê", "H'Hen Niê"; sometimes the given name alone.
		first := middle + given
		if middle == "Y" {
			first = "Y " + given
		}
		if middle == "Y" && !inherited && rng.IntN(8) == 0 {
			return first // "Y Ksor": a man known by his given name only
		}
		return first + " " + surname
	}
	// Kinh and most groups: sometimes a double given name ("Thị Thu Hà").
	if !female && ethnicity == "Kinh" && rng.IntN(8) == 0 {
		given = pick(rng, st.maleGiven) + " " + given
	}
	return joinNonEmpty(surname, middle, given)
}

// surnameOf returns the family name of a full name built by personName.
func surnameOf(ethnicity, full string) string {
	st := nameStyleFor(ethnicity)
	if st.prefixGiven {
		for _, s := range st.surnames {
			if strings.HasSuffix(full, " "+s) {
				return s
			}
		}
		return ""
	}
	w := strings.Fields(full)
	if len(w) == 0 {
		return ""
	}
	return w[0]
}

func joinNonEmpty(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}

// pick returns a uniformly chosen element.
func pick[T any](rng *rand.Rand, xs []T) T {
	return xs[rng.IntN(len(xs))]
}

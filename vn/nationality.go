package vn

import "sync"

// nationalities are the canonical Vietnamese short names of the nationalities
// most often met in civil-status registers, "Việt Nam" first, plus
// "Không quốc tịch" (stateless). The list is deliberately short: a value
// outside it is sent to review rather than guessed.
var nationalities = [...]string{
	"Việt Nam", "Không quốc tịch",
	"Trung Quốc", "Đài Loan (Trung Quốc)", "Lào", "Campuchia", "Thái Lan", "Hàn Quốc",
	"Triều Tiên", "Nhật Bản", "Hoa Kỳ", "Pháp", "Đức", "Anh", "Nga", "Ôxtrâylia",
	"Canada", "Singapore", "Malaysia", "Philippines", "Indonesia", "Myanmar", "Ấn Độ",
	"Ba Lan", "Séc", "Slovakia", "Hungary", "Bungari", "Rumani", "Ukraina", "Cu Ba",
	"Italia", "Tây Ban Nha", "Hà Lan", "Bỉ", "Thụy Điển", "Thụy Sĩ", "Na Uy",
	"Đan Mạch", "Phần Lan", "Niu Di-lân", "Mông Cổ", "Braxin",
}

// nationalityAliases maps other spellings, English names and the
// transliterations of official documents to the canonical name.
var nationalityAliases = [...][2]string{
	{"VN", "Việt Nam"}, {"Vietnam", "Việt Nam"}, {"Vietnamese", "Việt Nam"},
	{"CHXHCN Việt Nam", "Việt Nam"}, {"Cộng hòa xã hội chủ nghĩa Việt Nam", "Việt Nam"},
	{"Người Việt Nam", "Việt Nam"},
	{"Không có quốc tịch", "Không quốc tịch"},
	{"Trung Hoa", "Trung Quốc"}, {"China", "Trung Quốc"},
	{"Đài Loan", "Đài Loan (Trung Quốc)"}, {"Taiwan", "Đài Loan (Trung Quốc)"},
	{"Laos", "Lào"}, {"Cam-pu-chia", "Campuchia"}, {"Căm-pu-chia", "Campuchia"},
	{"Kampuchia", "Campuchia"}, {"Cambodia", "Campuchia"},
	{"Thailand", "Thái Lan"}, {"Đại Hàn", "Hàn Quốc"}, {"Hàn", "Hàn Quốc"},
	{"Korea", "Hàn Quốc"}, {"Nhật", "Nhật Bản"}, {"Japan", "Nhật Bản"},
	{"Mỹ", "Hoa Kỳ"}, {"USA", "Hoa Kỳ"}, {"Hoa Kì", "Hoa Kỳ"},
	{"France", "Pháp"}, {"Germany", "Đức"}, {"Anh Quốc", "Anh"},
	{"Vương quốc Anh", "Anh"}, {"Liên bang Nga", "Nga"}, {"Russia", "Nga"},
	{"Úc", "Ôxtrâylia"}, {"Australia", "Ôxtrâylia"}, {"Ô-xtrây-li-a", "Ôxtrâylia"},
	{"Ca-na-đa", "Canada"}, {"Xinh-ga-po", "Singapore"}, {"Ma-lai-xi-a", "Malaysia"},
	{"Phi-líp-pin", "Philippines"}, {"In-đô-nê-xi-a", "Indonesia"},
	{"Mi-an-ma", "Myanmar"}, {"India", "Ấn Độ"}, {"Cộng hòa Séc", "Séc"},
	{"Xlô-va-ki-a", "Slovakia"}, {"Hung-ga-ri", "Hungary"}, {"Bulgaria", "Bungari"},
	{"Romania", "Rumani"}, {"Ru-ma-ni", "Rumani"}, {"U-crai-na", "Ukraina"},
	{"Cuba", "Cu Ba"}, {"Ý", "Italia"}, {"I-ta-li-a", "Italia"},
	{"New Zealand", "Niu Di-lân"}, {"Brazil", "Braxin"},
	{"Bra-xin", "Braxin"},
}

// nationalityMinScore is the lowest fuzzy score MatchNationality accepts.
const nationalityMinScore = 0.8

var nationalityMatcher = sync.OnceValue(func() nameMatcher {
	return newNameMatcher(nationalities[:], nationalityAliases[:])
})

// Nationalities returns the canonical nationality names MatchNationality
// knows, "Việt Nam" first.
func Nationalities() []string {
	out := make([]string, len(nationalities))
	copy(out, nationalities[:])
	return out
}

// MatchNationality finds the known nationality nearest to s ("Viet Nam",
// "VIỆT NAM", "Vệt Nam" → "Việt Nam"; "Mỹ" → "Hoa Kỳ"), with a leading
// "quốc tịch" ignored. Scores are as for MatchEthnicity.
func MatchNationality(s string) (canonical string, score float64, ok bool) {
	s = stripLeadingWords(s, "quốc tịch")
	return nationalityMatcher().match(s, nationalityMinScore)
}

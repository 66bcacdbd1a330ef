package vn

// phrases are the fixed expressions of civil-status text: the words of
// administrative units and offices, of the places where people are born and
// die, and of the usual causes of death. Every one has at least two words,
// so that a single word (a place's name) is never taken for one of them.
var phrases = [...]string{
	// Administrative units and offices.
	"Uỷ ban nhân dân", "Hội đồng nhân dân", "tổ dân phố", "khu dân cư",
	"khu phố", "thị trấn", "thị xã", "thành phố",
	// Where people are born and die.
	"Trung tâm Y tế", "Trạm y tế", "Bệnh viện Đa khoa", "Bệnh viện Phụ sản",
	"Bệnh viện Nhi", "Bệnh viện Sản Nhi", "Nhà hộ sinh", "Phòng khám Đa khoa",
	"Tại nhà", "Tại gia đình", "Trên đường đi cấp cứu",
	// Causes of death.
	"Ung thư phổi", "Ung thư gan", "Ung thư dạ dày", "Ung thư vú", "Ung thư máu",
	"Ung thư xương", "Ung thư đại tràng", "Ung thư cổ tử cung", "Ung thư vòm họng",
	"Ung thư thực quản", "Ung thư tuỵ", "Ung thư", "Đột quỵ", "Đột tử",
	"Viêm phổi", "Lao phổi", "Viêm gan", "Xơ gan", "Suy tim", "Suy thận",
	"Suy hô hấp", "Suy đa tạng", "Già yếu", "Tuổi già", "Bệnh tuổi già",
	"Nhồi máu cơ tim", "Tai biến mạch máu não", "Tăng huyết áp", "Cao huyết áp",
	"Đái tháo đường", "Tiểu đường", "Sốt xuất huyết", "Tai nạn giao thông",
	"Tai nạn lao động", "Đuối nước", "Ngộ độc thực phẩm", "Sốc nhiễm khuẩn",
	"Bệnh hiểm nghèo",
}

// Phrases returns the fixed expressions of civil-status text (a fresh
// copy), written as they are printed.
func Phrases() []string {
	out := make([]string, len(phrases))
	copy(out, phrases[:])
	return out
}

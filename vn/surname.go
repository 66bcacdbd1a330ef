package vn

// Surname is a family name with its approximate share of the population, in
// percent. The shares only need to be right in order of magnitude: they
// decide which of two family names that differ only by their marks is the
// likelier reading ("Nguyên" is a real family name, but "Nguyễn" is thousands
// of times more common).
type Surname struct {
	Name  string
	Share float64
}

// surnames lists Vietnamese family names: the Kinh names that cover nearly
// the whole population, with the shares commonly cited from national
// surveys (Nguyễn about 38 %, Trần 12 %, Lê 9.5 %, …), then the family
// names of the larger ethnic minorities (Tày, Thái, Mường, Khmer, Mông, Dao,
// Nùng, Ê Đê, Gia Rai, …) at the small shares their populations give them.
// Shares of the rarer names are estimates (0.01–0.3 %).
var surnames = [...]Surname{
	// Kinh, most frequent first.
	{"Nguyễn", 38.4}, {"Trần", 12.1}, {"Lê", 9.5}, {"Phạm", 7}, {"Hoàng", 3.2},
	{"Huỳnh", 1.9}, {"Phan", 4.5}, {"Vũ", 2}, {"Võ", 1.9}, {"Đặng", 2.1},
	{"Bùi", 2}, {"Đỗ", 1.4}, {"Hồ", 1.3}, {"Ngô", 1.3}, {"Dương", 1},
	{"Lý", 0.5}, {"Đinh", 0.3}, {"Trịnh", 0.3}, {"Đào", 0.3}, {"Mai", 0.3},
	{"Cao", 0.3}, {"Lương", 0.3}, {"Lưu", 0.2}, {"Trương", 0.3}, {"Đoàn", 0.3},
	{"Tạ", 0.1}, {"Chu", 0.2}, {"Quách", 0.1}, {"Tô", 0.1}, {"Lâm", 0.2},
	{"Hà", 0.3}, {"Thái", 0.1}, {"La", 0.05}, {"Kiều", 0.05}, {"Khổng", 0.03},
	{"Tăng", 0.05}, {"Vương", 0.1}, {"Nghiêm", 0.05}, {"Phùng", 0.1}, {"Mạc", 0.05},
	{"Đàm", 0.05}, {"Lại", 0.05}, {"Từ", 0.05}, {"Thân", 0.05}, {"Tống", 0.05},
	{"Giáp", 0.03}, {"Kim", 0.05}, {"Âu", 0.02}, {"Doãn", 0.03}, {"Diệp", 0.03},
	{"Khúc", 0.02}, {"Hứa", 0.05}, {"Tiêu", 0.02}, {"Ông", 0.02}, {"Viên", 0.01},
	{"Quan", 0.03}, {"Bạch", 0.02}, {"Lữ", 0.02}, {"Lã", 0.02}, {"Phí", 0.02},
	{"Mẫn", 0.01}, {"Ninh", 0.02}, {"Cù", 0.01}, {"Nhữ", 0.01}, {"Chử", 0.05},
	{"Văn", 0.05}, {"Thạch", 0.1}, {"Lục", 0.1}, {"Giang", 0.02}, {"Ung", 0.01},
	{"Châu", 0.05}, {"Nguyên", 0.005}, {"Đồng", 0.02}, {"Triệu", 0.1}, {"Ma", 0.05},
	{"Mã", 0.02},
	// Tày, Nùng, Thái, Mường.
	{"Nông", 0.3}, {"Bế", 0.05}, {"Lăng", 0.02}, {"Lò", 0.2},
	{"Cầm", 0.1}, {"Vi", 0.1}, {"Lường", 0.1}, {"Quàng", 0.03}, {"Tòng", 0.02},
	{"Lù", 0.02}, {"Điêu", 0.02}, {"Sầm", 0.02}, {"Kha", 0.02}, {"Mè", 0.01},
	{"Bạc", 0.02}, {"Bàn", 0.05},
	// Mông, Dao.
	{"Giàng", 0.2}, {"Sùng", 0.15}, {"Vàng", 0.15}, {"Thào", 0.15}, {"Hầu", 0.03},
	{"Mùa", 0.03}, {"Vừ", 0.03}, {"Lầu", 0.02}, {"Sình", 0.01}, {"Hạng", 0.02},
	{"Ly", 0.1}, {"Tráng", 0.02}, {"Chảo", 0.02}, {"Tẩn", 0.02}, {"Chìu", 0.01},
	{"Cứ", 0.01},
	// Khmer (names taken as family names since the 20th century).
	{"Sơn", 0.1}, {"Danh", 0.05}, {"Chau", 0.02}, {"Kiên", 0.02},
	// Ê Đê, Gia Rai, Ba Na, Mnông: the family name usually comes last.
	{"Niê", 0.02}, {"Ksor", 0.02}, {"Siu", 0.02}, {"Rơ Châm", 0.01}, {"Nay", 0.01},
	{"Rmah", 0.01}, {"Kpă", 0.01}, {"Êban", 0.01}, {"Mlô", 0.01}, {"Byă", 0.01},
	{"Ayun", 0.01}, {"Hđơk", 0.01}, {"Knul", 0.01}, {"Ksơr", 0.01}, {"Adrơng", 0.01},
}

// Surnames returns the table of family names (a fresh copy). A name used
// by several groups is listed once.
func Surnames() []Surname {
	out := make([]Surname, len(surnames))
	copy(out, surnames[:])
	return out
}

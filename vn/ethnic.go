package vn

import (
	"strings"
	"sync"
)

// ethnicities is the official list of the 54 recognised ethnic groups, in the
// spelling of domain.md (order as there).
var ethnicities = [54]string{
	"Kinh", "Tày", "Thái", "Mường", "Khmer", "Hoa", "Nùng", "Mông", "Dao", "Gia Rai",
	"Ê Đê", "Ba Na", "Sán Chay", "Chăm", "Cơ Ho", "Xơ Đăng", "Sán Dìu", "Hrê", "Ra Glai", "Mnông",
	"Thổ", "Stiêng", "Khơ Mú", "Bru-Vân Kiều", "Cơ Tu", "Giáy", "Tà Ôi", "Mạ", "Giẻ-Triêng", "Co",
	"Chơ Ro", "Xinh Mun", "Hà Nhì", "Chu Ru", "Lào", "La Chí", "Kháng", "Phù Lá", "La Hủ", "La Ha",
	"Pà Thẻn", "Lự", "Ngái", "Chứt", "Lô Lô", "Mảng", "Cơ Lao", "Bố Y", "Cống", "Si La",
	"Pu Péo", "Rơ Măm", "Brâu", "Ơ Đu",
}

// Ethnicities returns the 54 recognised ethnic groups, canonical spelling
// (e.g. "Kinh", "Tày", "Mông", "Ê Đê"). The slice is a fresh copy.
func Ethnicities() []string {
	out := make([]string, len(ethnicities))
	copy(out, ethnicities[:])
	return out
}

// ethnicAliases maps other spellings and names found on registers to the
// canonical name. Keys are written naturally; they are compared through
// the matcher keys (see nameMatcher), so case, tone placement, spaces, hyphens and apostrophes do not
// matter. Sources: the official list (QĐ 121-TCTK/PPCĐ, 1979) gives these
// alternative names in brackets.
//
// "Mèo" is the historical (now considered pejorative) name for the Mông; old
// books written before the 1979 list use it, so it is accepted. "Việt" is the
// official alternative name of the Kinh. "Cao Lan" and "Sán Chỉ" are the two
// groups merged as Sán Chay.
var ethnicAliases = [...][2]string{
	{"Việt", "Kinh"},
	{"H'Mông", "Mông"},
	{"Hmông", "Mông"},
	{"Hmong", "Mông"},
	{"Mèo", "Mông"},
	{"Khơ-me", "Khmer"},
	{"Khơ Me", "Khmer"},
	{"Khmer Krom", "Khmer"},
	{"Khơ-me Crôm", "Khmer"},
	{"Cao Lan", "Sán Chay"},
	{"Sán Chỉ", "Sán Chay"},
	{"Sán Chí", "Sán Chay"},
	{"Jrai", "Gia Rai"},
	{"Jarai", "Gia Rai"},
	{"Ê-đê", "Ê Đê"},
	{"Êđê", "Ê Đê"},
	{"Rhadé", "Ê Đê"},
	{"Bana", "Ba Na"},
	{"Bahnar", "Ba Na"},
	{"Chàm", "Chăm"},
	{"Chăm Pa", "Chăm"},
	{"K'Ho", "Cơ Ho"},
	{"Koho", "Cơ Ho"},
	{"Kơ Ho", "Cơ Ho"},
	{"Sedang", "Xơ Đăng"},
	{"Xê Đăng", "Xơ Đăng"},
	{"H're", "Hrê"},
	{"Raglai", "Ra Glai"},
	{"M'Nông", "Mnông"},
	{"Mơ Nông", "Mnông"},
	{"Xtiêng", "Stiêng"},
	{"X'Tiêng", "Stiêng"},
	{"Khmu", "Khơ Mú"},
	{"Xá Cẩu", "Khơ Mú"},
	{"Bru Vân Kiều", "Bru-Vân Kiều"},
	{"Vân Kiều", "Bru-Vân Kiều"},
	{"Bru", "Bru-Vân Kiều"},
	{"Ca Tu", "Cơ Tu"},
	{"Katu", "Cơ Tu"},
	{"Nhắng", "Giáy"},
	{"Tà-ôi", "Tà Ôi"},
	{"Pa Cô", "Tà Ôi"},
	{"Gié Triêng", "Giẻ-Triêng"},
	{"Giẻ Triêng", "Giẻ-Triêng"},
	{"Gié-Triêng", "Giẻ-Triêng"},
	{"Xinh-mun", "Xinh Mun"},
	{"Hà Nhì Già", "Hà Nhì"},
	{"Xá Phó", "Phù Lá"},
	{"Lahu", "La Hủ"},
	{"Pà Hưng", "Pà Thẻn"},
	{"Lolo", "Lô Lô"},
	{"Rơ-măm", "Rơ Măm"},
	{"Tày Poọng", "Ơ Đu"},
	{"Thái Trắng", "Thái"},
	{"Thái Đen", "Thái"},
	{"Hán", "Hoa"},
	{"Người Hoa", "Hoa"},
	{"Chơ-ro", "Chơ Ro"},
	{"Chu-ru", "Chu Ru"},
	{"Cơ-lao", "Cơ Lao"},
	{"Lô-lô", "Lô Lô"},
	{"Mường Bi", "Mường"},
	{"Hoa (Hán)", "Hoa"},
	{"Kinh (Việt)", "Kinh"},
	{"Mông (H'Mông)", "Mông"},
}

// ethnicMinScore is the lowest fuzzy score MatchEthnicity accepts.
const ethnicMinScore = 0.75

var ethnicMatcher = sync.OnceValue(func() nameMatcher {
	return newNameMatcher(ethnicities[:], ethnicAliases[:])
})

// MatchEthnicity finds the recognised ethnic group nearest to s, tolerating
// OCR damage, missing diacritics, old/new tone placement, spacing, hyphens
// and apostrophes ("H'Mông"/"Hmông" → "Mông", "Khơ-me" → "Khmer",
// "Bru Vân Kiều" → "Bru-Vân Kiều") and a leading "dân tộc". It returns the
// canonical name, a score (ScoreExact for an exact or alias match,
// ScoreNoMarks for a diacritics-free match, lower for fuzzy matches) and
// whether the match is good and unambiguous enough to use.
func MatchEthnicity(s string) (canonical string, score float64, ok bool) {
	s = stripLeadingWords(s, "dân tộc")
	return ethnicMatcher().match(s, ethnicMinScore)
}

// stripLeadingWords removes a leading label (compared without diacritics or
// case) and the punctuation around it.
func stripLeadingWords(s, label string) string {
	s = strings.TrimSpace(NFC(s))
	want := compactFold(label)
	words := strings.Fields(s)
	for n := 1; n < len(words); n++ {
		if compactFold(strings.Join(words[:n], " ")) == want {
			s = strings.Join(words[n:], " ")
			break
		}
	}
	return strings.Trim(s, " :.,;")
}

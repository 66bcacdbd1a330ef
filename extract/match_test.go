package extract

import (
	"math"
	"testing"
)

// scanText scans text with a template of the set and returns the labels
// found, as "line:text" with their scores.
func scanText(t *testing.T, tp *Template, text string) map[string]float64 {
	t.Helper()
	sc := tp.scan(tokenizePage(pageFromText(text)))
	out := map[string]float64{}
	for _, m := range sc.matches {
		out[itoaLine(m.line)+":"+m.lab.text] = m.score
	}
	return out
}

func itoaLine(n int) string { return string(rune('0' + n)) }

func TestLabelMatching(t *testing.T) {
	s := loadSet(t)
	birth, _ := s.Template("birth/extract")
	register, _ := s.Template("birth/register")
	tests := []struct {
		name  string
		tp    *Template
		text  string
		label string  // "line:label text"
		score float64 // 0: must not be found; -1: any approximate score
	}{
		{"exact", birth, "Giới tính: Nam", "0:Giới tính", scoreExact},
		{"old tone placement", birth, "Quốc tịch: Việt Nam\nNơi cư trú: thôn Hoà", "1:Nơi cư trú", scoreExact},
		{"no marks", birth, "Gioi tinh: Nam", "0:Giới tính", scoreNoMarks},
		{"typo Sổ for Số", birth, "Sổ định danh cá nhân: 001", "0:Số định danh cá nhân", scoreNoMarks},
		{"wrong letter", birth, "Quê qnán: xã A", "0:Quê quán", -1},
		{"merged words", birth, "Giớitính: Nam", "0:Giới tính", scoreExact},
		{"colon glued to value", birth, "Giới tính:Nam Dân tộc:Kinh", "0:Dân tộc", scoreExact},
		{"mid-line fuzzy needs colon", birth, "Giới tính: Nam Dân tôx Kinh", "0:Dân tộc", 0},
		{"mid-line fuzzy with colon", birth, "Giới tính: Nam Dân tôx: Kinh", "0:Dân tộc", -1},
		{"short label mid-line", register, "Giấy tờ tùy thân: CCCD số: 001", "0:Số", 0},
		{"short label at line start", register, "Số: 12 Quyển số: 01/2019", "0:Số", scoreExact},
		{"short label with a number", register, "Số 12 Quyển số: 01/2019", "0:Số", scoreExact},
		{"short label without colon", register, "số nhà 12, phố Huế", "0:Số", 0},
		{"split across lines", birth, "Họ, chữ đệm, tên người\nmẹ: A", "0:Họ, chữ đệm, tên người mẹ", scoreExact},
		{"value word before a label", birth, "Nơi cư trú: xã Tà Cạ, tỉnh Nghệ An\nĐăng ký khai sinh tại: UBND", "1:Đăng ký khai sinh tại", scoreExact},
		{"longest label wins", birth, "Ngày, tháng, năm sinh: 01/01/2000", "0:Năm sinh", 0},
		{"value that looks like a label", birth, "Họ và tên: HỒ VĂN TÊN", "0:Họ và tên", scoreExact},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := scanText(t, tc.tp, tc.text)
			score, ok := got[tc.label]
			switch {
			case tc.score == 0 && ok:
				t.Errorf("%s found (%.2f); labels %v", tc.label, score, got)
			case tc.score == 0:
			case !ok:
				t.Errorf("%s not found; labels %v", tc.label, got)
			case tc.score < 0 && (score >= scoreNoMarks || score < 0.75):
				t.Errorf("%s score %.2f, want approximate", tc.label, score)
			case tc.score > 0 && math.Abs(score-tc.score) > 1e-9:
				t.Errorf("%s score %.2f, want %.2f", tc.label, score, tc.score)
			}
		})
	}
}

func TestMaxLabelDist(t *testing.T) {
	for _, tc := range []struct{ n, want int }{{2, 0}, {4, 0}, {5, 1}, {11, 1}, {12, 2}, {18, 3}, {30, 5}} {
		if got := maxLabelDist(tc.n); got != tc.want {
			t.Errorf("maxLabelDist(%d) = %d, want %d", tc.n, got, tc.want)
		}
	}
}

func TestTokenize(t *testing.T) {
	p := pageFromText("Giới tính:Nam Dân tộc : Kinh ......")
	toks := tokenizeLine(p.Lines[0])
	var texts []string
	for _, tk := range toks {
		texts = append(texts, tk.text)
	}
	want := []string{"Giới", "tính:", "Nam", "Dân", "tộc", "Kinh", "......"}
	if len(texts) != len(want) {
		t.Fatalf("tokens %q, want %q", texts, want)
	}
	for i := range want {
		if texts[i] != want[i] {
			t.Fatalf("tokens %q, want %q", texts, want)
		}
	}
	if !toks[1].colon || !toks[4].colon || toks[2].colon || !toks[6].leader || toks[5].leader {
		t.Errorf("colon/leader flags wrong: %+v", toks)
	}
	// "tính:Nam" is split with the word's box shared by characters.
	w := p.Lines[0].Words[1].BBox
	if toks[1].box[0] != w[0] || toks[2].box[2] != w[2] || toks[1].box[2] != toks[2].box[0] {
		t.Errorf("split boxes %v %v of %v", toks[1].box, toks[2].box, w)
	}
}

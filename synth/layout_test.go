package synth

import (
	"errors"
	"strings"
	"testing"
)

func testFaces(t *testing.T, family string) (*faceCache, geometry) {
	t.Helper()
	set, err := loadFontSet(nil, []string{family})
	if err != nil {
		t.Fatal(err)
	}
	fc := newFaceCache(set, family, renderDPI)
	t.Cleanup(fc.close)
	return fc, geometry{left: 250, right: pageW - 200, top: 200, bottom: pageH - 200, size: 13, spacing: 1.5, leader: leaderPeriods}
}

func TestLayoutRejectsMissingGlyph(t *testing.T) {
	fc, g := testFaces(t, "Liberation Serif")
	lines := []line{{kind: lineText, parts: []part{{text: "Họ và tên: 阮"}}}}
	_, err := layoutPage(fc, g, lines)
	if !errors.Is(err, ErrMissingGlyph) || !strings.Contains(err.Error(), "U+962E") {
		t.Fatalf("err = %v, want ErrMissingGlyph naming U+962E", err)
	}
}

func TestLayoutShrinksThenGivesUp(t *testing.T) {
	fc, g := testFaces(t, "FreeSerif")
	long := strings.TrimSpace(strings.Repeat("Nguyễn Thị Vân ", 6))
	lines := []line{{kind: lineText, parts: []part{{text: "Họ, chữ đệm, tên:"}, {text: long, key: "full_name", value: long}}}}
	res, err := layoutPage(fc, g, lines)
	if err != nil {
		t.Fatal(err)
	}
	if res.size >= g.size {
		t.Errorf("a too-long line kept size %.2f", res.size)
	}
	lines[0].parts[1].text = strings.Repeat(long, 3)
	if _, err := layoutPage(fc, g, lines); !errors.Is(err, errNoFit) {
		t.Fatalf("err = %v, want errNoFit", err)
	}
}

func TestLayoutLineText(t *testing.T) {
	fc, g := testFaces(t, "Liberation Serif")
	lines := []line{
		{kind: lineText, fill: true, parts: []part{
			{text: "Giới tính:"}, {text: "Nữ", key: "gender", value: "Nữ", lead: 2},
			{text: "Dân tộc:", tab: 0.35}, {text: "Kinh", key: "ethnicity", value: "Kinh"},
		}},
		{kind: lineDots},
		{kind: lineText, wrap: true, parts: []part{{text: "ghi bằng chữ: " + strings.Repeat("ngày hai mươi bảy ", 8)}}},
	}
	res, err := layoutPage(fc, g, lines)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.lines) < 3 || res.lines[0].text != "Giới tính: Nữ Dân tộc: Kinh" {
		t.Fatalf("lines = %+v", res.lines)
	}
	if !strings.HasPrefix(res.lines[1].text, "ghi bằng chữ: ngày") {
		t.Errorf("the dots line must not be a text line: %q", res.lines[1].text)
	}
	if len(res.fields) != 2 || res.fields[0].raw != "Nữ" || res.fields[1].box.Min.X < int(g.left+0.35*g.width()) {
		t.Errorf("fields = %+v", res.fields)
	}
	// leaders: before the value, between columns, to the end of the
	// line and the full dotted line
	if len(res.leaders) != 4 {
		t.Errorf("%d leader runs, want 4", len(res.leaders))
	}
	for _, l := range res.lines {
		if l.box.Max.X > int(g.right)+1 {
			t.Errorf("line %q overflows: %v", l.text, l.box)
		}
	}
}

func TestWrapPrefersCommas(t *testing.T) {
	fc, g := testFaces(t, "Liberation Serif")
	value := "ấp Phước Thạnh, xã Vĩnh Hòa Hưng Bắc, huyện Gò Quao, tỉnh Kiên Giang, ấp Phước Thạnh, xã Vĩnh Hòa Hưng Bắc, huyện Gò Quao, tỉnh Kiên Giang"
	lines := []line{{kind: lineText, wrap: true, fill: true, parts: []part{{text: "Nơi cư trú cuối cùng:"}, {text: value}}}}
	res, err := layoutPage(fc, g, lines)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for i, l := range res.lines {
		texts = append(texts, l.text)
		if i < len(res.lines)-1 && !strings.HasSuffix(l.text, ",") {
			t.Errorf("line %q does not break at a comma", l.text)
		}
	}
	if len(texts) < 2 {
		t.Fatalf("lines = %q, want the value wrapped", texts)
	}
	if got := strings.Join(texts, " "); got != "Nơi cư trú cuối cùng: "+value {
		t.Errorf("wrapped text %q lost words", got)
	}
	if res.size != g.size {
		t.Errorf("wrapping must not shrink the font: %.2f", res.size)
	}
}

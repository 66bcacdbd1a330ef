package extract

import (
	"errors"
	"testing"

	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/ocr"
)

func TestUserTemplateExtract(t *testing.T) {
	tp, err := ParseTemplate("adoption.yaml", []byte(minimalTemplate))
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSet(tp)
	if err != nil {
		t.Fatal(err)
	}
	page := pageFromText(`TRÍCH LỤC ĐĂNG KÝ NUÔI CON NUÔI
Số: 17
Phần ghi về người được nhận làm con nuôi
Họ và tên: Mùa Thị Dung
Ngày sinh:
04/05/2012
Phần ghi về cha mẹ nuôi
Họ và tên: Lò Văn Pằng Nơi cư trú:
bản Củ, xã Chiềng Mung
`)
	res, err := s.Extract(page)
	if err != nil {
		t.Fatal(err)
	}
	if res.Template != "adoption/extract@3" || res.RegisterType != "adoption" || len(res.Entries) != 1 {
		t.Fatalf("result %+v", res)
	}
	f := res.Entries[0].Fields
	want := map[string]string{"entry_number": "17", "full_name": "Mùa Thị Dung", "date_of_birth": "2012-05-04", "parent_name": "Lò Văn Pằng"}
	for k, v := range want {
		if f[k] == nil || f[k].Value == nil || *f[k].Value != v {
			t.Errorf("%s = %+v, want %q", k, f[k], v)
		}
	}
	// rest_only: the residence is not taken from the next line.
	if r := f["residence"]; r == nil || r.Value != nil {
		t.Errorf("residence = %+v, want present without value", r)
	}
}

func TestReadingProvenance(t *testing.T) {
	s := loadSet(t)
	page := pageFromText(`TRÍCH LỤC KHAI TỬ
Họ và tên: HOÀNG VĂN NÙNG
Giới tính: Nam
Đã chết vào lúc: 5 giờ 30 phút, ngày 02/01/2020
Nơi chết: Bệnh viện E, thành phố Hà Nội
`)
	// Give the words of the place of death their own confidences.
	for i := range page.Lines[4].Words {
		page.Lines[4].Words[i].Conf = 0.5 + 0.1*float64(i)
	}
	res, err := s.Extract(page)
	if err != nil {
		t.Fatal(err)
	}
	if res.Template != "death/extract@1" {
		t.Fatalf("template %s", res.Template)
	}
	f := res.Entries[0].Fields
	pod := f["place_of_death"]
	if pod == nil || pod.Value == nil || *pod.Value != "Bệnh viện E, thành phố Hà Nội" {
		t.Fatalf("place_of_death %+v", pod)
	}
	words := page.Lines[4].Words
	wantBox := models.BBox{words[2].BBox[0], words[2].BBox[1], words[len(words)-1].BBox[2], words[len(words)-1].BBox[3]}
	if pod.BBox != wantBox {
		t.Errorf("bbox %v, want %v", pod.BBox, wantBox)
	}
	if len(pod.WordConfs) != len(words)-2 || pod.WordConfs[0] != words[2].Conf {
		t.Errorf("word confs %v", pod.WordConfs)
	}
	dod := f["date_of_death"]
	if dod == nil || dod.Raw != "02/01/2020" || dod.Value == nil || *dod.Value != "2020-01-02" {
		t.Errorf("date_of_death %+v", dod)
	}
	if !dod.Required || dod.LabelScore != 1 {
		t.Errorf("date_of_death required %v, label score %v", dod.Required, dod.LabelScore)
	}
	// Required fields of the template that the page lacks.
	for _, k := range []string{"registration_office", "entry_number", "registration_date"} {
		r := f[k]
		if r == nil || r.Value != nil || !r.Required || len(r.Problems) == 0 || r.Problems[0].Code != "missing" {
			t.Errorf("%s = %+v, want a required missing field", k, r)
		}
	}
	// Optional fields whose label is absent are left out.
	if _, ok := f["cause_of_death"]; ok {
		t.Error("cause_of_death present")
	}
}

func TestDetect(t *testing.T) {
	s := loadSet(t)
	tests := []struct {
		text, want string
	}{
		{"SỔ ĐĂNG KÝ KHAI TỬ\nCơ quan đăng ký hộ tịch: UBND xã A\nSố: 1 Quyển số: 01/2020\n", "death/register"},
		{"TRICH LUC KET HON\nHo va ten chong: A\nHo va ten vo: B\n", "marriage/extract"},
		// No title: the characteristic labels decide.
		{"Cơ quan đăng ký hộ tịch: UBND xã A\nSố: 3 Quyển số: 01/2019\nNgày, tháng, năm đăng ký: 01/02/2019\nHọ, chữ đệm, tên: A\nNơi sinh: X\nQuê quán: Y\nHọ, chữ đệm, tên người đi khai sinh: B\n", "birth/register"},
	}
	for _, tc := range tests {
		tp, score, err := s.Detect(pageFromText(tc.text))
		if err != nil {
			t.Errorf("%q: %v", tc.text, err)
			continue
		}
		if tp.ID != tc.want || score < MinTemplateScore || score > 1 {
			t.Errorf("%q: %s (%.2f), want %s", tc.text, tp.ID, score, tc.want)
		}
	}
	for _, p := range []*ocr.Page{{}, pageFromText("Hôm nay trời đẹp\n")} {
		if _, err := s.Extract(p); !errors.Is(err, ErrNoTemplate) {
			t.Errorf("page %v: error %v, want ErrNoTemplate", p, err)
		}
	}
	if _, err := s.Extract(nil); err == nil {
		t.Error("nil page: no error")
	}
}

func TestTemplateExtract(t *testing.T) {
	s := loadSet(t)
	tp, ok := s.Template("marriage/extract")
	if !ok {
		t.Fatal("no marriage/extract")
	}
	res, err := tp.Extract(pageFromText("Họ và tên chồng: LÊ VĂN AN\nHọ và tên vợ: ĐẶNG THỊ BÍCH\n"))
	if err != nil {
		t.Fatal(err)
	}
	f := res.Entries[0].Fields
	if f["husband_name"].Value == nil || *f["husband_name"].Value != "Lê Văn An" || *f["wife_name"].Value != "Đặng Thị Bích" {
		t.Errorf("fields %+v %+v", f["husband_name"], f["wife_name"])
	}
	if res.TemplateScore <= 0 || res.TemplateScore >= MinTemplateScore {
		t.Errorf("template score %.3f: want low but positive without title", res.TemplateScore)
	}
}

package extract

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sohoa/sohoa/validate"
)

// caseWant is what a hand-written case must give. Keys are
// "entry.field"; a value of "<nil>" means present without a value.
type caseWant struct {
	template string
	entries  int
	values   map[string]string
	absent   []string
	problems map[string][]string // problem codes that must be reported
	err      error
}

const nilValue = "<nil>"

var cases = map[string]caseWant{
	"label_split_lines": {
		template: "birth/extract@1", entries: 1,
		values: map[string]string{
			"0.full_name": "Lương Thị Ngọc Ánh", "0.date_of_birth": "2018-07-12",
			"0.mother_name": "Lộc Thị Hương", "0.mother_birth_year": "1992", "0.mother_ethnicity": "Thái",
			"0.father_ethnicity": "Thái", "0.father_nationality": "Việt Nam",
			"0.gender": "Nữ", "0.personal_id": "040318004512", "0.entry_number": "48",
		},
	},
	"value_missing": {
		template: "birth/extract@1", entries: 1,
		values: map[string]string{
			"0.full_name": "Giàng A Sùng", "0.date_of_birth": "2011-02-03", "0.mother_name": "Sình Thị Mỷ",
			"0.mother_residence": "bản Hang Chú, xã Hang Chú, huyện Bắc Yên, tỉnh Sơn La",
			"0.place_of_birth":   nilValue, "0.hometown": nilValue, "0.father_name": nilValue,
			"0.father_birth_year": nilValue, "0.father_residence": nilValue, "0.entry_number": nilValue,
			"0.book_number": "01/2011", "0.registration_date": "2011-03-15",
		},
		absent: []string{"0.personal_id"},
		problems: map[string][]string{
			"0.place_of_birth": {validate.CodeMissing}, "0.hometown": {validate.CodeMissing},
			"0.father_name": {validate.CodeMissing}, "0.entry_number": {validate.CodeMissing},
		},
	},
	"fields_one_line": {
		template: "death/extract@1", entries: 1,
		values: map[string]string{
			"0.full_name": "Nông Văn Páo", "0.date_of_birth": "1940-02-02", "0.gender": "Nam",
			"0.ethnicity": "Tày", "0.nationality": "Việt Nam", "0.id_number": "080123456",
			"0.date_of_death": "2021-01-04", "0.cause_of_death": "Bệnh già",
			"0.place_of_death":      "Tại nhà, xóm Bản Giốc, xã Đàm Thủy, huyện Trùng Khánh, tỉnh Cao Bằng",
			"0.registration_office": "UBND xã Đàm Thủy, huyện Trùng Khánh, tỉnh Cao Bằng",
			"0.entry_number":        "4", "0.book_number": "01/2021", "0.registration_date": "2021-01-06",
		},
	},
	"id_gender_conflict": {
		template: "birth/extract@1", entries: 1,
		values:   map[string]string{"0.gender": "Nam", "0.personal_id": "001321004567", "0.date_of_birth": "2021-02-14"},
		problems: map[string][]string{"0.gender": {validate.CodeConflict}, "0.personal_id": {validate.CodeConflict}},
	},
	"date_conflict": {
		template: "birth/register@1", entries: 1,
		values: map[string]string{
			"0.date_of_birth": "2019-03-06", "0.father_birth_year": "2015", "0.declarant_name": "Nguyễn Thị Hoa",
			"0.registration_office": "UBND xã Quảng Hải, huyện Quảng Xương, tỉnh Thanh Hóa",
		},
		problems: map[string][]string{"0.date_of_birth": {validate.CodeConflict}, "0.father_birth_year": {validate.CodeConflict}},
	},
	// On worn pages the first 1 of a number is read apart as a stroke: the
	// value without it is valid and wrong ("1/09/1999" for 11/09/1999).
	"stroke_before_number": {
		template: "birth/extract@1", entries: 1,
		values: map[string]string{
			"0.date_of_birth": "1999-09-01", "0.entry_number": "4", "0.mother_birth_year": "1975",
			// Free text keeps out a stroke before a number.
			"0.father_residence": "15 phố Kim Đồng, phường Hợp Giang, thành phố Cao Bằng, tỉnh Cao Bằng",
		},
		problems: map[string][]string{
			"0.date_of_birth": {validate.CodeAmbiguous}, "0.entry_number": {validate.CodeAmbiguous},
		},
	},
	// The words of the date settle it (the golden file holds no problem).
	"stroke_words_agree": {
		template: "birth/extract@1", entries: 1,
		values: map[string]string{"0.date_of_birth": "1999-09-01", "0.entry_number": "4"},
	},
	// OCR read a colon inside the labels of the spouses ("tên người:
	// chồng:"): the labels still match, past it.
	"label_colon_inside": {
		template: "marriage/register@1", entries: 1,
		values: map[string]string{
			"0.husband_name": "Y Nghĩa Niê", "0.husband_date_of_birth": "1993-11-11", "0.husband_ethnicity": "Ê Đê",
			"0.wife_name": "H'Bia Ksor", "0.wife_date_of_birth": "1996-06-02", "0.wife_ethnicity": "Gia Rai",
		},
	},
	// A child's family name spelled like the end of a longer label ("Họ và
	// tên: MÈ" folds as "Họ và tên mẹ"): past a colon only the label with
	// its marks.
	"name_like_label": {
		template: "birth/register@1", entries: 1,
		values: map[string]string{"0.full_name": "Mè Văn Ngân", "0.mother_name": "Điêu Thị Ngọc"},
	},
	"register_two_entries": {
		template: "marriage/register@1", entries: 2,
		values: map[string]string{
			"0.registration_office": "UBND xã Ea Tu, thành phố Buôn Ma Thuột, tỉnh Đắk Lắk",
			"1.registration_office": "UBND xã Ea Tu, thành phố Buôn Ma Thuột, tỉnh Đắk Lắk",
			"0.entry_number":        "23", "1.entry_number": "24",
			"0.husband_name": "Y Nghĩa Niê", "0.wife_name": "H'Bia Ksor", "0.wife_ethnicity": "Gia Rai",
			"0.husband_id_number": "241234567", "0.wife_id_number": "066196000123",
			"1.husband_name": "Nguyễn Văn Toàn", "1.husband_id_number": "B1234567",
			"1.wife_residence": "số 12 đường Lê Lợi, phường Tân Lợi, thành phố Buôn Ma Thuột, tỉnh Đắk Lắk",
			"1.wife_id_number": nilValue, "1.registration_date": "2017-05-15",
		},
		problems: map[string][]string{"1.wife_date_of_birth": {validate.CodeOutOfRange}},
	},
	// One of two entry numbers misread (54 read 34): they no longer follow
	// each other, and both go to a person.
	"entries_out_of_sequence": {
		template: "marriage/register@1", entries: 2,
		values:   map[string]string{"0.entry_number": "34", "1.entry_number": "55"},
		problems: map[string][]string{"0.entry_number": {validate.CodeConflict}, "1.entry_number": {validate.CodeConflict}},
	},
	"ocr_noise": {
		template: "birth/extract@1", entries: 1,
		values: map[string]string{
			"0.full_name": "Nguyễn Thị Vân", "0.date_of_birth": "1973-11-09", "0.gender": "Nữ",
			"0.ethnicity": "Kinh", "0.nationality": "Việt Nam", "0.place_of_birth": "Bệnh viện E, thành phố Hà Nội",
			"0.hometown": "xã Kim Chung, huyện Đông Anh, thành phố Hà Nội", "0.personal_id": "001173001234",
			"0.mother_name": "Đỗ Thị Lý", "0.mother_birth_year": "1950", "0.entry_number": "5",
			"0.book_number": "01/1973", "0.registration_date": "1973-11-20",
		},
	},
	"leaders_junk": {
		template: "death/register@1", entries: 1,
		values: map[string]string{
			"0.registration_office": "UBND xã Định An, huyện Gò Quao, tỉnh Kiên Giang",
			"0.entry_number":        "81", "0.book_number": "02/2011", "0.registration_date": "2011-12-17",
			"0.full_name": "Phan Văn Chiến", "0.date_of_birth": "1940-09-19", "0.gender": "Nam",
			"0.ethnicity": "Kinh", "0.nationality": "Việt Nam", "0.id_number": "376938206",
			"0.date_of_death":  "2011-12-05",
			"0.place_of_death": "Tại nhà, ấp Vĩnh Phước, xã Định An, huyện Gò Quao, tỉnh Kiên Giang",
			"0.cause_of_death": "Xơ gan", "0.declarant_name": "Phan Kim Linh",
		},
		problems: map[string][]string{"0.registration_date": {validate.CodeRepaired}, "0.date_of_death": {validate.CodeRepaired}},
	},
	"no_template": {err: ErrNoTemplate},
}

func TestCases(t *testing.T) {
	s := loadSet(t)
	files, err := filepath.Glob("testdata/cases/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(cases) {
		t.Errorf("%d case files, %d expectations", len(files), len(cases))
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		t.Run(name, func(t *testing.T) {
			want, ok := cases[name]
			if !ok {
				t.Fatalf("no expectations for %s", name)
			}
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			res, err := s.Extract(pageFromText(string(data)))
			if want.err != nil {
				if !errors.Is(err, want.err) {
					t.Fatalf("error %v, want %v", err, want.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkCase(t, res, want)
			checkGolden(t, "cases/"+name, res)
		})
	}
}

func checkCase(t *testing.T, res *Result, want caseWant) {
	t.Helper()
	if res.Template != want.template {
		t.Errorf("template %s, want %s", res.Template, want.template)
	}
	if len(res.Entries) != want.entries {
		t.Fatalf("%d entries, want %d", len(res.Entries), want.entries)
	}
	lookup := func(k string) (*Reading, bool) {
		idx, key, _ := strings.Cut(k, ".")
		i := int(idx[0] - '0')
		rd, ok := res.Entries[i].Fields[key]
		return rd, ok
	}
	for k, v := range want.values {
		rd, ok := lookup(k)
		switch {
		case !ok:
			t.Errorf("%s: not read, want %q", k, v)
		case v == nilValue && rd.Value != nil:
			t.Errorf("%s = %q, want no value", k, *rd.Value)
		case v != nilValue && rd.Value == nil:
			t.Errorf("%s: no value (raw %q, %v), want %q", k, rd.Raw, rd.Problems, v)
		case v != nilValue && *rd.Value != v:
			t.Errorf("%s = %q, want %q", k, *rd.Value, v)
		}
	}
	for _, k := range want.absent {
		if _, ok := lookup(k); ok {
			t.Errorf("%s: present, want absent", k)
		}
	}
	for k, codes := range want.problems {
		rd, ok := lookup(k)
		if !ok {
			t.Errorf("%s: not read, want problems %v", k, codes)
			continue
		}
		got := validate.Codes(rd.Problems)
		for _, c := range codes {
			if !slices.Contains(got, c) {
				t.Errorf("%s: problems %v, want %s", k, rd.Problems, c)
			}
		}
	}
}

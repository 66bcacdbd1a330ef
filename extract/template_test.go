package extract

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sohoa/sohoa/models"
)

// recordKeys are the field keys of record-format.md by register type.
var recordKeys = map[models.RegisterType][]string{
	models.Birth: {"entry_number", "book_number", "registration_date", "registration_office",
		"full_name", "date_of_birth", "gender", "ethnicity", "nationality", "place_of_birth", "hometown",
		"personal_id", "mother_name", "mother_birth_year", "mother_ethnicity", "mother_nationality",
		"mother_residence", "father_name", "father_birth_year", "father_ethnicity", "father_nationality",
		"father_residence", "declarant_name"},
	models.Marriage: {"entry_number", "book_number", "registration_date", "registration_office",
		"husband_name", "husband_date_of_birth", "husband_ethnicity", "husband_nationality", "husband_residence", "husband_id_number",
		"wife_name", "wife_date_of_birth", "wife_ethnicity", "wife_nationality", "wife_residence", "wife_id_number"},
	models.Death: {"entry_number", "book_number", "registration_date", "registration_office",
		"full_name", "date_of_birth", "gender", "ethnicity", "nationality", "id_number", "date_of_death",
		"place_of_death", "cause_of_death", "declarant_name"},
}

func TestEmbeddedTemplates(t *testing.T) {
	s := loadSet(t)
	var ids []string
	for _, tp := range s.Templates() {
		ids = append(ids, tp.Name())
		keys := tp.Keys()
		for _, k := range keys {
			if !slices.Contains(recordKeys[tp.RegisterType], k) {
				t.Errorf("%s: key %s is not a %s key of the record format", tp.ID, k, tp.RegisterType)
			}
		}
		want := recordKeys[tp.RegisterType]
		if tp.ID == "birth/extract" {
			want = slices.DeleteFunc(slices.Clone(want), func(k string) bool { return k == "declarant_name" })
		}
		for _, k := range want {
			if !slices.Contains(keys, k) {
				t.Errorf("%s: no field %s", tp.ID, k)
			}
		}
		if !strings.HasPrefix(tp.Source, "embedded:templates/") {
			t.Errorf("%s: source %q", tp.ID, tp.Source)
		}
	}
	want := []string{"birth/extract@1", "birth/register@1", "death/extract@1", "death/register@1", "marriage/extract@1", "marriage/register@1"}
	if !slices.Equal(ids, want) {
		t.Errorf("templates %v, want %v", ids, want)
	}
}

// minimalTemplate is a valid user template; tests break it on purpose.
const minimalTemplate = `id: adoption/extract
version: "3"
register_type: adoption
layout: extract
detection:
  titles: [TRÍCH LỤC ĐĂNG KÝ NUÔI CON NUÔI]
fields:
  - key: entry_number
    labels: [Số]
sections:
  - name: child
    start: [Phần ghi về người được nhận làm con nuôi]
    fields:
      - key: full_name
        required: true
        labels: [Họ và tên]
      - key: date_of_birth
        labels: [Ngày sinh]
        value: next_line
  - name: parent
    start: [Phần ghi về cha mẹ nuôi]
    fields:
      - key: parent_name
        kind: name
        labels: [Họ và tên]
      - key: residence
        labels: [Nơi cư trú]
        value: rest_only
`

func writeFile(t *testing.T, dir, name, data string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadTemplatesUserDir(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "adoption.yaml", minimalTemplate)
	override := strings.Replace(minimalTemplate, "id: adoption/extract", "id: birth/extract", 1)
	override = strings.Replace(override, "register_type: adoption", "register_type: birth", 1)
	writeFile(t, dir, "my-birth.yml", override)
	writeFile(t, dir, "notes.txt", "not a template")
	s, err := LoadTemplates(dir)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(s.Templates()); n != 7 {
		t.Errorf("%d templates, want 7", n)
	}
	b, ok := s.Template("birth/extract")
	if !ok || b.Version != "3" || b.Source != filepath.Join(dir, "my-birth.yml") {
		t.Errorf("birth/extract not overridden: %+v", b)
	}
	if _, ok := s.Template("adoption/extract"); !ok {
		t.Error("user template adoption/extract not loaded")
	}
	if _, err := LoadTemplates(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing directory: no error")
	}
}

func TestParseTemplateErrors(t *testing.T) {
	tests := []struct {
		name, old, new, want string
	}{
		{"yaml syntax", "fields:\n", "fields: [\n", "did not find"},
		{"unknown setting", "layout: extract\n", "layout: extract\ncolour: blue\n", "field colour not found"},
		{"no id", "id: adoption/extract\n", "", "id \"\""},
		{"bad id", "id: adoption/extract", "id: Adoption Extract", "id \"Adoption Extract\""},
		{"no version", "version: \"3\"\n", "", "version"},
		{"bad layout", "layout: extract", "layout: book", "layout \"book\""},
		{"no detection", "  titles: [TRÍCH LỤC ĐĂNG KÝ NUÔI CON NUÔI]\n", "", "detection"},
		{"unknown kind", "        kind: name\n", "        kind: person\n", "unknown kind \"person\""},
		{"bad position", "value: next_line", "value: below", "value \"below\""},
		{"bad scope", "value: rest_only", "scope: book", "scope \"book\""},
		{"no labels", "        labels: [Nơi cư trú]\n", "", "no labels"},
		{"empty label", "labels: [Ngày sinh]", "labels: [\"...\"]", "no letters or digits"},
		{"bad key", "key: residence", "key: Nơi ở", "key"},
		{"duplicate key", "key: residence", "key: parent_name", "duplicate key"},
		{"label twice", "labels: [Nơi cư trú]", "labels: [Họ và tên]", "already belongs to field \"parent_name\""},
		{"words on text", "        value: rest_only\n", "        words: [bằng chữ]\n", "words is only for dates"},
		{"section without start", "    start: [Phần ghi về cha mẹ nuôi]\n", "", "no start labels"},
		{"duplicate section", "name: parent", "name: child", "duplicate section"},
		{"start twice", "start: [Phần ghi về cha mẹ nuôi]", "start: [Phần ghi về người được nhận làm con nuôi]", "already starts section"},
		{"empty file", minimalTemplate, "", "empty file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(minimalTemplate, tc.old) {
				t.Fatalf("test setup: %q not in the template", tc.old)
			}
			data := strings.Replace(minimalTemplate, tc.old, tc.new, 1)
			_, err := ParseTemplate("user/broken.yaml", []byte(data))
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrTemplate) {
				t.Errorf("error %v does not wrap ErrTemplate", err)
			}
			if !strings.Contains(err.Error(), "user/broken.yaml") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want the file name and %q", err, tc.want)
			}
		})
	}
	if _, err := ParseTemplate("ok.yaml", []byte(minimalTemplate)); err != nil {
		t.Fatalf("minimal template: %v", err)
	}
}

func TestLoadTemplatesBadUserFile(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "broken.yaml", strings.Replace(minimalTemplate, "kind: name", "kind: person", 1))
	_, err := LoadTemplates(dir)
	if !errors.Is(err, ErrTemplate) || !strings.Contains(err.Error(), p) {
		t.Fatalf("error %v, want ErrTemplate naming %s", err, p)
	}
	dir2 := t.TempDir()
	writeFile(t, dir2, "a.yaml", minimalTemplate)
	writeFile(t, dir2, "b.yaml", minimalTemplate)
	if _, err := LoadTemplates(dir2); !errors.Is(err, ErrTemplate) || !strings.Contains(err.Error(), "already used") {
		t.Fatalf("duplicate user ids: error %v", err)
	}
}

func TestNewSet(t *testing.T) {
	a, err := ParseTemplate("a.yaml", []byte(minimalTemplate))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewSet(a, a); !errors.Is(err, ErrTemplate) {
		t.Errorf("duplicate ids: error %v", err)
	}
	s, err := NewSet(a)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := s.Template("adoption/extract"); !ok || got != a {
		t.Error("template not found in set")
	}
}

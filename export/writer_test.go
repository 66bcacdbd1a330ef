package export

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/sohoa/sohoa/models"
)

func sample() models.Record {
	v := "Nguyễn Thị Vân"
	return models.Record{
		ID: "r1", Source: "a/p1.jpg", PageSHA256: "ab", RegisterType: models.Birth, Template: "birth/extract@1",
		Status: models.StatusReview,
		Fields: map[string]models.Field{
			"full_name":   {Value: &v, Raw: "NGUYỄN THỊ VÂN", Confidence: 0.9, Status: models.StatusAccepted, Reasons: []string{}},
			"personal_id": {Value: nil, Status: models.StatusReview, Reasons: []string{"missing"}},
		},
		Warnings: []string{"skew 4.6°"},
	}
}

func TestJSONL(t *testing.T) {
	var b bytes.Buffer
	w, err := NewWriter(&b, JSONL)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := w.Write(sample()); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2", len(lines))
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &got); err != nil {
		t.Fatal(err)
	}
	f := got["fields"].(map[string]any)
	if f["personal_id"].(map[string]any)["value"] != nil {
		t.Error("a missing value must be JSON null")
	}
	if !strings.Contains(lines[0], "Nguyễn Thị Vân") {
		t.Error("Vietnamese text must be written as UTF-8, not escaped")
	}
}

func TestCSV(t *testing.T) {
	var b bytes.Buffer
	w, _ := NewWriter(&b, CSV)
	if err := w.Write(sample()); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("%d rows, want header + 1", len(rows))
	}
	col := map[string]string{}
	for i, h := range rows[0] {
		col[h] = rows[1][i]
	}
	if col["full_name"] != "Nguyễn Thị Vân" || col["review_fields"] != "personal_id" || col["status"] != "review" {
		t.Fatalf("row: %v", col)
	}
}

func TestUnknownFormat(t *testing.T) {
	if _, err := NewWriter(&bytes.Buffer{}, "xml"); err == nil {
		t.Fatal("want an error")
	}
}

func TestFieldKeys(t *testing.T) {
	if k := FieldKeys(models.Marriage); len(k) != 4+12 || k[4] != "husband_name" {
		t.Fatalf("marriage keys %v", k)
	}
	if n := len(AllFieldKeys()); n < 30 {
		t.Fatalf("only %d keys", n)
	}
}

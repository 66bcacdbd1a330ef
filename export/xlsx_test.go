package export

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/sohoa/sohoa/models"
)

func birth(id, entry, name, dob, mother string, status models.Status) models.Record {
	f := map[string]models.Field{}
	set := func(k, v string) {
		if v != "" {
			f[k] = models.Field{Value: &v, Status: models.StatusAccepted, Reasons: []string{}}
		}
	}
	set("entry_number", entry)
	set("book_number", "01/2019")
	set("full_name", name)
	set("date_of_birth", dob)
	set("mother_name", mother)
	set("ethnicity", "Kinh")
	return models.Record{ID: id, PageSHA256: strings.Repeat("a", 64), RegisterType: models.Birth, Status: status, Fields: f}
}

func readSheet(t *testing.T, data []byte, sheet string) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatalf("sheet %q: %v (sheets %v)", sheet, err, f.GetSheetList())
	}
	return rows
}

func TestXLSXReadBack(t *testing.T) {
	var b bytes.Buffer
	w, err := NewWriter(&b, XLSX)
	if err != nil {
		t.Fatal(err)
	}
	recs := []models.Record{
		birth("r1", "1", "Nguyễn Thị Vân", "2019-03-05", "Lê Thị Oanh", models.StatusAccepted),
		birth("r2", "2", "Đặng Văn Ước", "2019-04-01", "Phạm Thị Hường", models.StatusReview),
		birth("r3", "3", "Hoàng Ngọc Ánh", "", "", models.StatusVerified),
	}
	death := birth("d1", "7", "Trần Văn Bảy", "1930", "", models.StatusAccepted)
	death.RegisterType = models.Death
	for _, r := range append(recs, death) {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	rows := readSheet(t, b.Bytes(), "Khai sinh")
	if len(rows) != 1+len(recs) {
		t.Fatalf("%d rows, want header + %d", len(rows), len(recs))
	}
	wantHead := []string{"Số", "Quyển số", "Ngày đăng ký", "Nơi đăng ký", "Họ, chữ đệm, tên",
		"Ngày, tháng, năm sinh", "Giới tính", "Dân tộc", "Quốc tịch", "Nơi sinh", "Quê quán",
		"Số định danh cá nhân", "Họ, chữ đệm, tên mẹ"}
	for i, h := range wantHead {
		if rows[0][i] != h {
			t.Errorf("header %d = %q, want %q", i, rows[0][i], h)
		}
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	get := func(row []string, h string) string {
		if i := col[h]; i < len(row) {
			return row[i]
		}
		return ""
	}
	if got := get(rows[2], "Họ, chữ đệm, tên"); got != "Đặng Văn Ước" {
		t.Errorf("name %q", got)
	}
	if got := get(rows[2], "Họ, chữ đệm, tên mẹ"); got != "Phạm Thị Hường" {
		t.Errorf("mother %q", got)
	}
	if got := get(rows[1], "Quyển số"); got != "01/2019" {
		t.Errorf("book %q (must stay text)", got)
	}
	if got := get(rows[2], "Trạng thái"); got != "review" {
		t.Errorf("status %q", got)
	}
	if got := get(rows[3], "Ngày, tháng, năm sinh"); got != "" {
		t.Errorf("missing date written as %q", got)
	}
	d := readSheet(t, b.Bytes(), "Khai tử")
	if len(d) != 2 || d[1][4] != "Trần Văn Bảy" || d[0][4] != "Họ, chữ đệm, tên người chết" {
		t.Fatalf("death sheet %q", d)
	}
}

func TestXLSXCustomColumns(t *testing.T) {
	sets, err := ParseColumns(strings.NewReader(`
birth:
  - {key: full_name, header: "HO_TEN"}
  - {key: entry_number, header: "SO"}
  - {key: _id, header: "ID"}
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(sets[models.Death]) == 0 {
		t.Fatal("types the file does not name keep their defaults")
	}
	var b bytes.Buffer
	w, err := NewXLSXWriter(&b, XLSXOptions{Columns: sets})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(birth("r1", "12", "Nguyễn Thị Vân", "", "", models.StatusAccepted)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	rows := readSheet(t, b.Bytes(), "Khai sinh")
	want := [][]string{{"HO_TEN", "SO", "ID"}, {"Nguyễn Thị Vân", "12", "r1"}}
	if fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Fatalf("rows %q, want %q", rows, want)
	}
}

func TestParseColumnsErrors(t *testing.T) {
	for name, in := range map[string]string{
		"unknown type": "adoption:\n  - {key: full_name, header: X}\n",
		"unknown key":  "birth:\n  - {key: fullname, header: X}\n",
		"no header":    "birth:\n  - {key: full_name}\n",
		"twice":        "birth:\n  - {key: full_name, header: A}\n  - {key: full_name, header: B}\n",
		"empty":        "birth: []\n",
		"bad field":    "birth:\n  - {key: full_name, header: A, width: 3}\n",
	} {
		if _, err := ParseColumns(strings.NewReader(in)); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
	if _, err := ParseColumns(strings.NewReader(`{"death": [{"key": "full_name", "header": "Họ tên"}]}`)); err != nil {
		t.Errorf("JSON column set: %v", err)
	}
}

func TestXLSXEmptyBookKeepsHeader(t *testing.T) {
	var b bytes.Buffer
	w, err := NewXLSXWriter(&b, XLSXOptions{Type: models.Marriage})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	rows := readSheet(t, b.Bytes(), "Kết hôn")
	if len(rows) != 1 || rows[0][4] != "Họ, chữ đệm, tên chồng" {
		t.Fatalf("rows %q", rows)
	}
}

// TestXLSXStreamingMemory writes a 10,000-record book and checks that the
// live heap stays bounded while rows are written: the rows must be streamed
// out, not held as cells.
func TestXLSXStreamingMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	const n = 10000
	const limit = 48 << 20
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var count countWriter
	w, err := NewXLSXWriter(&count, XLSXOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var peak uint64
	sample := func() {
		var m runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m)
		if m.HeapAlloc > before.HeapAlloc && m.HeapAlloc-before.HeapAlloc > peak {
			peak = m.HeapAlloc - before.HeapAlloc
		}
	}
	r := birth("", "", "Nguyễn Thị Vân Anh", "2019-03-05", "Lê Thị Oanh", models.StatusAccepted)
	for _, k := range FieldKeys(models.Birth) {
		if _, ok := r.Fields[k]; !ok {
			v := "xã Tà Cạ, huyện Kỳ Sơn, tỉnh Nghệ An " + k
			r.Fields[k] = models.Field{Value: &v, Status: models.StatusAccepted}
		}
	}
	for i := range n {
		r.ID = fmt.Sprintf("00000000-0000-0000-0000-%012d", i)
		v := fmt.Sprint(i + 1)
		r.Fields["entry_number"] = models.Field{Value: &v}
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
		if i%2500 == 2499 {
			sample()
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	sample()
	t.Logf("10k rows: %d bytes of workbook, peak live heap growth %d KiB", count.n, peak>>10)
	if peak > limit {
		t.Fatalf("live heap grew by %d MiB writing %d rows (limit %d MiB): rows are not streamed", peak>>20, n, limit>>20)
	}
	if count.n < 100<<10 {
		t.Fatalf("workbook of %d bytes is too small for %d rows", count.n, n)
	}
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)

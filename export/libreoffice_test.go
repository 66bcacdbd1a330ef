package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/sohoa/sohoa/models"
)

// soffice finds headless LibreOffice; it skips the test when none is
// installed (apt-get install libreoffice-calc-nogui, as scripts/setup
// does) unless SOHOA_REQUIRE_SERVICES=1.
func soffice(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"soffice", "libreoffice"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("SOHOA_REQUIRE_SERVICES") == "1" {
		t.Fatal("no soffice found and SOHOA_REQUIRE_SERVICES=1 (scripts/setup installs libreoffice-calc-nogui)")
	}
	t.Skip("no soffice found (apt-get install libreoffice-calc-nogui)")
	return ""
}

// TestXLSXLibreOffice writes a birth workbook with Vietnamese names and
// places, reads it back with excelize, and converts it to CSV with
// headless LibreOffice, as a receiving system's import would read it:
// every row comes back in entry order with the exact (NFC) text, and
// numbers that are not numbers (book 01/2019, personal ids with a leading
// zero, ISO dates) stay text.
func TestXLSXLibreOffice(t *testing.T) {
	bin := soffice(t)
	people := []struct{ name, mother, place string }{
		{"Nguyễn Thị Hoà", "Lò Thị Ước", "xã Tà Cạ, huyện Kỳ Sơn, tỉnh Nghệ An"},
		{"Đặng Văn Ước", "Phạm Thị Hường", "xã Quảng Nhân, huyện Quảng Xương, tỉnh Thanh Hoá"},
		{"Hoàng Ngọc Ánh", "Quách Hồng Chi", "phường Đông Vĩnh, thành phố Vinh, tỉnh Nghệ An"},
		{"Vi Thị Mỹ Duyên", "Lương Thị Nguyệt", "xã Nậm Cắn, huyện Kỳ Sơn, tỉnh Nghệ An"},
	}
	var recs []models.Record
	for i, p := range people {
		r := birth("r"+itoa(i+1), itoa(i+1), p.name, "2019-03-0"+itoa(i+1), p.mother, models.StatusVerified)
		for k, v := range map[string]string{"place_of_birth": p.place, "personal_id": "04031900000" + itoa(i+1), "gender": "Nữ"} {
			r.Fields[k] = models.Field{Value: &v, Status: models.StatusVerified}
		}
		recs = append(recs, r)
	}
	cols := DefaultColumns()[models.Birth]
	want := [][]string{{}}
	for _, c := range cols {
		want[0] = append(want[0], c.Header)
	}
	for _, r := range recs {
		row := make([]string, len(cols))
		for i, c := range cols {
			row[i] = cell(r, c.Key)
		}
		want = append(want, row)
	}

	dir := t.TempDir()
	xlsx := filepath.Join(dir, "so-01-2019-final.xlsx")
	var b bytes.Buffer
	w, err := NewXLSXWriter(&b, XLSXOptions{Type: models.Birth})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(xlsx, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	// excelize drops trailing empty cells: pad before comparing.
	rows := readSheet(t, b.Bytes(), "Khai sinh")
	for i := range rows {
		for len(rows[i]) < len(cols) {
			rows[i] = append(rows[i], "")
		}
	}
	checkRows(t, "excelize", rows, want)

	// A profile of its own: LibreOffice locks its profile, so parallel
	// runs sharing one would fail.
	profile := filepath.Join(dir, "profile")
	out := filepath.Join(dir, "csv")
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-env:UserInstallation=file://"+profile,
		"--headless", "--norestore", "--nolockcheck",
		// comma, double quote, UTF-8 (character set 76)
		"--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76",
		"--outdir", out, xlsx)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	msg, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("soffice: %v\n%s", err, msg)
	}
	data, err := os.ReadFile(filepath.Join(out, "so-01-2019-final.csv"))
	if err != nil {
		t.Fatalf("%v (soffice said %s)", err, msg)
	}
	got, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("LibreOffice's CSV: %v\n%s", err, data)
	}
	checkRows(t, "LibreOffice", got, want)
}

func checkRows(t *testing.T, who string, got, want [][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d: %q", who, len(got), len(want), got)
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("%s: row %d\n got %q\nwant %q", who, i, got[i], want[i])
		}
		for _, c := range got[i] {
			if !norm.NFC.IsNormalString(c) {
				t.Errorf("%s: row %d: %q is not NFC", who, i, c)
			}
		}
	}
}

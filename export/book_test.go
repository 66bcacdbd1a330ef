package export

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"iter"
	"slices"
	"strings"
	"testing"

	"github.com/sohoa/sohoa/models"
)

func seq(recs []models.Record) iter.Seq2[models.Record, error] {
	return func(yield func(models.Record, error) bool) {
		for _, r := range recs {
			if !yield(r, nil) {
				return
			}
		}
	}
}

// images serves one JPEG for every page and counts the fetches.
type images struct {
	data    []byte
	fetches int
}

func (im *images) open(_ context.Context, sum string) (io.ReadCloser, error) {
	if len(sum) != 64 {
		return nil, errors.New("no such page")
	}
	im.fetches++
	return io.NopCloser(bytes.NewReader(im.data)), nil
}

func writeBook(t *testing.T, recs []models.Record) (Manifest, []byte, *images) {
	t.Helper()
	im := &images{data: testImage(t, "jpeg", 40, 60)}
	var b bytes.Buffer
	m, err := WriteBook(t.Context(), &b, seq(recs), BookOptions{Book: "01/2019", Images: im.open})
	if err != nil {
		t.Fatal(err)
	}
	return m, b.Bytes(), im
}

func TestBookFinal(t *testing.T) {
	recs := []models.Record{
		birth("r1", "1", "Nguyễn Thị Vân", "2019-03-05", "Lê Thị Oanh", models.StatusAccepted),
		birth("r2", "2", "Đặng Văn Ước", "2019-04-01", "Phạm Thị Hường", models.StatusVerified),
		birth("r3", "3", "Hoàng Ngọc Ánh", "", "", models.StatusRejected),
	}
	m, data, im := writeBook(t, recs)
	if !m.Final || m.Status != StatusFinal {
		t.Fatalf("status %s, want final: %+v", m.Status, m)
	}
	if im.fetches != 1 {
		t.Errorf("page fetched %d times for records of one page", im.fetches)
	}
	got, err := VerifyBook(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range got.Files {
		names = append(names, f.Name)
	}
	want := []string{"so-01-2019-final.xlsx", "pdf/so-1_r1.pdf", "pdf/so-2_r2.pdf"}
	if !slices.Equal(names, want) {
		t.Fatalf("files %q, want %q (rejected records get no PDF)", names, want)
	}
	if got.Exported != 2 || got.Records[models.StatusRejected] != 1 || !slices.Equal(got.Rejected, []string{"r3"}) {
		t.Fatalf("manifest counts: %+v", got)
	}
	zr, _ := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	for _, f := range zr.File {
		if f.Name == want[0] {
			rc, _ := f.Open()
			wb, _ := io.ReadAll(rc)
			rc.Close()
			rows := readSheet(t, wb, "Khai sinh")
			if len(rows) != 3 || rows[2][4] != "Đặng Văn Ước" {
				t.Fatalf("workbook rows %q", rows)
			}
		}
	}
	if BookFileName(m.Book, m.Final) != "so-01-2019-final.zip" {
		t.Fatal(BookFileName(m.Book, m.Final))
	}
}

func TestBookPartial(t *testing.T) {
	for name, recs := range map[string][]models.Record{
		"record in review": {
			birth("r1", "1", "A", "", "", models.StatusAccepted),
			birth("r2", "2", "B", "", "", models.StatusReview),
		},
		"unresolved duplicate": {
			birth("r1", "1", "A", "", "", models.StatusAccepted),
			birth("r2", "1", "B", "", "", models.StatusVerified),
		},
	} {
		t.Run(name, func(t *testing.T) {
			m, data, _ := writeBook(t, recs)
			if m.Final || m.Status != StatusPartial {
				t.Fatalf("status %s, want partial", m.Status)
			}
			got, err := VerifyBook(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != StatusPartial || !strings.Contains(got.Files[0].Name, "tam-thoi-partial") {
				t.Fatalf("manifest %s, workbook %s", got.Status, got.Files[0].Name)
			}
			if n := BookFileName("01/2019", false); n != "so-01-2019-tam-thoi-partial.zip" {
				t.Fatal(n)
			}
		})
	}
}

func TestVerifyBookDetectsTampering(t *testing.T) {
	_, data, _ := writeBook(t, []models.Record{birth("r1", "1", "A", "", "", models.StatusAccepted)})
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	// Rewrite the zip with one PDF's bytes changed.
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if strings.HasSuffix(f.Name, ".pdf") {
			b = append(b, '\n')
		}
		w, _ := zw.Create(f.Name)
		w.Write(b)
	}
	zw.Close()
	if _, err := VerifyBook(bytes.NewReader(out.Bytes()), int64(out.Len())); !errors.Is(err, ErrManifest) {
		t.Fatalf("err = %v, want ErrManifest", err)
	}
}

func TestBookMissingImage(t *testing.T) {
	r := birth("r1", "1", "A", "", "", models.StatusAccepted)
	r.PageSHA256 = "x"
	im := &images{data: testImage(t, "jpeg", 4, 4)}
	_, err := WriteBook(t.Context(), io.Discard, seq([]models.Record{r}), BookOptions{Book: "1", Images: im.open})
	if err == nil || !strings.Contains(err.Error(), "no such page") {
		t.Fatalf("err = %v", err)
	}
}

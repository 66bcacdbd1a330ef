package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/jpeg"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/xuri/excelize/v2"

	"github.com/sohoa/sohoa/export"
	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/storage"
)

func TestExportArguments(t *testing.T) {
	t.Setenv("SOHOA_DATABASE_URL", "")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"export", "--format", "pdf", "--book", "1"}, "--format"},
		{[]string{"export", "--format", "xlsx"}, "--book"},
		{[]string{"export", "--book", "1"}, "SOHOA_DATABASE_URL"},
		{[]string{"export", "--book", "1", "--url-expiry", "200h"}, "--url-expiry"},
		{[]string{"export", "--book", "1", "--format", "zip", "--pdf-image", "thumbnail"}, "--pdf-image"},
	} {
		var out bytes.Buffer
		root := newRoot(&out, &out)
		root.SetArgs(tc.args)
		err := root.ExecuteContext(t.Context())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err %v, want one naming %s", tc.args, err, tc.want)
		}
	}
}

// TestExportCommand runs `sohoa export` against the real PostgreSQL and
// MinIO: a book of two records, one still in review.
func TestExportCommand(t *testing.T) {
	ctx := t.Context()
	store, objects := exportTestServices(t)
	var img bytes.Buffer
	if err := jpeg.Encode(&img, image.NewGray(image.Rect(0, 0, 80, 120)), nil); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(img.Bytes())
	hexSum := hex.EncodeToString(sum[:])
	if _, _, err := objects.PutOriginal(ctx, bytes.NewReader(img.Bytes()), int64(img.Len()), hexSum, storage.PutOriginalOptions{ContentType: "image/jpeg"}); err != nil {
		t.Fatal(err)
	}
	b, err := store.CreateBatch(ctx, storage.NewBatch{Name: "book", RegisterType: models.Birth, BookNumber: "07/2020"})
	if err != nil {
		t.Fatal(err)
	}
	page, err := store.AddPage(ctx, storage.NewPage{BatchID: b.ID, ObjectKey: storage.OriginalKey(hexSum), SHA256: hexSum, Source: "p1.jpg"})
	if err != nil {
		t.Fatal(err)
	}
	rec := func(i int, entry, name string, st models.Status) models.Record {
		f := map[string]models.Field{}
		for k, v := range map[string]string{"entry_number": entry, "full_name": name} {
			f[k] = models.Field{Value: &v, Status: models.StatusAccepted, Reasons: []string{}}
		}
		return models.Record{ID: uuid.NewString(), EntryIndex: i, RegisterType: models.Birth, Status: st, Fields: f}
	}
	recs := []models.Record{rec(0, "2", "Đặng Văn Ước", models.StatusReview), rec(1, "1", "Nguyễn Thị Vân", models.StatusVerified)}
	if err := store.SaveRecords(ctx, page.ID, recs); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	run := func(args ...string) (string, string) {
		t.Helper()
		var out, errOut bytes.Buffer
		root := newRoot(&out, &errOut)
		root.SetArgs(args)
		if err := root.ExecuteContext(ctx); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, errOut.String())
		}
		return out.String(), errOut.String()
	}

	// Workbook: rows in entry order; partial, so the name says so.
	_, msg := run("export", "--book", "07/2020", "--format", "xlsx", "--out", filepath.Join(dir, "book.xlsx"))
	xlsxPath := filepath.Join(dir, "book-tam-thoi-partial.xlsx")
	if !strings.Contains(msg, "PARTIAL") {
		t.Errorf("stderr %q", msg)
	}
	f, err := excelize.OpenFile(xlsxPath)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("Khai sinh")
	f.Close()
	if err != nil || len(rows) != 3 || rows[1][4] != "Nguyễn Thị Vân" || rows[2][4] != "Đặng Văn Ước" || rows[1][1] != "" {
		t.Fatalf("rows %q (%v)", rows, err)
	}

	// Zip: uploaded, presigned URL printed, manifest checks out. Asked
	// for a final file name, a partial export still says partial.
	out, msg := run("export", "--book", "07/2020", "--batch", b.ID, "--format", "zip", "--out", filepath.Join(dir, "book-final.zip"))
	zipPath := filepath.Join(dir, "book-tam-thoi-partial.zip")
	if !strings.Contains(msg, "PARTIAL") || !strings.Contains(out, "exports/books/book-tam-thoi-partial.zip") {
		t.Errorf("stdout %q stderr %q: want a PARTIAL export at exports/books/book-tam-thoi-partial.zip", out, msg)
	}
	if _, err := os.Stat(filepath.Join(dir, "book-final.zip")); !os.IsNotExist(err) {
		t.Errorf("a partial export was written as book-final.zip (%v)", err)
	}
	data, err := os.ReadFile(zipPath)
	if err != nil {
		t.Fatalf("%v (stderr %q)", err, msg)
	}
	m, err := export.VerifyBook(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != export.StatusPartial || m.Exported != 2 || len(m.Pending) != 1 || len(m.Files) != 3 {
		t.Fatalf("manifest %+v", m)
	}
	if got := download(t, out); !bytes.Equal(got, data) {
		t.Fatalf("downloaded %d bytes, want the %d of the local copy", len(got), len(data))
	}

	// Once the record is verified, the export is final. Without --out
	// the zip is only stored.
	recs[0].Status = models.StatusVerified
	if err := store.SaveRecords(ctx, page.ID, recs); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	out, msg = run("export", "--book", "07/2020", "--format", "zip")
	if !strings.Contains(msg, "exports/books/so-07-2020-final.zip: FINAL") || !strings.Contains(out, "exports/books/so-07-2020-final.zip") {
		t.Fatalf("stdout %q stderr %q", out, msg)
	}
	if _, err := os.Stat(filepath.Join(dir, "so-07-2020-final.zip")); !os.IsNotExist(err) {
		t.Errorf("a local copy was written without --out (%v)", err)
	}
	data = download(t, out)
	m, err = export.VerifyBook(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != export.StatusFinal || !m.Final || len(m.Pending) != 0 || m.Files[0].Name != "so-07-2020-final.xlsx" {
		t.Fatalf("final export's manifest: %+v", m)
	}
}

// download GETs the presigned URL printed on stdout.
func download(t *testing.T, stdout string) []byte {
	t.Helper()
	url := strings.TrimSpace(stdout)
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d, %v", url, resp.StatusCode, err)
	}
	return data
}

// exportTestServices gives tb a database of its own (migrated) and a
// bucket of its own, points SOHOA_DATABASE_URL and SOHOA_S3_BUCKET at
// them, and opens both; all are closed and removed at cleanup.
func exportTestServices(tb testing.TB) (*storage.Store, *storage.Objects) {
	tb.Helper()
	needExportServices(tb)
	ctx := tb.Context()
	dbURL := workerTestDatabase(tb)
	tb.Setenv("SOHOA_DATABASE_URL", dbURL)
	bucket := exportTestBucket(tb)
	tb.Setenv("SOHOA_S3_BUCKET", bucket)
	pool, err := openDatabase(ctx, dbURL) // migrates
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(pool.Close)
	objects, err := openObjects(ctx, s3Flags{endpoint: os.Getenv("SOHOA_S3_ENDPOINT"),
		accessKey: os.Getenv("SOHOA_S3_ACCESS_KEY"), secretKey: os.Getenv("SOHOA_S3_SECRET_KEY"), bucket: bucket})
	if err != nil {
		tb.Fatal(err)
	}
	return storage.New(pool), objects
}

// exportTestBucket names a bucket for the test, emptied and removed at
// cleanup.
func exportTestBucket(t testing.TB) string {
	b := make([]byte, 6)
	rand.Read(b)
	name := "sohoa-cli-export-test-" + hex.EncodeToString(b)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		mc, err := minio.New(os.Getenv("SOHOA_S3_ENDPOINT"), &minio.Options{
			Creds: credentials.NewStaticV4(os.Getenv("SOHOA_S3_ACCESS_KEY"), os.Getenv("SOHOA_S3_SECRET_KEY"), ""),
		})
		if err != nil {
			return
		}
		for obj := range mc.ListObjects(ctx, name, minio.ListObjectsOptions{Recursive: true}) {
			if obj.Err == nil {
				_ = mc.RemoveObject(ctx, name, obj.Key, minio.RemoveObjectOptions{})
			}
		}
		_ = mc.RemoveBucket(ctx, name)
	})
	return name
}

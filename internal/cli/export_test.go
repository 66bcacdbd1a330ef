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
	for _, v := range []string{"SOHOA_DATABASE_URL", "SOHOA_S3_ENDPOINT"} {
		if os.Getenv(v) == "" {
			if os.Getenv("SOHOA_REQUIRE_SERVICES") == "1" {
				t.Fatalf("%s is not set and SOHOA_REQUIRE_SERVICES=1", v)
			}
			t.Skipf("%s is not set", v)
		}
	}
	ctx := t.Context()
	dbURL := workerTestDatabase(t)
	t.Setenv("SOHOA_DATABASE_URL", dbURL)
	bucket := exportTestBucket(t)
	t.Setenv("SOHOA_S3_BUCKET", bucket)

	pool, err := openDatabase(ctx, dbURL) // migrates
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	store := storage.New(pool)
	objects, err := openObjects(ctx, s3Flags{endpoint: os.Getenv("SOHOA_S3_ENDPOINT"),
		accessKey: os.Getenv("SOHOA_S3_ACCESS_KEY"), secretKey: os.Getenv("SOHOA_S3_SECRET_KEY"), bucket: bucket})
	if err != nil {
		t.Fatal(err)
	}
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

	// Zip: uploaded, presigned URL printed, manifest checks out.
	out, msg := run("export", "--book", "07/2020", "--batch", b.ID, "--format", "zip", "--out", filepath.Join(dir, "book.zip"))
	zipPath := filepath.Join(dir, "book-tam-thoi-partial.zip")
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
	url := strings.TrimSpace(out)
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(got, data) {
		t.Fatalf("GET %s: %d, %d bytes (want the %d written)", url, resp.StatusCode, len(got), len(data))
	}

	// Once the record is verified, the export is final.
	recs[0].Status = models.StatusVerified
	if err := store.SaveRecords(ctx, page.ID, recs); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	out, msg = run("export", "--book", "07/2020", "--format", "zip")
	if !strings.Contains(msg, "FINAL") || !strings.Contains(out, "so-07-2020-final.zip") {
		t.Fatalf("stdout %q stderr %q", out, msg)
	}
	if _, err := os.Stat(filepath.Join(dir, "so-07-2020-final.zip")); err != nil {
		t.Fatal(err)
	}
}

// exportTestBucket names a bucket for the test, emptied and removed at
// cleanup.
func exportTestBucket(t *testing.T) string {
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

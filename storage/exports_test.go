package storage

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestPutExportPresignedGet(t *testing.T) {
	o := testObjects(t)
	ctx := t.Context()
	data := []byte("PK zip bytes")
	info, err := o.PutExport(ctx, "books/so-01-2019-final.zip", bytes.NewReader(data), int64(len(data)), "application/zip")
	if err != nil {
		t.Fatal(err)
	}
	if info.Key != "exports/books/so-01-2019-final.zip" || info.SHA256 != sumOf(data) {
		t.Fatalf("info %+v", info)
	}
	u, err := o.PresignedGet(ctx, info.Key, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(got, data) {
		t.Fatalf("GET %d %q", resp.StatusCode, got)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "so-01-2019-final.zip") {
		t.Errorf("Content-Disposition %q", cd)
	}
	for _, bad := range []string{"", "/abs", "../up", "a/../b"} {
		if _, err := o.PutExport(ctx, bad, bytes.NewReader(nil), 0, ""); !errors.Is(err, ErrInvalid) {
			t.Errorf("name %q: err %v", bad, err)
		}
	}
}

// TestPutExportStreamed streams an export of unknown size, several parts
// long, renames it, and checks that a reader's error leaves no object.
func TestPutExportStreamed(t *testing.T) {
	o := testObjects(t)
	ctx := t.Context()
	data := bytes.Repeat([]byte("0123456789abcdef"), (2*exportPartSize+exportPartSize/2)/16)
	pr, pw := io.Pipe()
	go func() {
		for b := data; len(b) > 0; b = b[min(len(b), 1<<20):] {
			if _, err := pw.Write(b[:min(len(b), 1<<20)]); err != nil {
				return
			}
		}
		pw.Close()
	}()
	if _, err := o.PutExport(ctx, "books/so-1-final.zip", pr, -1, "application/zip"); err != nil {
		t.Fatal(err)
	}
	if err := o.RenameExport(ctx, "books/so-1-final.zip", "books/so-1-tam-thoi-partial.zip"); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Stat(ctx, ExportKey("books/so-1-final.zip")); !errors.Is(err, ErrNotFound) {
		t.Errorf("the old name is still there: %v", err)
	}
	rc, info, err := o.Get(ctx, ExportKey("books/so-1-tam-thoi-partial.zip"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("renamed export: %d bytes (want %d), %v; %+v", len(got), len(data), err, info)
	}

	pr, pw = io.Pipe()
	go func() {
		pw.Write(data[:exportPartSize+1])
		pw.CloseWithError(errors.New("export failed"))
	}()
	if _, err := o.PutExport(ctx, "books/broken.zip", pr, -1, "application/zip"); err == nil {
		t.Fatal("an export whose writer failed was stored")
	}
	if _, err := o.Stat(ctx, ExportKey("books/broken.zip")); !errors.Is(err, ErrNotFound) {
		t.Errorf("failed export: %v", err)
	}
}

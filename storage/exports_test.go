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

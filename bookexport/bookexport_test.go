package bookexport

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/sohoa/sohoa/server/servertest"
	"github.com/sohoa/sohoa/storage"
)

func TestFileName(t *testing.T) {
	for _, tc := range []struct {
		name, ext string
		final     bool
		want      string
	}{
		{"", "zip", true, "so-01-2019-final.zip"},
		{"", "zip", false, "so-01-2019-tam-thoi-partial.zip"},
		{"", "xlsx", false, "so-01-2019-tam-thoi-partial.xlsx"},
		{"", "jsonl", true, "so-01-2019-final.jsonl"},
		{"book.xlsx", "xlsx", true, "book.xlsx"},
		{"book.xlsx", "xlsx", false, "book-tam-thoi-partial.xlsx"},
		{"book-tam-thoi-partial.zip", "zip", false, "book-tam-thoi-partial.zip"},
		// A name that states the wrong status is corrected.
		{"book-final.zip", "zip", false, "book-tam-thoi-partial.zip"},
		{"book-FINAL.csv", "csv", false, "book-tam-thoi-partial.csv"},
		{"book-partial.zip", "zip", false, "book-tam-thoi-partial.zip"},
		{"book-tam-thoi-partial.zip", "zip", true, "book-final.zip"},
		{"book-partial.zip", "zip", true, "book-final.zip"},
		{"book-final.zip", "zip", true, "book-final.zip"},
		{"partial-notes", "csv", false, "partial-notes-tam-thoi-partial"},
	} {
		if got := FileName(tc.name, "01/2019", tc.ext, tc.final); got != tc.want {
			t.Errorf("FileName(%q, final %v) = %q, want %q", tc.name, tc.final, got, tc.want)
		}
	}
}

// TestStreamRenames checks the exports whose status changed while
// they were written (the object was named before) are renamed to state
// what they hold, and that a failed export leaves no object.
func TestStreamRenames(t *testing.T) {
	ctx := t.Context()
	objects := servertest.Start(t, nil).Objects
	for _, tc := range []struct {
		name      string
		final     bool // what the export turns out to be
		fail      error
		wantKey   string
		wantGone  string
		wantError string
	}{
		{"so-1-final.zip", true, nil, "books/so-1-final.zip", "", ""},
		{"so-2-final.zip", false, nil, "books/so-2-tam-thoi-partial.zip", "books/so-2-final.zip", ""},
		{"so-3-tam-thoi-partial.zip", true, nil, "books/so-3-final.zip", "books/so-3-tam-thoi-partial.zip", ""},
		{"so-4-final.zip", true, errors.New("page image missing"), "", "books/so-4-final.zip", "page image missing"},
	} {
		body := []byte("zip of " + tc.name)
		m, err := stream(ctx, objects, Options{Book: "1", Format: Zip, Name: tc.name}, strings.HasSuffix(tc.name, "-final.zip"), func(w io.Writer) (Result, error) {
			if _, err := w.Write(body); err != nil {
				return Result{}, err
			}
			return Result{Final: tc.final}, tc.fail
		})
		key := m.Key
		if tc.wantError != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantError) {
				t.Errorf("%s: err %v, want %q", tc.name, err, tc.wantError)
			}
		} else if err != nil || key != tc.wantKey || m.Final != tc.final {
			t.Errorf("%s: key %q, %v; want %q", tc.name, key, err, tc.wantKey)
		}
		if tc.wantKey != "" {
			rc, _, err := objects.Get(ctx, storage.ExportKey(tc.wantKey))
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			got, _ := io.ReadAll(rc)
			rc.Close()
			if !bytes.Equal(got, body) {
				t.Errorf("%s: stored %q", tc.name, got)
			}
		}
		if tc.wantGone != "" {
			if _, err := objects.Stat(ctx, storage.ExportKey(tc.wantGone)); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("%s: %s still stored (%v)", tc.name, tc.wantGone, err)
			}
		}
	}
}

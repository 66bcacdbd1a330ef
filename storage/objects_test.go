package storage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
)

// testObjects returns an Objects on a bucket of its own, emptied and
// removed at cleanup.
func testObjects(t *testing.T) *Objects {
	t.Helper()
	needService(t, "SOHOA_S3_ENDPOINT")
	o, err := NewObjects(ObjectsOptions{
		Endpoint:  os.Getenv("SOHOA_S3_ENDPOINT"),
		AccessKey: os.Getenv("SOHOA_S3_ACCESS_KEY"),
		SecretKey: os.Getenv("SOHOA_S3_SECRET_KEY"),
		Bucket:    "sohoa-test-" + randomHex(6),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := o.EnsureBuckets(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := o.EnsureBuckets(t.Context()); err != nil {
		t.Fatalf("EnsureBuckets again: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for obj := range o.client.ListObjects(ctx, o.bucket, minio.ListObjectsOptions{Recursive: true}) {
			if obj.Err == nil {
				_ = o.client.RemoveObject(ctx, o.bucket, obj.Key, minio.RemoveObjectOptions{})
			}
		}
		if err := o.client.RemoveBucket(ctx, o.bucket); err != nil {
			t.Errorf("remove test bucket: %v", err)
		}
	})
	return o
}

func sumOf(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func readAll(t *testing.T, o *Objects, key string) ([]byte, ObjectInfo) {
	t.Helper()
	rc, info, err := o.Get(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b, info
}

// failReader fails the test if anything reads it.
type failReader struct{ t *testing.T }

func (r failReader) Read([]byte) (int, error) {
	r.t.Error("the body of an existing original was read again")
	return 0, io.ErrUnexpectedEOF
}

func TestPutOriginal(t *testing.T) {
	o := testObjects(t)
	ctx := t.Context()
	page := []byte("\xff\xd8\xff\xe0 a scanned page " + randomHex(8))
	sum := sumOf(page)

	info, created, err := o.PutOriginal(ctx, bytes.NewReader(page), int64(len(page)), sum, PutOriginalOptions{ContentType: "image/jpeg"})
	if err != nil {
		t.Fatal(err)
	}
	if !created || info.Key != OriginalKey(sum) || info.Size != int64(len(page)) || info.SHA256 != sum {
		t.Errorf("PutOriginal = %+v, created %v", info, created)
	}
	got, st := readAll(t, o, OriginalKey(sum))
	if !bytes.Equal(got, page) {
		t.Errorf("Get returned %q, want %q", got, page)
	}
	if st.ContentType != "image/jpeg" || st.SHA256 != sum || st.Size != int64(len(page)) {
		t.Errorf("Get info = %+v", st)
	}

	// The same content again is stored once: nothing is sent or rewritten.
	again, created, err := o.PutOriginal(ctx, failReader{t}, int64(len(page)), sum, PutOriginalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if created || again.ETag != st.ETag || !again.LastModified.Equal(st.LastModified) {
		t.Errorf("second PutOriginal: created %v, %+v; want the first object %+v", created, again, st)
	}
	if ok, err := o.Exists(ctx, OriginalKey(sum)); !ok || err != nil {
		t.Errorf("Exists = %v, %v", ok, err)
	}
}

func TestPutOriginalChecksumMismatch(t *testing.T) {
	o := testObjects(t)
	ctx := t.Context()
	claimed := []byte("the page the client hashed " + randomHex(8))
	sent := []byte("other bytes, same length!! " + randomHex(8))
	sum := sumOf(claimed)

	_, created, err := o.PutOriginal(ctx, bytes.NewReader(sent), int64(len(sent)), sum, PutOriginalOptions{})
	if !errors.Is(err, ErrChecksumMismatch) || created {
		t.Fatalf("PutOriginal with the wrong bytes: created %v, %v; want ErrChecksumMismatch", created, err)
	}
	if ok, err := o.Exists(ctx, OriginalKey(sum)); ok || err != nil {
		t.Errorf("after a refused upload: exists %v, %v; want nothing stored", ok, err)
	}
	if _, _, err := o.Get(ctx, OriginalKey(sum)); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after a refused upload: %v, want ErrNotFound", err)
	}
	if _, _, err := o.PutOriginal(ctx, bytes.NewReader(sent), int64(len(sent)), "abc", PutOriginalOptions{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("malformed sha256: %v, want ErrInvalid", err)
	}
}

func TestPutDerived(t *testing.T) {
	o := testObjects(t)
	ctx := t.Context()
	sum := sumOf([]byte(randomHex(8)))
	clean := []byte("\x89PNG cleaned page")
	info, err := o.PutDerived(ctx, sum, "clean.png", clean, "image/png")
	if err != nil {
		t.Fatal(err)
	}
	if info.Key != "derived/"+sum+"/clean.png" || info.Size != int64(len(clean)) {
		t.Errorf("PutDerived = %+v", info)
	}
	// Derived images are replaced by a re-run.
	clean2 := []byte("\x89PNG cleaned again")
	if _, err := o.PutDerived(ctx, sum, "clean.png", clean2, "image/png"); err != nil {
		t.Fatal(err)
	}
	if got, st := readAll(t, o, DerivedKey(sum, "clean.png")); !bytes.Equal(got, clean2) || st.ContentType != "image/png" {
		t.Errorf("derived image = %q (%s)", got, st.ContentType)
	}
	for _, name := range []string{"", "/abs.png", "../escape.png", "a/../b.png", "a//b.png"} {
		if _, err := o.PutDerived(ctx, sum, name, clean, ""); !errors.Is(err, ErrInvalid) {
			t.Errorf("PutDerived name %q: %v, want ErrInvalid", name, err)
		}
	}
	if _, err := o.Stat(ctx, DerivedKey(sum, "missing.png")); !errors.Is(err, ErrNotFound) {
		t.Errorf("Stat(missing): %v, want ErrNotFound", err)
	}
}

func put(t *testing.T, url string, header http.Header, body []byte) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

func TestPresignedPut(t *testing.T) {
	o := testObjects(t)
	ctx := t.Context()
	body := []byte("uploaded by a scanner station " + randomHex(8))
	key := "uploads/" + randomHex(8)
	u, err := o.PresignedPut(ctx, key, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if code := put(t, u.String(), nil, body); code != http.StatusOK {
		t.Fatalf("presigned PUT: HTTP %d", code)
	}
	if got, _ := readAll(t, o, key); !bytes.Equal(got, body) {
		t.Errorf("object = %q, want %q", got, body)
	}
}

func TestPresignedPutOriginal(t *testing.T) {
	o := testObjects(t)
	ctx := t.Context()
	page := []byte("a page sent straight to the store " + randomHex(8))
	sum := sumOf(page)
	u, h, err := o.PresignedPutOriginal(ctx, sum, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	// Other bytes through the same URL are refused and not stored.
	if code := put(t, u.String(), h, []byte("not the page")); code == http.StatusOK {
		t.Errorf("presigned PUT of other bytes: HTTP %d, want a refusal", code)
	}
	if ok, err := o.Exists(ctx, OriginalKey(sum)); ok || err != nil {
		t.Errorf("after the refused PUT: exists %v, %v", ok, err)
	}
	// Without the checksum header the signature does not match.
	if code := put(t, u.String(), nil, page); code == http.StatusOK {
		t.Errorf("presigned PUT without its header: HTTP %d, want a refusal", code)
	}
	if code := put(t, u.String(), h, page); code != http.StatusOK {
		t.Fatalf("presigned PUT of the page: HTTP %d", code)
	}
	if got, st := readAll(t, o, OriginalKey(sum)); !bytes.Equal(got, page) || st.SHA256 != sum {
		t.Errorf("original = %q (sha256 %s)", got, st.SHA256)
	}
}

// TestReadAll reads whole objects from the store: into the caller's
// buffer when it is large enough, refusing one over the limit (naming it)
// without reading it, and ErrNotFound for none.
func TestReadAll(t *testing.T) {
	o := testObjects(t)
	ctx := t.Context()
	sum := sumOf([]byte(randomHex(8)))
	data := []byte("a cleaned page, some bytes of it")
	if _, err := o.PutDerived(ctx, sum, "page.bin", data, ""); err != nil {
		t.Fatal(err)
	}
	key := DerivedKey(sum, "page.bin")
	buf := make([]byte, 0, 64)
	got, info, err := o.ReadAll(ctx, key, int64(len(data)), buf)
	if err != nil || !bytes.Equal(got, data) || info.Size != int64(len(data)) {
		t.Fatalf("ReadAll = %q, %+v, %v", got, info, err)
	}
	if &got[0] != &buf[:1][0] {
		t.Errorf("ReadAll did not read into the buffer given")
	}
	if _, _, err := o.ReadAll(ctx, key, 5, nil); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), key) {
		t.Errorf("over the limit: %v, want ErrTooLarge naming %s", err, key)
	}
	if _, _, err := o.ReadAll(ctx, DerivedKey(sum, "missing.bin"), 100, nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing object: %v, want ErrNotFound", err)
	}
}

// TestReadFull checks a body is read whole into a buffer of the size the
// store states, that a body shorter or longer than that is an error, and
// that the reader's own error at the end (where the store's checksum is
// verified) is not lost.
func TestReadFull(t *testing.T) {
	data := []byte("a page image of some bytes")
	bad := errors.New("checksum mismatch")
	for _, tc := range []struct {
		name    string
		body    io.Reader
		size    int64
		wantErr string
	}{
		{"exact", bytes.NewReader(data), int64(len(data)), ""},
		{"empty", bytes.NewReader(nil), 0, ""},
		{"short", bytes.NewReader(data[:5]), int64(len(data)), "unexpected EOF"},
		{"long", bytes.NewReader(data), int64(len(data) - 1), "longer than its stated size"},
		{"checksum at the end", io.MultiReader(bytes.NewReader(data), errReader{bad}), int64(len(data)), "checksum mismatch"},
		{"size unknown", bytes.NewReader(data), -1, "size -1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readFull(tc.body, tc.size, nil)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !bytes.Equal(got, data[:tc.size]) {
				t.Fatalf("read %q, %v", got, err)
			}
		})
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

package storage

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// ObjectsOptions configures NewObjects.
type ObjectsOptions struct {
	Endpoint  string // host:port, e.g. 127.0.0.1:59000
	AccessKey string
	SecretKey string
	Secure    bool   // HTTPS
	Region    string // "" for the server's default
	Bucket    string // required
}

// Objects keeps page images in one bucket of an S3-compatible store:
// originals under a key derived from their SHA-256 (immutable once
// written, so the same image is stored once), and derived images (cleaned
// page, crops…) beside them.
type Objects struct {
	client *minio.Client
	bucket string
}

// ObjectInfo describes a stored object.
type ObjectInfo struct {
	Key          string
	Size         int64
	ContentType  string
	ETag         string
	SHA256       string // hex; empty when the store did not record one
	LastModified time.Time
}

// PutOriginalOptions are the optional parts of PutOriginal.
type PutOriginalOptions struct {
	ContentType string // default application/octet-stream
}

// NewObjects returns an Objects over opts.Bucket. It does not contact the
// server; call EnsureBuckets at start.
func NewObjects(opts ObjectsOptions) (*Objects, error) {
	if opts.Endpoint == "" || opts.Bucket == "" {
		return nil, invalidf("objects: endpoint and bucket are required")
	}
	client, err := minio.New(opts.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(opts.AccessKey, opts.SecretKey, ""),
		Secure: opts.Secure,
		Region: opts.Region,
		// Needed for x-amz-checksum-* headers on PutObject.
		TrailingHeaders: true,
	})
	if err != nil {
		return nil, fmt.Errorf("storage: objects: %w", err)
	}
	return &Objects{client: client, bucket: opts.Bucket}, nil
}

// Bucket is the name of the bucket the Objects uses.
func (o *Objects) Bucket() string { return o.bucket }

// EnsureBuckets creates the bucket if it does not exist.
func (o *Objects) EnsureBuckets(ctx context.Context) error {
	ok, err := o.client.BucketExists(ctx, o.bucket)
	if err != nil {
		return fmt.Errorf("storage: bucket %s: %w", o.bucket, err)
	}
	if ok {
		return nil
	}
	err = o.client.MakeBucket(ctx, o.bucket, minio.MakeBucketOptions{})
	if err != nil {
		switch minio.ToErrorResponse(err).Code {
		case "BucketAlreadyOwnedByYou", "BucketAlreadyExists":
			return nil
		}
		return fmt.Errorf("storage: make bucket %s: %w", o.bucket, err)
	}
	return nil
}

// OriginalKey is the key of the original with the given hex SHA-256:
// originals/<first two digits>/<the other 62>.
func OriginalKey(sum string) string {
	return "originals/" + sum[:2] + "/" + sum[2:]
}

// DerivedKey is the key of an image derived from the original with the
// given SHA-256: derived/<sha256>/<name>.
func DerivedKey(sum, name string) string {
	return "derived/" + sum + "/" + name
}

// AccessName is the derived object (DerivedKey) holding an original's
// access copy: the page as scanned, at most 200 dpi, JPEG
// (preprocess.AccessCopyFor), which exported PDFs hold. An original
// without one (a JPEG of 200 dpi or less) serves as its own.
const AccessName = "access.jpg"

// WordsName is the derived object (DerivedKey) holding the words the OCR
// stage read on an original, as JSON (queue.PageWords): lines and words
// with their boxes in original-page pixels and their confidences.
// Extraction can be run again from it (other templates, another confidence
// model) without reading the page again, and the page's full text indexed.
const WordsName = "ocr/words.json"

// PutOriginal stores size bytes from r as the original whose hex SHA-256 is
// sum, at OriginalKey(sum). The store checks the bytes against sum before
// keeping them: a mismatch gives ErrChecksumMismatch and stores nothing. An
// original that exists already is not written again; created tells whether
// this call stored it.
func (o *Objects) PutOriginal(ctx context.Context, r io.Reader, size int64, sum string, opts PutOriginalOptions) (info ObjectInfo, created bool, err error) {
	raw, err := decodeSum(sum)
	if err != nil {
		return ObjectInfo{}, false, err
	}
	if size < 0 {
		return ObjectInfo{}, false, invalidf("original size %d", size)
	}
	key := OriginalKey(sum)
	if info, err := o.Stat(ctx, key); err == nil {
		return info, false, nil
	} else if !errors.Is(err, ErrNotFound) {
		return ObjectInfo{}, false, err
	}
	contentType := opts.ContentType
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	put := minio.PutObjectOptions{
		ContentType: contentType,
		// The server computes the SHA-256 of the body and refuses the
		// object unless it equals this one (a signed header).
		UserMetadata:     map[string]string{"x-amz-checksum-sha256": base64.StdEncoding.EncodeToString(raw)},
		DisableMultipart: true,
		// That checksum guards the bytes; signing the payload as well
		// (what minio-go does over plain HTTP, and not over TLS) hashed
		// every original twice more, once on each side.
		DisableContentSha256: true,
	}
	// Never overwrite: a concurrent PutOriginal of the same bytes may win.
	put.SetMatchETagExcept("*")
	up, err := o.client.PutObject(ctx, o.bucket, key, r, size, put)
	if err != nil {
		if code := minio.ToErrorResponse(err).Code; code == "PreconditionFailed" {
			info, err := o.Stat(ctx, key)
			return info, false, err
		}
		return ObjectInfo{}, false, o.wrap(err, "put", key)
	}
	return ObjectInfo{
		Key: key, Size: up.Size, ContentType: contentType, ETag: up.ETag, SHA256: sum,
		LastModified: up.LastModified,
	}, true, nil
}

// PutDerived stores data derived from the original with hex SHA-256 sum
// under DerivedKey(sum, name), replacing an earlier version. name is a
// relative slash-separated path such as "clean.png".
//
// The bytes are guarded by a CRC-32C checksum, which the store verifies
// on upload and Get verifies on reading: derived objects are not named by
// their content, and SHA-256 on both sides, with the payload signed as
// well, cost a cleaned page's megabytes five SHA-256 passes (about 30 ms
// of CPU a page) where CRC-32C costs a fraction of a millisecond.
func (o *Objects) PutDerived(ctx context.Context, sum, name string, data []byte, contentType string) (ObjectInfo, error) {
	if _, err := decodeSum(sum); err != nil {
		return ObjectInfo{}, err
	}
	if name == "" || strings.HasPrefix(name, "/") || path.Clean(name) != name || strings.HasPrefix(name, "..") {
		return ObjectInfo{}, invalidf("derived name %q", name)
	}
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	key := DerivedKey(sum, name)
	up, err := o.client.PutObject(ctx, o.bucket, key, bytes.NewReader(data), int64(len(data)),
		minio.PutObjectOptions{ContentType: contentType, Checksum: minio.ChecksumCRC32C, DisableMultipart: true,
			DisableContentSha256: true})
	if err != nil {
		return ObjectInfo{}, o.wrap(err, "put", key)
	}
	return ObjectInfo{
		Key: key, Size: up.Size, ContentType: contentType, ETag: up.ETag,
		LastModified: up.LastModified,
	}, nil
}

// Get opens the object at key. The caller closes the reader; reading it to
// the end verifies the stored SHA-256, where there is one.
func (o *Objects) Get(ctx context.Context, key string) (io.ReadCloser, ObjectInfo, error) {
	obj, err := o.client.GetObject(ctx, o.bucket, key, minio.GetObjectOptions{Checksum: true})
	if err != nil {
		return nil, ObjectInfo{}, o.wrap(err, "get", key)
	}
	st, err := obj.Stat()
	if err != nil {
		obj.Close()
		return nil, ObjectInfo{}, o.wrap(err, "get", key)
	}
	return obj, objectInfo(st), nil
}

// ReadAll reads the whole object at key, of at most limit bytes, into
// buf's memory when its capacity holds it (else into a new slice of the
// object's size: growing one as it is read cost more copying and clearing
// than the reading), then reads on to the end of the body, where Get's
// checksum is verified. An object larger than limit gives ErrTooLarge
// without being read.
func (o *Objects) ReadAll(ctx context.Context, key string, limit int64, buf []byte) ([]byte, ObjectInfo, error) {
	rc, info, err := o.Get(ctx, key)
	if err != nil {
		return nil, ObjectInfo{}, err
	}
	defer rc.Close()
	if info.Size > limit {
		return nil, info, fmt.Errorf("%w: object %s has %d bytes, limit %d", ErrTooLarge, key, info.Size, limit)
	}
	data, err := readFull(rc, info.Size, buf)
	if err != nil {
		return nil, info, fmt.Errorf("storage: read %s: %w", key, err)
	}
	return data, info, nil
}

// readFull reads exactly size bytes from r into buf's memory (or a new
// slice when buf is too small), then its end: a body longer than size, or
// an error at the end (a checksum that does not match), is an error.
func readFull(r io.Reader, size int64, buf []byte) ([]byte, error) {
	if size < 0 {
		return nil, fmt.Errorf("size %d", size)
	}
	if int64(cap(buf)) < size {
		buf = make([]byte, size)
	}
	buf = buf[:size]
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, err
	}
	var extra [1]byte
	if n, err := r.Read(extra[:]); n > 0 || err != io.EOF {
		if err == nil || err == io.EOF {
			err = errors.New("longer than its stated size")
		}
		return nil, err
	}
	return buf, nil
}

// Stat describes the object at key, or gives ErrNotFound.
func (o *Objects) Stat(ctx context.Context, key string) (ObjectInfo, error) {
	st, err := o.client.StatObject(ctx, o.bucket, key, minio.StatObjectOptions{Checksum: true})
	if err != nil {
		return ObjectInfo{}, o.wrap(err, "stat", key)
	}
	return objectInfo(st), nil
}

// Exists reports whether an object is stored at key.
func (o *Objects) Exists(ctx context.Context, key string) (bool, error) {
	_, err := o.Stat(ctx, key)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, ErrNotFound):
		return false, nil
	}
	return false, err
}

// PresignedPut returns a URL through which anyone holding it may PUT an
// object at key until expiry passes (at most 7 days).
func (o *Objects) PresignedPut(ctx context.Context, key string, expiry time.Duration) (*url.URL, error) {
	u, err := o.client.PresignedPutObject(ctx, o.bucket, key, expiry)
	if err != nil {
		return nil, fmt.Errorf("storage: presign put %s: %w", key, err)
	}
	return u, nil
}

// PresignedPutOriginal returns a URL through which a client may PUT the
// original whose hex SHA-256 is sum straight to OriginalKey(sum), and the
// headers the PUT must carry. The server refuses a body with another
// SHA-256, so what lands there is always the image the key names.
func (o *Objects) PresignedPutOriginal(ctx context.Context, sum string, expiry time.Duration) (*url.URL, http.Header, error) {
	raw, err := decodeSum(sum)
	if err != nil {
		return nil, nil, err
	}
	h := http.Header{}
	h.Set("x-amz-checksum-sha256", base64.StdEncoding.EncodeToString(raw))
	key := OriginalKey(sum)
	u, err := o.client.PresignHeader(ctx, http.MethodPut, o.bucket, key, expiry, nil, h)
	if err != nil {
		return nil, nil, fmt.Errorf("storage: presign put %s: %w", key, err)
	}
	return u, h, nil
}

// wrap maps object-store errors to the package's sentinels.
func (o *Objects) wrap(err error, op, key string) error {
	switch minio.ToErrorResponse(err).Code {
	case "NoSuchKey", "NoSuchBucket", "NoSuchObject":
		return fmt.Errorf("%w: object %s/%s", ErrNotFound, o.bucket, key)
	case "XAmzContentChecksumMismatch", "BadDigest", "InvalidDigest", "XAmzContentSHA256Mismatch":
		return fmt.Errorf("%w: object %s/%s: %v", ErrChecksumMismatch, o.bucket, key, err)
	}
	return fmt.Errorf("storage: %s %s/%s: %w", op, o.bucket, key, err)
}

func decodeSum(sum string) ([]byte, error) {
	if !sha256Hex.MatchString(sum) {
		return nil, invalidf("sha256 %q is not 64 lower-case hex digits", sum)
	}
	return hex.DecodeString(sum)
}

func b64ToHex(s string) string {
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(raw) != 32 {
		return ""
	}
	return hex.EncodeToString(raw)
}

func objectInfo(st minio.ObjectInfo) ObjectInfo {
	return ObjectInfo{
		Key: st.Key, Size: st.Size, ContentType: st.ContentType, ETag: st.ETag,
		SHA256: b64ToHex(st.ChecksumSHA256), LastModified: st.LastModified,
	}
}

package storage

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
)

// ExportKey is the key of an export file: exports/<name>.
func ExportKey(name string) string { return "exports/" + name }

// PutExport stores size bytes from r at ExportKey(name), replacing an
// earlier export of that name, and returns what was stored (with the
// SHA-256 the store checked). name is a relative slash-separated path.
func (o *Objects) PutExport(ctx context.Context, name string, r io.Reader, size int64, contentType string) (ObjectInfo, error) {
	if name == "" || strings.HasPrefix(name, "/") || path.Clean(name) != name || strings.HasPrefix(name, "..") {
		return ObjectInfo{}, invalidf("export name %q", name)
	}
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	key := ExportKey(name)
	up, err := o.client.PutObject(ctx, o.bucket, key, r, size, minio.PutObjectOptions{
		ContentType: contentType, Checksum: minio.ChecksumSHA256, DisableMultipart: size >= 0 && size < 64<<20,
	})
	if err != nil {
		return ObjectInfo{}, o.wrap(err, "put", key)
	}
	return ObjectInfo{
		Key: key, Size: up.Size, ContentType: contentType, ETag: up.ETag,
		SHA256: b64ToHex(up.ChecksumSHA256), LastModified: up.LastModified,
	}, nil
}

// PresignedGet returns a URL through which anyone holding it may GET the
// object at key until expiry passes (at most 7 days). The download is
// offered under the key's base name.
func (o *Objects) PresignedGet(ctx context.Context, key string, expiry time.Duration) (*url.URL, error) {
	params := url.Values{}
	params.Set("response-content-disposition", mime.FormatMediaType("attachment", map[string]string{"filename": path.Base(key)}))
	u, err := o.client.PresignedGetObject(ctx, o.bucket, key, expiry, params)
	if err != nil {
		return nil, fmt.Errorf("storage: presign get %s: %w", key, err)
	}
	return u, nil
}

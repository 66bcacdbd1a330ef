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

// exportPartSize is the part size of an export streamed without a known
// size: the client holds two parts (one filling while the other uploads)
// and a multipart upload has at most 10,000 parts, so exports up to about
// 160 GiB stream in 32 MiB of memory.
const exportPartSize = 16 << 20

// PutExport stores size bytes from r at ExportKey(name), replacing an
// earlier export of that name, and returns what was stored (with the
// SHA-256 the store checked). name is a relative slash-separated path. A
// size of -1 streams r until EOF as it is written (a book export is
// uploaded while it is made); an error from r aborts the upload. A
// streamed export is checked in transit with CRC-32C per part rather than
// SHA-256 (its SHA256 is empty): hashing a book export's gigabytes once
// more on each side cost seconds, and its files carry their own SHA-256
// in its manifest.
func (o *Objects) PutExport(ctx context.Context, name string, r io.Reader, size int64, contentType string) (ObjectInfo, error) {
	key, err := exportKey(name)
	if err != nil {
		return ObjectInfo{}, err
	}
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	// The SHA-256 checksum (a signed header the store verifies) already
	// guards the bytes; signing the payload as well hashed a book export's
	// gigabytes twice more on each side.
	opts := minio.PutObjectOptions{
		ContentType: contentType, Checksum: minio.ChecksumSHA256, DisableMultipart: size >= 0 && size < 64<<20,
		DisableContentSha256: true,
	}
	if size < 0 {
		opts.PartSize, opts.NumThreads, opts.ConcurrentStreamParts = exportPartSize, 2, true
		opts.Checksum = minio.ChecksumCRC32C
	}
	up, err := o.client.PutObject(ctx, o.bucket, key, r, size, opts)
	if err != nil {
		return ObjectInfo{}, o.wrap(err, "put", key)
	}
	return ObjectInfo{
		Key: key, Size: up.Size, ContentType: contentType, ETag: up.ETag,
		SHA256: b64ToHex(up.ChecksumSHA256), LastModified: up.LastModified,
	}, nil
}

// RenameExport moves the export stored at ExportKey(from) to
// ExportKey(to), copying it within the store.
func (o *Objects) RenameExport(ctx context.Context, from, to string) error {
	src, err := exportKey(from)
	if err != nil {
		return err
	}
	dst, err := exportKey(to)
	if err != nil {
		return err
	}
	// ComposeObject, unlike CopyObject, copies objects over 5 GiB.
	if _, err := o.client.ComposeObject(ctx, minio.CopyDestOptions{Bucket: o.bucket, Object: dst},
		minio.CopySrcOptions{Bucket: o.bucket, Object: src}); err != nil {
		return o.wrap(err, "copy", src)
	}
	if err := o.client.RemoveObject(ctx, o.bucket, src, minio.RemoveObjectOptions{}); err != nil {
		return o.wrap(err, "remove", src)
	}
	return nil
}

func exportKey(name string) (string, error) {
	if name == "" || strings.HasPrefix(name, "/") || path.Clean(name) != name || strings.HasPrefix(name, "..") {
		return "", invalidf("export name %q", name)
	}
	return ExportKey(name), nil
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

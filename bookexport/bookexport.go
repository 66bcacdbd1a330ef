// Package bookexport writes the export of a register book (quyển số) into
// the object store: the book's records read from PostgreSQL in entry order,
// as a zip (the workbook, one PDF per record with its page image, the
// manifest: export.WriteBook) or as one workbook, CSV or JSON Lines file,
// streamed into the export bucket as it is made. `sohoa export` and the
// workers' export task (asked for with POST /v1/books/{book}/exports) both
// call Write.
package bookexport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"path/filepath"
	"strings"

	"github.com/sohoa/sohoa/export"
	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/storage"
)

// Formats of a book export.
const (
	Zip   = "zip"
	XLSX  = string(export.XLSX)
	CSV   = string(export.CSV)
	JSONL = string(export.JSONL)
)

// ErrFormat is returned for a format other than zip, xlsx, csv or jsonl.
var ErrFormat = errors.New("bookexport: unknown format")

// CheckFormat returns nil for a known format and an error wrapping ErrFormat
// otherwise.
func CheckFormat(f string) error {
	switch f {
	case Zip, XLSX, CSV, JSONL:
		return nil
	}
	return fmt.Errorf("%w %q: want zip, xlsx, csv or jsonl", ErrFormat, f)
}

// Options says what to export.
type Options struct {
	Book    string // required
	BatchID string // only this batch's records; "" for the whole book
	Format  string // Zip, XLSX, CSV or JSONL
	// Type gives the workbook a sheet of that type even when empty; with a
	// batch and no type, the batch's.
	Type    models.RegisterType
	Columns export.ColumnSets // nil means export.DefaultColumns
	Font    *export.Font      // the PDFs' text page; nil leaves it out
	// PageImage is what each PDF holds of its page: "access" (default: the
	// page's access copy, at most 200 dpi, where the worker made one, else
	// the original) or "original" (the scan as uploaded).
	PageImage string
	// IncludeRejected also writes rejected records (not in a zip, where
	// they are listed in the manifest only).
	IncludeRejected bool
	// Name is the object's file name; "" means so-<book>-<status>.<ext>.
	// Either way the name is made to state the status (FileName).
	Name string
	// Copy, when set, receives every byte written to the store too (the
	// command's --out).
	Copy io.Writer
}

// Result is what an export holds and where it is.
type Result struct {
	Key        string // the object's key under the export prefix (storage.ExportKey)
	Final      bool
	Size       int64
	Exported   int // records written
	Pending    int // records still waiting for review
	Rejected   int
	Duplicates int // duplicate groups
	Unresolved int // duplicate groups not resolved
}

// Store is the database side of an export.
type Store interface {
	BookRecords(ctx context.Context, book, batchID string, pageSize int) iter.Seq2[storage.Record, error]
	BookRecordFields(ctx context.Context, book, batchID string, fields []string) iter.Seq2[storage.Record, error]
	GetBatch(ctx context.Context, id string) (storage.Batch, error)
}

// Objects is the object-store side of an export.
type Objects interface {
	PutExport(ctx context.Context, name string, r io.Reader, size int64, contentType string) (storage.ObjectInfo, error)
	RenameExport(ctx context.Context, from, to string) error
	ReadAll(ctx context.Context, key string, limit int64, buf []byte) ([]byte, storage.ObjectInfo, error)
}

// Write exports the book into the object store under books/<name> and
// returns what it holds. The object is named final or partial before it
// is written (the book's statuses and duplicate keys are read once for
// that); if a record was reviewed meanwhile and the export came out
// otherwise, the object is renamed so that its name states what it holds.
func Write(ctx context.Context, st Store, objs Objects, opts Options) (Result, error) {
	if strings.TrimSpace(opts.Book) == "" {
		return Result{}, errors.New("bookexport: book number is empty")
	}
	if err := CheckFormat(opts.Format); err != nil {
		return Result{}, err
	}
	if err := CheckPageImage(opts.PageImage); err != nil {
		return Result{}, err
	}
	if opts.Type == "" && opts.BatchID != "" {
		b, err := st.GetBatch(ctx, opts.BatchID)
		if err != nil {
			return Result{}, err
		}
		opts.Type = b.RegisterType
	}
	// Naming needs the statuses and the duplicate keys only.
	final, err := export.BookFinal(storage.ModelRecords(st.BookRecordFields(ctx, opts.Book, opts.BatchID, export.KeyFields())))
	if err != nil {
		return Result{}, err
	}
	return stream(ctx, objs, opts, final, func(w io.Writer) (Result, error) {
		return write(ctx, w, st, objs, opts)
	})
}

// stream uploads what write writes to books/<name> as it is written, name
// stating the status final, and returns write's result with the object's
// key and size. When the export came out otherwise than final said, the
// object is renamed so that its name states what it holds; when write or
// the upload fails, no object is left.
func stream(ctx context.Context, objs Objects, opts Options, final bool, write func(io.Writer) (Result, error)) (Result, error) {
	key := "books/" + FileName(opts.Name, opts.Book, opts.Format, final)
	pr, pw := io.Pipe()
	type upload struct {
		info storage.ObjectInfo
		err  error
	}
	uploaded := make(chan upload, 1)
	go func() {
		info, err := objs.PutExport(ctx, key, pr, -1, contentType(opts.Format))
		pr.CloseWithError(err) // stops the writing if the upload failed
		uploaded <- upload{info, err}
	}()
	var w io.Writer = pw
	if opts.Copy != nil {
		w = io.MultiWriter(pw, opts.Copy)
	}
	res, werr := write(w)
	pw.CloseWithError(werr) // nil: the upload completes
	up := <-uploaded
	switch {
	case werr != nil && up.err != nil && !errors.Is(up.err, werr):
		return Result{}, fmt.Errorf("%w (upload: %v)", werr, up.err)
	case werr != nil:
		return Result{}, werr
	case up.err != nil:
		return Result{}, fmt.Errorf("bookexport: upload: %w", up.err)
	}
	res.Size = up.info.Size
	res.Key = key
	if want := "books/" + FileName(opts.Name, opts.Book, opts.Format, res.Final); want != key {
		if err := objs.RenameExport(ctx, key, want); err != nil {
			return Result{}, err
		}
		res.Key = want
	}
	return res, nil
}

// write writes the export to w.
func write(ctx context.Context, w io.Writer, st Store, objs Objects, opts Options) (Result, error) {
	recs := storage.ModelRecords(st.BookRecords(ctx, opts.Book, opts.BatchID, 500))
	if opts.Format == Zip {
		kind := export.PageImagesAccess
		if opts.PageImage == export.PageImagesOriginal {
			kind = export.PageImagesOriginal
		}
		m, err := export.WriteBook(ctx, w, recs, export.BookOptions{
			Book: opts.Book, Columns: opts.Columns, Type: opts.Type, Font: opts.Font,
			Images: pageImages(objs, kind), PageImages: kind,
		})
		if err != nil {
			return Result{}, err
		}
		return Result{Final: m.Final, Exported: m.Exported, Pending: len(m.Pending), Rejected: len(m.Rejected),
			Duplicates: len(m.Duplicates), Unresolved: m.UnresolvedDuplicates}, nil
	}
	t, n, err := WriteRecords(w, recs, opts)
	if err != nil {
		return Result{}, err
	}
	d := t.Duplicates()
	return Result{Final: t.Final(), Exported: n, Pending: len(t.Pending), Rejected: len(t.Rejected),
		Duplicates: len(d), Unresolved: export.Unresolved(d)}, nil
}

// WriteRecords writes recs to w as one workbook, CSV or JSON Lines file
// (opts.Format), leaving rejected records out unless opts.IncludeRejected,
// and returns the tally of every record read and the number written.
func WriteRecords(w io.Writer, recs iter.Seq2[models.Record, error], opts Options) (export.Tally, int, error) {
	var t export.Tally
	var ew export.Writer
	var err error
	switch opts.Format {
	case XLSX:
		ew, err = export.NewXLSXWriter(w, export.XLSXOptions{Columns: opts.Columns, Type: opts.Type})
	case CSV, JSONL:
		ew, err = export.NewWriter(w, export.Format(opts.Format))
	default:
		err = CheckFormat(opts.Format)
		if err == nil {
			err = fmt.Errorf("%w %q: not a single-file format", ErrFormat, opts.Format)
		}
	}
	if err != nil {
		return t, 0, err
	}
	n := 0
	for r, err := range recs {
		if err != nil {
			ew.Close()
			return t, n, err
		}
		if !t.Add(r) && !opts.IncludeRejected {
			continue
		}
		if err := ew.Write(r); err != nil {
			ew.Close()
			return t, n, err
		}
		n++
	}
	return t, n, ew.Close()
}

// ErrPageImage is returned for a page image other than access or original.
var ErrPageImage = errors.New("bookexport: unknown page image")

// CheckPageImage returns nil for "", "access" and "original", and an error
// wrapping ErrPageImage otherwise.
func CheckPageImage(s string) error {
	switch s {
	case "", export.PageImagesAccess, export.PageImagesOriginal:
		return nil
	}
	return fmt.Errorf("%w %q: want access or original", ErrPageImage, s)
}

// pageImages reads a page's image for its PDFs: with kind access its
// access copy, or its original when it has none (a JPEG of 200 dpi or
// less); with kind original the original.
func pageImages(objs Objects, kind string) export.ImageFunc {
	return func(ctx context.Context, sum string) ([]byte, error) {
		if kind == export.PageImagesAccess {
			data, _, err := objs.ReadAll(ctx, storage.DerivedKey(sum, storage.AccessName), maxPageImage, nil)
			if !errors.Is(err, storage.ErrNotFound) {
				return data, err
			}
		}
		data, _, err := objs.ReadAll(ctx, storage.OriginalKey(sum), maxPageImage, nil)
		return data, err
	}
}

// maxPageImage bounds what is read of a page image (uploads are limited
// far below it).
const maxPageImage = 1 << 30

func contentType(format string) string {
	switch format {
	case Zip:
		return "application/zip"
	case XLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case CSV:
		return "text/csv; charset=utf-8"
	case JSONL:
		return "application/jsonl"
	}
	return "application/octet-stream"
}

// Status suffixes of export file names.
const (
	partialSuffix = "-tam-thoi-" + export.StatusPartial
	finalSuffix   = "-" + export.StatusFinal
)

// FileName names an export: so-<book>-final.<ext> or
// so-<book>-tam-thoi-partial.<ext> when name is empty; otherwise name with
// the status it states made true, so that no one loads a partial export
// as the book: a partial export's name always ends in -tam-thoi-partial
// (replacing a -final the caller wrote), and a final one named partial
// ends in -final instead.
func FileName(name, book, ext string, final bool) string {
	if name == "" {
		return strings.TrimSuffix(export.BookFileName(book, final), ".zip") + "." + ext
	}
	e := filepath.Ext(name)
	base := strings.TrimSuffix(name, e)
	stated := ""
	for _, s := range []string{partialSuffix, "-" + export.StatusPartial, finalSuffix} {
		if strings.HasSuffix(strings.ToLower(base), s) {
			base, stated = base[:len(base)-len(s)], s
			break
		}
	}
	switch {
	case !final:
		return base + partialSuffix + e
	case stated == "" || stated == finalSuffix:
		return name
	}
	return base + finalSuffix + e
}

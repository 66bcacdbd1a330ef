package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sohoa/sohoa/export"
	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/storage"
)

// exportFlags are the options of `sohoa export`.
type exportFlags struct {
	book, batch, format, out   string
	columns, font, databaseURL string
	includeRejected            bool
	expiry                     time.Duration
	s3                         s3Flags
}

func (a *app) exportCmd() *cobra.Command {
	var f exportFlags
	cmd := &cobra.Command{
		Use:   "export --book BOOK_NUMBER [--batch ID] --format xlsx|csv|jsonl|zip [--out FILE]",
		Short: "Export a register book's records (workbook, CSV, JSON Lines, or a zip with PDFs)",
		Long: "export reads the records of one book (quyển số) from PostgreSQL, in entry order, and writes\n" +
			"them as an Excel workbook (Vietnamese headers; columns configurable with --columns), CSV,\n" +
			"JSON Lines, or a zip holding the workbook, one PDF per record with its page image, and\n" +
			"manifest.json listing every file's SHA-256. The zip is also stored in the object store\n" +
			"under exports/ and a presigned download URL is printed.\n\n" +
			"The export is final only when every record is accepted, verified or rejected and no\n" +
			"duplicate (same entry number, or the same person twice) is left unresolved; otherwise it\n" +
			"is partial and its file name says tam-thoi-partial. Without --out the file is named\n" +
			"so-<book>-final.<ext> or so-<book>-tam-thoi-partial.<ext> in the current directory.\n" +
			"Rejected records are left out unless --include-rejected (zip: always left out).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runExport(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.book, "book", "", "book number (quyển số), e.g. 01/2019")
	fl.StringVar(&f.batch, "batch", "", "only the records of this batch")
	fl.StringVar(&f.format, "format", "xlsx", "xlsx, csv, jsonl or zip")
	fl.StringVar(&f.out, "out", "", "output file (default so-<book>-<final|tam-thoi-partial>.<format>)")
	fl.StringVar(&f.columns, "columns", "", "column-set file (YAML or JSON) overriding the workbook's default columns")
	fl.StringVar(&f.font, "pdf-font", "", "TrueType font for the PDFs' text page (default DejaVu Sans when installed)")
	fl.BoolVar(&f.includeRejected, "include-rejected", false, "also write rejected records (xlsx, csv, jsonl)")
	fl.DurationVar(&f.expiry, "url-expiry", 24*time.Hour, "lifetime of the zip's download URL (at most 168h)")
	fl.StringVar(&f.databaseURL, "database-url", "", "PostgreSQL URL (default $SOHOA_DATABASE_URL)")
	addS3Flags(cmd, &f.s3)
	return cmd
}

func (a *app) runExport(cmd *cobra.Command, f exportFlags) error {
	ctx := cmd.Context()
	format := export.Format(f.format)
	switch format {
	case export.XLSX, export.CSV, export.JSONL, "zip":
	default:
		return fmt.Errorf("--format %q: want xlsx, csv, jsonl or zip", f.format)
	}
	if strings.TrimSpace(f.book) == "" {
		return errors.New("--book is required")
	}
	if f.expiry <= 0 || f.expiry > 7*24*time.Hour {
		return fmt.Errorf("--url-expiry %s: want more than 0 and at most 168h", f.expiry)
	}
	cols, err := export.LoadColumns(f.columns)
	if err != nil {
		return err
	}
	f.databaseURL = fromEnv(f.databaseURL, "SOHOA_DATABASE_URL", "")
	missing := []string{}
	if f.databaseURL == "" {
		missing = append(missing, "--database-url (or SOHOA_DATABASE_URL)")
	}
	if format == "zip" {
		missing = append(missing, f.s3.resolve(cmd)...)
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing configuration: %s", strings.Join(missing, ", "))
	}
	pool, err := openDatabase(ctx, f.databaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	store := storage.New(pool)
	var regType models.RegisterType
	if f.batch != "" {
		b, err := store.GetBatch(ctx, f.batch)
		if err != nil {
			return err
		}
		regType = b.RegisterType
	}

	dir, name := ".", ""
	if f.out != "" {
		dir, name = filepath.Split(f.out)
		if dir == "" {
			dir = "."
		}
	}
	tmp, err := os.CreateTemp(dir, ".sohoa-export-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	defer tmp.Close()

	recs := records(store.BookRecords(ctx, f.book, f.batch, 500))
	var final bool
	var summary string
	if format == "zip" {
		objects, err := openObjects(ctx, f.s3)
		if err != nil {
			return err
		}
		font, err := export.LoadFont(f.font)
		if err != nil {
			return err
		}
		m, err := export.WriteBook(ctx, tmp, recs, export.BookOptions{
			Book: f.book, Columns: cols, Type: regType, Font: font,
			Images: func(ctx context.Context, sum string) (io.ReadCloser, error) {
				rc, _, err := objects.Get(ctx, storage.OriginalKey(sum))
				return rc, err
			},
		})
		if err != nil {
			return err
		}
		final = m.Final
		summary = fmt.Sprintf("%d records exported (%d pending review, %d rejected), %d duplicate groups (%d unresolved)",
			m.Exported, len(m.Pending), len(m.Rejected), len(m.Duplicates), m.UnresolvedDuplicates)
		path, err := placeExport(tmp, dir, name, f.book, "zip", final)
		if err != nil {
			return err
		}
		url, err := uploadExport(ctx, objects, path, f.expiry)
		if err != nil {
			return err
		}
		a.reportExport(path, final, summary)
		fmt.Fprintln(a.stdout, url)
		return nil
	}

	var w export.Writer
	if format == export.XLSX {
		w, err = export.NewXLSXWriter(tmp, export.XLSXOptions{Columns: cols, Type: regType})
	} else {
		w, err = export.NewWriter(tmp, format)
	}
	if err != nil {
		return err
	}
	var dups export.Detector
	var n, pending, rejected int
	for r, err := range recs {
		if err != nil {
			w.Close()
			return err
		}
		dups.Add(r)
		switch r.Status {
		case models.StatusRejected:
			rejected++
			if !f.includeRejected {
				continue
			}
		case models.StatusAccepted, models.StatusVerified:
		default:
			pending++
		}
		if err := w.Write(r); err != nil {
			w.Close()
			return err
		}
		n++
	}
	if err := w.Close(); err != nil {
		return err
	}
	d := dups.Duplicates()
	unresolved := export.Unresolved(d)
	final = pending == 0 && unresolved == 0
	summary = fmt.Sprintf("%d records written (%d pending review, %d rejected), %d duplicate groups (%d unresolved)",
		n, pending, rejected, len(d), unresolved)
	path, err := placeExport(tmp, dir, name, f.book, string(format), final)
	if err != nil {
		return err
	}
	a.reportExport(path, final, summary)
	return nil
}

// records turns stored records into record-format records.
func records(seq iter.Seq2[storage.Record, error]) iter.Seq2[models.Record, error] {
	return func(yield func(models.Record, error) bool) {
		for r, err := range seq {
			if !yield(r.Record, err) {
				return
			}
		}
	}
}

// placeExport closes tmp and renames it to its final path: name in dir, or
// the book's file name when name is empty; a partial export's name always
// says tam-thoi-partial.
func placeExport(tmp *os.File, dir, name, book, ext string, final bool) (string, error) {
	if err := tmp.Sync(); err != nil {
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if name == "" {
		name = strings.TrimSuffix(export.BookFileName(book, final), ".zip") + "." + ext
	} else if !final && !strings.Contains(name, export.StatusPartial) {
		e := filepath.Ext(name)
		name = strings.TrimSuffix(name, e) + "-tam-thoi-" + export.StatusPartial + e
	}
	path := filepath.Join(dir, name)
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", err
	}
	return path, nil
}

// uploadExport stores the file at path under exports/books/ and returns a
// presigned download URL.
func uploadExport(ctx context.Context, objects *storage.Objects, path string, expiry time.Duration) (string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return "", err
	}
	info, err := objects.PutExport(ctx, "books/"+filepath.Base(path), fh, st.Size(), "application/zip")
	if err != nil {
		return "", err
	}
	u, err := objects.PresignedGet(ctx, info.Key, expiry)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

func (a *app) reportExport(path string, final bool, summary string) {
	status := "FINAL"
	if !final {
		status = "PARTIAL (tạm thời: not every record is reviewed or duplicates remain; export again once done)"
	}
	fmt.Fprintf(a.stderr, "%s: %s\n%s\n", path, status, summary)
}

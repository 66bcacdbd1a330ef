package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sohoa/sohoa/bookexport"
	"github.com/sohoa/sohoa/export"
	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/storage"
)

// exportFlags are the options of `sohoa export`.
type exportFlags struct {
	book, batch, format, out   string
	pageImage                  string
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
			"manifest.json listing every file's SHA-256. The zip is streamed into the object store\n" +
			"under exports/books/ as it is made and a presigned download URL is printed; --out also\n" +
			"keeps a local copy.\n\n" +
			"The export is final only when every record is accepted, verified or rejected and no\n" +
			"duplicate (same entry number, or the same person twice) is left unresolved; otherwise it\n" +
			"is partial and its file name says tam-thoi-partial (a name given with --out is corrected\n" +
			"to say so). Without --out the file (the object, for zip) is named so-<book>-final.<ext>\n" +
			"or so-<book>-tam-thoi-partial.<ext>, in the current directory for xlsx, csv and jsonl.\n" +
			"Rejected records are left out unless --include-rejected (zip: always left out).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runExport(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.book, "book", "", "book number (quyển số), e.g. 01/2019")
	fl.StringVar(&f.batch, "batch", "", "only the records of this batch")
	fl.StringVar(&f.format, "format", "xlsx", "xlsx, csv, jsonl or zip")
	fl.StringVar(&f.out, "out", "", "output file (default so-<book>-<final|tam-thoi-partial>.<format>; zip: none, only the stored object)")
	fl.StringVar(&f.columns, "columns", "", "column-set file (YAML or JSON) overriding the workbook's default columns")
	fl.StringVar(&f.pageImage, "pdf-image", "access", "what each PDF holds of its page: access (its access copy, at most 200 dpi, where the worker made one) or original (the scan as uploaded)")
	fl.StringVar(&f.font, "pdf-font", "", "TrueType font for the PDFs' text page (default DejaVu Sans when installed)")
	fl.BoolVar(&f.includeRejected, "include-rejected", false, "also write rejected records (xlsx, csv, jsonl)")
	fl.DurationVar(&f.expiry, "url-expiry", 24*time.Hour, "lifetime of the zip's download URL (at most 168h)")
	fl.StringVar(&f.databaseURL, "database-url", "", "PostgreSQL URL (default $SOHOA_DATABASE_URL)")
	addS3Flags(cmd, &f.s3)
	return cmd
}

func (a *app) runExport(cmd *cobra.Command, f exportFlags) error {
	ctx := cmd.Context()
	format := f.format
	if err := bookexport.CheckFormat(format); err != nil {
		return fmt.Errorf("--format: %w", err)
	}
	if err := bookexport.CheckPageImage(f.pageImage); err != nil {
		return fmt.Errorf("--pdf-image: %w", err)
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
	if format == bookexport.Zip {
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
	if format == bookexport.Zip {
		return a.exportBook(ctx, store, f, bookExport{dir: dir, name: name, cols: cols, regType: regType})
	}
	tmp, err := os.CreateTemp(dir, ".sohoa-export-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	defer tmp.Close()

	tally, n, err := bookexport.WriteRecords(tmp, storage.ModelRecords(store.BookRecords(ctx, f.book, f.batch, 500)), bookexport.Options{
		Format: format, Columns: cols, Type: regType, IncludeRejected: f.includeRejected,
	})
	if err != nil {
		return err
	}
	d := tally.Duplicates()
	summary := fmt.Sprintf("%d records written (%d pending review, %d rejected), %d duplicate groups (%d unresolved)",
		n, len(tally.Pending), len(tally.Rejected), len(d), export.Unresolved(d))
	written, err := placeExport(tmp, dir, name, f.book, format, tally.Final())
	if err != nil {
		return err
	}
	a.reportExport(written, tally.Final(), summary)
	return nil
}

// bookExport says where `sohoa export --format zip` puts the book.
type bookExport struct {
	dir, name string // --out: a local copy, when name is set
	cols      export.ColumnSets
	regType   models.RegisterType
}

// exportBook writes the book's zip (export.WriteBook) straight into the
// object store as it is made, and prints its download URL; with --out it
// also keeps a local copy. Writing the zip to a local file and uploading
// it afterwards wrote every byte to disk twice and read it back once: for
// a book of full-page scans, gigabytes.
func (a *app) exportBook(ctx context.Context, store *storage.Store, f exportFlags, be bookExport) error {
	objects, err := openObjects(ctx, f.s3)
	if err != nil {
		return err
	}
	font, err := export.LoadFont(f.font)
	if err != nil {
		return err
	}
	var local *os.File
	if be.name != "" {
		if local, err = os.CreateTemp(be.dir, ".sohoa-export-*"); err != nil {
			return err
		}
		defer os.Remove(local.Name()) // a no-op once renamed
		defer local.Close()
	}
	start := time.Now()
	opts := bookexport.Options{Book: f.book, BatchID: f.batch, Format: bookexport.Zip, PageImage: f.pageImage,
		Columns: be.cols, Type: be.regType, Font: font, Name: be.name}
	if local != nil {
		opts.Copy = local
	}
	m, err := bookexport.Write(ctx, store, objects, opts)
	if err != nil {
		return err
	}
	key := m.Key
	a.log.Info("book export stored", "key", key, "records", m.Exported, "seconds", time.Since(start).Seconds())
	where := storage.ExportKey(key)
	if local != nil {
		if where, err = placeExport(local, be.dir, path.Base(key), f.book, "zip", m.Final); err != nil {
			return err
		}
	}
	u, err := objects.PresignedGet(ctx, storage.ExportKey(key), f.expiry)
	if err != nil {
		return err
	}
	a.reportExport(where, m.Final, fmt.Sprintf("%d records exported (%d pending review, %d rejected), %d duplicate groups (%d unresolved)",
		m.Exported, m.Pending, m.Rejected, m.Duplicates, m.Unresolved))
	fmt.Fprintln(a.stdout, u.String())
	return nil
}

// placeExport closes tmp and renames it to its final path: in dir,
// named by exportFileName.
func placeExport(tmp *os.File, dir, name, book, ext string, final bool) (string, error) {
	if err := tmp.Sync(); err != nil {
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	path := filepath.Join(dir, bookexport.FileName(name, book, ext, final))
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", err
	}
	return path, nil
}

func (a *app) reportExport(path string, final bool, summary string) {
	status := "FINAL"
	if !final {
		status = "PARTIAL (tạm thời: not every record is reviewed or duplicates remain; export again once done)"
	}
	fmt.Fprintf(a.stderr, "%s: %s\n%s\n", path, status, summary)
}

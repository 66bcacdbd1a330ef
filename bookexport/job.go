package bookexport

import (
	"context"
	"errors"
	"fmt"

	"github.com/sohoa/sohoa/export"
	"github.com/sohoa/sohoa/storage"
)

// ErrDone is returned by Run for an export that is done already (a
// repeated delivery of its task).
var ErrDone = errors.New("bookexport: export already done")

// JobStore is the database side of an export asked for over the API.
type JobStore interface {
	Store
	StartBookExport(ctx context.Context, id string) (storage.BookExport, error)
	FinishBookExport(ctx context.Context, id string, r storage.BookExportResult) error
	FailBookExport(ctx context.Context, id, msg string, last bool) error
}

// JobOptions are what every export job of a worker shares.
type JobOptions struct {
	Columns export.ColumnSets // nil means export.DefaultColumns
	Font    *export.Font      // nil: PDFs without their fields page
}

// Run writes the stored export id (storage.BookExport): it marks it
// running, writes it (Write) and records what it holds. When writing fails
// the error is recorded on the export, which is queued again for the next
// attempt or, with last, failed; the error is returned either way.
func Run(ctx context.Context, st JobStore, objs Objects, id string, jo JobOptions, last bool) error {
	e, err := st.StartBookExport(ctx, id)
	if errors.Is(err, storage.ErrConflict) && e.State == storage.ExportDone {
		return ErrDone
	}
	if err != nil {
		return err
	}
	res, err := Write(ctx, st, objs, Options{
		Book: e.Book, BatchID: e.BatchID, Format: e.Format, PageImage: e.PageImage, Columns: jo.Columns, Font: jo.Font,
	})
	if err != nil {
		// The reason is recorded for the caller of the API: it names the
		// book, the record or the page, never personal data.
		if ferr := st.FailBookExport(context.WithoutCancel(ctx), id, err.Error(), last); ferr != nil {
			return fmt.Errorf("%w (and recording it: %v)", err, ferr)
		}
		return err
	}
	return st.FinishBookExport(ctx, id, storage.BookExportResult{
		Key: res.Key, Final: res.Final, Size: res.Size, Exported: res.Exported, Pending: res.Pending,
		Rejected: res.Rejected, Duplicates: res.Duplicates, Unresolved: res.Unresolved,
	})
}

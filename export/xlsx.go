package export

import (
	"archive/zip"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"github.com/sohoa/sohoa/models"
)

// XLSX is the Excel workbook format.
const XLSX Format = "xlsx"

// sheetNames names each register type's sheet.
func sheetName(t models.RegisterType) string {
	switch t {
	case models.Birth:
		return "Khai sinh"
	case models.Marriage:
		return "Kết hôn"
	case models.Death:
		return "Khai tử"
	}
	return string(t)
}

// XLSXOptions configures NewXLSXWriter.
type XLSXOptions struct {
	// Columns are the columns per register type; nil means DefaultColumns.
	Columns ColumnSets
	// Type, when set, gets its sheet (with the header row) even if no
	// record of that type is written, so an empty book still gives the
	// receiving system a valid template.
	Type models.RegisterType
}

// xlsxWriter streams one row per record into a sheet per register type
// (excelize's StreamWriter spills rows to a temporary file, so memory stays
// flat however long the book is); Close writes the workbook to w.
type xlsxWriter struct {
	w      io.Writer
	f      *excelize.File
	cols   ColumnSets
	sheets map[models.RegisterType]*xlsxSheet
	order  []models.RegisterType
	bold   int
	closed bool
}

type xlsxSheet struct {
	sw   *excelize.StreamWriter
	cols []Column
	next int // next row number, 1-based
	row  []any
}

// NewXLSXWriter returns a Writer that produces an Excel workbook on w when
// closed: a sheet per register type met ("Khai sinh", "Kết hôn",
// "Khai tử"), a bold header row of the column set's Vietnamese headers,
// then one row per record, every cell as text.
func NewXLSXWriter(w io.Writer, opts XLSXOptions) (Writer, error) {
	cols := opts.Columns
	if cols == nil {
		cols = DefaultColumns()
	}
	f := excelize.NewFile()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("export: xlsx: %w", err)
	}
	x := &xlsxWriter{w: w, f: f, cols: cols, sheets: map[models.RegisterType]*xlsxSheet{}, bold: bold}
	if opts.Type != "" {
		if _, err := x.sheet(opts.Type); err != nil {
			f.Close()
			return nil, err
		}
	}
	return x, nil
}

func (x *xlsxWriter) sheet(t models.RegisterType) (*xlsxSheet, error) {
	if s, ok := x.sheets[t]; ok {
		return s, nil
	}
	cols, ok := x.cols[t]
	if !ok || len(cols) == 0 {
		return nil, fmt.Errorf("export: xlsx: no columns for register type %q", t)
	}
	name := sheetName(t)
	if len(x.order) == 0 {
		if err := x.f.SetSheetName("Sheet1", name); err != nil {
			return nil, fmt.Errorf("export: xlsx: %w", err)
		}
	} else if _, err := x.f.NewSheet(name); err != nil {
		return nil, fmt.Errorf("export: xlsx: %w", err)
	}
	sw, err := x.f.NewStreamWriter(name)
	if err != nil {
		return nil, fmt.Errorf("export: xlsx: %w", err)
	}
	last, _ := excelize.ColumnNumberToName(len(cols))
	if err := sw.SetColWidth(1, len(cols), 18); err != nil {
		return nil, fmt.Errorf("export: xlsx: %w", err)
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, fmt.Errorf("export: xlsx: %w", err)
	}
	head := make([]any, len(cols))
	for i, c := range cols {
		head[i] = excelize.Cell{StyleID: x.bold, Value: c.Header}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return nil, fmt.Errorf("export: xlsx: header of %s (A1:%s1): %w", name, last, err)
	}
	s := &xlsxSheet{sw: sw, cols: cols, next: 2, row: make([]any, len(cols))}
	x.sheets[t] = s
	x.order = append(x.order, t)
	return s, nil
}

func (x *xlsxWriter) Write(r models.Record) error {
	if x.closed {
		return fmt.Errorf("export: xlsx: write after close")
	}
	s, err := x.sheet(r.RegisterType)
	if err != nil {
		return fmt.Errorf("%w (record %s)", err, r.ID)
	}
	for i, c := range s.cols {
		s.row[i] = cell(r, c.Key)
	}
	ref, err := excelize.CoordinatesToCellName(1, s.next)
	if err != nil {
		return fmt.Errorf("export: xlsx: %w", err)
	}
	if err := s.sw.SetRow(ref, s.row); err != nil {
		return fmt.Errorf("export: xlsx: record %s: %w", r.ID, err)
	}
	s.next++
	return nil
}

// Close flushes every sheet and writes the workbook; it does not close the
// underlying writer.
func (x *xlsxWriter) Close() error {
	if x.closed {
		return nil
	}
	x.closed = true
	defer x.f.Close()
	for _, t := range x.order {
		if err := x.sheets[t].sw.Flush(); err != nil {
			return fmt.Errorf("export: xlsx: %w", err)
		}
	}
	// excelize assembles a workbook in a buffer before writing it out; its
	// zip writer writes to w instead, so a long book's workbook is never
	// held in memory whole.
	x.f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(x.w) })
	if _, err := x.f.WriteTo(x.w); err != nil {
		return fmt.Errorf("export: xlsx: write workbook: %w", err)
	}
	return nil
}

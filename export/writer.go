package export

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/sohoa/sohoa/models"
)

// Writer writes records one at a time.
type Writer interface {
	Write(models.Record) error
	// Close flushes buffered output; it does not close the underlying writer.
	Close() error
}

// Format names an output format.
type Format string

// Formats.
const (
	JSONL Format = "jsonl"
	CSV   Format = "csv"
)

// NewWriter returns a writer of format f on w.
func NewWriter(w io.Writer, f Format) (Writer, error) {
	switch f {
	case JSONL:
		bw := bufio.NewWriter(w)
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		return &jsonlWriter{bw: bw, enc: enc}, nil
	case CSV:
		return newCSVWriter(w), nil
	case XLSX:
		return NewXLSXWriter(w, XLSXOptions{})
	}
	return nil, fmt.Errorf("export: unknown format %q (want jsonl, csv or xlsx)", f)
}

type jsonlWriter struct {
	bw  *bufio.Writer
	enc *json.Encoder
}

func (j *jsonlWriter) Write(r models.Record) error {
	if r.Fields == nil {
		r.Fields = map[string]models.Field{}
	}
	if r.Warnings == nil {
		r.Warnings = []string{}
	}
	return j.enc.Encode(r)
}

func (j *jsonlWriter) Close() error { return j.bw.Flush() }

// csvWriter writes one row per record: identification columns, then every
// field key's normalised value, then the keys that need review.
type csvWriter struct {
	cw     *csv.Writer
	keys   []string
	header bool
}

var csvHead = []string{"id", "source", "page_sha256", "entry_index", "register_type", "template", "status"}

func newCSVWriter(w io.Writer) *csvWriter {
	return &csvWriter{cw: csv.NewWriter(w), keys: AllFieldKeys()}
}

// writeHeader writes the header row once, before the first record.
func (c *csvWriter) writeHeader() error {
	if c.header {
		return nil
	}
	c.header = true
	return c.cw.Write(append(append(slices.Clone(csvHead), c.keys...), "review_fields", "warnings", "error"))
}

func (c *csvWriter) Write(r models.Record) error {
	if err := c.writeHeader(); err != nil {
		return err
	}
	row := []string{r.ID, r.Source, r.PageSHA256, strconv.Itoa(r.EntryIndex), string(r.RegisterType), r.Template, string(r.Status)}
	var review []string
	for _, k := range c.keys {
		f, ok := r.Fields[k]
		v := ""
		if ok && f.Value != nil {
			v = *f.Value
		}
		if ok && f.Status == models.StatusReview {
			review = append(review, k)
		}
		row = append(row, v)
	}
	row = append(row, strings.Join(review, " "), strings.Join(r.Warnings, "; "), r.Error)
	return c.cw.Write(row)
}

// Close writes the header if no record came (an empty file still names
// its columns) and flushes; it may be called again after more records.
func (c *csvWriter) Close() error {
	if err := c.writeHeader(); err != nil {
		return err
	}
	c.cw.Flush()
	return c.cw.Error()
}

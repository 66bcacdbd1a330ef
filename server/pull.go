package server

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"golang.org/x/text/unicode/norm"

	"github.com/sohoa/sohoa/export"
	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/storage"
)

// Headers of the pull API (GET /v1/records): the cursor that follows the
// response, and whether more changes were waiting past it. Both are known
// before the first record is sent (see storage.PullRecords).
const (
	headerNextAfter = "X-Next-After"
	headerHasMore   = "X-Has-More"
)

// flushEvery bounds how long a record read from PostgreSQL may wait in
// the response's buffers: a pull that filters most rows out still shows
// the client its few records as they come.
const flushEvery = 200 * time.Millisecond

// listRecords serves GET /v1/records, the pull API of loaders: the
// records that match the filters, changed after the cursor since= (or its
// older name after=), in change order, as JSON Lines in the record format
// or as CSV. The records are written as they are read from PostgreSQL.
// X-Next-After holds the cursor to pass as since= next; see doc.go.
func (s *Server) listRecords(w http.ResponseWriter, r *http.Request) error {
	opts, err := pullOptions(r.URL.Query())
	if err != nil {
		return err
	}
	format, err := pullFormat(r)
	if err != nil {
		return err
	}
	pull, err := s.store.PullRecords(r.Context(), opts)
	if errors.Is(err, storage.ErrCursorAhead) {
		return badRequest("since=%d: past the newest change, so not a cursor this server handed out", opts.AfterSeq)
	}
	if err != nil {
		return err
	}
	defer pull.Close()
	h := w.Header()
	h.Set("Content-Type", contentType(format))
	h.Set(headerNextAfter, strconv.FormatInt(pull.Next, 10))
	h.Set(headerHasMore, strconv.FormatBool(pull.More))
	w.WriteHeader(http.StatusOK)
	if err := streamRecords(w, pull, format); err != nil {
		if r.Context().Err() != nil {
			return nil // the client went away
		}
		abortResponse(r, err)
	}
	return nil
}

// streamRecords writes the records of pull to w, flushing at least every
// flushEvery, and flushes at the end.
func streamRecords(w http.ResponseWriter, pull *storage.RecordPull, format export.Format) error {
	enc := newRecordWriter(w, format)
	rc := http.NewResponseController(w)
	flush := func() error {
		if err := enc.Close(); err != nil {
			return err
		}
		return rc.Flush()
	}
	last := time.Now()
	for rec, err := range pull.AllRaw() {
		if err != nil {
			return err
		}
		if err := enc.Write(rec); err != nil {
			return fmt.Errorf("write record %s: %w", rec.ID, err)
		}
		if time.Since(last) >= flushEvery {
			if err := flush(); err != nil {
				return fmt.Errorf("flush: %w", err)
			}
			last = time.Now()
		}
	}
	return flush()
}

// abortResponse ends a response whose status and part of whose body are
// sent: the connection is closed without the end of the chunked body, so
// the client sees a cut response, never a short one that looks whole
// (after which it would save a cursor past records it did not get).
func abortResponse(r *http.Request, err error) {
	if info := requestInfoFrom(r.Context()); info != nil {
		info.err = fmt.Errorf("response aborted: %w", err)
	}
	panic(http.ErrAbortHandler)
}

func contentType(f export.Format) string {
	if f == export.CSV {
		return "text/csv; charset=utf-8; header=present"
	}
	return "application/x-ndjson; charset=utf-8"
}

// recordWriter writes pulled records in one format. Close only flushes,
// so it may be called again, between records.
type recordWriter interface {
	Write(storage.RawRecord) error
	Close() error
}

// newRecordWriter writes records in format f (JSON Lines or CSV) on w.
func newRecordWriter(w http.ResponseWriter, f export.Format) recordWriter {
	if f == export.CSV {
		cw, _ := export.NewWriter(w, export.CSV) // a known format: no error
		return csvRecordWriter{cw}
	}
	bw := bufio.NewWriterSize(w, 32<<10)
	return &jsonlWriter{bw: bw, enc: json.NewEncoder(bw)}
}

// jsonlWriter writes records as JSON Lines in the record format, through
// the server's JSON encoder: it escapes <, > and & like every JSON answer
// of the API, also in the fields, which it passes on without decoding
// them (decoding and encoding them again was most of the CPU a pull cost).
type jsonlWriter struct {
	bw  *bufio.Writer
	enc *json.Encoder
}

// recordLine is a line of JSON Lines: the record, whose Fields this
// Fields hides, so "fields" comes last.
type recordLine struct {
	models.Record
	Fields json.RawMessage `json:"fields"`
}

func (j *jsonlWriter) Write(r storage.RawRecord) error {
	return j.enc.Encode(recordLine{Record: recordJSON(r.Record), Fields: r.FieldsJSON})
}

func (j *jsonlWriter) Close() error { return j.bw.Flush() }

// csvRecordWriter writes records as CSV: the export package's writer, the
// same columns as `sohoa scan` and `sohoa export` write, one row a record.
type csvRecordWriter struct{ w export.Writer }

func (c csvRecordWriter) Write(r storage.RawRecord) error {
	rec, err := r.Decode()
	if err != nil {
		return err
	}
	return c.w.Write(recordJSON(rec))
}

// Close flushes: the export writer's Close does not close w.
func (c csvRecordWriter) Close() error { return c.w.Close() }

// pullFormat is the format asked for by format= (jsonl or csv) or, when
// that is absent, by Accept (text/csv); JSON Lines by default.
func pullFormat(r *http.Request) (export.Format, error) {
	switch f := r.URL.Query().Get("format"); f {
	case "jsonl":
		return export.JSONL, nil
	case "csv":
		return export.CSV, nil
	case "":
	default:
		return "", badRequest("format=%q: want jsonl or csv", f)
	}
	for part := range strings.SplitSeq(r.Header.Get("Accept"), ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err == nil && mt == "text/csv" && params["q"] != "0" {
			return export.CSV, nil
		}
	}
	return export.JSONL, nil
}

// pullOptions reads the query of GET /v1/records. Every malformed
// parameter is a 400 that names it.
func pullOptions(q url.Values) (storage.ListRecordsOptions, error) {
	// A pull tells of deleted records too (status "deleted"): a loader
	// must drop what it loaded of them.
	o := storage.ListRecordsOptions{IncludeDeleted: true}
	var err error
	if o.Limit, err = intParam(q.Get("limit"), "limit", 1, storage.MaxRecordsLimit); err != nil {
		return o, err
	}
	if o.AfterSeq, err = cursorParam(q); err != nil {
		return o, err
	}
	if o.BatchID, err = idParam(q, "batch"); err != nil {
		return o, err
	}
	if o.PageID, err = idParam(q, "page"); err != nil {
		return o, err
	}
	switch o.Status = models.Status(q.Get("status")); o.Status {
	case "", models.StatusAccepted, models.StatusReview, models.StatusVerified, models.StatusRejected:
	default:
		return o, badRequest("status=%q: want accepted, review, verified or rejected", o.Status)
	}
	switch o.RegisterType = models.RegisterType(q.Get("type")); o.RegisterType {
	case "", models.Birth, models.Marriage, models.Death:
	default:
		return o, badRequest("type=%q: want birth, marriage or death", o.RegisterType)
	}
	// As stored: NFC, and a record's office has single spaces.
	o.Office = strings.Join(strings.Fields(norm.NFC.String(q.Get("office"))), " ")
	if o.RegisteredFrom, err = dateParam(q, "from", false); err != nil {
		return o, err
	}
	if o.RegisteredTo, err = dateParam(q, "to", true); err != nil {
		return o, err
	}
	if !o.RegisteredFrom.IsZero() && !o.RegisteredTo.IsZero() && o.RegisteredTo.Before(o.RegisteredFrom) {
		return o, badRequest("from=%s is after to=%s", q.Get("from"), q.Get("to"))
	}
	return o, nil
}

// cursorParam reads since= (or after=, its older name).
func cursorParam(q url.Values) (int64, error) {
	name := "since"
	v := q.Get(name)
	if v == "" {
		name = "after"
		v = q.Get(name)
	}
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, badRequest("%s=%q: want a record cursor (a non-negative integer) from X-Next-After", name, v)
	}
	return n, nil
}

// idParam reads an optional UUID parameter.
func idParam(q url.Values, name string) (string, error) {
	v := q.Get(name)
	if v == "" {
		return "", nil
	}
	if _, err := uuid.Parse(v); err != nil {
		return "", badRequest("%s=%q: want a %s id (a UUID)", name, v, name)
	}
	return v, nil
}

// dateParam reads an optional ISO date parameter: YYYY-MM-DD, or YYYY-MM
// or YYYY for a whole month or year, as its first day, or its last day
// when last is set (to= is inclusive).
func dateParam(q url.Values, name string, last bool) (time.Time, error) {
	v := q.Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	// The ISO forms accepted, each with the length of the span it names.
	spans := []struct {
		layout              string
		years, months, days int
	}{
		{time.DateOnly, 0, 0, 1},
		{"2006-01", 0, 1, 0},
		{"2006", 1, 0, 0},
	}
	for _, s := range spans {
		t, err := time.Parse(s.layout, v)
		if err != nil || t.Year() < 1000 {
			continue
		}
		if last {
			t = t.AddDate(s.years, s.months, s.days-1)
		}
		return t, nil
	}
	return time.Time{}, badRequest("%s=%q: want an ISO date: YYYY-MM-DD, YYYY-MM or YYYY", name, v)
}

package export

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"iter"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/sohoa/sohoa/models"
)

// What a book export's PDFs hold of their page (Manifest.PageImages).
const (
	PageImagesAccess   = "access"
	PageImagesOriginal = "original"
)

// Book export statuses, as the manifest and file names give them.
const (
	StatusFinal   = "final"
	StatusPartial = "partial"
)

// ManifestName is the name of the manifest inside a book export.
const ManifestName = "manifest.json"

// ManifestFormat identifies the manifest's layout.
const ManifestFormat = "sohoa-book-export/1"

// ErrManifest is wrapped by VerifyBook when a book export does not match
// its manifest.
var ErrManifest = errors.New("export: book export does not match its manifest")

// ImageFunc returns the image file of the page whose original has the hex
// SHA-256 sum (the original, or its access copy). It must be safe for
// concurrent use.
type ImageFunc func(ctx context.Context, sum string) ([]byte, error)

// BookOptions configures WriteBook.
type BookOptions struct {
	Book    string     // book number (quyển số); names the files
	Columns ColumnSets // nil means DefaultColumns
	// Type gives the workbook a sheet of that type even when empty.
	Type models.RegisterType
	// Images opens page images for the PDFs; required.
	Images ImageFunc
	// PageImages says in the manifest what Images gives: PageImagesAccess
	// or PageImagesOriginal ("" leaves it out).
	PageImages string
	// Font is the PDFs' text font (see PDFOptions.Font); nil leaves the
	// PDFs without the fields page.
	Font    *Font
	Created time.Time // zero means now
}

// Manifest describes a book export. It lists every other file of the zip
// with its SHA-256.
type Manifest struct {
	Format string `json:"format"`
	Book   string `json:"book"`
	// Status is "final" when every record is accepted, verified or
	// rejected and no duplicate is unresolved; otherwise "partial"
	// (tạm thời): the book must be exported again once reviewed.
	Status    string    `json:"status"`
	Final     bool      `json:"final"`
	CreatedAt time.Time `json:"created_at"`
	// Records counts the records of the book per status; rejected records
	// are counted but neither in the workbook nor given a PDF.
	Records  map[models.Status]int `json:"records"`
	Exported int                   `json:"exported"`
	// Pending lists the ids of records still waiting for review.
	Pending    []string    `json:"pending"`
	Rejected   []string    `json:"rejected"`
	Duplicates []Duplicate `json:"duplicates"`
	// PageImages is what the PDFs hold of their page: "access" (its access
	// copy, at most 200 dpi, where one was made; else the original scan) or
	// "original" (the scan as uploaded).
	PageImages           string         `json:"page_images,omitempty"`
	UnresolvedDuplicates int            `json:"unresolved_duplicates"`
	Files                []ManifestFile `json:"files"`
}

// ManifestFile is one file of a book export.
type ManifestFile struct {
	Name     string `json:"name"`
	SHA256   string `json:"sha256"`
	Size     int64  `json:"size"`
	RecordID string `json:"record_id,omitempty"`
}

// BookFileName is the name of a book export: so-<book>-final.zip, or
// so-<book>-tam-thoi-partial.zip for a book not yet fully reviewed.
func BookFileName(book string, final bool) string {
	return bookBase(book, final) + ".zip"
}

func bookBase(book string, final bool) string {
	s := "so-" + safeName(book)
	if final {
		return s + "-" + StatusFinal
	}
	return s + "-tam-thoi-" + StatusPartial
}

var unsafeChars = regexp.MustCompile(`[^0-9A-Za-z._-]+`)

// safeName keeps letters, digits, dot, dash and underscore (a book number
// such as 01/2019 becomes 01-2019).
func safeName(s string) string {
	s = strings.Trim(unsafeChars.ReplaceAllString(s, "-"), "-.")
	if s == "" {
		return "khong-so"
	}
	return s
}

// WriteBook writes a book export to w as a zip: one PDF per record (its
// page image and fields, under pdf/), the workbook of every record
// (so-<book>-<status>.xlsx) and manifest.json, last, listing the other
// files with their SHA-256, the records per status, the records still
// pending and the duplicates. Records come from recs one at a time; only
// their ids, duplicate keys and manifest lines are kept. Each page image
// is fetched once for consecutive records of the same page, a few pages
// ahead of the writing (ImageFunc is called from several goroutines). The
// returned manifest says whether the export is final.
func WriteBook(ctx context.Context, w io.Writer, recs iter.Seq2[models.Record, error], opts BookOptions) (Manifest, error) {
	if opts.Images == nil {
		return Manifest{}, fmt.Errorf("export: book: no image source")
	}
	created := opts.Created
	if created.IsZero() {
		created = time.Now()
	}
	created = created.UTC().Truncate(time.Second)
	m := Manifest{
		Format: ManifestFormat, Book: opts.Book, CreatedAt: created,
		Records: map[models.Status]int{}, Pending: []string{}, Rejected: []string{},
		Files: []ManifestFile{}, PageImages: opts.PageImages,
	}
	if opts.Columns == nil {
		opts.Columns = DefaultColumns() // once, not per record's PDF
	}
	zw := zip.NewWriter(w)
	xbuf, err := newSpool()
	if err != nil {
		return Manifest{}, err
	}
	defer xbuf.Close()
	xw, err := NewXLSXWriter(xbuf, XLSXOptions{Columns: opts.Columns, Type: opts.Type})
	if err != nil {
		return Manifest{}, err
	}
	defer xw.Close()
	var tally Tally
	pdfOpts := PDFOptions{Font: opts.Font, Columns: opts.Columns, Created: created}
	names := map[string]bool{}
	pages := readAhead(ctx, recs, opts.Images, pagesAhead)
	defer pages.close()
	var cur *pageFetch
	for it := range pages.items {
		if it.err != nil {
			return Manifest{}, fmt.Errorf("export: book %s: %w", opts.Book, it.err)
		}
		r := it.rec
		if !tally.Add(r) {
			continue
		}
		if err := xw.Write(r); err != nil {
			return Manifest{}, err
		}
		if it.page != cur {
			if cur != nil {
				pages.done() // the previous page's records are written
			}
			cur = it.page
		}
		page, err := it.page.wait(ctx)
		if err != nil {
			return Manifest{}, fmt.Errorf("export: record %s: page %s: %w", r.ID, r.PageSHA256, err)
		}
		name := pdfName(r, names)
		f, err := addFile(zw, name, created, func(w io.Writer) error { return recordPDF(w, r, page, pdfOpts) })
		if err != nil {
			return Manifest{}, err
		}
		f.RecordID = r.ID
		m.Files = append(m.Files, f)
		m.Exported++
	}
	if err := ctx.Err(); err != nil {
		return Manifest{}, err
	}
	m.Records = tally.Records
	if m.Records == nil {
		m.Records = map[models.Status]int{}
	}
	m.Pending = append(m.Pending, tally.Pending...)
	m.Rejected = append(m.Rejected, tally.Rejected...)
	m.Duplicates = tally.Duplicates()
	m.UnresolvedDuplicates = Unresolved(m.Duplicates)
	m.Final = tally.Final()
	m.Status = StatusPartial
	if m.Final {
		m.Status = StatusFinal
	}
	if err := xw.Close(); err != nil {
		return Manifest{}, err
	}
	f, err := addFile(zw, bookBase(opts.Book, m.Final)+".xlsx", created, func(w io.Writer) error {
		return xbuf.CopyTo(w)
	})
	if err != nil {
		return Manifest{}, err
	}
	m.Files = append([]ManifestFile{f}, m.Files...)
	hdr := &zip.FileHeader{Name: ManifestName, Method: zip.Deflate, Modified: created}
	mw, err := zw.CreateHeader(hdr)
	if err != nil {
		return Manifest{}, fmt.Errorf("export: book: %w", err)
	}
	enc := json.NewEncoder(mw)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return Manifest{}, fmt.Errorf("export: book: manifest: %w", err)
	}
	if err := zw.Close(); err != nil {
		return Manifest{}, fmt.Errorf("export: book: %w", err)
	}
	return m, nil
}

// pdfName is pdf/so-<entry>_<id>.pdf (pdf/<id>.pdf without an entry
// number), unique within the export.
func pdfName(r models.Record, used map[string]bool) string {
	base := "pdf/" + safeName(r.ID)
	if e := value(r, "entry_number"); e != "" {
		base = "pdf/so-" + safeName(e) + "_" + safeName(r.ID)
	}
	name := base + ".pdf"
	for i := 2; used[name]; i++ {
		name = fmt.Sprintf("%s-%d.pdf", base, i)
	}
	used[name] = true
	return name
}

// addFile writes one zip entry through write and returns its manifest
// line. The workbook and the PDFs are stored, not deflated: the workbook
// is compressed already and a PDF is mostly its page's JPEG, so deflating
// them took most of a book export's time for a few per cent.
func addFile(zw *zip.Writer, name string, mod time.Time, write func(io.Writer) error) (ManifestFile, error) {
	method := zip.Deflate
	if strings.HasSuffix(name, ".xlsx") || strings.HasSuffix(name, ".pdf") {
		method = zip.Store
	}
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: mod})
	if err != nil {
		return ManifestFile{}, fmt.Errorf("export: book: %s: %w", name, err)
	}
	h := sha256.New()
	cw := &counter{w: io.MultiWriter(w, h)}
	if err := write(cw); err != nil {
		return ManifestFile{}, fmt.Errorf("export: book: %s: %w", name, err)
	}
	return ManifestFile{Name: name, SHA256: hex.EncodeToString(h.Sum(nil)), Size: cw.n}, nil
}

type counter struct {
	w io.Writer
	n int64
}

func (c *counter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// pagesAhead is how many page images are fetched while the current
// page's PDFs are written: fetching one page after another left the export
// waiting on the object store for most of its time.
const pagesAhead = 3

// bookItem is a record with its page image being fetched (nil for a
// rejected record, which gets no PDF), or the error that ended the
// records.
type bookItem struct {
	rec  models.Record
	page *pageFetch
	err  error
}

// pageFetch is a page image being fetched and prepared for the PDFs.
type pageFetch struct {
	ready chan struct{}
	img   *pdfImage
	err   error
}

func (p *pageFetch) wait(ctx context.Context) (*pdfImage, error) {
	select {
	case <-p.ready:
		return p.img, p.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// pageReader reads records and fetches their page images ahead of the
// writer. Consecutive records of one page share a fetch (a book's records
// come in entry order, so a page's entries are together); at most ahead+1
// pages are held, so memory does not grow with the book.
type pageReader struct {
	items  chan bookItem
	slots  chan struct{}
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func readAhead(ctx context.Context, recs iter.Seq2[models.Record, error], open ImageFunc, ahead int) *pageReader {
	ctx, cancel := context.WithCancel(ctx)
	p := &pageReader{items: make(chan bookItem, 64), slots: make(chan struct{}, ahead+1), cancel: cancel}
	send := func(it bookItem) bool {
		select {
		case p.items <- it:
			return true
		case <-ctx.Done():
			return false
		}
	}
	p.wg.Go(func() {
		defer close(p.items)
		var last *pageFetch
		lastSum := ""
		for r, err := range recs {
			if err != nil {
				send(bookItem{err: err})
				return
			}
			it := bookItem{rec: r}
			if r.Status != models.StatusRejected {
				if last == nil || r.PageSHA256 != lastSum {
					select {
					case p.slots <- struct{}{}:
					case <-ctx.Done():
						return
					}
					f, sum := &pageFetch{ready: make(chan struct{})}, r.PageSHA256
					last, lastSum = f, sum
					p.wg.Go(func() {
						defer close(f.ready)
						f.img, f.err = fetchPage(ctx, open, sum)
					})
				}
				it.page = last
			}
			if !send(it) {
				return
			}
		}
	})
	return p
}

// done frees the slot of a page whose records are all written.
func (p *pageReader) done() { <-p.slots }

// close stops reading and waits for the reader and the fetches to end.
func (p *pageReader) close() {
	p.cancel()
	for range p.items {
	}
	p.wg.Wait()
}

// fetchPage reads the page image whose SHA-256 is sum and prepares it for
// the PDFs.
func fetchPage(ctx context.Context, open ImageFunc, sum string) (*pdfImage, error) {
	data, err := open(ctx, sum)
	if err != nil {
		return nil, err
	}
	img, err := preparePDFImage(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrImage, err)
	}
	return img, nil
}

// VerifyBook reads the book export in r, checks that it holds exactly the
// files its manifest lists with the listed sizes and SHA-256 sums, and
// returns the manifest. A mismatch wraps ErrManifest.
func VerifyBook(r io.ReaderAt, size int64) (Manifest, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return Manifest{}, fmt.Errorf("export: book: %w", err)
	}
	var m Manifest
	found := false
	inZip := map[string]*zip.File{}
	for _, f := range zr.File {
		if f.Name == ManifestName {
			rc, err := f.Open()
			if err != nil {
				return Manifest{}, err
			}
			err = json.NewDecoder(rc).Decode(&m)
			rc.Close()
			if err != nil {
				return Manifest{}, fmt.Errorf("%w: %v", ErrManifest, err)
			}
			found = true
			continue
		}
		inZip[f.Name] = f
	}
	if !found {
		return Manifest{}, fmt.Errorf("%w: no %s", ErrManifest, ManifestName)
	}
	for _, mf := range m.Files {
		f, ok := inZip[mf.Name]
		if !ok {
			return m, fmt.Errorf("%w: %s is listed but missing", ErrManifest, mf.Name)
		}
		delete(inZip, mf.Name)
		sum, n, err := hashZipFile(f, sha256.New())
		if err != nil {
			return m, err
		}
		if sum != mf.SHA256 || n != mf.Size {
			return m, fmt.Errorf("%w: %s has sha256 %s (%d bytes), manifest says %s (%d bytes)",
				ErrManifest, mf.Name, sum, n, mf.SHA256, mf.Size)
		}
	}
	for name := range inZip {
		return m, fmt.Errorf("%w: %s is not listed", ErrManifest, name)
	}
	return m, nil
}

func hashZipFile(f *zip.File, h hash.Hash) (string, int64, error) {
	rc, err := f.Open()
	if err != nil {
		return "", 0, fmt.Errorf("export: book: %s: %w", f.Name, err)
	}
	defer rc.Close()
	n, err := io.Copy(h, rc)
	if err != nil {
		return "", 0, fmt.Errorf("%w: %s: %v", ErrManifest, f.Name, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

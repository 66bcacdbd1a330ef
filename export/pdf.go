package export

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	_ "image/gif" // decoders for page images
	_ "image/jpeg"
	"image/png"
	"io"
	"os"
	"time"

	"github.com/go-pdf/fpdf"
	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/tiff"

	"github.com/sohoa/sohoa/models"
)

// DefaultFontPath is a TrueType font with Vietnamese glyphs found on Debian
// (fonts-dejavu-core); see LoadFont.
const DefaultFontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

// ErrImage is wrapped by RecordPDF when the page image cannot be read.
var ErrImage = errors.New("export: unreadable page image")

// PDFOptions configures RecordPDF.
type PDFOptions struct {
	// Font is a TrueType font covering Vietnamese. With it the PDF gets a
	// second page listing the record's fields as text; without it the PDF
	// holds only the page image.
	Font []byte
	// Columns give the field labels; nil means DefaultColumns.
	Columns ColumnSets
	// Created is the PDF's creation date; zero means now.
	Created time.Time
}

// LoadFont reads the font at path; "" tries DefaultFontPath and gives nil
// (no font, no error) when it does not exist.
func LoadFont(path string) ([]byte, error) {
	if path == "" {
		b, err := os.ReadFile(DefaultFontPath)
		if err != nil {
			return nil, nil
		}
		return b, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("export: font: %w", err)
	}
	return b, nil
}

// RecordPDF writes a PDF for record r to w: its page image (img, the
// original's bytes: JPEG is embedded as is, PNG, TIFF, GIF and BMP are
// re-encoded as 8-bit PNG) fitted on an A4 page turned to the image's
// orientation, then, when opts.Font is set, a page with the record's
// fields as text.
func RecordPDF(w io.Writer, r models.Record, img []byte, opts PDFOptions) error {
	data, kind, cfg, err := pdfImage(img)
	if err != nil {
		return fmt.Errorf("%w: record %s page %s: %v", ErrImage, r.ID, r.PageSHA256, err)
	}
	orient := "P"
	if cfg.Width > cfg.Height {
		orient = "L"
	}
	pdf := fpdf.New(orient, "mm", "A4", "")
	created := opts.Created
	if created.IsZero() {
		created = time.Now()
	}
	pdf.SetCreationDate(created)
	pdf.SetModificationDate(created)
	pdf.SetCreator("sohoa", true)
	pdf.SetTitle(recordTitle(r), true)
	pdf.SetMargins(10, 10, 10)
	pdf.SetAutoPageBreak(true, 10)

	info := pdf.RegisterImageOptionsReader("page", fpdf.ImageOptions{ImageType: kind}, bytes.NewReader(data))
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("%w: record %s page %s: %v", ErrImage, r.ID, r.PageSHA256, err)
	}
	pdf.AddPage()
	pw, ph := pdf.GetPageSize()
	boxW, boxH := pw-20, ph-20
	iw, ih := info.Width(), info.Height()
	scale := min(boxW/iw, boxH/ih)
	w0, h0 := iw*scale, ih*scale
	pdf.ImageOptions("page", 10+(boxW-w0)/2, 10+(boxH-h0)/2, w0, h0, false, fpdf.ImageOptions{ImageType: kind}, 0, "")

	if opts.Font != nil {
		fieldsPage(pdf, r, opts)
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("export: pdf of record %s: %w", r.ID, err)
	}
	return nil
}

func recordTitle(r models.Record) string {
	t := "Bản ghi " + r.ID
	if n := value(r, "entry_number"); n != "" {
		t = "Số " + n
		if b := value(r, "book_number"); b != "" {
			t += ", quyển số " + b
		}
	}
	return t
}

// fieldsPage adds a page listing r's fields, labelled with the column
// set's headers; fields that still need review are marked.
func fieldsPage(pdf *fpdf.Fpdf, r models.Record, opts PDFOptions) {
	pdf.AddUTF8FontFromBytes("vn", "", opts.Font)
	pdf.AddPageFormat("P", fpdf.SizeType{Wd: 210, Ht: 297})
	pdf.SetFont("vn", "", 14)
	pdf.MultiCell(0, 8, recordTitle(r), "", "L", false)
	pdf.SetFont("vn", "", 9)
	pdf.MultiCell(0, 5, fmt.Sprintf("Mã bản ghi %s · trạng thái %s · trang %s", r.ID, r.Status, r.PageSHA256), "", "L", false)
	pdf.Ln(3)
	cols := opts.Columns
	if cols == nil {
		cols = DefaultColumns()
	}
	labels := map[string]string{}
	for _, c := range cols[r.RegisterType] {
		labels[c.Key] = c.Header
	}
	pdf.SetFont("vn", "", 10)
	for _, k := range FieldKeys(r.RegisterType) {
		f, ok := r.Fields[k]
		if !ok {
			continue
		}
		label := labels[k]
		if label == "" {
			label = k
		}
		v := "—"
		if f.Value != nil {
			v = *f.Value
		}
		if f.Status == models.StatusReview {
			v += "  (cần kiểm tra)"
		}
		y := pdf.GetY()
		pdf.MultiCell(70, 6, label, "B", "L", false)
		yLabel := pdf.GetY()
		pdf.SetXY(80, y)
		pdf.MultiCell(0, 6, v, "B", "L", false)
		pdf.SetY(max(yLabel, pdf.GetY()))
	}
}

// pdfImage returns img in a form fpdf embeds: JPEG as is, anything else
// decoded and re-encoded as 8-bit PNG.
func pdfImage(img []byte) ([]byte, string, image.Config, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(img))
	if err != nil {
		return nil, "", cfg, err
	}
	if format == "jpeg" {
		return img, "JPG", cfg, nil
	}
	src, _, err := image.Decode(bytes.NewReader(img))
	if err != nil {
		return nil, "", cfg, err
	}
	var out image.Image
	switch src.ColorModel() {
	case color.GrayModel, color.Gray16Model:
		g := image.NewGray(src.Bounds())
		draw.Draw(g, g.Bounds(), src, src.Bounds().Min, draw.Src)
		out = g
	default:
		// Flatten onto white: fpdf would need a soft mask for alpha.
		rgba := image.NewRGBA(src.Bounds())
		draw.Draw(rgba, rgba.Bounds(), image.White, image.Point{}, draw.Src)
		draw.Draw(rgba, rgba.Bounds(), src, src.Bounds().Min, draw.Over)
		out = rgba
	}
	var b bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&b, out); err != nil {
		return nil, "", cfg, err
	}
	return b.Bytes(), "PNG", cfg, nil
}

package synth

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sohoa/sohoa/models"
)

// Quality is the simulated scan quality of a page.
type Quality string

// Scan qualities.
const (
	// QualityClean: 300 dpi, skew within ±0.3°, grey PNG.
	QualityClean Quality = "clean"
	// QualityScanned: 300 dpi, skew within ±3°, slight blur and noise,
	// colour JPEG of quality 80–90.
	QualityScanned Quality = "scanned"
	// QualityWorn: 200 dpi, skew within ±6°, faded grey ink, yellowed and
	// unevenly lit paper, specks, colour JPEG of quality 60.
	QualityWorn Quality = "worn"
)

// Page layouts.
const (
	LayoutExtract  = "extract"  // trích lục: one record
	LayoutRegister = "register" // register-book page: two entries
)

// LineTruth is one printed line: its text (NFC, leaders removed, single
// spaces) and the box of its ink in the final image.
type LineTruth struct {
	Text string      `json:"text"`
	BBox models.BBox `json:"bbox"`
}

// FieldTruth is one field: the normalised value (record-format.md), the
// text as printed and the box of the printed value in the final image.
type FieldTruth struct {
	Value string      `json:"value"`
	Raw   string      `json:"raw"`
	BBox  models.BBox `json:"bbox"`
}

// RecordTruth is one record of a page with its fields by key.
type RecordTruth struct {
	EntryIndex   int                   `json:"entry_index"`
	RegisterType models.RegisterType   `json:"register_type"`
	Fields       map[string]FieldTruth `json:"fields"`
}

// PageTruth is the ground truth of one generated page (NAME.gt.json).
type PageTruth struct {
	Name         string              `json:"name"`
	Image        string              `json:"image"` // file name, next to the truth file
	RegisterType models.RegisterType `json:"register_type"`
	Layout       string              `json:"layout"` // extract | register
	Era          string              `json:"era"`    // old | new
	Font         string              `json:"font"`
	Quality      Quality             `json:"quality"`
	DPI          int                 `json:"dpi"`
	Width        int                 `json:"width"`
	Height       int                 `json:"height"`
	// SkewDeg is the rotation applied to the content, positive =
	// counter-clockwise as seen.
	SkewDeg float64       `json:"skew_deg"`
	Scale   float64       `json:"scale"`
	Lines   []LineTruth   `json:"lines"`
	Records []RecordTruth `json:"records"`
}

// Manifest lists the pages of a generated corpus (manifest.json).
type Manifest struct {
	Seed  int64           `json:"seed"`
	Pages []ManifestEntry `json:"pages"`
}

// ManifestEntry names the files of one page.
type ManifestEntry struct {
	Name         string              `json:"name"`
	Image        string              `json:"image"`
	Text         string              `json:"gt_txt"`
	Truth        string              `json:"gt_json"`
	RegisterType models.RegisterType `json:"register_type"`
	Layout       string              `json:"layout"`
	Quality      Quality             `json:"quality"`
}

// ManifestFile is the manifest's file name in the output directory.
const ManifestFile = "manifest.json"

// LoadTruth reads a NAME.gt.json file.
func LoadTruth(path string) (*PageTruth, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("synth: load truth: %w", err)
	}
	var t PageTruth
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, fmt.Errorf("synth: load truth %s: %w", path, err)
	}
	return &t, nil
}

// LoadManifest reads the manifest.json of a corpus directory.
func LoadManifest(dir string) (*Manifest, error) {
	p := filepath.Join(dir, ManifestFile)
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("synth: load manifest: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("synth: load manifest %s: %w", p, err)
	}
	return &m, nil
}

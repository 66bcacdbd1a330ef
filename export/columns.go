package export

import (
	"embed"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/sohoa/sohoa/models"
)

// Column is one workbook column: a record-format field key (or a metadata
// key starting with "_", see MetaKeys) and the header written above it.
type Column struct {
	Key    string `yaml:"key" json:"key"`
	Header string `yaml:"header" json:"header"`
}

// ColumnSets holds the columns of each register type, in order.
type ColumnSets map[models.RegisterType][]Column

// MetaKeys lists the column keys that take a record's metadata rather than
// a field's value.
func MetaKeys() []string {
	return []string{"_id", "_status", "_page_sha256", "_source", "_entry_index", "_review_fields"}
}

//go:embed columns/*.yaml
var defaultColumnFiles embed.FS

// DefaultColumns returns the built-in column sets: every field of each
// register type in register order, with the register's Vietnamese headers.
func DefaultColumns() ColumnSets {
	sets := ColumnSets{}
	for _, t := range registerTypes() {
		data, err := defaultColumnFiles.ReadFile("columns/" + string(t) + ".yaml")
		if err != nil {
			panic(fmt.Sprintf("export: embedded columns of %s: %v", t, err))
		}
		var cols []Column
		if err := yaml.Unmarshal(data, &cols); err != nil {
			panic(fmt.Sprintf("export: embedded columns of %s: %v", t, err))
		}
		if err := checkColumns(t, cols); err != nil {
			panic(err)
		}
		sets[t] = cols
	}
	return sets
}

func registerTypes() []models.RegisterType {
	return []models.RegisterType{models.Birth, models.Marriage, models.Death}
}

// ParseColumns reads a column-set file (YAML, or JSON, which is YAML too):
// a map from register type to its ordered list of {key, header}. The types
// the file names replace the defaults; the others keep them. Unknown types
// and keys are errors, so a typo in a template does not silently empty a
// column.
//
//	birth:
//	  - {key: entry_number, header: "Số"}
//	  - {key: full_name, header: "Họ, chữ đệm, tên"}
func ParseColumns(r io.Reader) (ColumnSets, error) {
	var file map[string][]Column
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	if err := dec.Decode(&file); err != nil && err != io.EOF {
		return nil, fmt.Errorf("export: column set: %w", err)
	}
	sets := DefaultColumns()
	for name, cols := range file {
		t := models.RegisterType(name)
		if !slices.Contains(registerTypes(), t) {
			return nil, fmt.Errorf("export: column set: unknown register type %q (want birth, marriage or death)", name)
		}
		if err := checkColumns(t, cols); err != nil {
			return nil, err
		}
		sets[t] = cols
	}
	return sets, nil
}

// LoadColumns reads the column-set file at path; "" gives DefaultColumns.
func LoadColumns(path string) (ColumnSets, error) {
	if path == "" {
		return DefaultColumns(), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	defer f.Close()
	return ParseColumns(f)
}

func checkColumns(t models.RegisterType, cols []Column) error {
	if len(cols) == 0 {
		return fmt.Errorf("export: column set of %s is empty", t)
	}
	keys := FieldKeys(t)
	seen := map[string]bool{}
	for i, c := range cols {
		switch {
		case c.Key == "":
			return fmt.Errorf("export: column set of %s: column %d has no key", t, i+1)
		case strings.TrimSpace(c.Header) == "":
			return fmt.Errorf("export: column set of %s: column %q has no header", t, c.Key)
		case seen[c.Key]:
			return fmt.Errorf("export: column set of %s: key %q given twice", t, c.Key)
		case !slices.Contains(keys, c.Key) && !slices.Contains(MetaKeys(), c.Key):
			return fmt.Errorf("export: column set of %s: unknown key %q", t, c.Key)
		}
		seen[c.Key] = true
	}
	return nil
}

// cell is the text of column key for record r.
func cell(r models.Record, key string) string {
	switch key {
	case "_id":
		return r.ID
	case "_status":
		return string(r.Status)
	case "_page_sha256":
		return r.PageSHA256
	case "_source":
		return r.Source
	case "_entry_index":
		return strconv.Itoa(r.EntryIndex)
	case "_review_fields":
		var review []string
		for _, k := range FieldKeys(r.RegisterType) {
			if f, ok := r.Fields[k]; ok && f.Status == models.StatusReview {
				review = append(review, k)
			}
		}
		return strings.Join(review, " ")
	}
	return value(r, key)
}

// value is the normalised value of field key, "" when absent or null.
func value(r models.Record, key string) string {
	if f, ok := r.Fields[key]; ok && f.Value != nil {
		return *f.Value
	}
	return ""
}

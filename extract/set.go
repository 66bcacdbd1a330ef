package extract

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

//go:embed templates/*.yaml
var embedded embed.FS

// Set is a collection of templates, at most one per id.
type Set struct {
	templates []*Template // sorted by id
}

// LoadTemplates returns the embedded templates plus the *.yaml (and *.yml)
// files of userDir; a user template with the same id as an embedded one
// replaces it. An empty userDir loads the embedded templates only. Errors
// name the file and what is wrong with it (ErrTemplate).
func LoadTemplates(userDir string) (*Set, error) {
	byID := map[string]*Template{}
	names, err := fs.Glob(embedded, "templates/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("extract: embedded templates: %w", err)
	}
	for _, n := range names {
		data, err := embedded.ReadFile(n)
		if err != nil {
			return nil, fmt.Errorf("extract: embedded templates: %w", err)
		}
		t, err := ParseTemplate("embedded:"+n, data)
		if err != nil {
			return nil, err
		}
		if o, dup := byID[t.ID]; dup {
			return nil, fmt.Errorf("%w: %s: id %q already used by %s", ErrTemplate, t.Source, t.ID, o.Source)
		}
		byID[t.ID] = t
	}
	if userDir != "" {
		if err := loadDir(userDir, byID); err != nil {
			return nil, err
		}
	}
	s := &Set{}
	for _, t := range byID {
		s.templates = append(s.templates, t)
	}
	sort.Slice(s.templates, func(i, j int) bool { return s.templates[i].ID < s.templates[j].ID })
	return s, nil
}

func loadDir(dir string, byID map[string]*Template) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("extract: template directory: %w", err)
	}
	user := map[string]string{}
	for _, e := range entries {
		ext := strings.ToLower(path.Ext(e.Name()))
		if e.IsDir() || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		p := filepath.Join(dir, e.Name())
		data, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("extract: template %s: %w", p, err)
		}
		t, err := ParseTemplate(p, data)
		if err != nil {
			return err
		}
		if o, dup := user[t.ID]; dup {
			return fmt.Errorf("%w: %s: id %q already used by %s", ErrTemplate, p, t.ID, o)
		}
		user[t.ID] = p
		byID[t.ID] = t
	}
	return nil
}

// NewSet builds a set from compiled templates (see ParseTemplate); ids must
// be distinct.
func NewSet(ts ...*Template) (*Set, error) {
	s := &Set{}
	seen := map[string]bool{}
	for _, t := range ts {
		if t == nil {
			return nil, errors.New("extract: nil template")
		}
		if seen[t.ID] {
			return nil, fmt.Errorf("%w: %s: duplicate id %q", ErrTemplate, t.Source, t.ID)
		}
		seen[t.ID] = true
		s.templates = append(s.templates, t)
	}
	sort.Slice(s.templates, func(i, j int) bool { return s.templates[i].ID < s.templates[j].ID })
	return s, nil
}

// Templates returns the templates of the set, sorted by id.
func (s *Set) Templates() []*Template { return append([]*Template(nil), s.templates...) }

// Template returns the template with the given id.
func (s *Set) Template(id string) (*Template, bool) {
	for _, t := range s.templates {
		if t.ID == id {
			return t, true
		}
	}
	return nil, false
}

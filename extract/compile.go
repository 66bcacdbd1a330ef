package extract

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/validate"
)

// ParseTemplate compiles a template from YAML. name identifies the source
// in error messages.
func ParseTemplate(name string, data []byte) (*Template, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f fileTemplate
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: %s: empty file", ErrTemplate, name)
		}
		return nil, fmt.Errorf("%w: %s: %v", ErrTemplate, name, err)
	}
	c := &compiler{t: &Template{Source: name}, byFold: map[string]*label{}}
	if err := c.compile(&f); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrTemplate, name, err)
	}
	c.t.indexHeads()
	return c.t, nil
}

type compiler struct {
	t      *Template
	byFold map[string]*label
}

func (c *compiler) label(text string) (*label, error) {
	text = strings.TrimSpace(text)
	fold := compactFold(text)
	if fold == "" {
		return nil, fmt.Errorf("label %q has no letters or digits", text)
	}
	tone := compactTone(text)
	if l, ok := c.byFold[fold]; ok {
		for _, t := range l.tones {
			if t == tone {
				return l, nil
			}
		}
		l.tones = append(l.tones, tone)
		return l, nil
	}
	n := len([]rune(fold))
	l := &label{
		index: len(c.t.labels), text: text, runes: []rune(fold), fold: fold, tones: []string{tone}, maxDist: maxLabelDist(n), short: n <= shortLabelLen,
		fields: map[int]*fieldDef{}, words: map[int][]*fieldDef{},
	}
	for _, r := range fold {
		if l.headN == len(l.head) {
			break
		}
		l.head[l.headN] = r
		l.headN++
	}
	c.byFold[fold] = l
	c.t.labels = append(c.t.labels, l)
	return l, nil
}

// indexHeads files every label under its first two letters: a span can
// only match a label (with at most one edit among its first letters) when
// its first or second letter is one of them (see prefixClose).
func (t *Template) indexHeads() {
	t.byHead = map[rune][]*label{}
	for _, l := range t.labels {
		for i := 0; i < min(2, l.headN); i++ {
			if i == 1 && l.head[1] == l.head[0] {
				continue
			}
			t.byHead[l.head[i]] = append(t.byHead[l.head[i]], l)
		}
	}
}

func (c *compiler) compile(f *fileTemplate) error {
	t := c.t
	switch {
	case !reID.MatchString(f.ID):
		return fmt.Errorf("id %q: want lower-case words separated by '/', like \"birth/extract\"", f.ID)
	case !reVersion.MatchString(f.Version):
		return fmt.Errorf("version %q: want a non-empty word like \"1\" or \"2020.1\"", f.Version)
	case !reRegType.MatchString(f.RegisterType):
		return fmt.Errorf("register_type %q: want a lower-case word like \"birth\"", f.RegisterType)
	case f.Layout != LayoutExtract && f.Layout != LayoutRegister:
		return fmt.Errorf("layout %q: want %q or %q", f.Layout, LayoutExtract, LayoutRegister)
	case len(f.Detection.Titles) == 0 && len(f.Detection.Labels) == 0:
		return errors.New("detection: give at least one title or label")
	case len(f.Fields) == 0 && len(f.Sections) == 0:
		return errors.New("no fields")
	}
	t.ID, t.Version, t.RegisterType, t.Layout, t.Description = f.ID, f.Version, models.RegisterType(f.RegisterType), f.Layout, f.Description
	t.sections = []string{""}
	for i, s := range f.Detection.Titles {
		l, err := c.label(s)
		if err != nil {
			return fmt.Errorf("detection.titles[%d]: %w", i, err)
		}
		l.title = true
		t.titles = append(t.titles, l)
	}
	for i, s := range f.Detection.Labels {
		var group []*label
		for _, alt := range strings.Split(s, "|") {
			l, err := c.label(alt)
			if err != nil {
				return fmt.Errorf("detection.labels[%d]: %w", i, err)
			}
			group = append(group, l)
		}
		t.detect = append(t.detect, group)
	}
	for i, s := range f.Entries.Start {
		l, err := c.label(s)
		if err != nil {
			return fmt.Errorf("entries.start[%d]: %w", i, err)
		}
		l.entryStart = true
		t.entries = true
	}
	for i, s := range f.Ignore {
		if _, err := c.label(s); err != nil {
			return fmt.Errorf("ignore[%d]: %w", i, err)
		}
	}
	if err := c.fields("fields", 0, f.Fields); err != nil {
		return err
	}
	seen := map[string]bool{"": true}
	for i, s := range f.Sections {
		where := fmt.Sprintf("sections[%d] (%q)", i, s.Name)
		if seen[s.Name] {
			return fmt.Errorf("%s: empty or duplicate section name", where)
		}
		seen[s.Name] = true
		if len(s.Start) == 0 {
			return fmt.Errorf("%s: no start labels", where)
		}
		idx := len(t.sections)
		t.sections = append(t.sections, s.Name)
		for j, st := range s.Start {
			l, err := c.label(st)
			if err != nil {
				return fmt.Errorf("%s.start[%d]: %w", where, j, err)
			}
			if l.section != 0 && l.section != idx {
				return fmt.Errorf("%s.start[%d]: label %q already starts section %q", where, j, st, t.sections[l.section])
			}
			l.section = idx
		}
		if err := c.fields(where+".fields", idx, s.Fields); err != nil {
			return err
		}
	}
	return nil
}

func foldedPhrases(ss []string) [][]string {
	var out [][]string
	for _, s := range ss {
		var words []string
		for _, w := range strings.Fields(s) {
			if f := compactFold(w); f != "" {
				words = append(words, f)
			}
		}
		if len(words) > 0 {
			out = append(out, words)
		}
	}
	return out
}

func (c *compiler) fields(where string, section int, fs []fileField) error {
	keys := map[string]bool{}
	for i, ff := range fs {
		at := fmt.Sprintf("%s[%d] (key %q)", where, i, ff.Key)
		if !reKey.MatchString(ff.Key) {
			return fmt.Errorf("%s: key: want lower-case letters, digits and '_'", at)
		}
		if keys[ff.Key] {
			return fmt.Errorf("%s: duplicate key in the section", at)
		}
		keys[ff.Key] = true
		fd := &fieldDef{
			key: ff.Key, kind: validate.Kind(ff.Kind), required: ff.Required, pos: ff.Value,
			multiline: ff.Multiline, after: foldedPhrases(ff.After), strip: foldedPhrases(ff.Strip),
			section: section, words: len(ff.Words) > 0,
		}
		if fd.kind == "" {
			fd.kind = validate.KindOf(ff.Key)
		}
		if !knownKind(fd.kind) {
			return fmt.Errorf("%s: unknown kind %q", at, ff.Kind)
		}
		switch ff.Value {
		case "":
			fd.pos = PosRest
		case PosRest, PosRestOnly, PosNextLine:
		default:
			return fmt.Errorf("%s: value %q: want %q, %q or %q", at, ff.Value, PosRest, PosRestOnly, PosNextLine)
		}
		switch ff.Scope {
		case "", ScopeEntry:
		case ScopePage:
			fd.page = true
		default:
			return fmt.Errorf("%s: scope %q: want %q or %q", at, ff.Scope, ScopeEntry, ScopePage)
		}
		if fd.words && fd.kind != validate.KindDate {
			return fmt.Errorf("%s: words is only for dates, kind is %q", at, fd.kind)
		}
		if len(ff.Labels) == 0 {
			return fmt.Errorf("%s: no labels", at)
		}
		for j, s := range ff.Labels {
			l, err := c.label(s)
			if err != nil {
				return fmt.Errorf("%s.labels[%d]: %w", at, j, err)
			}
			if o, ok := l.fields[section]; ok && o != fd {
				return fmt.Errorf("%s.labels[%d]: label %q already belongs to field %q in this section", at, j, s, o.key)
			}
			l.fields[section] = fd
		}
		for j, s := range ff.Words {
			l, err := c.label(s)
			if err != nil {
				return fmt.Errorf("%s.words[%d]: %w", at, j, err)
			}
			l.words[section] = append(l.words[section], fd)
		}
		c.t.fields = append(c.t.fields, fd)
	}
	return nil
}

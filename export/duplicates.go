package export

import (
	"cmp"
	"slices"
	"strings"

	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/vn"
)

// DuplicateKind says why records were grouped as duplicates.
type DuplicateKind string

// Kinds of duplicates.
const (
	// SameEntry: the same register type, book number and entry number.
	SameEntry DuplicateKind = "same_entry"
	// SamePerson: the same person registered twice: equal folded name,
	// birth date and mother's name (birth); name and birth date (death);
	// both spouses' names and birth dates (marriage).
	SamePerson DuplicateKind = "same_person"
)

// Duplicate is a group of records that look like one registration.
type Duplicate struct {
	Kind DuplicateKind `json:"kind"`
	// Key is the folded value the records share, e.g. "birth|01/2019|12".
	Key       string   `json:"key"`
	RecordIDs []string `json:"record_ids"`
	// Resolved is true once at most one of the records is not rejected: a
	// verifier has kept one and rejected the others.
	Resolved bool `json:"resolved"`
}

// Duplicates finds duplicate groups in recs; see Detector.
func Duplicates(recs []models.Record) []Duplicate {
	var d Detector
	for _, r := range recs {
		d.Add(r)
	}
	return d.Duplicates()
}

// Detector collects the keys of records added one at a time (it keeps
// only keys and ids, not records) and reports the groups sharing a key.
// The zero value is ready to use.
type Detector struct {
	groups map[dupKey][]dupMember
}

type dupKey struct {
	kind DuplicateKind
	key  string
}

type dupMember struct {
	id       string
	rejected bool
}

// Add notes r's keys.
func (d *Detector) Add(r models.Record) {
	if d.groups == nil {
		d.groups = map[dupKey][]dupMember{}
	}
	m := dupMember{id: r.ID, rejected: r.Status == models.StatusRejected}
	if k, ok := entryKey(r); ok {
		d.groups[dupKey{SameEntry, k}] = append(d.groups[dupKey{SameEntry, k}], m)
	}
	if k, ok := personKey(r); ok {
		d.groups[dupKey{SamePerson, k}] = append(d.groups[dupKey{SamePerson, k}], m)
	}
}

// Duplicates returns every key shared by two records or more, entry
// duplicates first, then by key.
func (d *Detector) Duplicates() []Duplicate {
	var out []Duplicate
	for k, ms := range d.groups {
		if len(ms) < 2 {
			continue
		}
		dup := Duplicate{Kind: k.kind, Key: k.key}
		live := 0
		for _, m := range ms {
			dup.RecordIDs = append(dup.RecordIDs, m.id)
			if !m.rejected {
				live++
			}
		}
		slices.Sort(dup.RecordIDs)
		dup.Resolved = live <= 1
		out = append(out, dup)
	}
	slices.SortFunc(out, func(a, b Duplicate) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Key, b.Key))
	})
	return out
}

// Unresolved counts the groups not yet resolved.
func Unresolved(dups []Duplicate) int {
	n := 0
	for _, d := range dups {
		if !d.Resolved {
			n++
		}
	}
	return n
}

// entryKey is register type | book number | entry number, with the book
// number folded and spaces removed and the entry number without leading
// zeros.
func entryKey(r models.Record) (string, bool) {
	entry := strings.TrimLeft(strings.ReplaceAll(value(r, "entry_number"), " ", ""), "0")
	if entry == "" {
		return "", false
	}
	book := strings.ReplaceAll(vn.FoldKey(value(r, "book_number")), " ", "")
	return string(r.RegisterType) + "|" + book + "|" + entry, true
}

// personFields are the fields that identify the registered person of a
// register type (none for other types).
func personFields(t models.RegisterType) []string {
	switch t {
	case models.Birth:
		return []string{"full_name", "date_of_birth", "mother_name"}
	case models.Death:
		return []string{"full_name", "date_of_birth"}
	case models.Marriage:
		return []string{"husband_name", "husband_date_of_birth", "wife_name", "wife_date_of_birth"}
	}
	return nil
}

// KeyFields are the fields the duplicate keys are made of (entry and
// person, every register type): a pass that only finds duplicates and
// statuses (BookFinal) needs no others.
func KeyFields() []string {
	keys := []string{"entry_number", "book_number"}
	for _, t := range []models.RegisterType{models.Birth, models.Death, models.Marriage} {
		for _, k := range personFields(t) {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	return keys
}

// personKey folds the fields that identify the registered person; every
// one of them must be present.
func personKey(r models.Record) (string, bool) {
	keys := personFields(r.RegisterType)
	if keys == nil {
		return "", false
	}
	parts := []string{string(r.RegisterType)}
	for _, k := range keys {
		v := vn.FoldKey(value(r, k))
		if v == "" {
			return "", false
		}
		parts = append(parts, v)
	}
	return strings.Join(parts, "|"), true
}

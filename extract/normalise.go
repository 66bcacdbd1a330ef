package extract

import (
	"fmt"
	"strings"

	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/validate"
)

// finish normalises the fields of an entry and adds the required ones
// that were not found. The checks across fields run on the page's
// entries afterwards (Recheck).
func (t *Template) finish(index int, e *entryState) Entry {
	out := Entry{Index: index, Fields: map[string]*Reading{}}
	for _, k := range e.order {
		out.Fields[k] = reading(e.fields[k])
	}
	for _, fd := range t.fields {
		if _, ok := out.Fields[fd.key]; ok || !fd.required {
			continue
		}
		out.Fields[fd.key] = &Reading{
			Key: fd.key, Kind: string(fd.kind), Required: true,
			Problems: []validate.Problem{{Code: validate.CodeMissing, Message: "label not found"}},
		}
	}
	return out
}

// Recheck runs the checks that compare fields on the entries' current
// readings: validate.CrossCheck within each entry (of register type rt)
// and validate.EntrySequence across the page's entries. The problems
// these checks gave before are dropped first, so it runs again after some
// readings were replaced by second readings of their crops: a conflict
// that a second reading resolves goes, one that it brings comes.
func Recheck(rt models.RegisterType, entries []Entry) {
	for _, e := range entries {
		for _, rd := range e.Fields {
			rd.dropChecks()
		}
	}
	for _, e := range entries {
		values := map[string]string{}
		for k, rd := range e.Fields {
			if rd.Value != nil {
				values[k] = *rd.Value
			}
		}
		for k, ps := range validate.CrossCheck(string(rt), values) {
			if rd, ok := e.Fields[k]; ok {
				for _, p := range ps {
					rd.addCheck(p)
				}
			}
		}
	}
	checkSequence(entries)
}

// Own returns the reading's own problems: Problems without those found
// against other fields.
func (rd *Reading) Own() []validate.Problem {
	if len(rd.Checks) == 0 {
		return rd.Problems
	}
	own := make([]validate.Problem, 0, len(rd.Problems))
	for _, p := range rd.Problems {
		if !hasProblem(rd.Checks, p) {
			own = append(own, p)
		}
	}
	return own
}

// addCheck adds a problem found against other fields.
func (rd *Reading) addCheck(p validate.Problem) {
	if hasProblem(rd.Problems, p) {
		return
	}
	rd.Problems = append(rd.Problems, p)
	rd.Checks = append(rd.Checks, p)
}

// dropChecks removes the problems found against other fields, leaving the
// reading's own. Problems is copied, not changed in place: readings copied
// from this one may share its array.
func (rd *Reading) dropChecks() {
	if len(rd.Checks) == 0 {
		return
	}
	rd.Problems, rd.Checks = rd.Own(), nil
}

func hasProblem(ps []validate.Problem, p validate.Problem) bool {
	for _, q := range ps {
		if q == p {
			return true
		}
	}
	return false
}

// wordsMarker introduces the words of a date in Raw, whatever label
// variant (or damaged spelling of it) the page has.
const wordsMarker = "ghi bằng chữ"

// reading normalises a pending field.
func reading(p *pending) *Reading {
	value := p.value
	if len(value) > 0 && value[0].stroke && !p.def.kind.Figures() {
		value = value[1:] // only figures can have lost a 1 to it
	}
	raw := composeRaw(value, p.words)
	v, ps := validate.ByKind(p.def.kind, raw)
	if validate.Blocking(ps) && trimmable(p.def.kind) {
		if n, v2, ps2, ok := validPrefix(p.def.kind, value, p.words); ok {
			dropped := joinTokens(value[n:])
			value, raw, v = value[:n], composeRaw(value[:n], p.words), v2
			ps = append(ps2, validate.Problem{Code: validate.CodeRepaired, Message: fmt.Sprintf("dropped trailing text %q", dropped)})
		}
	}
	rd := &Reading{Key: p.def.key, Kind: string(p.def.kind), Raw: raw, LabelScore: p.score, Required: p.def.required}
	if v != "" {
		rd.Value = &v
	}
	rd.Problems = ps
	first := true
	for _, tk := range append(append([]token(nil), value...), p.words...) {
		if tk.empty() && !tk.stroke {
			continue
		}
		if !tk.stroke {
			rd.WordConfs = append(rd.WordConfs, tk.conf)
		}
		if first {
			rd.BBox, first = tk.box, false
			continue
		}
		rd.BBox = union(rd.BBox, tk.box)
	}
	return rd
}

// composeRaw writes the raw text of a value and the words of a date.
func composeRaw(value, words []token) string {
	raw := joinTokens(value)
	if !hasContent(words) {
		return raw
	}
	w := wordsMarker + ": " + strings.Trim(joinTokens(words), "() ")
	if raw == "" {
		return w
	}
	return raw + " (" + w + ")"
}

// trimmable reports the kinds whose values have a recognisable end, so
// that text OCR adds after them (leader dots read as letters, a
// neighbouring column) can be dropped. Names and free text are never cut.
func trimmable(k validate.Kind) bool {
	switch k {
	case validate.KindDate, validate.KindYear, validate.KindGender, validate.KindEthnicity,
		validate.KindNationality, validate.KindPersonalID, validate.KindIDNumber,
		validate.KindEntryNumber, validate.KindBookNumber:
		return true
	}
	return false
}

// validPrefix finds the longest shorter run of value tokens that
// normalises without blocking problems.
func validPrefix(kind validate.Kind, value, words []token) (int, string, []validate.Problem, bool) {
	for n := len(value) - 1; n > 0; n-- {
		if value[n-1].empty() {
			continue
		}
		v, ps := validate.ByKind(kind, composeRaw(value[:n], words))
		if v != "" && !validate.Blocking(ps) {
			return n, v, ps, true
		}
	}
	return 0, "", nil, false
}

func union(a, b models.BBox) models.BBox {
	return models.BBox{min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])}
}

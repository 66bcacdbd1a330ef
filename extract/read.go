package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sohoa/sohoa/validate"
)

// maxContinuation is how many following unlabelled lines a multi-line
// value (or the words of a date) may take.
const maxContinuation = 2

// pending is a field being read.
type pending struct {
	def   *fieldDef
	score float64
	value []token
	words []token // the words of a date, after "ghi bằng chữ"
}

func (p *pending) hasContent() bool { return hasContent(p.value) || hasContent(p.words) }

// entryState collects the fields of one entry in reading order.
type entryState struct {
	fields map[string]*pending
	order  []string
	last   string // key of the field read last
}

func newEntryState() *entryState { return &entryState{fields: map[string]*pending{}} }

// put stores a reading unless the entry already has one with a value.
func (e *entryState) put(p *pending) {
	e.last = p.def.key
	old, ok := e.fields[p.def.key]
	if !ok {
		e.order = append(e.order, p.def.key)
	} else if old.hasContent() || !p.hasContent() {
		return
	}
	e.fields[p.def.key] = p
}

func (e *entryState) hasEntryFields() bool {
	for _, p := range e.fields {
		if !p.def.page && p.hasContent() {
			return true
		}
	}
	return false
}

// reader walks the labels of a scanned page.
type reader struct {
	sc   *scanResult
	used []bool // lines taken as values of an earlier label
}

// read turns the labels found on a page into entries.
func (t *Template) read(sc *scanResult) *Result {
	r := &reader{sc: sc, used: make([]bool, len(sc.lines))}
	page := newEntryState()
	cur := newEntryState()
	var entries []*entryState
	started := false
	section := 0
	for _, m := range sc.matches {
		l := m.lab
		if t.entries && l.entryStart && m.atStart {
			if started || cur.hasEntryFields() {
				entries = append(entries, cur)
			}
			cur, started, section = newEntryState(), true, 0
		}
		if l.section != 0 {
			section = l.section
		}
		fd := l.fields[section]
		if fd == nil {
			fd = l.fields[0]
		}
		if fd == nil && section == 0 && len(l.fields) == 1 && !l.short {
			// A label of one section only, met outside any section (its
			// start label was not read): enter that section. Not for
			// "Số", which also numbers the extract itself.
			for s, f := range l.fields {
				section, fd = s, f
			}
		}
		switch {
		case fd != nil:
			p := &pending{def: fd, score: m.score, value: r.value(m, fd)}
			if fd.page {
				page.put(p)
			} else {
				cur.put(p)
			}
		case len(l.words[section]) > 0 || len(l.words[0]) > 0:
			r.words(m, cur, page, l.words[section], l.words[0])
		}
	}
	if started || cur.hasEntryFields() || len(entries) == 0 {
		entries = append(entries, cur)
	}
	res := &Result{Template: t.Name(), RegisterType: t.RegisterType}
	for i, e := range entries {
		for _, k := range page.order {
			if _, ok := e.fields[k]; !ok {
				e.fields[k] = page.fields[k]
				e.order = append(e.order, k)
			}
		}
		res.Entries = append(res.Entries, t.finish(i, e))
	}
	Recheck(t.RegisterType, res.Entries)
	return res
}

// checkSequence flags entry numbers of one page that do not follow each
// other (validate.EntrySequence): one of the two was misread, and which
// one a person must tell.
func checkSequence(entries []Entry) {
	if len(entries) < 2 {
		return
	}
	nums := make([]string, len(entries))
	for i, e := range entries {
		if rd := e.Fields[entryNumberKey]; rd != nil && rd.Value != nil && !validate.Blocking(rd.Problems) {
			nums[i] = *rd.Value
		}
	}
	for i, p := range validate.EntrySequence(nums) {
		entries[i].Fields[entryNumberKey].addCheck(p)
	}
}

// entryNumberKey is the field holding an entry's number ("Số").
const entryNumberKey = "entry_number"

// words attaches the words of a date ("ghi bằng chữ: …") to the date field
// read just before, or to the first candidate field.
func (r *reader) words(m match, cur, page *entryState, cands ...[]*fieldDef) {
	var wd *fieldDef
	for _, cs := range cands {
		for _, fd := range cs {
			if wd == nil {
				wd = fd
			}
			if fd.key == cur.last || fd.key == page.last {
				wd = fd
			}
		}
	}
	target := cur
	if wd.page {
		target = page
	}
	p, ok := target.fields[wd.key]
	if !ok {
		p = &pending{def: wd, score: m.score}
		target.put(p)
	}
	if len(p.words) == 0 {
		p.words = r.rest(m, true)
	}
}

// stopOf is the first token of line li at or after from that starts a
// label, or the line's length.
func (r *reader) stopOf(li, from int) int {
	for _, j := range r.sc.byLine[li] {
		if s := r.sc.matches[j].start; s >= from {
			return s
		}
	}
	return len(r.sc.lines[li])
}

// freeLine reports whether line li can be taken whole as a value: not yet
// taken, not starting with a label, with some text.
func (r *reader) freeLine(li int) bool {
	if li >= len(r.sc.lines) || r.used[li] || r.sc.from[li] > 0 || !hasContent(r.sc.lines[li]) {
		return false
	}
	if ms := r.sc.byLine[li]; len(ms) > 0 && r.sc.matches[ms[0]].atStart {
		return false
	}
	return true
}

// lineValue takes line li up to its first label as a value.
func (r *reader) lineValue(li int) []token {
	r.used[li] = true
	return cutAtLeaders(r.sc.lines[li][:r.stopOf(li, 0)])
}

// cutAtLeaders drops the leader dots before a value and ends the value at
// the leader run after it: what follows a leader on a form is the next
// column or the margin (and OCR turns dots into stray letters there).
//
// A lone stroke ("|", "!") just before a value that starts with a digit is
// kept in front of the value: on worn pages the first 1 of a number
// ("11/09/1999", "14/10/1962") is read so, apart from the rest, and the
// value without it is a valid, wrong date. Validation tells what it may be
// (validate.ByKind); the value's box holds it, so that the field's crop,
// read again, holds it too.
func cutAtLeaders(toks []token) []token {
	start := 0
	for start < len(toks) && (toks[start].leader || toks[start].empty()) {
		start++
	}
	end := len(toks)
	for i := start; i < len(toks); i++ {
		if toks[i].leader {
			end = i
			break
		}
	}
	if start == 0 || start == end || !strokeBefore(toks[start-1], toks[start]) {
		return toks[start:end]
	}
	out := make([]token, 0, end-start+1)
	s := toks[start-1]
	s.stroke = true
	return append(append(out, s), toks[start:end]...)
}

// strokeBefore reports whether s is a lone stroke (validate.IsStroke)
// close before a token that starts with a digit: nearer than the digit's
// height.
func strokeBefore(s, next token) bool {
	if !validate.IsStroke(s.text) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(next.text)
	if !unicode.IsDigit(r) {
		return false
	}
	gap, h := next.box[0]-s.box[2], next.box[3]-next.box[1]
	return h > 0 && gap < h
}

// rest returns the tokens after a label up to the next label on its line;
// with more, unlabelled lines that follow are added when the value runs to
// the end of its line.
func (r *reader) rest(m match, more bool) []token {
	li := m.endLine
	stop := r.stopOf(li, m.end)
	out := append([]token(nil), cutAtLeaders(r.sc.lines[li][m.end:stop])...)
	if !more || stop < len(r.sc.lines[li]) {
		return out
	}
	return r.continuation(li, out)
}

// continuation appends whole unlabelled lines after li.
func (r *reader) continuation(li int, out []token) []token {
	for n := 1; n <= maxContinuation; n++ {
		nl := li + n
		if !r.freeLine(nl) || len(r.sc.byLine[nl]) > 0 {
			break
		}
		out = append(out, r.lineValue(nl)...)
	}
	return out
}

// value reads the value of a field label.
func (r *reader) value(m match, fd *fieldDef) []token {
	li := m.endLine
	var out []token
	toEnd := false // the value runs to the end of line li
	switch fd.pos {
	case PosNextLine:
		if r.freeLine(li + 1) {
			li++
			out = r.lineValue(li)
			toEnd = len(r.sc.byLine[li]) == 0
		}
	default:
		stop := r.stopOf(li, m.end)
		out = append(out, cutAtLeaders(r.sc.lines[li][m.end:stop])...)
		toEnd = stop == len(r.sc.lines[li])
		if toEnd && !hasContent(out) && fd.pos == PosRest && r.freeLine(li+1) {
			li++
			out = r.lineValue(li)
			toEnd = len(r.sc.byLine[li]) == 0
		}
	}
	if fd.multiline && toEnd && hasContent(out) {
		out = r.continuation(li, out)
	}
	return fd.trim(out)
}

// trim applies the field's after and strip phrases.
func (fd *fieldDef) trim(toks []token) []token {
	for _, ph := range fd.after {
		if i := findPhrase(toks, ph); i >= 0 {
			toks = toks[i:]
			break
		}
	}
	best := 0
	for _, ph := range fd.strip {
		if i := phraseAt(toks, 0, ph); i > best {
			best = i
		}
	}
	return toks[best:]
}

// phraseAt returns the index after phrase ph when the non-empty tokens
// from i spell it (one folded word per token, see nearWord), or -1.
func phraseAt(toks []token, i int, ph []string) int {
	for _, w := range ph {
		for i < len(toks) && toks[i].empty() {
			i++
		}
		if i >= len(toks) || !nearWord(toks[i].fold, w) {
			return -1
		}
		i++
	}
	return i
}

// findPhrase returns the index after the first occurrence of ph, or -1.
func findPhrase(toks []token, ph []string) int {
	for i := range toks {
		if j := phraseAt(toks, i, ph); j >= 0 {
			return j
		}
	}
	return -1
}

func hasContent(toks []token) bool {
	for _, t := range toks {
		if !t.empty() {
			return true
		}
	}
	return false
}

// joinTokens writes the value text: leaders dropped, leader dots and
// colons trimmed from its ends.
func joinTokens(toks []token) string {
	var parts []string
	for _, t := range toks {
		if t.leader {
			continue
		}
		parts = append(parts, t.text)
	}
	s := strings.Join(parts, " ")
	return strings.Trim(s, leaderRunes+":; ")
}

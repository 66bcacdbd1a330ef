package web

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/sohoa/sohoa/export"
	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/storage"
)

// duplicateColumns are the fields shown for each record of a duplicate
// group: where it is in the book and what identifies the registration.
var duplicateColumns = map[models.RegisterType][]string{
	models.Birth:    {"book_number", "entry_number", "registration_date", "full_name", "date_of_birth", "mother_name"},
	models.Death:    {"book_number", "entry_number", "registration_date", "full_name", "date_of_birth", "date_of_death"},
	models.Marriage: {"book_number", "entry_number", "registration_date", "husband_name", "husband_date_of_birth", "wife_name", "wife_date_of_birth"},
}

// columnsFor returns the duplicate columns of a register type (those of
// birth for a type without its own).
func columnsFor(t models.RegisterType) []string {
	if c, ok := duplicateColumns[t]; ok {
		return c
	}
	return duplicateColumns[models.Birth]
}

// dupSummary is what the duplicates page keeps of a book's record while it
// reads the book: the few values it shows, not the whole record.
type dupSummary struct {
	Type   models.RegisterType
	Status models.Status
	// DuplicateOf is the record it was rejected as the duplicate of, if
	// it was.
	DuplicateOf string
	Source      string
	Values      []string // of columnsFor(Type)
}

func summarise(r storage.Record) dupSummary {
	cols := columnsFor(r.RegisterType)
	s := dupSummary{Type: r.RegisterType, Status: r.Status, Source: r.Source, Values: make([]string, len(cols))}
	if r.Status == models.StatusRejected {
		s.DuplicateOf = storage.DuplicateOf(r.Error)
	}
	for i, k := range cols {
		if v := r.Fields[k].Value; v != nil {
			s.Values[i] = *v
		}
	}
	return s
}

type duplicatesView struct {
	Book, Batch      string
	Books            []string // the book numbers of recent batches
	Records          int      // records of the book
	Unresolved       int
	Groups           []dupGroup // unresolved first
	Rejected, Kept   string     // the rejection just made, if any
	Restored         string     // the rejection just undone, if any
	BlindHiddenCount int        // records whose values this verifier may not see
}

// dupGroup is one duplicate group as the page shows it.
type dupGroup struct {
	Key      string
	Label    string // why the records were grouped
	Resolved bool
	Columns  []string
	Members  []dupMember
}

type dupMember struct {
	ID, Short string
	Link      string // the record's page, "" when the person may not see it
	dupSummary
	// Hidden: the record still has blind keying to do and the person is a
	// verifier, who may be the one to key it: no values, no decision.
	Hidden bool
	// Keep are the other records of the group this one may be rejected as
	// the duplicate of: those not rejected, while the group is unresolved.
	Keep []dupTarget
	// Restorable: rejected as a duplicate, and seen: the rejection may be
	// undone.
	Restorable bool
}

type dupTarget struct{ ID, Short string }

// duplicatesPage lists the duplicate groups of a book (?book=, optionally
// ?batch=) for verifiers to resolve, and the books of recent batches.
func (h *Handler) duplicatesPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	v := duplicatesView{Book: strings.TrimSpace(q.Get("book")), Batch: validBatch(q.Get("batch")),
		Rejected: validRecord(q.Get("rejected")), Kept: validRecord(q.Get("kept")), Restored: validRecord(q.Get("restored"))}
	batches, err := h.store.ListBatches(ctx, storage.ListBatchesOptions{Limit: 50})
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	for _, b := range batches {
		if b.BookNumber != "" && !slices.Contains(v.Books, b.BookNumber) {
			v.Books = append(v.Books, b.BookNumber)
		}
	}
	if v.Book != "" {
		if err := h.bookDuplicates(ctx, &v, sessionFrom(ctx).User.Role); err != nil {
			h.serverError(w, r, err)
			return
		}
	}
	h.render(w, r, http.StatusOK, "duplicates", page{Title: "Bản ghi trùng lặp", Data: v})
}

// bookDuplicates reads v.Book's records (of v.Batch, when set) and fills
// in v's groups, as export.Detector finds them for the export.
func (h *Handler) bookDuplicates(ctx context.Context, v *duplicatesView, role storage.UserRole) error {
	var d export.Detector
	seen := map[string]dupSummary{}
	for rec, err := range h.store.BookRecords(ctx, v.Book, v.Batch, 1000) {
		if err != nil {
			return err
		}
		d.Add(rec.Record)
		seen[rec.ID] = summarise(rec)
		v.Records++
	}
	dups := d.Duplicates()
	v.Unresolved = export.Unresolved(dups)
	hidden := map[string]bool{}
	if role == storage.UserVerifier {
		var ids []string
		for _, g := range dups {
			ids = append(ids, g.RecordIDs...)
		}
		var err error
		if hidden, err = h.store.BlindPending(ctx, ids); err != nil {
			return err
		}
		v.BlindHiddenCount = len(hidden)
	}
	for _, g := range dups {
		v.Groups = append(v.Groups, groupView(g, seen, hidden))
	}
	// Unresolved groups first, each kind and key in the detector's order.
	slices.SortStableFunc(v.Groups, func(a, b dupGroup) int {
		return cmp.Compare(boolRank(a.Resolved), boolRank(b.Resolved))
	})
	return nil
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// groupView is the page's form of a group: its members' values and, while
// the group is unresolved and every member may be seen, for each live
// member the others it may be rejected as the duplicate of.
func groupView(g export.Duplicate, seen map[string]dupSummary, hidden map[string]bool) dupGroup {
	first := seen[g.RecordIDs[0]]
	out := dupGroup{Key: g.Key, Label: duplicateLabel(g.Kind, first.Type), Resolved: g.Resolved, Columns: columnsFor(first.Type)}
	anyHidden := slices.ContainsFunc(g.RecordIDs, func(id string) bool { return hidden[id] })
	for _, id := range g.RecordIDs {
		m := dupMember{ID: id, Short: shortID(id), dupSummary: seen[id], Hidden: hidden[id]}
		if !m.Hidden {
			m.Link = recordLink(id, otherThan(g.RecordIDs, id))
			m.Restorable = m.DuplicateOf != ""
		}
		if !g.Resolved && !anyHidden && m.Status != models.StatusRejected {
			for _, k := range g.RecordIDs {
				if k != id && seen[k].Status != models.StatusRejected {
					m.Keep = append(m.Keep, dupTarget{ID: k, Short: shortID(k)})
				}
			}
		}
		out.Members = append(out.Members, m)
	}
	return out
}

// otherThan returns the first of ids that is not id.
func otherThan(ids []string, id string) string {
	for _, x := range ids {
		if x != id {
			return x
		}
	}
	return ""
}

// recordLink is the page of record id reached from a duplicate group with
// other: with dup= a verifier may see it (see recordPage).
func recordLink(id, other string) string {
	return "/ui/records/" + url.PathEscape(id) + "?" + url.Values{"dup": {other}}.Encode()
}

// shortID is the first block of a record's UUID, enough to tell the
// records of a group apart.
func shortID(id string) string {
	short, _, _ := strings.Cut(id, "-")
	return short
}

// duplicateLabel says in Vietnamese why records were grouped.
func duplicateLabel(k export.DuplicateKind, t models.RegisterType) string {
	if k == export.SameEntry {
		return "Cùng quyển số và số đăng ký"
	}
	switch t {
	case models.Death:
		return "Cùng một người (họ tên, ngày sinh)"
	case models.Marriage:
		return "Cùng một cặp vợ chồng (họ tên, ngày sinh của hai người)"
	}
	return "Cùng một người được đăng ký (họ tên, ngày sinh, họ tên mẹ)"
}

// errNotDuplicates: the two records share no duplicate key.
var errNotDuplicates = errors.New("web: the records are not duplicates")

// duplicatePair loads records id and otherID and checks that they share a
// duplicate key (export.Duplicates, as the export checks). It wraps
// storage.ErrNotFound or is errNotDuplicates.
func (h *Handler) duplicatePair(ctx context.Context, id, otherID string) (storage.Record, storage.Record, error) {
	var recs [2]storage.Record
	for i, x := range []string{id, otherID} {
		rec, err := h.store.GetRecord(ctx, x)
		if err != nil {
			return recs[0], recs[1], err
		}
		recs[i] = rec
	}
	if recs[0].ID == recs[1].ID || len(export.Duplicates([]models.Record{recs[0].Record, recs[1].Record})) == 0 {
		return recs[0], recs[1], errNotDuplicates
	}
	return recs[0], recs[1], nil
}

// rejectDuplicate rejects the record "record" as a duplicate of "keep"
// through storage.RejectDuplicate (the audited rejection), then shows the
// book's groups again.
func (h *Handler) rejectDuplicate(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	ctx := r.Context()
	sess := sessionFrom(ctx)
	rec, keep, err := h.duplicatePair(ctx, r.PostFormValue("record"), r.PostFormValue("keep"))
	switch {
	case errors.Is(err, storage.ErrNotFound):
		h.fail(w, r, http.StatusNotFound, "Không có bản ghi này.")
		return
	case errors.Is(err, errNotDuplicates):
		h.fail(w, r, http.StatusBadRequest, "Hai bản ghi này không trùng lặp với nhau.")
		return
	case err != nil:
		h.serverError(w, r, err)
		return
	}
	if sess.User.Role == storage.UserVerifier {
		blind, err := h.store.BlindPending(ctx, []string{rec.ID, keep.ID})
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		if len(blind) > 0 {
			h.fail(w, r, http.StatusForbidden, "Bản ghi đang chờ nhập độc lập: người phân xử hoặc quản trị giải quyết nhóm này.")
			return
		}
	}
	_, err = h.store.RejectDuplicate(ctx, storage.DuplicateRejection{RecordID: rec.ID, KeepID: keep.ID, Actor: sess.User.Username})
	switch {
	case errors.Is(err, storage.ErrConflict):
		h.fail(w, r, http.StatusConflict, "Nhóm này vừa được giải quyết (một trong hai bản ghi đã bị từ chối). Hãy tải lại trang.")
		return
	case err != nil:
		h.serverError(w, r, err)
		return
	}
	h.log.Info("duplicate rejected", "record", rec.ID, "kept", keep.ID, "user", sess.User.ID)
	backToDuplicates(w, r, url.Values{"rejected": {rec.ID}, "kept": {keep.ID}})
}

// restoreDuplicate undoes the rejection of the record "record" as a
// duplicate (a wrong decision) through storage.RestoreDuplicate (audited:
// the record gets back its status of before), then shows the book's
// groups again.
func (h *Handler) restoreDuplicate(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	sess := sessionFrom(r.Context())
	id := validRecord(r.PostFormValue("record"))
	if id == "" {
		h.fail(w, r, http.StatusNotFound, "Không có bản ghi này.")
		return
	}
	rec, err := h.store.RestoreDuplicate(r.Context(), storage.DuplicateRestore{RecordID: id, Actor: sess.User.Username})
	switch {
	case errors.Is(err, storage.ErrNotFound):
		h.fail(w, r, http.StatusNotFound, "Không có bản ghi này.")
		return
	case errors.Is(err, storage.ErrConflict):
		h.fail(w, r, http.StatusConflict, "Bản ghi này không bị từ chối vì trùng lặp (có thể vừa được khôi phục). Hãy tải lại trang.")
		return
	case err != nil:
		h.serverError(w, r, err)
		return
	}
	h.log.Info("duplicate rejection undone", "record", rec.ID, "user", sess.User.ID)
	backToDuplicates(w, r, url.Values{"restored": {rec.ID}})
}

// backToDuplicates sends a form's poster back to the duplicates page of
// the book (and batch) the form names, with what was done in done.
func backToDuplicates(w http.ResponseWriter, r *http.Request, done url.Values) {
	done.Set("book", strings.TrimSpace(r.PostFormValue("book")))
	if b := validBatch(r.PostFormValue("batch")); b != "" {
		done.Set("batch", b)
	}
	http.Redirect(w, r, "/ui/duplicates?"+done.Encode(), http.StatusSeeOther)
}

// duplicateProbeFields are sets of fields whose values, stored exactly
// alike in two records, make them worth checking for duplicates: together
// they cover export.Detector's keys (same book and entry number; same
// person: names and birth dates), which fold case, accents and leading
// zeros. The review page looks them up with one indexed query; the
// duplicates page, which reads the whole book, finds what they miss.
var duplicateProbeFields = [][]string{
	{"entry_number", "book_number"},
	{"full_name", "date_of_birth"},
	{"husband_name", "wife_name"},
}

// dupWarning is a record that may duplicate the one under review.
type dupWarning struct {
	ID, Short, Link, Label string
}

// duplicateWarnings returns the records that share a duplicate key with
// rec, for the review page. It costs one query on the records' GIN index
// (storage.RecordsMatching), then export.Duplicates on each pair.
func (h *Handler) duplicateWarnings(ctx context.Context, rec storage.Record) ([]dupWarning, error) {
	if rec.Status == models.StatusRejected {
		return nil, nil
	}
	var probes []map[string]string
	for _, fields := range duplicateProbeFields {
		p := map[string]string{}
		for _, k := range fields {
			if v := rec.Fields[k].Value; v != nil && strings.TrimSpace(*v) != "" {
				p[k] = *v
			}
		}
		if len(p) == len(fields) {
			probes = append(probes, p)
		}
	}
	cands, err := h.store.RecordsMatching(ctx, string(rec.RegisterType), rec.ID, probes, 20)
	if err != nil {
		return nil, err
	}
	var out []dupWarning
	for _, c := range cands {
		dups := export.Duplicates([]models.Record{rec.Record, c.Record})
		if len(dups) == 0 {
			continue
		}
		out = append(out, dupWarning{ID: c.ID, Short: shortID(c.ID), Link: recordLink(c.ID, rec.ID),
			Label: duplicateLabel(dups[0].Kind, rec.RegisterType)})
	}
	return out, nil
}

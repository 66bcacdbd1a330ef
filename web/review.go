package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/storage"
	"github.com/sohoa/sohoa/validate"
)

// filters narrow what a person claims; they ride along in forms and URLs.
type filters struct {
	Batch, Book, Type string
}

func filtersOf(v url.Values) filters {
	return filters{Batch: strings.TrimSpace(v.Get("batch")), Book: strings.TrimSpace(v.Get("book")),
		Type: strings.TrimSpace(v.Get("type"))}
}

func (f filters) query() string {
	v := url.Values{}
	for k, x := range map[string]string{"batch": f.Batch, "book": f.Book, "type": f.Type} {
		if x != "" {
			v.Set(k, x)
		}
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

type homeView struct {
	Filters  filters
	Batches  []storage.Batch
	Progress storage.ReviewProgress
	Quality  storage.QualityReport
	Empty    bool
	Previous string // the record just submitted
	Types    []models.RegisterType
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	sess := sessionFrom(r.Context())
	q := r.URL.Query()
	f := filtersOf(q)
	batches, err := h.store.ListBatches(r.Context(), storage.ListBatchesOptions{Limit: 200})
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	progress, err := h.store.ReviewProgress(r.Context(), validBatch(f.Batch), sess.User.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	quality, err := h.store.ReviewQuality(r.Context(), "")
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "home", page{Title: "Kiểm tra bản ghi", Data: homeView{
		Filters: f, Batches: batches, Progress: progress, Quality: quality, Empty: q.Get("empty") == "1",
		Previous: validRecord(q.Get("prev")), Types: []models.RegisterType{models.Birth, models.Marriage, models.Death},
	}})
}

// validBatch drops a malformed batch id (the filter then matches all).
func validBatch(id string) string {
	u, err := uuid.Parse(id)
	if err != nil {
		return ""
	}
	return u.String()
}

// validRecord drops a malformed record id.
func validRecord(id string) string { return validBatch(id) }

// claim takes the next item for the person and shows it.
func (h *Handler) claim(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, http.StatusBadRequest, "Yêu cầu không hợp lệ.")
		return
	}
	h.claimNext(w, r, filtersOf(r.PostForm), "")
}

func (h *Handler) claimNext(w http.ResponseWriter, r *http.Request, f filters, prev string) {
	sess := sessionFrom(r.Context())
	it, err := h.store.ClaimReview(r.Context(), sess.User.ID, storage.ClaimOptions{
		BatchID: validBatch(f.Batch), BookNumber: f.Book, RegisterType: f.Type,
		Kinds: storage.KindsFor(sess.User.Role), Lease: h.lease,
	})
	if errors.Is(err, storage.ErrNotFound) {
		v := url.Values{"empty": {"1"}}
		if prev != "" {
			v.Set("prev", prev)
		}
		for k, x := range map[string]string{"batch": f.Batch, "book": f.Book, "type": f.Type} {
			if x != "" {
				v.Set(k, x)
			}
		}
		http.Redirect(w, r, "/ui/?"+v.Encode(), http.StatusSeeOther)
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	target := "/ui/items/" + strconv.FormatInt(it.ID, 10) + f.query()
	if prev != "" {
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		target += sep + "prev=" + url.QueryEscape(prev)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// claimedItem loads the {id} item, which must be claimed by the person
// and not done, with its record. It answers the error itself.
func (h *Handler) claimedItem(w http.ResponseWriter, r *http.Request) (storage.ReviewItem, storage.Record, bool) {
	sess := sessionFrom(r.Context())
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.fail(w, r, http.StatusNotFound, "Không có phiếu kiểm tra này.")
		return storage.ReviewItem{}, storage.Record{}, false
	}
	it, rec, err := h.store.GetReviewItemRecord(r.Context(), id)
	if errors.Is(err, storage.ErrNotFound) {
		h.fail(w, r, http.StatusNotFound, "Không có phiếu kiểm tra này.")
		return it, storage.Record{}, false
	}
	if err != nil {
		h.serverError(w, r, err)
		return it, storage.Record{}, false
	}
	if it.ClaimedBy != sess.User.ID || it.Done() {
		h.fail(w, r, http.StatusConflict, "Phiếu này không còn do bạn giữ (đã xong, hết hạn giữ chỗ hoặc người khác đã nhận).")
		return it, storage.Record{}, false
	}
	return it, rec, true
}

// fieldRow is one input of the review form.
type fieldRow struct {
	Key, Label string
	Value      string   // what the input starts with
	Machine    *string  // the machine's reading (hidden when blind)
	Raw        string   // the OCR text
	Confidence int      // percent
	Reasons    []string // why the machine was unsure
	Candidates []*string
	// HasBox: the field has a box on the page, given as BBoxAttr
	// ("x0,y0,x1,y1"), with its zoomed crop's rectangle (the box and its
	// margin, not yet clipped to the page) as CropAttr, which the browser
	// cuts from the page scan it has loaded anyway, and the crop cut by the
	// server at CropURL for browsers without scripts. They are made here
	// rather than in the template, where each of their parts costs a call
	// by reflection and an escaper, for every field of every review page.
	HasBox                      bool
	BBoxAttr, CropAttr, CropURL string
	Review                      bool // the machine sent this field to review
	Critical                    bool
	Focus                       bool
}

type itemView struct {
	Item          storage.ReviewItem
	Record        storage.Record
	Blind         bool
	Rows          []fieldRow
	Filters       filters
	Progress      storage.ReviewProgress
	RejectReasons any
	Previous      string
	LeaseUntil    time.Time
	// Duplicates are records that may register the same thing; not looked
	// up for blind keying, where they would hint at the values.
	Duplicates []dupWarning
	Book       string // the record's book, for the duplicates page
}

func (h *Handler) itemPage(w http.ResponseWriter, r *http.Request) {
	it, rec, ok := h.claimedItem(w, r)
	if !ok {
		return
	}
	sess := sessionFrom(r.Context())
	progress, err := h.itemProgress(r.Context(), it.BatchID, sess.User.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	keys := it.Keys
	if len(keys) == 0 {
		keys = orderedKeys(rec.Fields)
	}
	blind := it.Kind.Blind()
	var dups []dupWarning
	if !blind {
		if dups, err = h.duplicateWarnings(r.Context(), rec); err != nil {
			h.serverError(w, r, err)
			return
		}
	}
	book := it.BookNumber
	if v := rec.Fields["book_number"].Value; v != nil && *v != "" {
		book = *v
	}
	rows := make([]fieldRow, 0, len(keys))
	itemPath := "/ui/items/" + strconv.FormatInt(it.ID, 10)
	focus := -1
	for i, k := range keys {
		f := rec.Fields[k]
		row := fieldRow{Key: k, Label: fieldLabel(k), HasBox: f.BBox != (models.BBox{}),
			Critical: critical(k), Review: f.Status == models.StatusReview}
		if row.HasBox {
			b := f.BBox
			row.BBoxAttr = fmt.Sprintf("%d,%d,%d,%d", b[0], b[1], b[2], b[3])
			c := cropBox(b)
			row.CropAttr = fmt.Sprintf("%d,%d,%d,%d", c.Min.X, c.Min.Y, c.Max.X, c.Max.Y)
			row.CropURL = itemPath + "/crop?field=" + url.QueryEscape(k)
		}
		if !blind {
			row.Machine, row.Raw, row.Confidence = f.Value, f.Raw, int(f.Confidence*100+0.5)
			row.Reasons = f.Reasons
			if f.Value != nil {
				row.Value = *f.Value
			}
		}
		if c := it.Candidates[k]; len(c) > 0 {
			row.Candidates = c
			row.Review = true
		}
		if focus < 0 && (row.Review || blind) {
			focus = i
		}
		rows = append(rows, row)
	}
	if focus < 0 && len(rows) > 0 {
		focus = 0
	}
	if focus >= 0 {
		rows[focus].Focus = true
	}
	h.render(w, r, http.StatusOK, "item", page{Title: kindLabel(it.Kind), Data: itemView{
		Item: it, Record: rec, Blind: blind, Rows: rows, Filters: filtersOf(r.URL.Query()), Progress: progress,
		RejectReasons: rejectReasons, Previous: validRecord(r.URL.Query().Get("prev")), LeaseUntil: it.LeaseUntil,
		Duplicates: dups, Book: book,
	}})
}

// orderedKeys puts the fields in the order of record-format.md (fields it
// does not name last, by name).
func orderedKeys(fields map[string]models.Field) []string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	rank := func(k string) int {
		if i := slices.Index(formatOrder, k); i >= 0 {
			return i
		}
		return len(formatOrder)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if d := rank(a) - rank(b); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	return keys
}

var formatOrder = []string{"entry_number", "book_number", "registration_date", "registration_office",
	"full_name", "husband_name", "wife_name", "date_of_birth", "husband_date_of_birth", "wife_date_of_birth",
	"gender", "ethnicity", "nationality", "id_number", "personal_id", "place_of_birth", "hometown",
	"date_of_death", "place_of_death", "cause_of_death",
	"mother_name", "mother_birth_year", "mother_ethnicity", "mother_nationality", "mother_residence",
	"father_name", "father_birth_year", "father_ethnicity", "father_nationality", "father_residence",
	"husband_ethnicity", "husband_nationality", "husband_residence", "husband_id_number",
	"wife_ethnicity", "wife_nationality", "wife_residence", "wife_id_number", "declarant_name"}

// submit stores what the person keyed (or the page's rejection) and moves
// on to the next item.
func (h *Handler) submit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	it, rec, ok := h.claimedItem(w, r)
	if !ok {
		return
	}
	sess := sessionFrom(r.Context())
	sub := storage.ReviewSubmission{ItemID: it.ID, UserID: sess.User.ID, Actor: sess.User.Username}
	if reject := r.PostFormValue("reject"); reject != "" {
		if !validRejectReason(reject) {
			h.fail(w, r, http.StatusBadRequest, "Lý do từ chối không hợp lệ.")
			return
		}
		sub.Reject = reject
	} else {
		keys := it.Keys
		if len(keys) == 0 {
			keys = orderedKeys(rec.Fields)
		}
		sub.Values = map[string]*string{}
		for _, k := range keys {
			raw, present := r.PostForm["f."+k]
			if !present {
				continue
			}
			v := strings.TrimSpace(raw[0])
			if r.PostFormValue("u."+k) != "" || v == "" {
				sub.Values[k] = nil
				continue
			}
			if norm, _ := validate.Typed(k, v); norm != "" {
				v = norm
			}
			sub.Values[k] = &v
			if critical(k) {
				sub.Critical = append(sub.Critical, k)
			}
		}
	}
	_, err := h.store.SubmitReview(r.Context(), sub)
	switch {
	case errors.Is(err, storage.ErrConflict):
		h.fail(w, r, http.StatusConflict, "Phiếu này không còn do bạn giữ (hết hạn giữ chỗ hoặc người khác đã nhận).")
		return
	case errors.Is(err, storage.ErrInvalid):
		h.fail(w, r, http.StatusBadRequest, "Dữ liệu gửi lên không hợp lệ.")
		return
	case err != nil:
		h.serverError(w, r, err)
		return
	}
	h.log.Info("review submitted", "item", it.ID, "kind", it.Kind, "user", sess.User.ID)
	h.claimNext(w, r, filtersOf(r.PostForm), rec.ID)
}

// release gives the item back to the queue.
func (h *Handler) release(w http.ResponseWriter, r *http.Request) {
	it, _, ok := h.claimedItem(w, r)
	if !ok {
		return
	}
	if err := h.store.ReleaseReview(r.Context(), it.ID, sessionFrom(r.Context()).User.ID); err != nil {
		h.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/ui/"+filtersOf(r.PostForm).query(), http.StatusSeeOther)
}

// validateAnswer is what the page's script shows under the input.
type validateAnswer struct {
	Value    string   `json:"value"`
	OK       bool     `json:"ok"`
	Message  string   `json:"message"`
	Problems []string `json:"problems"`
}

// validate runs validate.Typed on what the person is typing.
func (h *Handler) validate(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	key, raw := q.Get("field"), q.Get("value")
	if len(raw) > 4096 {
		h.fail(w, r, http.StatusBadRequest, "Giá trị quá dài.")
		return
	}
	ans := validateAnswer{Problems: []string{}}
	if strings.TrimSpace(raw) == "" {
		ans.Message = "Để trống: sẽ ghi là không đọc được."
		writeJSON(w, http.StatusOK, ans)
		return
	}
	norm, problems := validate.Typed(key, raw)
	ans.Value, ans.OK = norm, !validate.Blocking(problems)
	var msgs []string
	for _, p := range problems {
		ans.Problems = append(ans.Problems, p.Code)
		msgs = append(msgs, problemMessage(p))
	}
	switch {
	case !ans.OK:
		ans.Message = "Cần xem lại: " + strings.Join(slices.Compact(msgs), ", ") + "."
	case norm != strings.TrimSpace(raw):
		ans.Message = "Hợp lệ; sẽ lưu là: " + norm
	default:
		ans.Message = "Hợp lệ."
	}
	writeJSON(w, http.StatusOK, ans)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

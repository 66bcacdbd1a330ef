package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/sohoa/sohoa/storage"
)

type recordView struct {
	Record storage.Record
	Keys   []string
	Audit  []storage.AuditEntry
	Items  []storage.ReviewItem
}

// recordPage shows a record and its history. Arbitrators and admins see
// every record; a verifier sees those it has worked on, and those of a
// duplicate group reached from the duplicates page (?dup= another record
// of the group, whose values that page shows anyway), but never one still
// due for blind keying (so blind keying stays blind).
func (h *Handler) recordPage(w http.ResponseWriter, r *http.Request) {
	sess := sessionFrom(r.Context())
	id := r.PathValue("id")
	rec, err := h.store.GetRecord(r.Context(), id)
	if errors.Is(err, storage.ErrNotFound) {
		h.fail(w, r, http.StatusNotFound, "Không có bản ghi này.")
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	items, err := h.store.ListReviewItems(r.Context(), rec.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if sess.User.Role == storage.UserVerifier {
		allowed := false
		for _, it := range items {
			if it.DoneBy == sess.User.ID {
				allowed = true
			}
		}
		if other := r.URL.Query().Get("dup"); !allowed && other != "" {
			_, _, err := h.duplicatePair(r.Context(), rec.ID, other)
			if err != nil && !errors.Is(err, storage.ErrNotFound) && !errors.Is(err, errNotDuplicates) {
				h.serverError(w, r, err)
				return
			}
			allowed = err == nil
		}
		// A verifier still due to key this record blind may not see it.
		for _, it := range items {
			if !it.Done() && it.Kind.Blind() {
				allowed = false
			}
		}
		if !allowed {
			h.fail(w, r, http.StatusForbidden, "Bạn chỉ xem được các bản ghi mình đã kiểm tra.")
			return
		}
	}
	audit, err := h.store.ListAudit(r.Context(), rec.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "record", page{Title: "Bản ghi " + strconv.Itoa(rec.EntryIndex+1), Data: recordView{
		Record: rec, Keys: orderedKeys(rec.Fields), Audit: audit, Items: items,
	}})
}

type qualityView struct {
	Quality  storage.QualityReport
	Settings storage.ReviewSettings
	Batch    string
}

func (h *Handler) qualityPage(w http.ResponseWriter, r *http.Request) {
	batch := validBatch(r.URL.Query().Get("batch"))
	q, err := h.store.ReviewQuality(r.Context(), batch)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	rs, err := h.store.GetReviewSettings(r.Context())
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "quality", page{Title: "Chất lượng tự động chấp nhận",
		Data: qualityView{Quality: q, Settings: rs, Batch: batch}})
}

type settingsView struct {
	Settings storage.ReviewSettings
	Percent  string
	Saved    bool
	Error    string
}

func (h *Handler) settingsPage(w http.ResponseWriter, r *http.Request) {
	rs, err := h.store.GetReviewSettings(r.Context())
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "settings", page{Title: "Cài đặt kiểm tra", Data: settingsView{
		Settings: rs, Percent: strconv.FormatFloat(rs.SampleRate*100, 'f', -1, 64), Saved: r.URL.Query().Get("saved") == "1"}})
}

func (h *Handler) saveSettings(w http.ResponseWriter, r *http.Request) {
	pct, err := strconv.ParseFloat(r.PostFormValue("sample_percent"), 64)
	rs := storage.ReviewSettings{SampleRate: pct / 100, DoubleEntry: r.PostFormValue("double_entry") != ""}
	if err != nil || pct < 0 || pct > 100 {
		h.render(w, r, http.StatusBadRequest, "settings", page{Title: "Cài đặt kiểm tra", Data: settingsView{
			Settings: rs, Percent: r.PostFormValue("sample_percent"), Error: "Tỉ lệ lấy mẫu phải là số từ 0 đến 100."}})
		return
	}
	if err := h.store.SetReviewSettings(r.Context(), rs); err != nil {
		h.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/ui/admin/settings?saved=1", http.StatusSeeOther)
}

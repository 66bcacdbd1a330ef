package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"sync"
	"time"

	"github.com/sohoa/sohoa/storage"
)

// page is what every template gets: the title, the logged-in user (zero on
// the login page), the CSRF token for forms and the view's own data.
type page struct {
	Title string
	User  storage.User
	CSRF  string
	Data  any
}

// views are the templates, each executed with the layout.
var views = []string{"login", "home", "item", "record", "quality", "settings", "duplicates", "error"}

func parseTemplates() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"fieldLabel":  fieldLabel,
		"reasonLabel": reasonLabel,
		"kindLabel":   kindLabel,
		"statusLabel": statusLabel,
		"auditReason": auditReasonLabel,
		"deref": func(p *string) string {
			if p == nil {
				return "∅"
			}
			return *p
		},
		"percent": func(f float64) string { return fmt.Sprintf("%.2f %%", f*100) },
		"when":    func(t time.Time) string { return t.Local().Format("02/01/2006 15:04:05") },
		"isAdmin": func(u storage.User) bool { return u.Role == storage.UserAdmin },
		"shortID": shortID,
		// duplicateOf is the record kept when this one was rejected as
		// its duplicate, or "".
		"duplicateOf": storage.DuplicateOf,
	}
	out := map[string]*template.Template{}
	for _, v := range views {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+v+".html")
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", v, err)
		}
		out[v] = t
	}
	return out, nil
}

// render executes view into a buffer first, so that a template error is a
// clean 500 rather than half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, view string, p page) {
	if sess := sessionFrom(r.Context()); sess.User.ID != "" {
		p.User, p.CSRF = sess.User, sess.CSRF
	}
	buf := renderBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 1<<20 {
			buf.Reset()
			renderBuffers.Put(buf)
		}
	}()
	if err := h.tmpl[view].Execute(buf, p); err != nil {
		h.log.Error("render", "view", view, "err", err)
		http.Error(w, "Lỗi máy chủ", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// renderBuffers are reused by render: a review page is some 30 kB, built
// for every item shown.
var renderBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// fail answers an error page (or a JSON error to a fetch).
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if r.Header.Get("Accept") == "application/json" {
		writeJSON(w, status, map[string]string{"error": msg})
		return
	}
	h.render(w, r, status, "error", page{Title: "Lỗi", Data: msg})
}

func (h *Handler) serverError(w http.ResponseWriter, r *http.Request, err error) {
	h.log.Error("web", "path", r.URL.Path, "err", err)
	h.fail(w, r, http.StatusInternalServerError, "Lỗi máy chủ. Vui lòng thử lại.")
}

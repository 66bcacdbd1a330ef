// Package web is the verification UI of `sohoa serve`: people log in,
// claim the next record the machine was unsure of, see the page with the
// field's box and a zoomed crop, correct the reading (validated as they
// type) and submit with Enter. Pages are rendered on the server with
// html/template (interface text in Vietnamese); the small script and style
// sheet are embedded. Every value change lands in the audit trail.
//
// The duplicates page (/ui/duplicates) lists, for a book, the records
// that share a book and entry number or register the same person (as
// export.Detector finds them before an export); a verifier keeps one and
// rejects the others, each rejection audited like a page rejection. The
// review page warns when the record under review has such a twin.
//
// Authentication is by session cookie (HttpOnly, SameSite=Strict) after a
// password login (bcrypt); every form carries a CSRF token tied to the
// session. Roles: verifier, arbitrator (also settles double-entry
// disagreements) and admin (also the review settings).
package web

import (
	"embed"
	"errors"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/sohoa/sohoa/storage"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options configures New. Store and Objects are required.
type Options struct {
	Store   *storage.Store
	Objects *storage.Objects
	Logger  *slog.Logger // nil discards logs
	// SessionTTL is how long a login lasts; 0 means 12 hours.
	SessionTTL time.Duration
	// Lease is how long a claimed item stays with its person; 0 means 10
	// minutes.
	Lease time.Duration
	// SecureCookies sets the Secure attribute (serve over HTTPS).
	SecureCookies bool
}

// Handler serves the UI. It is safe for concurrent use.
type Handler struct {
	store   *storage.Store
	objects *storage.Objects
	log     *slog.Logger
	ttl     time.Duration
	lease   time.Duration
	secure  bool
	tmpl    map[string]*template.Template
	mux     *http.ServeMux
	pages   *pageCache
	counts  batchCounts // the review page's batch counters
}

// New returns the UI handler.
func New(opts Options) (*Handler, error) {
	if opts.Store == nil || opts.Objects == nil {
		return nil, errors.New("web: Store and Objects are required")
	}
	h := &Handler{
		store: opts.Store, objects: opts.Objects, log: opts.Logger,
		ttl: opts.SessionTTL, lease: opts.Lease, secure: opts.SecureCookies,
		pages: newPageCache(4),
	}
	if h.log == nil {
		h.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if h.ttl <= 0 {
		h.ttl = 12 * time.Hour
	}
	if h.lease <= 0 {
		h.lease = 10 * time.Minute
	}
	var err error
	if h.tmpl, err = parseTemplates(); err != nil {
		return nil, err
	}
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	any := []storage.UserRole{storage.UserVerifier, storage.UserArbitrator, storage.UserAdmin}
	admin := []storage.UserRole{storage.UserAdmin}
	m := http.NewServeMux()
	m.Handle("GET /ui/static/", http.StripPrefix("/ui/static/", cacheStatic(http.FileServerFS(static))))
	m.HandleFunc("GET /login", h.loginPage)
	m.HandleFunc("POST /login", h.login)
	m.Handle("POST /logout", h.auth(any, h.logout))
	m.Handle("GET /ui/{$}", h.auth(any, h.home))
	m.Handle("POST /ui/claim", h.auth(any, h.claim))
	m.Handle("GET /ui/items/{id}", h.auth(any, h.itemPage))
	m.Handle("POST /ui/items/{id}", h.auth(any, h.submit))
	m.Handle("POST /ui/items/{id}/release", h.auth(any, h.release))
	m.Handle("GET /ui/items/{id}/image", h.auth(any, h.pageImage))
	m.Handle("GET /ui/items/{id}/crop", h.auth(any, h.crop))
	m.Handle("GET /ui/validate", h.auth(any, h.validate))
	m.Handle("GET /ui/records/{id}", h.auth(any, h.recordPage))
	m.Handle("GET /ui/quality", h.auth(any, h.qualityPage))
	m.Handle("GET /ui/duplicates", h.auth(any, h.duplicatesPage))
	m.Handle("POST /ui/duplicates/reject", h.auth(any, h.rejectDuplicate))
	m.Handle("POST /ui/duplicates/restore", h.auth(any, h.restoreDuplicate))
	m.Handle("GET /ui/admin/settings", h.auth(admin, h.settingsPage))
	m.Handle("POST /ui/admin/settings", h.auth(admin, h.saveSettings))
	h.mux = m
	return h, nil
}

// ServeHTTP serves the UI with security headers on every answer.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self'; script-src 'self'; style-src 'self'; "+
		"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("X-Frame-Options", "DENY")
	if _, pattern := h.mux.Handler(r); pattern == "" {
		h.fail(w, r, http.StatusNotFound, "Không tìm thấy trang này.")
		return
	}
	h.mux.ServeHTTP(w, r)
}

func cacheStatic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "private, max-age=300")
		next.ServeHTTP(w, r)
	})
}

package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"slices"

	"github.com/sohoa/sohoa/storage"
)

const (
	sessionCookie   = "sohoa_session"
	loginCSRFCookie = "sohoa_login_csrf"
	csrfField       = "csrf"
	csrfHeader      = "X-CSRF-Token"
)

type sessionKey struct{}

// sessionFrom returns the request's session (set by auth).
func sessionFrom(ctx context.Context) storage.Session {
	s, _ := ctx.Value(sessionKey{}).(storage.Session)
	return s
}

// auth lets through requests of a live session whose user has one of roles,
// checking the CSRF token on every unsafe method. Without a session a page
// request is sent to the login form; with the wrong role it gets 403.
func (h *Handler) auth(roles []storage.UserRole, next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		var sess storage.Session
		if err == nil {
			sess, err = h.store.GetSession(r.Context(), c.Value)
		}
		if err != nil {
			if !errors.Is(err, http.ErrNoCookie) && !errors.Is(err, storage.ErrUnauthorized) {
				h.serverError(w, r, err)
				return
			}
			if r.Method == http.MethodGet && r.URL.Path != "/ui/validate" {
				http.Redirect(w, r, "/login?next="+r.URL.EscapedPath(), http.StatusSeeOther)
				return
			}
			h.fail(w, r, http.StatusUnauthorized, "Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.")
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			token := r.Header.Get(csrfHeader)
			if token == "" {
				token = r.PostFormValue(csrfField)
			}
			if !equalToken(token, sess.CSRF) {
				h.fail(w, r, http.StatusForbidden, "Yêu cầu không hợp lệ (mã CSRF sai). Hãy tải lại trang.")
				return
			}
		}
		if !slices.Contains(roles, sess.User.Role) {
			h.fail(w, r, http.StatusForbidden, "Tài khoản của bạn không có quyền vào trang này.")
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, sess)))
	})
}

func equalToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

type loginView struct {
	CSRF, Next, Username, Error string
}

func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request) {
	token := randomToken()
	http.SetCookie(w, &http.Cookie{Name: loginCSRFCookie, Value: token, Path: "/login", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: h.secure, MaxAge: 3600})
	h.render(w, r, http.StatusOK, "login", page{Title: "Đăng nhập", Data: loginView{CSRF: token, Next: safeNext(r.URL.Query().Get("next"))}})
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	c, err := r.Cookie(loginCSRFCookie)
	if err != nil || !equalToken(r.PostFormValue(csrfField), c.Value) {
		h.fail(w, r, http.StatusForbidden, "Yêu cầu không hợp lệ (mã CSRF sai). Hãy tải lại trang đăng nhập.")
		return
	}
	username, password := r.PostFormValue("username"), r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	sess, err := h.store.Login(r.Context(), username, password, h.ttl)
	if errors.Is(err, storage.ErrUnauthorized) {
		h.log.Info("login refused")
		h.render(w, r, http.StatusUnauthorized, "login", page{Title: "Đăng nhập", Data: loginView{
			CSRF: c.Value, Next: next, Username: username, Error: "Sai tên đăng nhập hoặc mật khẩu, hoặc tài khoản đã bị khoá."}})
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sess.Secret, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: h.secure, Expires: sess.ExpiresAt})
	http.SetCookie(w, &http.Cookie{Name: loginCSRFCookie, Value: "", Path: "/login", MaxAge: -1})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	if err := h.store.Logout(r.Context(), sessionFrom(r.Context()).Secret); err != nil {
		h.serverError(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: h.secure})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// safeNext keeps redirects after login inside the UI.
func safeNext(next string) string {
	if len(next) > 4 && next[:4] == "/ui/" && !slices.Contains([]byte(next), '\\') {
		return next
	}
	return "/ui/"
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

package web

import (
	"bytes"
	"encoding/json"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/storage"
)

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// get fetches path and returns the status, the Location header and body.
func get(t *testing.T, c *http.Client, e *testEnv, path string) (int, string, string) {
	t.Helper()
	res, err := c.Get(e.http.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Location"), string(b)
}

func post(t *testing.T, c *http.Client, e *testEnv, path string, form url.Values) (int, string, string) {
	t.Helper()
	res, err := c.PostForm(e.http.URL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Location"), string(b)
}

func csrfOf(t *testing.T, body string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token in page:\n%s", body)
	}
	return m[1]
}

// login logs u in on c and returns the session's CSRF token.
func login(t *testing.T, c *http.Client, e *testEnv, u storage.User) string {
	t.Helper()
	_, _, body := get(t, c, e, "/login")
	status, loc, body := post(t, c, e, "/login", url.Values{"csrf": {csrfOf(t, body)}, "username": {u.Username},
		"password": {testPassword}, "next": {"/ui/"}})
	if status != http.StatusSeeOther || loc != "/ui/" {
		t.Fatalf("login: %d %q\n%s", status, loc, body)
	}
	_, _, body = get(t, c, e, "/ui/")
	return csrfOf(t, body)
}

func TestLoginSessionCSRFAndRoles(t *testing.T) {
	e := newEnv(t)
	verifier, admin := e.addUser(t, storage.UserVerifier), e.addUser(t, storage.UserAdmin)
	c := client(t)

	if status, loc, _ := get(t, c, e, "/ui/"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
		t.Fatalf("anonymous /ui/: %d %q, want a redirect to /login", status, loc)
	}
	_, _, body := get(t, c, e, "/login")
	token := csrfOf(t, body)
	for _, tc := range []struct {
		name string
		form url.Values
		want int
	}{
		{"no csrf", url.Values{"username": {verifier.Username}, "password": {testPassword}}, http.StatusForbidden},
		{"bad csrf", url.Values{"csrf": {"x" + token}, "username": {verifier.Username}, "password": {testPassword}}, http.StatusForbidden},
		{"wrong password", url.Values{"csrf": {token}, "username": {verifier.Username}, "password": {"sai mật khẩu"}}, http.StatusUnauthorized},
	} {
		if status, _, _ := post(t, c, e, "/login", tc.form); status != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, status, tc.want)
		}
	}

	res, err := c.PostForm(e.http.URL+"/login", url.Values{"csrf": {token}, "username": {verifier.Username}, "password": {testPassword}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var session *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == sessionCookie {
			session = ck
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Strict", session)
	}
	status, _, body := get(t, c, e, "/ui/")
	if status != http.StatusOK || !strings.Contains(body, "Kiểm tra bản ghi") {
		t.Fatalf("/ui/ after login: %d", status)
	}
	csrf := csrfOf(t, body)
	if status, _, _ := post(t, c, e, "/ui/claim", url.Values{}); status != http.StatusForbidden {
		t.Errorf("claim without CSRF token: %d, want 403", status)
	}

	// A verifier reaches neither admin pages nor the token API's admin and
	// loader endpoints (a session is no API token).
	for _, path := range []string{"/ui/admin/settings", "/v1/tasks/failed", "/v1/records", "/v1/batches"} {
		status, _, _ := get(t, c, e, path)
		if status != http.StatusForbidden && status != http.StatusUnauthorized {
			t.Errorf("verifier GET %s: %d, want 401 or 403", path, status)
		}
	}
	if status, _, _ := post(t, c, e, "/ui/admin/settings", url.Values{"csrf": {csrf}, "sample_percent": {"50"}}); status != http.StatusForbidden {
		t.Errorf("verifier POST settings: %d, want 403", status)
	}

	// An admin changes the settings.
	ac := client(t)
	acsrf := login(t, ac, e, admin)
	if status, loc, _ := post(t, ac, e, "/ui/admin/settings", url.Values{"csrf": {acsrf}, "sample_percent": {"5"}, "double_entry": {"1"}}); status != http.StatusSeeOther {
		t.Fatalf("admin saves settings: %d %s", status, loc)
	}
	rs, err := e.store.GetReviewSettings(t.Context())
	if err != nil || rs.SampleRate != 0.05 || !rs.DoubleEntry {
		t.Errorf("settings %+v, %v", rs, err)
	}

	// Logging out ends the session; disabling a user ends it too.
	if status, _, _ := post(t, ac, e, "/logout", url.Values{"csrf": {acsrf}}); status != http.StatusSeeOther {
		t.Errorf("logout: %d", status)
	}
	if status, _, _ := get(t, ac, e, "/ui/"); status != http.StatusSeeOther {
		t.Errorf("after logout: %d, want a redirect to login", status)
	}
	if _, err := e.store.SetUserDisabled(t.Context(), verifier.Username, true); err != nil {
		t.Fatal(err)
	}
	if status, _, _ := get(t, c, e, "/ui/"); status != http.StatusSeeOther {
		t.Errorf("disabled user: %d, want a redirect to login", status)
	}
}

func TestValidateEndpoint(t *testing.T) {
	e := newEnv(t)
	c := client(t)
	login(t, c, e, e.addUser(t, storage.UserVerifier))
	for _, tc := range []struct {
		field, value, want string
		ok                 bool
	}{
		{"date_of_birth", "5/3/1990", "1990-03-05", true},
		{"date_of_birth", "31/02/1990", "", false},
		{"full_name", "LÊ THỊ OANH", "Lê Thị Oanh", true},
	} {
		status, _, body := get(t, c, e, "/ui/validate?"+url.Values{"field": {tc.field}, "value": {tc.value}}.Encode())
		var ans validateAnswer
		if err := json.Unmarshal([]byte(body), &ans); err != nil || status != http.StatusOK {
			t.Fatalf("%s=%q: %d %s", tc.field, tc.value, status, body)
		}
		if ans.OK != tc.ok || (tc.ok && ans.Value != tc.want) || ans.Message == "" {
			t.Errorf("%s=%q: %+v, want ok=%v value %q", tc.field, tc.value, ans, tc.ok, tc.want)
		}
	}
}

func TestReviewOverHTTP(t *testing.T) {
	e := newEnv(t)
	const evil = `<script>alert("x")</script><b>Lê</b>`
	rec := e.addRecord(t, models.StatusReview, map[string]models.Field{
		"full_name": {Value: strp(evil), Raw: evil, Confidence: 0.4, Status: models.StatusReview,
			Reasons: []string{"low_confidence"}, BBox: models.BBox{50, 40, 250, 60}},
		"gender": {Value: strp("Nữ"), Confidence: 0.99, Status: models.StatusAccepted},
	})
	u := e.addUser(t, storage.UserVerifier)
	c := client(t)
	csrf := login(t, c, e, u)
	status, loc, _ := post(t, c, e, "/ui/claim", url.Values{"csrf": {csrf}, "batch": {e.batch.ID}})
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/ui/items/") {
		t.Fatalf("claim: %d %q", status, loc)
	}
	itemPath := strings.SplitN(loc, "?", 2)[0]
	status, _, body := get(t, c, e, loc)
	if status != http.StatusOK {
		t.Fatalf("item page: %d\n%s", status, body)
	}
	if strings.Contains(body, "<script>alert") || strings.Contains(body, "<b>Lê</b>") {
		t.Errorf("a field value carrying HTML reached the page unescaped")
	}
	if !strings.Contains(body, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
		t.Errorf("the machine's reading is not shown as text")
	}
	if !strings.Contains(body, "máy không chắc chắn") {
		t.Errorf("the reasons are not shown")
	}

	// The crop is the box with its margin, cut on the server.
	res, err := c.Get(e.http.URL + itemPath + "/crop?field=full_name")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 200+2*10 || b.Dy() != 20+2*10 {
		t.Errorf("crop %v, want 220×40", b)
	}
	status, _, page := get(t, c, e, itemPath+"/image")
	if status != http.StatusOK || !bytes.HasPrefix([]byte(page), []byte("\x89PNG")) {
		t.Errorf("page image: %d", status)
	}

	// Another verifier may not see the claimed item.
	other := client(t)
	login(t, other, e, e.addUser(t, storage.UserVerifier))
	if status, _, _ := get(t, other, e, itemPath); status != http.StatusConflict {
		t.Errorf("someone else's item: %d, want 409", status)
	}

	status, loc, _ = post(t, c, e, itemPath, url.Values{"csrf": {csrf}, "batch": {e.batch.ID},
		"f.full_name": {"  LÊ THỊ OANH "}, "f.gender": {"Nữ"}})
	if status != http.StatusSeeOther || !strings.Contains(loc, "empty=1") {
		t.Fatalf("submit: %d %q", status, loc)
	}
	got, err := e.store.GetRecord(t.Context(), rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != models.StatusVerified || *got.Fields["full_name"].Value != "Lê Thị Oanh" {
		t.Errorf("record after submit: %s %q", got.Status, *got.Fields["full_name"].Value)
	}
	status, _, body = get(t, c, e, "/ui/records/"+rec.ID)
	if status != http.StatusOK || !strings.Contains(body, "Lê Thị Oanh") || !strings.Contains(body, u.Username) ||
		strings.Contains(body, "<script>alert") {
		t.Errorf("record page: %d\n%s", status, body)
	}
	if status, _, _ := post(t, c, e, itemPath, url.Values{"csrf": {csrf}, "f.gender": {"Nam"}}); status != http.StatusConflict {
		t.Errorf("resubmitting a done item: %d, want 409", status)
	}
}

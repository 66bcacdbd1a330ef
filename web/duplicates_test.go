package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sohoa/sohoa/export"
	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/storage"
)

// birthFields are the fields of a birth record in book, with value v of
// every field key given in over (which may add keys).
func birthFields(book, entry, name string, over map[string]string) map[string]models.Field {
	vals := map[string]string{"book_number": book, "entry_number": entry, "full_name": name,
		"date_of_birth": "2019-03-05", "mother_name": "Lê Thị Oanh", "registration_date": "2019-03-09"}
	for k, v := range over {
		vals[k] = v
	}
	f := map[string]models.Field{}
	for k, v := range vals {
		f[k] = models.Field{Value: strp(v), Confidence: 0.99, Status: models.StatusAccepted}
	}
	return f
}

// duplicateBook seeds a book of its own with two records of entry number 3
// (the first of status first) and one other, and returns the book and the
// three records.
func (e *testEnv) duplicateBook(t *testing.T, first models.Status, name string) (string, [3]models.Record) {
	t.Helper()
	book := "T" + randomHex(3) + "/2019"
	return book, [3]models.Record{
		e.addRecord(t, first, birthFields(book, "3", name, nil)),
		e.addRecord(t, models.StatusAccepted, birthFields(book, "3", "Trần Văn Ba", nil)),
		e.addRecord(t, models.StatusAccepted, birthFields(book, "4", "Phạm Thị Hoa", nil)),
	}
}

// rejectForm is the form the duplicates page posts to reject id as a
// duplicate of keep.
func rejectForm(csrf, book, id, keep string) url.Values {
	return url.Values{"csrf": {csrf}, "book": {book}, "record": {id}, "keep": {keep}}
}

func TestDuplicatesOverHTTP(t *testing.T) {
	e := newEnv(t)
	const evil = `<script>alert("x")</script>`
	book, recs := e.duplicateBook(t, models.StatusReview, evil)
	a, b, other := recs[0].ID, recs[1].ID, recs[2].ID
	u := e.addUser(t, storage.UserVerifier)
	c := client(t)
	csrf := login(t, c, e, u)

	status, _, body := get(t, c, e, "/ui/duplicates")
	if status != http.StatusOK || !strings.Contains(body, "Bản ghi trùng lặp") {
		t.Fatalf("duplicates page: %d\n%s", status, body)
	}
	status, _, body = get(t, c, e, "/ui/duplicates?"+url.Values{"book": {book}}.Encode())
	if status != http.StatusOK {
		t.Fatalf("book's duplicates: %d\n%s", status, body)
	}
	for _, want := range []string{`id="dup-records">3<`, `id="dup-unresolved">1<`, `data-record="` + a, `data-record="` + b,
		`data-keep="` + a, `data-keep="` + b, "Cùng quyển số và số đăng ký", "Lê Thị Oanh",
		"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"} {
		if !strings.Contains(body, want) {
			t.Errorf("book's duplicates page lacks %s", want)
		}
	}
	if strings.Contains(body, "<script>alert") || strings.Contains(body, `data-record="`+other) {
		t.Errorf("the page shows a value unescaped, or a record that duplicates nothing")
	}

	// The verifier may open the records of the group from the page, not
	// other records.
	if status, _, body := get(t, c, e, "/ui/records/"+a+"?dup="+b); status != http.StatusOK || !strings.Contains(body, "Lê Thị Oanh") {
		t.Errorf("record of the group: %d", status)
	}
	for _, path := range []string{"/ui/records/" + a, "/ui/records/" + a + "?dup=" + other, "/ui/records/" + a + "?dup=nonsense"} {
		if status, _, _ := get(t, c, e, path); status != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", path, status)
		}
	}

	// Reviewing one of them warns of the other.
	status, loc, _ := post(t, c, e, "/ui/claim", url.Values{"csrf": {csrf}, "batch": {e.batch.ID}})
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/ui/items/") {
		t.Fatalf("claim: %d %q", status, loc)
	}
	if _, _, body := get(t, c, e, loc); !strings.Contains(body, `id="duplicate-warning"`) || !strings.Contains(body, "/ui/records/"+b+"?dup="+a) {
		t.Errorf("the review page does not warn of the duplicate")
	}

	for _, tc := range []struct {
		name string
		form url.Values
		want int
	}{
		{"no CSRF token", rejectForm("", book, b, a), http.StatusForbidden},
		{"not duplicates", rejectForm(csrf, book, b, other), http.StatusBadRequest},
		{"itself", rejectForm(csrf, book, b, b), http.StatusBadRequest},
		{"unknown record", rejectForm(csrf, book, "5f0c8a51-0000-4000-8000-000000000000", a), http.StatusNotFound},
	} {
		if status, _, _ := post(t, c, e, "/ui/duplicates/reject", tc.form); status != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, status, tc.want)
		}
	}
	status, loc, body = post(t, c, e, "/ui/duplicates/reject", rejectForm(csrf, book, b, a))
	if status != http.StatusSeeOther || !strings.Contains(loc, "rejected="+b) {
		t.Fatalf("reject: %d %q\n%s", status, loc, body)
	}
	status, _, body = get(t, c, e, loc)
	if status != http.StatusOK || !strings.Contains(body, `id="dup-done"`) || !strings.Contains(body, `id="dup-unresolved">0<`) ||
		strings.Contains(body, `class="reject-dup"`) {
		t.Errorf("after the rejection: %d\n%s", status, body)
	}
	got, err := e.store.GetRecord(t.Context(), b)
	if err != nil || got.Status != models.StatusRejected {
		t.Fatalf("rejected record: %+v, %v", got, err)
	}
	trail, err := e.store.ListAudit(t.Context(), b)
	if err != nil || len(trail) != 1 || trail[0].Actor != u.Username || trail[0].Reason != storage.ReasonDuplicate+a {
		t.Errorf("audit %+v, %v", trail, err)
	}
	if _, _, body := get(t, c, e, "/ui/records/"+b+"?dup="+a); !strings.Contains(body, "trùng lặp với "+a) {
		t.Errorf("the record's history does not say it duplicates %s:\n%s", a, body)
	}
	if status, _, _ := post(t, c, e, "/ui/duplicates/reject", rejectForm(csrf, book, a, b)); status != http.StatusConflict {
		t.Errorf("rejecting the record kept: %d, want 409", status)
	}

	// The rejection was a mistake: undo it from the same page.
	if _, _, body := get(t, c, e, loc); !strings.Contains(body, `class="restore-dup"`) {
		t.Errorf("no way to undo the rejection on the page:\n%s", body)
	}
	restoreForm := func(csrf, id string) url.Values {
		return url.Values{"csrf": {csrf}, "book": {book}, "record": {id}}
	}
	for _, tc := range []struct {
		name string
		form url.Values
		want int
	}{
		{"no CSRF token", restoreForm("", b), http.StatusForbidden},
		{"not rejected", restoreForm(csrf, a), http.StatusConflict},
		{"unknown record", restoreForm(csrf, "5f0c8a51-0000-4000-8000-000000000000"), http.StatusNotFound},
	} {
		if status, _, _ := post(t, c, e, "/ui/duplicates/restore", tc.form); status != tc.want {
			t.Errorf("restore, %s: %d, want %d", tc.name, status, tc.want)
		}
	}
	status, loc, body = post(t, c, e, "/ui/duplicates/restore", restoreForm(csrf, b))
	if status != http.StatusSeeOther || !strings.Contains(loc, "restored="+b) {
		t.Fatalf("restore: %d %q\n%s", status, loc, body)
	}
	status, _, body = get(t, c, e, loc)
	if status != http.StatusOK || !strings.Contains(body, `id="dup-restored"`) || !strings.Contains(body, `id="dup-unresolved">1<`) ||
		!strings.Contains(body, `class="reject-dup"`) || strings.Contains(body, `class="restore-dup"`) {
		t.Errorf("after the undo: %d\n%s", status, body)
	}
	if got, err := e.store.GetRecord(t.Context(), b); err != nil || got.Status == models.StatusRejected || got.Error != "" {
		t.Errorf("restored record: %+v, %v", got, err)
	}
	if trail, err := e.store.ListAudit(t.Context(), b); err != nil || len(trail) != 2 || trail[1].Reason != storage.ReasonRestored || trail[1].Actor != u.Username {
		t.Errorf("audit after the undo: %+v, %v", trail, err)
	}
}

// TestDuplicatesHideBlindRecords: a verifier sees neither the values of a
// record still due for blind keying nor a way to resolve its group; an
// arbitrator does.
func TestDuplicatesHideBlindRecords(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	if err := e.store.SetReviewSettings(ctx, storage.ReviewSettings{SampleRate: 1}); err != nil {
		t.Fatal(err)
	}
	book, recs := e.duplicateBook(t, models.StatusAccepted, "Vũ Thị Lan") // every record gets a sample item
	if err := e.store.SetReviewSettings(ctx, storage.ReviewSettings{SampleRate: 0}); err != nil {
		t.Fatal(err)
	}
	path := "/ui/duplicates?" + url.Values{"book": {book}}.Encode()
	vc := client(t)
	vcsrf := login(t, vc, e, e.addUser(t, storage.UserVerifier))
	_, _, body := get(t, vc, e, path)
	if strings.Contains(body, "Vũ Thị Lan") || strings.Contains(body, `class="reject-dup"`) || !strings.Contains(body, "đang chờ nhập độc lập") {
		t.Errorf("a verifier sees the values of records due for blind keying, or may resolve their group:\n%s", body)
	}
	if status, _, _ := post(t, vc, e, "/ui/duplicates/reject", rejectForm(vcsrf, book, recs[1].ID, recs[0].ID)); status != http.StatusForbidden {
		t.Errorf("verifier rejects a record due for blind keying: %d, want 403", status)
	}
	ac := client(t)
	login(t, ac, e, e.addUser(t, storage.UserArbitrator))
	if _, _, body := get(t, ac, e, path); !strings.Contains(body, "Vũ Thị Lan") || !strings.Contains(body, `class="reject-dup"`) {
		t.Errorf("an arbitrator does not see the group to resolve:\n%s", body)
	}
}

// TestDuplicatesRoles: every person of the UI (verifier, arbitrator, admin)
// reaches the page; nobody without a session does, an API token of a
// loader or scanner included: the page redirects to the login, the form
// answers 401, and the API's own rejection answers them 403.
func TestDuplicatesRoles(t *testing.T) {
	e := newEnv(t)
	book, recs := e.duplicateBook(t, models.StatusAccepted, "Đỗ Văn Nam")
	path := "/ui/duplicates?" + url.Values{"book": {book}}.Encode()
	for _, role := range []storage.UserRole{storage.UserVerifier, storage.UserArbitrator, storage.UserAdmin} {
		c := client(t)
		login(t, c, e, e.addUser(t, role))
		if status, _, body := get(t, c, e, path); status != http.StatusOK || !strings.Contains(body, `id="dup-unresolved">1<`) {
			t.Errorf("%s: %d", role, status)
		}
	}
	for _, role := range []storage.Role{storage.RoleLoader, storage.RoleScanner} {
		_, secret, err := e.store.CreateToken(t.Context(), string(role)+"-"+randomHex(3), role)
		if err != nil {
			t.Fatal(err)
		}
		do := func(method, path string, body string) (int, string) {
			req, err := http.NewRequestWithContext(t.Context(), method, e.http.URL+path, strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+secret)
			if method == http.MethodPost {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			res, err := client(t).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res.StatusCode, res.Header.Get("Location")
		}
		if status, loc := do(http.MethodGet, path, ""); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
			t.Errorf("%s token GET: %d %q, want a redirect to the login", role, status, loc)
		}
		form := rejectForm("x", book, recs[1].ID, recs[0].ID).Encode()
		if status, _ := do(http.MethodPost, "/ui/duplicates/reject", form); status != http.StatusUnauthorized {
			t.Errorf("%s token POST: %d, want 401", role, status)
		}
		if status, _ := do(http.MethodPost, "/ui/duplicates/restore", form); status != http.StatusUnauthorized {
			t.Errorf("%s token POST restore: %d, want 401", role, status)
		}
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, e.http.URL+"/v1/records/"+recs[1].ID+"/reject-duplicate",
			strings.NewReader(`{"duplicate_of":"`+recs[0].ID+`"}`))
		req.Header.Set("Authorization", "Bearer "+secret)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s token on the API: %d, want 403", role, res.StatusCode)
		}
	}
	if got, err := e.store.GetRecord(t.Context(), recs[1].ID); err != nil || got.Status != models.StatusAccepted {
		t.Errorf("record after the refused attempts: %s, %v", got.Status, err)
	}
}

// TestGroupView: who may be rejected as the duplicate of whom, by the
// state of the group and of its records.
func TestGroupView(t *testing.T) {
	const a, b, c = "aaaaaaaa-0000-4000-8000-000000000001", "bbbbbbbb-0000-4000-8000-000000000002", "cccccccc-0000-4000-8000-000000000003"
	live := dupSummary{Type: models.Birth, Status: models.StatusAccepted}
	gone := dupSummary{Type: models.Birth, Status: models.StatusRejected}
	tests := []struct {
		name     string
		seen     map[string]dupSummary
		hidden   map[string]bool
		resolved bool
		keep     map[string][]string // member → the members it may be rejected as the duplicate of
		links    int
	}{
		{"pair", map[string]dupSummary{a: live, b: live}, nil, false, map[string][]string{a: {b}, b: {a}}, 2},
		{"three, one rejected", map[string]dupSummary{a: live, b: live, c: gone}, nil, false,
			map[string][]string{a: {b}, b: {a}}, 3},
		{"resolved", map[string]dupSummary{a: live, b: gone}, nil, true, map[string][]string{}, 2},
		{"one due for blind keying", map[string]dupSummary{a: live, b: live}, map[string]bool{b: true}, false,
			map[string][]string{}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ids []string
			for _, id := range []string{a, b, c} {
				if _, ok := tc.seen[id]; ok {
					ids = append(ids, id)
				}
			}
			g := groupView(export.Duplicate{Kind: export.SameEntry, Key: "k", RecordIDs: ids, Resolved: tc.resolved}, tc.seen, tc.hidden)
			if g.Label != "Cùng quyển số và số đăng ký" || len(g.Members) != len(ids) || len(g.Columns) != len(duplicateColumns[models.Birth]) {
				t.Fatalf("group %+v", g)
			}
			links := 0
			for _, m := range g.Members {
				var keep []string
				for _, k := range m.Keep {
					keep = append(keep, k.ID)
				}
				if strings.Join(keep, ",") != strings.Join(tc.keep[m.ID], ",") {
					t.Errorf("%s may be rejected as the duplicate of %v, want %v", m.Short, keep, tc.keep[m.ID])
				}
				if m.Link != "" {
					links++
					if !strings.HasPrefix(m.Link, "/ui/records/"+m.ID+"?dup=") {
						t.Errorf("link %q", m.Link)
					}
				}
			}
			if links != tc.links {
				t.Errorf("%d records linked, want %d", links, tc.links)
			}
		})
	}
}

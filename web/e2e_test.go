package web

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/storage"
)

// browser starts a fresh headless Chromium for the test; it skips when
// none is installed (apt-get install chromium) unless
// SOHOA_REQUIRE_SERVICES=1.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := os.Getenv("SOHOA_CHROMIUM")
	if path == "" {
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if p, err := exec.LookPath(name); err == nil {
				path = p
				break
			}
		}
	}
	if path == "" {
		if os.Getenv("SOHOA_REQUIRE_SERVICES") == "1" {
			t.Fatal("no chromium found and SOHOA_REQUIRE_SERVICES=1")
		}
		t.Skip("no chromium found (apt-get install chromium)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

// TestBrowserReview logs in, claims, corrects a field with Vietnamese text
// by typing only the correction and Enter, and sees the record verified
// with its audit row; a value carrying a script is shown as text.
func TestBrowserReview(t *testing.T) {
	e := newEnv(t)
	const evil = `<script>document.title="pwned"</script>`
	rec := e.addRecord(t, models.StatusReview, map[string]models.Field{
		"full_name": {Value: strp(evil), Raw: evil, Confidence: 0.41, Status: models.StatusReview,
			Reasons: []string{"low_confidence"}, BBox: models.BBox{50, 40, 250, 60}},
		"gender": {Value: strp("Nữ"), Confidence: 0.99, Status: models.StatusAccepted},
	})
	u := e.addUser(t, storage.UserVerifier)
	ctx := browser(t)

	browserLogin(ctx, t, e, "/ui/", u, "#claim")
	err := chromedp.Do(ctx,
		chromedp.KeyEvent(kb.Enter), // the claim button has the focus
		chromedp.WaitVisible("#f-full_name"),
	)
	if err != nil {
		t.Fatal(err)
	}
	title := run(ctx, t, chromedp.Title())
	reading := run(ctx, t, chromedp.TextContent(`.field[data-key="full_name"] .machine .reading`))
	inputValue := run(ctx, t, chromedp.Value("#f-full_name"))
	if title == "pwned" || reading != evil || inputValue != evil {
		t.Fatalf("value with a script: title %q, reading %q, input %q; want it shown as text", title, reading, inputValue)
	}
	// The zoomed crop is cut in the browser from the page scan: the box
	// 50,40–250,60 with its 10-pixel margin.
	crop := run(ctx, t, chromedp.Poll[string](`(() => {
		const c = document.querySelector('.field[data-key="full_name"] canvas.crop');
		return c && !c.hidden && c.width > 0 ? c.width + "x" + c.height : "";
	})()`, chromedp.WithPollingTimeout(10*time.Second)))
	if crop != "220x40" {
		t.Errorf("crop drawn %q, want 220x40", crop)
	}
	// Only the correction and Enter: the field has the focus and its text is
	// selected, so typing replaces it.
	if err := chromedp.Do(ctx, chromedp.KeyEvent("Nguyễn Thị Vân")); err != nil {
		t.Fatal(err)
	}
	check := run(ctx, t, chromedp.Poll[string](`document.querySelector('.field[data-key="full_name"] .check').textContent`,
		chromedp.WithPollingTimeout(10*time.Second)))
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible("#previous-record")); err != nil {
		t.Fatal(err)
	}
	location := run(ctx, t, chromedp.Location())
	if err := chromedp.Do(ctx, chromedp.Click("#previous-record"), chromedp.WaitVisible("#audit")); err != nil {
		t.Fatal(err)
	}
	status := run(ctx, t, chromedp.TextContent("#record-status"))
	audit := run(ctx, t, chromedp.TextContent("#audit tbody"))
	if !strings.Contains(check, "Hợp lệ") {
		t.Errorf("live validation said %q", check)
	}
	if !strings.Contains(location, "empty=1") {
		t.Errorf("after submit at %s, want the empty queue", location)
	}
	if status != "đã kiểm tra" {
		t.Errorf("record status %q, want đã kiểm tra", status)
	}
	for _, want := range []string{u.Username, "Nguyễn Thị Vân", evil, "sửa khi kiểm tra"} {
		if !strings.Contains(audit, want) {
			t.Errorf("audit %q lacks %q", audit, want)
		}
	}
	got, err := e.store.GetRecord(t.Context(), rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != models.StatusVerified || *got.Fields["full_name"].Value != "Nguyễn Thị Vân" || *got.Fields["gender"].Value != "Nữ" {
		t.Errorf("stored record: %s %v", got.Status, got.Fields)
	}
}

// browserLogin opens path, which sends the browser to the login form,
// logs u in there and waits for ready on the page it comes back to.
func browserLogin(ctx context.Context, t *testing.T, e *testEnv, path string, u storage.User, ready string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.http.URL+path),
		chromedp.WaitVisible("#username"),
		chromedp.SendKeys("#username", u.Username),
		chromedp.SendKeys("#password", testPassword+kb.Enter),
		chromedp.WaitVisible(ready),
	)
	if err != nil {
		t.Fatal(err)
	}
}

// run runs an action that returns a string and fails the test on error.
func run(ctx context.Context, t *testing.T, a chromedp.Action[string]) string {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestBrowserDuplicates logs in as a verifier, opens the duplicates page
// of a book holding two records of the same entry number, rejects one as
// the duplicate of the other, sees the group resolved, and finds the
// rejection in the record's audit trail.
func TestBrowserDuplicates(t *testing.T) {
	e := newEnv(t)
	book, recs := e.duplicateBook(t, models.StatusAccepted, "Nguyễn Thị Vân")
	keep, dup := recs[0].ID, recs[1].ID
	u := e.addUser(t, storage.UserVerifier)
	ctx := browser(t)

	browserLogin(ctx, t, e, "/ui/duplicates", u, "#dup-book")
	err := chromedp.Do(ctx,
		chromedp.SendKeys("#dup-book", book+kb.Enter),
		chromedp.WaitVisible(".dup-group.unresolved"),
	)
	if err != nil {
		t.Fatal(err)
	}
	before := run(ctx, t, chromedp.TextContent("#dup-unresolved"))
	button := `tr[data-record="` + dup + `"] button[data-keep="` + keep + `"]`
	err = chromedp.Do(ctx,
		chromedp.Click(button),
		chromedp.WaitVisible("#dup-done"),
	)
	if err != nil {
		t.Fatal(err)
	}
	after := run(ctx, t, chromedp.TextContent("#dup-unresolved"))
	resolved := run(ctx, t, chromedp.Poll[string](`String(document.querySelectorAll(".dup-group.resolved").length)`))
	buttons := run(ctx, t, chromedp.Poll[string](`String(document.querySelectorAll("button.reject-dup").length)`))
	if before != "1" || after != "0" || resolved != "1" || buttons != "0" {
		t.Errorf("unresolved %s → %s, %s group(s) resolved, %s reject button(s) left; want 1 → 0, 1, 0", before, after, resolved, buttons)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(`#dup-done a[href^="/ui/records/`+dup+`"]`),
		chromedp.WaitVisible("#audit"),
	)
	if err != nil {
		t.Fatal(err)
	}
	status := run(ctx, t, chromedp.TextContent("#record-status"))
	audit := run(ctx, t, chromedp.TextContent("#audit tbody"))
	if status != "bị từ chối" {
		t.Errorf("record status %q, want bị từ chối", status)
	}
	for _, want := range []string{u.Username, "trùng lặp với " + keep, "rejected"} {
		if !strings.Contains(audit, want) {
			t.Errorf("audit %q lacks %q", audit, want)
		}
	}
	trail, err := e.store.ListAudit(t.Context(), dup)
	if err != nil || len(trail) != 1 || trail[0].Actor != u.Username || trail[0].Reason != storage.ReasonDuplicate+keep {
		t.Errorf("stored audit %+v, %v", trail, err)
	}
}

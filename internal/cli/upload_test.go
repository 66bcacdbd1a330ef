package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sohoa/sohoa/server"
	"github.com/sohoa/sohoa/server/servertest"
	"github.com/sohoa/sohoa/storage"
)

// writePage writes a small PNG page whose content depends on seed.
func writePage(t *testing.T, path string, seed int) {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 90, 120))
	for y := range 120 {
		for x := range 90 {
			img.SetGray(x, y, color.Gray{Y: uint8((x*seed + y*(seed+3)) % 251)})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	must(t, os.WriteFile(path, b.Bytes(), 0o644))
}

func TestUploadCommand(t *testing.T) {
	env := servertest.Start(t, nil)
	scanner := env.Tokens[storage.RoleScanner]
	client, err := server.NewClient(env.URL, scanner, nil)
	if err != nil {
		t.Fatal(err)
	}
	batch, err := client.CreateBatch(t.Context(), server.NewBatch{Name: "Sổ khai sinh 2019", Office: "UBND xã Tà Cạ"})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(dir, "sub"), 0o755))
	for i, name := range []string{"p1.png", "p2.png", "sub/p3.png"} {
		writePage(t, filepath.Join(dir, name), i+2)
	}
	must(t, os.WriteFile(filepath.Join(dir, "notes.png"), []byte("not a scan, just text"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "readme.txt"), []byte("ignored: not an image name"), 0o644))

	args := []string{"upload", "--server", env.URL, "--token", scanner, "--batch", batch.ID, "--jobs", "3", dir}
	stdout, _, err := run(t, args...)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 1 {
		t.Fatalf("err = %v, want exit status 1 for the refused file\n%s", err, stdout)
	}
	for _, want := range []string{
		"uploaded 3, skipped 0 (already on the server), refused 1, failed 0",
		"notes.png: the body is not a JPEG, PNG or TIFF image",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("first run: summary lacks %q:\n%s", want, stdout)
		}
	}
	if n := len(env.Enqueuer.Pages()); n != 3 {
		t.Fatalf("enqueued %d pages, want 3", n)
	}
	p, err := env.Store.GetPageBySHA256(t.Context(), fileSum(t, filepath.Join(dir, "sub", "p3.png")))
	if err != nil || p.BatchID != batch.ID || p.Source != filepath.ToSlash(filepath.Join(dir, "sub", "p3.png")) {
		t.Fatalf("page of sub/p3.png = %+v, %v", p, err)
	}

	// Again: everything the server has is skipped; the refusal stays.
	stdout, _, err = run(t, args...)
	if !errors.As(err, &ee) || ee.code != 1 || !strings.Contains(stdout, "uploaded 0, skipped 3 (already on the server), refused 1") {
		t.Fatalf("second run: err %v\n%s", err, stdout)
	}
	if n := len(env.Enqueuer.Pages()); n != 3 {
		t.Fatalf("second run enqueued pages again: %d", n)
	}

	// Only good files: exit status 0.
	stdout, _, err = run(t, "upload", "--server", env.URL, "--token", scanner, "--batch", batch.ID,
		filepath.Join(dir, "p1.png"), filepath.Join(dir, "sub"))
	if err != nil || !strings.Contains(stdout, "uploaded 0, skipped 2") {
		t.Fatalf("good files only: err %v\n%s", err, stdout)
	}
}

func TestUploadCommandErrors(t *testing.T) {
	env := servertest.Start(t, nil)
	client, err := server.NewClient(env.URL, env.Tokens[storage.RoleAdmin], nil)
	if err != nil {
		t.Fatal(err)
	}
	batch, err := client.CreateBatch(t.Context(), server.NewBatch{Name: "b"})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writePage(t, filepath.Join(dir, "a.png"), 1)
	t.Setenv("SOHOA_SERVER", "")
	t.Setenv("SOHOA_TOKEN", "")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no server", []string{"upload", "--token", "x", "--batch", batch.ID, dir}, "--server"},
		{"no token", []string{"upload", "--server", env.URL, "--batch", batch.ID, dir}, "--token"},
		{"no batch", []string{"upload", "--server", env.URL, "--token", "x", dir}, "--batch is required"},
		{"bad token", []string{"upload", "--server", env.URL, "--token", "sohoa_bad", "--batch", batch.ID, dir}, "unknown or revoked token"},
		{"wrong role", []string{"upload", "--server", env.URL, "--token", env.Tokens[storage.RoleVerifier], "--batch", batch.ID, dir}, "a verifier token may not call POST"},
		{"unknown batch", []string{"upload", "--server", env.URL, "--token", env.Tokens[storage.RoleAdmin], "--batch", "00000000-0000-0000-0000-000000000000", dir}, "no batch"},
		{"bad url", []string{"upload", "--server", "ftp://x", "--token", "x", "--batch", batch.ID, dir}, "want http"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stdout, _, err := run(t, tc.args...)
			if err == nil || !strings.Contains(err.Error()+"\n"+stdout, tc.want) {
				t.Fatalf("err = %v, want it or the summary to mention %q\n%s", err, tc.want, stdout)
			}
		})
	}
	if n := len(env.Enqueuer.Pages()); n != 0 {
		t.Fatalf("failed runs enqueued %d pages", n)
	}
}

func fileSum(t *testing.T, path string) string {
	t.Helper()
	sum, _, err := hashFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func TestTokenCommands(t *testing.T) {
	env := servertest.Start(t, nil)
	t.Setenv("SOHOA_DATABASE_URL", env.DatabaseURL)
	stdout, stderr, err := run(t, "token", "create", "--role", "scanner", "--name", "station-12")
	if err != nil {
		t.Fatal(err)
	}
	secret := strings.TrimSpace(stdout)
	if strings.Count(stdout, "\n") != 1 || !strings.HasPrefix(secret, "sohoa_") || !strings.Contains(stderr, "cannot be shown again") {
		t.Fatalf("create: stdout %q stderr %q", stdout, stderr)
	}
	tok, err := env.Store.Authenticate(t.Context(), secret)
	if err != nil || tok.Role != storage.RoleScanner || tok.Name != "station-12" {
		t.Fatalf("the printed secret does not authenticate: %+v %v", tok, err)
	}
	stdout, _, err = run(t, "token", "list")
	if err != nil || !strings.Contains(stdout, tok.ID) || !strings.Contains(stdout, "station-12") || strings.Contains(stdout, secret) {
		t.Fatalf("list: %v\n%s", err, stdout)
	}
	if _, _, err := run(t, "token", "revoke", tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Store.Authenticate(t.Context(), secret); !errors.Is(err, storage.ErrUnauthorized) {
		t.Fatalf("revoked token still authenticates: %v", err)
	}
	stdout, _, _ = run(t, "token", "list")
	if !regexp.MustCompile(tok.ID + `.*\d{4}-\d\d-\d\dT`).MatchString(stdout[strings.Index(stdout, tok.ID):]) {
		t.Fatalf("list does not show the revocation:\n%s", stdout)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"token", "create", "--role", "root", "--name", "x"}, `--role "root"`},
		{[]string{"token", "create", "--role", "admin"}, "--name is required"},
		{[]string{"token", "revoke", "00000000-0000-0000-0000-000000000000"}, "no token"},
	} {
		if _, _, err := run(t, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want %q", tc.args, err, tc.want)
		}
	}
	t.Setenv("SOHOA_DATABASE_URL", "")
	if _, _, err := run(t, "token", "list"); err == nil || !strings.Contains(err.Error(), "--database-url") {
		t.Errorf("list without a database: %v", err)
	}
}

func TestServeNeedsConfiguration(t *testing.T) {
	for _, v := range []string{"SOHOA_DATABASE_URL", "SOHOA_S3_ENDPOINT", "SOHOA_S3_ACCESS_KEY", "SOHOA_S3_SECRET_KEY"} {
		t.Setenv(v, "")
	}
	_, _, err := run(t, "serve")
	if err == nil {
		t.Fatal("serve started without configuration")
	}
	for _, want := range []string{"missing configuration", "--database-url", "--s3-endpoint", "--s3-secret-key"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	_, _, err = run(t, "serve", "--database-url", "postgres://x", "--s3-endpoint", "x:1", "--s3-access-key", "a",
		"--s3-secret-key", "b", "--addr", "nonsense")
	if err == nil || !strings.Contains(err.Error(), `--addr "nonsense"`) {
		t.Errorf("bad --addr: %v", err)
	}
	_, _, err = run(t, "serve", "--database-url", "postgres://x", "--s3-endpoint", "x:1", "--s3-access-key", "a",
		"--s3-secret-key", "b", "--pprof-addr", "6060")
	if err == nil || !strings.Contains(err.Error(), `--pprof-addr "6060"`) {
		t.Errorf("bad --pprof-addr: %v", err)
	}
}

// TestServeRuns starts `sohoa serve` on a free port, checks that it answers
// and that it stops cleanly when its context ends.
func TestServeRuns(t *testing.T) {
	env := servertest.Start(t, nil) // a database and the services' variables
	// The pool size the URL gives wins over the default of --db-max-conns.
	t.Setenv("SOHOA_DATABASE_URL", withParam(env.DatabaseURL, "pool_max_conns=3"))
	t.Setenv("SOHOA_S3_BUCKET", env.Objects.Bucket()) // removed with the environment
	pr, pw := io.Pipe()
	root := newRoot(io.Discard, pw)
	root.SetArgs([]string{"serve", "--addr", "127.0.0.1:0", "--pprof-addr", "127.0.0.1:0"})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- root.ExecuteContext(ctx)
		pw.Close()
	}()
	addr, profAddr, pooled := "", "", false
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		pooled = pooled || strings.Contains(sc.Text(), `"msg":"database pool","max_conns":3`)
		if m := regexp.MustCompile(`"msg":"profiles served","addr":"([^"]+)"`).FindStringSubmatch(sc.Text()); m != nil {
			profAddr = m[1]
		}
		if m := regexp.MustCompile(`"msg":"serving","addr":"([^"]+)"`).FindStringSubmatch(sc.Text()); m != nil {
			addr = m[1]
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if addr == "" {
		cancel()
		t.Fatalf("serve did not start: %v", <-done)
	}
	if !pooled {
		t.Error("serve did not log a pool of 3 connections, the URL's pool_max_conns")
	}
	resp, err := http.Get("http://" + addr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("readyz: %d", resp.StatusCode)
	}
	// --pprof-addr: Go's profiles on their own address, not on the API's.
	for _, c := range []struct {
		addr string
		want int
	}{{profAddr, http.StatusOK}, {addr, http.StatusNotFound}} {
		resp, err := http.Get("http://" + c.addr + "/debug/pprof/cmdline")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("GET %s/debug/pprof/cmdline: %d, want %d", c.addr, resp.StatusCode, c.want)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve did not stop cleanly: %v", err)
	}
}

// withParam adds a query parameter to a database URL.
func withParam(url, param string) string {
	if strings.Contains(url, "?") {
		return url + "&" + param
	}
	return url + "?" + param
}

func TestPrintSameEntries(t *testing.T) {
	for _, c := range []struct {
		name string
		in   server.BatchSameEntries
		want string
	}{
		{"none", server.BatchSameEntries{BatchID: "b1", Pages: []server.PageSameEntries{}}, ""},
		{"a sheet scanned twice", server.BatchSameEntries{BatchID: "b1", Pages: []server.PageSameEntries{
			{PageID: "p2", Source: "p1-again.jpg", SameEntries: []server.EntryTwin{
				{PageID: "p1", BatchID: "b1", Source: "p1.png", Entries: 2},
				{PageID: "p9", BatchID: "b0", Source: "old/p9.png", Entries: 1},
			}},
		}}, "pages holding entries that other pages hold (the same sheet scanned twice?):\n" +
			"  p1-again.jpg (page p2): entries shared with p1.png (page p1, batch b1): 2\n" +
			"  p1-again.jpg (page p2): entries shared with old/p9.png (page p9, batch b0): 1\n"},
	} {
		var b bytes.Buffer
		printSameEntries(&b, &c.in)
		if b.String() != c.want {
			t.Errorf("%s:\n%s\nwant:\n%s", c.name, b.String(), c.want)
		}
	}
}

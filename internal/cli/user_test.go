package cli

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func TestUserAddDisableList(t *testing.T) {
	if os.Getenv("SOHOA_DATABASE_URL") == "" {
		if os.Getenv("SOHOA_REQUIRE_SERVICES") == "1" {
			t.Fatal("SOHOA_DATABASE_URL is not set and SOHOA_REQUIRE_SERVICES=1")
		}
		t.Skip("SOHOA_DATABASE_URL is not set")
	}
	t.Setenv("SOHOA_DATABASE_URL", workerTestDatabase(t))
	run := func(stdin string, args ...string) (string, error) {
		var out, errOut bytes.Buffer
		root := newRoot(&out, &errOut)
		root.SetIn(strings.NewReader(stdin))
		root.SetArgs(args)
		err := root.ExecuteContext(t.Context())
		return out.String() + errOut.String(), err
	}
	if _, err := run("mật khẩu dài\n", "user", "add", "lan", "--role", "arbitrator", "--password-stdin"); err != nil {
		t.Fatal(err)
	}
	if _, err := run("mật khẩu dài\n", "user", "add", "lan", "--password-stdin"); err == nil {
		t.Error("adding a user twice succeeded")
	}
	if _, err := run("x\n", "user", "add", "mai", "--role", "loader", "--password-stdin"); err == nil {
		t.Error("role loader accepted")
	}
	if _, err := run("", "user", "disable", "lan"); err != nil {
		t.Fatal(err)
	}
	if _, err := run("", "user", "disable", "nobody"); err == nil || !strings.Contains(err.Error(), "no user") {
		t.Errorf("disable unknown: %v", err)
	}
	out, err := run("", "user", "list")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "lan") || !strings.Contains(out, "arbitrator") || strings.Count(out, "\n") < 2 ||
		strings.Contains(strings.SplitN(out, "lan", 2)[1], " - \n") {
		t.Errorf("list:\n%s", out)
	}
}

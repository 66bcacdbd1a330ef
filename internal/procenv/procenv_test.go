package procenv

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

var testVars = map[string]string{"OMP_THREAD_LIMIT": "1", "SOHOA_PROCENV_TEST": "x"}

// TestReexecSetsVariables runs this test binary as a child without the
// variables; the child calls Ensure and prints what it sees.
func TestReexecSetsVariables(t *testing.T) {
	if os.Getenv("SOHOA_PROCENV_CHILD") == "1" {
		if err := Ensure(testVars); err != nil {
			t.Fatal(err)
		}
		os.Stdout.WriteString("limit=" + os.Getenv("OMP_THREAD_LIMIT") + " test=" + os.Getenv("SOHOA_PROCENV_TEST") + "\n")
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=TestReexecSetsVariables", "-test.v")
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OMP_THREAD_LIMIT=") && !strings.HasPrefix(kv, "SOHOA_PROCENV_TEST=") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "SOHOA_PROCENV_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "limit=1 test=x\n") {
		t.Fatalf("child did not see the variables after re-exec:\n%s", out)
	}
}

func TestExplicitValueRespected(t *testing.T) {
	t.Setenv("OMP_THREAD_LIMIT", "2")
	t.Setenv("SOHOA_PROCENV_TEST", "y")
	if err := Ensure(testVars); err != nil {
		t.Fatal(err)
	}
	if got := os.Getenv("OMP_THREAD_LIMIT"); got != "2" {
		t.Fatalf("OMP_THREAD_LIMIT = %q, want the user's 2", got)
	}
}

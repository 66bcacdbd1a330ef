package omp

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestReexecSetsLimit runs this test binary as a child without the
// variable; the child calls EnsureSingleThread and prints what it sees.
func TestReexecSetsLimit(t *testing.T) {
	if os.Getenv("SOHOA_OMP_CHILD") == "1" {
		if err := EnsureSingleThread(); err != nil {
			t.Fatal(err)
		}
		os.Stdout.WriteString("limit=" + os.Getenv(Var) + "\n")
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=TestReexecSetsLimit", "-test.v")
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, Var+"=") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "SOHOA_OMP_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "limit=1\n") {
		t.Fatalf("child did not see %s=1 after re-exec:\n%s", Var, out)
	}
}

func TestExplicitValueRespected(t *testing.T) {
	t.Setenv(Var, "2")
	if err := EnsureSingleThread(); err != nil {
		t.Fatal(err)
	}
	if got := os.Getenv(Var); got != "2" {
		t.Fatalf("%s = %q, want the user's 2", Var, got)
	}
}

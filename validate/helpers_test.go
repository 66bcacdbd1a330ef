package validate

import (
	"slices"
	"testing"
)

// fieldCase is one raw input with the expected value and problem codes.
type fieldCase struct {
	raw   string
	want  string
	codes []string
}

func runCases(t *testing.T, name string, f func(string) (string, []Problem), cases []fieldCase) {
	t.Helper()
	for _, tc := range cases {
		got, ps := f(tc.raw)
		if got != tc.want || !slices.Equal(Codes(ps), tc.codes) {
			t.Errorf("%s(%q) = %q, %v; want %q, codes %v", name, tc.raw, got, ps, tc.want, tc.codes)
		}
	}
}

// repairCase is one raw input with the expected value and whether it is
// reported repaired (other problem codes are not compared).
type repairCase struct {
	raw, want string
	repaired  bool
}

func runRepairCases(t *testing.T, name string, f func(string) (string, []Problem), cases []repairCase) {
	t.Helper()
	for _, tc := range cases {
		got, ps := f(tc.raw)
		if rep := slices.Contains(Codes(ps), CodeRepaired); got != tc.want || rep != tc.repaired {
			t.Errorf("%s(%q) = %q (repaired %v), want %q (%v)", name, tc.raw, got, rep, tc.want, tc.repaired)
		}
	}
}

var (
	none      []string
	missing   = []string{CodeMissing}
	invalid   = []string{CodeInvalid}
	repaired  = []string{CodeRepaired}
	conflict  = []string{CodeConflict}
	unknown   = []string{CodeUnknown}
	outOfRang = []string{CodeOutOfRange}
)

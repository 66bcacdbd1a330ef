package validate

import "fmt"

// Problem codes. They double as review reasons in records.
const (
	CodeMissing    = "missing"      // nothing readable
	CodeInvalid    = "invalid"      // not a well-formed value of its kind
	CodeConflict   = "conflict"     // contradicts another reading or field
	CodeOutOfRange = "out_of_range" // well-formed but implausible
	CodeUnknown    = "unknown"      // not in the table of known values
	CodeRepaired   = "repaired"     // the value was changed from what was read
	CodeAmbiguous  = "ambiguous"    // a digit guessed from a look-alike that fits more than one
)

// Problem is one finding about a value.
type Problem struct {
	Code    string // one of the Code constants
	Message string // human-readable detail, in English
}

func (p Problem) String() string { return p.Code + ": " + p.Message }

func problem(code, format string, args ...any) Problem {
	return Problem{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Blocking reports whether any problem should keep the value from being
// accepted automatically: every code except CodeRepaired.
func Blocking(ps []Problem) bool {
	for _, p := range ps {
		if p.Code != CodeRepaired {
			return true
		}
	}
	return false
}

// Codes returns the distinct codes of ps in order of first appearance.
func Codes(ps []Problem) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range ps {
		if !seen[p.Code] {
			seen[p.Code] = true
			out = append(out, p.Code)
		}
	}
	return out
}

package export

import (
	"iter"

	"github.com/sohoa/sohoa/models"
)

// Tally follows a book's records as an export reads them and says whether
// the export is final: every record accepted, verified or rejected, and no
// duplicate left unresolved. It keeps ids and duplicate keys, not records.
// The zero value is ready to use.
type Tally struct {
	Records  map[models.Status]int // records per status
	Pending  []string              // ids of records still waiting for review
	Rejected []string              // ids of rejected records
	dups     Detector
}

// Add notes r and reports whether it belongs in the export (rejected
// records do not).
func (t *Tally) Add(r models.Record) bool {
	if t.Records == nil {
		t.Records = map[models.Status]int{}
	}
	t.Records[r.Status]++
	t.dups.Add(r)
	switch r.Status {
	case models.StatusRejected:
		t.Rejected = append(t.Rejected, r.ID)
		return false
	case models.StatusAccepted, models.StatusVerified:
	default:
		t.Pending = append(t.Pending, r.ID)
	}
	return true
}

// Duplicates returns the duplicate groups among the records added, never
// nil.
func (t *Tally) Duplicates() []Duplicate {
	d := t.dups.Duplicates()
	if d == nil {
		d = []Duplicate{}
	}
	return d
}

// Final reports whether an export of the records added is final.
func (t *Tally) Final() bool {
	return len(t.Pending) == 0 && Unresolved(t.Duplicates()) == 0
}

// BookFinal reads recs and reports whether their export would be final,
// so that an export streamed as it is written can be named before it
// starts.
func BookFinal(recs iter.Seq2[models.Record, error]) (bool, error) {
	var t Tally
	for r, err := range recs {
		if err != nil {
			return false, err
		}
		t.Add(r)
	}
	return t.Final(), nil
}

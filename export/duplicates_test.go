package export

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/sohoa/sohoa/models"
)

func TestDuplicates(t *testing.T) {
	acc, rej := models.StatusAccepted, models.StatusRejected
	for _, tc := range []struct {
		name string
		recs []models.Record
		want string // fmt of kind:ids:resolved per group
	}{
		{"none", []models.Record{
			birth("a", "1", "Nguyễn Thị Vân", "2019-03-05", "Lê Thị Oanh", acc),
			birth("b", "2", "Nguyễn Thị Vân", "2019-03-06", "Lê Thị Oanh", acc),
		}, "[]"},
		{"same entry", []models.Record{
			birth("a", "12", "Nguyễn Thị Vân", "2019-03-05", "", acc),
			birth("b", "012", "Trần Văn Ba", "2019-03-05", "", acc),
		}, "[same_entry:[a b]:false]"},
		{"same person folded", []models.Record{
			birth("a", "1", "Nguyễn Thị Vân", "2019-03-05", "Lê Thị Oanh", acc),
			birth("b", "40", "NGUYEN  THI VAN", "2019-03-05", "le thi oanh", acc),
		}, "[same_person:[a b]:false]"},
		{"đ folds to d", []models.Record{
			birth("a", "1", "Đặng Văn Ước", "2019-03-05", "Đỗ Thị Hà", acc),
			birth("b", "2", "Dang Van Uoc", "2019-03-05", "Do Thi Ha", acc),
		}, "[same_person:[a b]:false]"},
		{"missing mother is not a match", []models.Record{
			birth("a", "1", "Nguyễn Thị Vân", "2019-03-05", "", acc),
			birth("b", "2", "Nguyễn Thị Vân", "2019-03-05", "", acc),
		}, "[]"},
		{"resolved by rejecting one", []models.Record{
			birth("a", "5", "Nguyễn Thị Vân", "2019-03-05", "Lê Thị Oanh", acc),
			birth("b", "5", "Nguyễn Thị Vân", "2019-03-05", "Lê Thị Oanh", rej),
		}, "[same_entry:[a b]:true same_person:[a b]:true]"},
		{"other register type is another register", func() []models.Record {
			d := birth("b", "5", "X", "", "", acc)
			d.RegisterType = models.Death
			return []models.Record{birth("a", "5", "Y", "", "", acc), d}
		}(), "[]"},
		{"other book", func() []models.Record {
			b := birth("b", "5", "X", "", "", acc)
			v := "02/2019"
			b.Fields["book_number"] = models.Field{Value: &v}
			return []models.Record{birth("a", "5", "Y", "", "", acc), b}
		}(), "[]"},
		{"three of a kind", []models.Record{
			birth("c", "7", "A", "", "", acc),
			birth("a", "7", "B", "", "", rej),
			birth("b", "7", "C", "", "", acc),
		}, "[same_entry:[a b c]:false]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, d := range Duplicates(tc.recs) {
				got = append(got, fmt.Sprintf("%s:%v:%v", d.Kind, d.RecordIDs, d.Resolved))
			}
			if s := fmt.Sprint(got); s != tc.want && !(tc.want == "[]" && got == nil) {
				t.Errorf("got %s, want %s", s, tc.want)
			}
		})
	}
}

func TestUnresolved(t *testing.T) {
	if n := Unresolved([]Duplicate{{Resolved: true}, {}, {}}); n != 2 {
		t.Fatalf("Unresolved = %d", n)
	}
}

// TestKeyFieldsMakeTheKeys: records cut down to KeyFields give the same
// duplicate groups as whole records.
func TestKeyFieldsMakeTheKeys(t *testing.T) {
	str := func(s string) *string { return &s }
	rec := func(id string, typ models.RegisterType, fields map[string]string) models.Record {
		r := models.Record{ID: id, RegisterType: typ, Status: models.StatusAccepted, Fields: map[string]models.Field{"place_of_birth": {Value: str("xã Tả Van")}}}
		for k, v := range fields {
			r.Fields[k] = models.Field{Value: str(v)}
		}
		return r
	}
	recs := []models.Record{
		rec("a", models.Birth, map[string]string{"entry_number": "5", "book_number": "01/2019", "full_name": "Lò Văn Pấng", "date_of_birth": "2019-01-02", "mother_name": "Lò Thị Én"}),
		rec("b", models.Birth, map[string]string{"entry_number": "5", "book_number": "01/2019", "full_name": "Lò Văn Pâng", "date_of_birth": "2019-01-02", "mother_name": "Lò Thị Én"}),
		rec("c", models.Birth, map[string]string{"entry_number": "6", "book_number": "01/2019", "full_name": "Lò Văn Pấng", "date_of_birth": "2019-01-02", "mother_name": "Lò Thị Én"}),
		rec("d", models.Death, map[string]string{"entry_number": "1", "full_name": "Hà Văn Ín", "date_of_birth": "1950-03-04"}),
		rec("e", models.Death, map[string]string{"entry_number": "2", "full_name": "Hà Văn Ín", "date_of_birth": "1950-03-04"}),
		rec("f", models.Marriage, map[string]string{"entry_number": "1", "husband_name": "Lê Văn An", "husband_date_of_birth": "1990-01-01", "wife_name": "Mai Thị Lan", "wife_date_of_birth": "1991-01-01"}),
		rec("g", models.Marriage, map[string]string{"entry_number": "2", "husband_name": "Lê Văn An", "husband_date_of_birth": "1990-01-01", "wife_name": "Mai Thị Lan", "wife_date_of_birth": "1991-01-01"}),
	}
	keep := KeyFields()
	var whole, cut Detector
	for _, r := range recs {
		whole.Add(r)
		c := r
		c.Fields = map[string]models.Field{}
		for k, f := range r.Fields {
			if slices.Contains(keep, k) {
				c.Fields[k] = f
			}
		}
		cut.Add(c)
	}
	w, c := whole.Duplicates(), cut.Duplicates()
	if len(w) != 4 { // entry 5 (a, b), the person of a and c, of d and e, of f and g
		t.Fatalf("whole records: %d groups, want 4: %+v", len(w), w)
	}
	if !reflect.DeepEqual(w, c) {
		t.Errorf("records cut to KeyFields %v: %+v, want %+v", keep, c, w)
	}
}

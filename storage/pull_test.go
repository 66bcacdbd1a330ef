package storage

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/sohoa/sohoa/models"
)

// pullRecord is a record of type rt registered on date at office ("" for
// a field left out).
func pullRecord(index int, rt models.RegisterType, date, office string) models.Record {
	r := testRecord(index, models.StatusAccepted)
	r.RegisterType = rt
	for k, v := range map[string]string{"registration_date": date, "registration_office": office} {
		if v != "" {
			r.Fields[k] = models.Field{Value: strp(v), Raw: v, Confidence: 0.99, Status: models.StatusAccepted}
		}
	}
	return r
}

// fieldValue is the value of a record's field, "" when absent.
func fieldValue(r models.Record, key string) string {
	if f, ok := r.Fields[key]; ok && f.Value != nil {
		return *f.Value
	}
	return ""
}

func mustDay(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestPullRecordsFilters(t *testing.T) {
	s, _ := testStore(t)
	ctx := t.Context()
	const office, other = "UBND xã Tà Cạ", "UBND xã Mường Típ"
	// Two books: one of office (whose records carry no office, or another
	// office's name), one of no office.
	ofOffice, err := s.CreateBatch(ctx, NewBatch{Name: t.Name() + " 1", Office: office})
	if err != nil {
		t.Fatal(err)
	}
	plain := newBatch(t, s)
	recs := map[string]models.Record{}
	for batch, page := range map[string][]models.Record{
		ofOffice.ID: {
			pullRecord(0, models.Birth, "2019-03-05", ""),
			pullRecord(1, models.Death, "2019-12-31", other),
			pullRecord(2, models.Marriage, "2020-01-01", ""),
		},
		plain.ID: {
			pullRecord(0, models.Birth, "2019-03", office),
			pullRecord(1, models.Birth, "2018", ""),
			pullRecord(2, models.Birth, "", office),
			pullRecord(3, models.Birth, "5/3/2019", ""),
		},
	} {
		if err := s.SaveRecords(ctx, newPage(t, s, batch).ID, page); err != nil {
			t.Fatal(err)
		}
		for _, r := range page {
			name := string(r.RegisterType) + " " + fieldValue(r, "registration_date")
			recs[name] = r
		}
	}
	both := []string{ofOffice.ID, plain.ID}
	tests := []struct {
		name string
		opts ListRecordsOptions
		want []string
	}{
		{"type", ListRecordsOptions{RegisterType: models.Birth},
			[]string{"birth 2019-03-05", "birth 2019-03", "birth 2018", "birth ", "birth 5/3/2019"}},
		{"office of the batch or of the record", ListRecordsOptions{Office: office},
			[]string{"birth 2019-03-05", "death 2019-12-31", "marriage 2020-01-01", "birth 2019-03", "birth "}},
		{"office of a record only", ListRecordsOptions{Office: other}, []string{"death 2019-12-31"}},
		{"office unknown", ListRecordsOptions{Office: "UBND"}, nil},
		{"year, with a month and a day in it", ListRecordsOptions{RegisteredFrom: mustDay(t, "2019-01-01"), RegisteredTo: mustDay(t, "2019-12-31")},
			[]string{"birth 2019-03-05", "death 2019-12-31", "birth 2019-03"}},
		{"a month counts as its first day", ListRecordsOptions{RegisteredFrom: mustDay(t, "2019-03-02")},
			[]string{"birth 2019-03-05", "death 2019-12-31", "marriage 2020-01-01"}},
		{"to is inclusive", ListRecordsOptions{RegisteredTo: mustDay(t, "2019-03-01")},
			[]string{"birth 2019-03", "birth 2018"}},
		{"one day", ListRecordsOptions{RegisteredFrom: mustDay(t, "2020-01-01"), RegisteredTo: mustDay(t, "2020-01-01")},
			[]string{"marriage 2020-01-01"}},
		{"type and dates and office", ListRecordsOptions{RegisterType: models.Birth, Office: office, RegisteredFrom: mustDay(t, "2019-01-01")},
			[]string{"birth 2019-03-05", "birth 2019-03"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, b := range both {
				opts := tc.opts
				opts.BatchID = b
				list, err := s.ListRecords(ctx, opts)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range list {
					for n, want := range recs {
						if want.ID == r.ID {
							got = append(got, n)
						}
					}
				}
			}
			slices.Sort(got)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}

func TestPullRecordsBounds(t *testing.T) {
	s, _ := testStore(t)
	ctx := t.Context()
	b := newBatch(t, s)
	ids := saveRecordPairs(t, s, b.ID, 3)
	read := func(opts ListRecordsOptions) (*RecordPull, []Record) {
		t.Helper()
		p, err := s.PullRecords(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		var recs []Record
		for r, err := range p.All() {
			if err != nil {
				t.Fatal(err)
			}
			recs = append(recs, r)
		}
		return p, recs
	}
	// A full read stops at its last record and says more may follow.
	p, recs := read(ListRecordsOptions{BatchID: b.ID, Limit: 4})
	if len(recs) != 4 || !p.More || p.Next != recs[3].ChangeSeq || recs[0].ID != ids[0] {
		t.Fatalf("first read: %d records, next %d, more %v", len(recs), p.Next, p.More)
	}
	// The rest: a short read ends at the horizon, past its last record when
	// the filter leaves later changes out.
	other := newBatch(t, s)
	if err := s.SaveRecords(ctx, newPage(t, s, other.ID).ID, []models.Record{testRecord(0, models.StatusAccepted)}); err != nil {
		t.Fatal(err)
	}
	p2, recs := read(ListRecordsOptions{BatchID: b.ID, Limit: 4, AfterSeq: p.Next})
	if len(recs) != 2 || p2.More || p2.Next <= recs[1].ChangeSeq || recs[1].ID != ids[5] {
		t.Fatalf("second read: %d records, next %d (last %d), more %v", len(recs), p2.Next, recs[len(recs)-1].ChangeSeq, p2.More)
	}
	// Caught up: nothing, and the cursor stays.
	p3, recs := read(ListRecordsOptions{BatchID: b.ID, AfterSeq: p2.Next})
	if len(recs) != 0 || p3.More || p3.Next < p2.Next {
		t.Fatalf("caught up: %d records, next %d after %d", len(recs), p3.Next, p2.Next)
	}
	// Closing a read early gives its connection back.
	p4, err := s.PullRecords(ctx, ListRecordsOptions{BatchID: b.ID})
	if err != nil {
		t.Fatal(err)
	}
	for range p4.All() {
		break
	}
	p4.Close()

	for name, opts := range map[string]ListRecordsOptions{
		"cursor ahead":     {AfterSeq: p3.Next + 1000},
		"negative cursor":  {AfterSeq: -1},
		"limit too large":  {Limit: MaxRecordsLimit + 1},
		"register type":    {RegisterType: "adoption"},
		"empty date range": {RegisteredFrom: mustDay(t, "2020-01-02"), RegisteredTo: mustDay(t, "2020-01-01")},
	} {
		if _, err := s.PullRecords(ctx, opts); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	if _, err := s.PullRecords(ctx, ListRecordsOptions{AfterSeq: p3.Next + 1000}); !errors.Is(err, ErrCursorAhead) {
		t.Errorf("cursor ahead: %v, want ErrCursorAhead", err)
	}
}

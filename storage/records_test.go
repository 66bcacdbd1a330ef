package storage

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/google/uuid"

	"github.com/sohoa/sohoa/models"
)

func strp(s string) *string { return &s }

// testRecord is a birth record with a fresh id.
func testRecord(index int, status models.Status) models.Record {
	return models.Record{
		ID:           uuid.NewString(),
		EntryIndex:   index,
		RegisterType: models.Birth,
		Template:     "birth/ledger-2015",
		Status:       status,
		Fields: map[string]models.Field{
			"full_name": {Value: strp("Nguyễn Thị Vân"), Raw: "NGUYỄN THỊ VÂN", Confidence: 0.91,
				Status: models.StatusAccepted, Reasons: []string{}, BBox: models.BBox{412, 820, 1290, 880}},
			"date_of_birth": {Value: nil, Raw: "", Confidence: 0, Status: models.StatusReview,
				Reasons: []string{"missing"}, BBox: models.BBox{}},
		},
		Warnings: []string{"skew 4.6°"},
	}
}

// asJSON compares records the way the record format sees them.
func asJSON(t *testing.T, r models.Record) string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSaveRecords(t *testing.T) {
	s, _ := testStore(t)
	ctx := t.Context()
	b := newBatch(t, s)
	page := newPage(t, s, b.ID)
	recs := []models.Record{testRecord(0, models.StatusReview), testRecord(1, models.StatusAccepted)}

	if err := s.SaveRecords(ctx, page.ID, recs); err != nil {
		t.Fatal(err)
	}
	stored := func() map[string]Record {
		t.Helper()
		list, err := s.ListRecords(ctx, ListRecordsOptions{PageID: page.ID})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]Record{}
		for _, r := range list {
			m[r.ID] = r
		}
		return m
	}
	first := stored()
	if len(first) != 2 {
		t.Fatalf("stored %d records, want 2", len(first))
	}
	for _, r := range recs {
		got, ok := first[r.ID]
		if !ok {
			t.Fatalf("record %s not stored", r.ID)
		}
		want := r
		want.PageSHA256, want.Source = page.SHA256, page.Source // filled from the page
		if asJSON(t, got.Record) != asJSON(t, want) {
			t.Errorf("stored record\n%s\nwant\n%s", asJSON(t, got.Record), asJSON(t, want))
		}
		if got.PageID != page.ID || got.ChangeSeq == 0 {
			t.Errorf("record %s: page %s, change_seq %d", r.ID, got.PageID, got.ChangeSeq)
		}
	}

	// At-least-once delivery: saving the same records again changes nothing.
	if err := s.SaveRecords(ctx, page.ID, recs); err != nil {
		t.Fatal(err)
	}
	if again := stored(); !reflect.DeepEqual(again, first) {
		t.Errorf("second save changed the records:\n%+v\nwas\n%+v", again, first)
	}

	// An update moves the record after every change so far.
	maxSeq := int64(0)
	for _, r := range first {
		maxSeq = max(maxSeq, r.ChangeSeq)
	}
	f := recs[0].Fields["full_name"]
	f.Value, f.Status = strp("Nguyễn Thị Vân Anh"), models.StatusVerified
	recs[0].Fields["full_name"] = f
	if err := s.SaveRecords(ctx, page.ID, recs); err != nil {
		t.Fatal(err)
	}
	updated, err := s.GetRecord(ctx, recs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if updated.ChangeSeq <= maxSeq {
		t.Errorf("change_seq after update %d, want > %d", updated.ChangeSeq, maxSeq)
	}
	if v := updated.Fields["full_name"].Value; v == nil || *v != "Nguyễn Thị Vân Anh" {
		t.Errorf("updated value %v", v)
	}
	if !updated.CreatedAt.Equal(first[recs[0].ID].CreatedAt) {
		t.Errorf("update changed created_at")
	}
	if unchanged := stored()[recs[1].ID]; unchanged.ChangeSeq != first[recs[1].ID].ChangeSeq {
		t.Errorf("untouched record's change_seq moved: %d → %d", first[recs[1].ID].ChangeSeq, unchanged.ChangeSeq)
	}

	// Replacing: records not in the new set go.
	if err := s.SaveRecords(ctx, page.ID, recs[1:]); err != nil {
		t.Fatal(err)
	}
	if got := stored(); len(got) != 1 || got[recs[1].ID].ID == "" {
		t.Errorf("after replacing with one record: %d records", len(got))
	}
	if _, err := s.GetRecord(ctx, recs[0].ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("replaced record: %v, want ErrNotFound", err)
	}
	// Swapping entry indexes within one save is allowed (deferred unique).
	a, c := testRecord(0, models.StatusReview), testRecord(1, models.StatusReview)
	if err := s.SaveRecords(ctx, page.ID, []models.Record{a, c}); err != nil {
		t.Fatal(err)
	}
	a.EntryIndex, c.EntryIndex = 1, 0
	if err := s.SaveRecords(ctx, page.ID, []models.Record{a, c}); err != nil {
		t.Errorf("swapping entry indexes: %v", err)
	}
}

func TestSaveRecordsRefuses(t *testing.T) {
	s, _ := testStore(t)
	ctx := t.Context()
	b := newBatch(t, s)
	page, other := newPage(t, s, b.ID), newPage(t, s, b.ID)
	owned := testRecord(0, models.StatusReview)
	if err := s.SaveRecords(ctx, other.ID, []models.Record{owned}); err != nil {
		t.Fatal(err)
	}
	kept := testRecord(0, models.StatusReview)
	if err := s.SaveRecords(ctx, page.ID, []models.Record{kept}); err != nil {
		t.Fatal(err)
	}

	badStatus := testRecord(1, "maybe")
	noID := testRecord(1, models.StatusReview)
	noID.ID = "r1"
	wrongSum := testRecord(1, models.StatusReview)
	wrongSum.PageSHA256 = other.SHA256
	dupA, dupB := testRecord(1, models.StatusReview), testRecord(1, models.StatusReview)
	tests := []struct {
		name   string
		pageID string
		recs   []models.Record
		want   error
	}{
		{"id of another page's record", page.ID, []models.Record{kept, withIndex(owned, 1)}, ErrConflict},
		{"unknown status", page.ID, []models.Record{badStatus}, ErrInvalid},
		{"id not a UUID", page.ID, []models.Record{noID}, ErrInvalid},
		{"sha256 of another page", page.ID, []models.Record{wrongSum}, ErrInvalid},
		{"entry index twice", page.ID, []models.Record{dupA, dupB}, ErrInvalid},
		{"unknown page", "0b7c3a4e-1f0e-4b8e-9a59-6c1d2e3f4a5b", []models.Record{testRecord(0, models.StatusReview)}, ErrNotFound},
	}
	for _, tt := range tests {
		if err := s.SaveRecords(ctx, tt.pageID, tt.recs); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	// A refused save leaves the page's records as they were.
	list, err := s.ListRecords(ctx, ListRecordsOptions{PageID: page.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].ID != kept.ID {
		t.Errorf("after refused saves: %+v, want only %s", list, kept.ID)
	}
	if got, err := s.GetRecord(ctx, owned.ID); err != nil || got.PageID != other.ID {
		t.Errorf("the other page's record: %+v, %v", got, err)
	}
}

func withIndex(r models.Record, i int) models.Record {
	r.EntryIndex = i
	return r
}

// saveRecordPairs adds n pages to the batch, each with a record in review
// and an accepted one, and returns the records' ids in save order.
func saveRecordPairs(t *testing.T, s *Store, batchID string, n int) []string {
	t.Helper()
	var ids []string
	for range n {
		recs := []models.Record{testRecord(0, models.StatusReview), testRecord(1, models.StatusAccepted)}
		if err := s.SaveRecords(t.Context(), newPage(t, s, batchID).ID, recs); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, recs[0].ID, recs[1].ID)
	}
	return ids
}

func TestListRecordsCursor(t *testing.T) {
	s, _ := testStore(t)
	ctx := t.Context()
	b := newBatch(t, s)
	want := saveRecordPairs(t, s, b.ID, 3)
	// Read the batch two records at a time, resuming after the last seq.
	var got []string
	after := int64(0)
	for {
		page, err := s.ListRecords(ctx, ListRecordsOptions{BatchID: b.ID, AfterSeq: after, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, r := range page {
			if r.ChangeSeq <= after {
				t.Fatalf("change_seq %d not after %d", r.ChangeSeq, after)
			}
			after = r.ChangeSeq
			got = append(got, r.ID)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("cursor read %v, want %v (save order)", got, want)
	}
	review, err := s.ListRecords(ctx, ListRecordsOptions{BatchID: b.ID, Status: models.StatusReview})
	if err != nil {
		t.Fatal(err)
	}
	if len(review) != 3 {
		t.Errorf("%d records in review, want 3", len(review))
	}
	for _, r := range review {
		if r.Status != models.StatusReview {
			t.Errorf("status filter let %s through", r.Status)
		}
	}
	if _, err := s.ListRecords(ctx, ListRecordsOptions{Status: "maybe"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown status filter: %v, want ErrInvalid", err)
	}
}

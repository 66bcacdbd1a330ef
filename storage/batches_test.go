package storage

import (
	"errors"
	"testing"

	"github.com/sohoa/sohoa/models"
)

func TestBatches(t *testing.T) {
	s, _ := testStore(t)
	ctx := t.Context()

	if _, err := s.CreateBatch(ctx, NewBatch{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("CreateBatch without name: %v, want ErrInvalid", err)
	}
	nb := NewBatch{
		Name: "Kỳ Sơn khai sinh 2019", Office: "UBND xã Tà Cạ", RegisterType: models.Birth,
		BookNumber: "01/2019", Year: 2019, Priority: 5,
		Metadata: map[string]any{"scanner": "fujitsu-7160"},
	}
	b, err := s.CreateBatch(ctx, nb)
	if err != nil {
		t.Fatal(err)
	}
	if b.ID == "" || b.CreatedAt.IsZero() {
		t.Fatalf("created batch lacks id or time: %+v", b)
	}
	got, err := s.GetBatch(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != nb.Name || got.Office != nb.Office || got.RegisterType != nb.RegisterType ||
		got.BookNumber != nb.BookNumber || got.Year != 2019 || got.Priority != 5 ||
		got.Metadata["scanner"] != "fujitsu-7160" {
		t.Errorf("GetBatch = %+v, want the fields of %+v", got, nb)
	}
	noYear, err := s.CreateBatch(ctx, NewBatch{Name: "no year"})
	if err != nil {
		t.Fatal(err)
	}
	if noYear.Year != 0 || noYear.Metadata == nil {
		t.Errorf("batch without year/metadata: %+v", noYear)
	}

	for _, id := range []string{"0b7c3a4e-1f0e-4b8e-9a59-6c1d2e3f4a5b", "not-a-uuid", ""} {
		if _, err := s.GetBatch(ctx, id); !errors.Is(err, ErrNotFound) {
			t.Errorf("GetBatch(%q): %v, want ErrNotFound", id, err)
		}
	}

	list, err := s.ListBatches(ctx, ListBatchesOptions{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, x := range list {
		found[x.ID] = true
	}
	if !found[b.ID] || !found[noYear.ID] {
		t.Errorf("ListBatches misses the new batches")
	}
	if _, err := s.ListBatches(ctx, ListBatchesOptions{Limit: -1}); !errors.Is(err, ErrInvalid) {
		t.Errorf("ListBatches with a negative limit: %v, want ErrInvalid", err)
	}
}

func TestBatchProgress(t *testing.T) {
	s, _ := testStore(t)
	ctx := t.Context()
	b := newBatch(t, s)
	p1, p2, p3 := newPage(t, s, b.ID), newPage(t, s, b.ID), newPage(t, s, b.ID)
	mustMove(t, s, p2.ID, PageUploaded, PageCleaned)
	if _, err := s.FailPage(ctx, p3.ID, "unreadable"); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveRecords(ctx, p1.ID, []models.Record{
		testRecord(0, models.StatusReview), testRecord(1, models.StatusAccepted), testRecord(2, models.StatusReview),
	}); err != nil {
		t.Fatal(err)
	}
	got, err := s.BatchProgress(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[PageState]int{PageUploaded: 1, PageCleaned: 1, PageFailed: 1,
		PageRecognized: 0, PageExtracted: 0, PageRouted: 0}
	if got.Pages != 3 || len(got.States) != len(want) {
		t.Errorf("progress = %+v, want 3 pages in %v", got, want)
	}
	for st, n := range want {
		if got.States[st] != n {
			t.Errorf("state %s: %d pages, want %d", st, got.States[st], n)
		}
	}
	if got.Records[models.StatusReview] != 2 || got.Records[models.StatusAccepted] != 1 {
		t.Errorf("records per status = %v, want review 2, accepted 1", got.Records)
	}
	if _, err := s.BatchProgress(ctx, "0b7c3a4e-1f0e-4b8e-9a59-6c1d2e3f4a5b"); !errors.Is(err, ErrNotFound) {
		t.Errorf("progress of unknown batch: %v, want ErrNotFound", err)
	}
}

func TestWithTxRollsBack(t *testing.T) {
	s, _ := testStore(t)
	ctx := t.Context()
	var id string
	sentinel := errors.New("stop")
	err := s.WithTx(ctx, func(tx *Store) error {
		b, err := tx.CreateBatch(ctx, NewBatch{Name: "rolled back"})
		if err != nil {
			return err
		}
		id = b.ID
		if _, err := tx.GetBatch(ctx, id); err != nil {
			return err
		}
		return sentinel
	})
	if !errors.Is(err, sentinel) {
		t.Fatalf("WithTx: %v, want the function's error", err)
	}
	if _, err := s.GetBatch(ctx, id); !errors.Is(err, ErrNotFound) {
		t.Errorf("batch created in a rolled-back transaction: %v, want ErrNotFound", err)
	}
}

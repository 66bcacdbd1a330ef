package server

import (
	"encoding/csv"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"testing"

	"github.com/google/uuid"

	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/storage"
)

// TestPullDeletedRecords: a page extracted again with fewer entries loses
// a record; a loader resuming from its cursor is told, once, with the
// record as it was, status deleted and no fields (JSON Lines and CSV), and
// the batch and type filters keep the deletion while a filter it cannot
// match does not drop it.
func TestPullDeletedRecords(t *testing.T) {
	e := newTestEnv(t, nil)
	ctx := t.Context()
	b := e.createBatch(t, storage.RoleScanner, NewBatch{RegisterType: models.Death})
	data := pagePNG(t, rand.Uint64())
	var page UploadResult
	e.upload(t, b.ID, e.tokens[storage.RoleScanner], data, sumOf(data), "d.png").json(t, &page)
	name := "Lò Văn Páo"
	recs := []models.Record{
		{ID: uuid.NewString(), EntryIndex: 0, RegisterType: models.Death, Status: models.StatusVerified,
			Fields: map[string]models.Field{"full_name": {Value: &name, Status: models.StatusVerified}}},
		{ID: uuid.NewString(), EntryIndex: 1, RegisterType: models.Death, Status: models.StatusReview},
	}
	if err := e.store.SaveRecords(ctx, page.ID, recs); err != nil {
		t.Fatal(err)
	}
	since := e.cursorNow(t)
	if err := e.store.SaveRecords(ctx, page.ID, recs[1:]); err != nil { // extracted again: one entry
		t.Fatal(err)
	}
	// Saving the same again deletes nothing more.
	if err := e.store.SaveRecords(ctx, page.ID, recs[1:]); err != nil {
		t.Fatal(err)
	}
	c := e.loaderClient(t)
	for _, opts := range []PullOptions{
		{},
		{BatchID: b.ID, RegisterType: models.Death},
		{Status: models.StatusVerified}, // a deleted record has no status to match: it comes anyway
	} {
		ch, err := c.PullChanges(ctx, since, opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(ch.Records) != 1 || ch.More || ch.Next <= since {
			t.Fatalf("%+v: %d changes (more %v, next %d), want the deletion alone", opts, len(ch.Records), ch.More, ch.Next)
		}
		got := ch.Records[0]
		if got.ID != recs[0].ID || got.Status != models.StatusDeleted || len(got.Fields) != 0 ||
			got.EntryIndex != 0 || got.RegisterType != models.Death || got.PageSHA256 != page.SHA256 {
			t.Errorf("%+v: deletion %+v", opts, got)
		}
		again, err := c.PullChanges(ctx, ch.Next, opts)
		if err != nil || len(again.Records) != 0 {
			t.Errorf("%+v: after the deletion: %d changes (%v), want none", opts, len(again.Records), err)
		}
	}
	// Another batch's and another type's pulls are not told.
	for _, opts := range []PullOptions{{BatchID: e.createBatch(t, storage.RoleScanner, NewBatch{}).ID}, {RegisterType: models.Birth}} {
		if ch, err := c.PullChanges(ctx, since, opts); err != nil || len(ch.Records) != 0 {
			t.Errorf("%+v: %d changes (%v), want none", opts, len(ch.Records), err)
		}
	}
	resp := e.getRecords(t, "format=csv&since="+strconv.FormatInt(since, 10))
	defer resp.Body.Close()
	rows, err := csv.NewReader(resp.Body).ReadAll()
	if err != nil || resp.StatusCode != http.StatusOK || len(rows) != 2 {
		t.Fatalf("CSV: %d, %d rows (%v)", resp.StatusCode, len(rows), err)
	}
	st := slices.Index(rows[0], "status")
	id := slices.Index(rows[0], "id")
	if st < 0 || id < 0 || rows[1][st] != "deleted" || rows[1][id] != recs[0].ID {
		t.Errorf("CSV deletion row %q (header %q)", rows[1], rows[0])
	}
	io.Copy(io.Discard, resp.Body)
}

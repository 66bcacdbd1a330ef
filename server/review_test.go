package server

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/uuid"

	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/storage"
)

func TestRecordAuditAndQuality(t *testing.T) {
	e := newTestEnv(t, nil)
	ctx := t.Context()
	b, err := e.store.CreateBatch(ctx, storage.NewBatch{Name: t.Name()})
	if err != nil {
		t.Fatal(err)
	}
	sum := randomHex(32)
	p, err := e.store.AddPage(ctx, storage.NewPage{BatchID: b.ID, ObjectKey: storage.OriginalKey(sum), SHA256: sum})
	if err != nil {
		t.Fatal(err)
	}
	rec := models.Record{ID: uuid.NewString(), Status: models.StatusReview, RegisterType: models.Birth}
	if err := e.store.SaveRecords(ctx, p.ID, []models.Record{rec}); err != nil {
		t.Fatal(err)
	}
	old, nv := "Le", "Lê"
	if _, err := e.store.AppendAudit(ctx, storage.AuditEntry{Actor: "lan", RecordID: rec.ID, Field: "full_name",
		Old: &old, New: &nv, Reason: storage.ReasonReview}); err != nil {
		t.Fatal(err)
	}
	var audit struct {
		Audit []auditJSON `json:"audit"`
	}
	e.getJSON(t, "/v1/records/"+rec.ID+"/audit", e.tokens[storage.RoleLoader], http.StatusOK, &audit)
	if len(audit.Audit) != 1 || audit.Audit[0].Actor != "lan" || *audit.Audit[0].New != "Lê" {
		t.Errorf("audit %+v", audit)
	}
	e.getJSON(t, "/v1/records/"+uuid.NewString()+"/audit", e.tokens[storage.RoleLoader], http.StatusNotFound, nil)

	var q qualityJSON
	e.getJSON(t, "/v1/review/quality?batch="+b.ID, e.tokens[storage.RoleVerifier], http.StatusOK, &q)
	if q.Budget != storage.QualityBudget || q.Fields != 0 || !q.WithinBudget {
		t.Errorf("quality %+v", q)
	}
	e.getJSON(t, "/v1/review/quality?batch=nope", e.tokens[storage.RoleVerifier], http.StatusBadRequest, nil)
}

// getJSON GETs path with secret, checks the status and decodes into v
// (when not nil).
func (e *testEnv) getJSON(t *testing.T, path, secret string, status int, v any) {
	t.Helper()
	r := e.do(t, http.MethodGet, path, secret, nil, nil)
	if r.status != status {
		t.Fatalf("GET %s: %d, want %d: %s", path, r.status, status, r.body)
	}
	if v != nil {
		if err := json.Unmarshal(r.body, v); err != nil {
			t.Fatal(err)
		}
	}
}

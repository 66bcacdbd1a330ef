package storage

import (
	"errors"
	"reflect"
	"testing"

	"github.com/google/uuid"
)

func TestAuditIsAppendOnly(t *testing.T) {
	s, pool := testStore(t)
	ctx := t.Context()
	tok, _, err := s.CreateToken(ctx, "verifier 1", RoleVerifier)
	if err != nil {
		t.Fatal(err)
	}
	recordID := uuid.NewString()
	e1, err := s.AppendAudit(ctx, AuditEntry{Actor: tok.Name, TokenID: tok.ID, RecordID: recordID,
		Field: "full_name", Old: strp("Nguyen Thi Van"), New: strp("Nguyễn Thị Vân"), Reason: "diacritics"})
	if err != nil {
		t.Fatal(err)
	}
	e2, err := s.AppendAudit(ctx, AuditEntry{Actor: "admin", RecordID: recordID, Field: "date_of_birth",
		Old: nil, New: strp("1990-03-05")})
	if err != nil {
		t.Fatal(err)
	}
	if e1.ID == 0 || e1.At.IsZero() || e2.ID <= e1.ID {
		t.Errorf("entries %+v, %+v: want ids and times set, in order", e1, e2)
	}
	trail, err := s.ListAudit(ctx, recordID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(trail, []AuditEntry{e1, e2}) {
		t.Errorf("ListAudit = %+v, want %+v", trail, []AuditEntry{e1, e2})
	}

	for _, stmt := range []string{
		`UPDATE audit SET new_value = 'forged' WHERE record_id = $1`,
		`DELETE FROM audit WHERE record_id = $1`,
		`TRUNCATE audit`,
	} {
		args := []any{recordID}
		if stmt == `TRUNCATE audit` {
			args = nil
		}
		if _, err := pool.Exec(ctx, stmt, args...); err == nil || pgCode(err) != "42501" {
			t.Errorf("%s: %v, want the append-only refusal (42501)", stmt, err)
		}
	}
	after, err := s.ListAudit(ctx, recordID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(after, trail) {
		t.Errorf("audit changed: %+v", after)
	}

	tests := []struct {
		name string
		e    AuditEntry
		want error
	}{
		{"no actor", AuditEntry{RecordID: recordID}, ErrInvalid},
		{"bad record id", AuditEntry{Actor: "a", RecordID: "r1"}, ErrInvalid},
		{"unknown token", AuditEntry{Actor: "a", RecordID: recordID, TokenID: uuid.NewString()}, ErrNotFound},
	}
	for _, tt := range tests {
		if _, err := s.AppendAudit(ctx, tt.e); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
}

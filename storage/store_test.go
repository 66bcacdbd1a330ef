package storage

import (
	"testing"
)

func TestOpen(t *testing.T) {
	needService(t, "SOHOA_DATABASE_URL")
	s, err := Open(t.Context(), env.adminURL)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(t.Context(), "postgres://nobody@127.0.0.1:1/none?connect_timeout=2"); err == nil {
		t.Error("Open of an unreachable server succeeded")
	}
}

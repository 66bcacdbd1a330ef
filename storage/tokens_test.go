package storage

import (
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
)

func TestTokens(t *testing.T) {
	s, pool := testStore(t)
	ctx := t.Context()

	tok, secret, err := s.CreateToken(ctx, "máy quét 1", RoleScanner)
	if err != nil {
		t.Fatal(err)
	}
	if tok.ID == "" || tok.Role != RoleScanner || tok.Revoked() || len(secret) < 40 {
		t.Fatalf("CreateToken = %+v, secret %q", tok, secret)
	}
	_, secret2, err := s.CreateToken(ctx, "máy quét 1", RoleScanner)
	if err != nil {
		t.Fatal(err)
	}
	if secret2 == secret {
		t.Fatal("two tokens got the same secret")
	}

	// Hashed at rest: no column of the row holds the secret or part of it.
	var row string
	if err := pool.QueryRow(ctx, `SELECT t::text FROM tokens t WHERE id = $1`, tok.ID).Scan(&row); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(row, strings.TrimPrefix(secret, secretPrefix)[:16]) {
		t.Errorf("the token row holds the secret: %s", row)
	}
	var stored []byte
	if err := pool.QueryRow(ctx, `SELECT secret_sha256 FROM tokens WHERE id = $1`, tok.ID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256([]byte(secret)); string(stored) != string(sum[:]) {
		t.Errorf("stored hash is not the secret's SHA-256")
	}

	got, err := s.Authenticate(ctx, secret)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != tok.ID || got.Name != "máy quét 1" || got.Role != RoleScanner {
		t.Errorf("Authenticate = %+v, want %+v", got, tok)
	}
	for _, bad := range []string{"", "sohoa_", secret + "x", secret[:len(secret)-1], strings.TrimPrefix(secret, secretPrefix)} {
		if _, err := s.Authenticate(ctx, bad); !errors.Is(err, ErrUnauthorized) {
			t.Errorf("Authenticate(%q): %v, want ErrUnauthorized", bad, err)
		}
	}

	if err := s.RevokeToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, secret); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("revoked token: %v, want ErrUnauthorized", err)
	}
	if _, err := s.Authenticate(ctx, secret2); err != nil {
		t.Errorf("the other token stopped working: %v", err)
	}
	if err := s.RevokeToken(ctx, tok.ID); err != nil {
		t.Errorf("revoking twice: %v", err)
	}
	if err := s.RevokeToken(ctx, "0b7c3a4e-1f0e-4b8e-9a59-6c1d2e3f4a5b"); !errors.Is(err, ErrNotFound) {
		t.Errorf("revoking an unknown token: %v, want ErrNotFound", err)
	}
	list, err := s.ListTokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var listed Token
	for _, x := range list {
		if x.ID == tok.ID {
			listed = x
		}
	}
	if !listed.Revoked() {
		t.Errorf("ListTokens: revoked token listed as %+v", listed)
	}

	if _, _, err := s.CreateToken(ctx, "x", "root"); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown role: %v, want ErrInvalid", err)
	}
	if _, _, err := s.CreateToken(ctx, "", RoleAdmin); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty name: %v, want ErrInvalid", err)
	}
}

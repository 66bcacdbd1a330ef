package storage

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Role is what a token may do in the service.
type Role string

// Token roles.
const (
	RoleScanner  Role = "scanner"  // uploads pages
	RoleVerifier Role = "verifier" // reviews and corrects records
	RoleLoader   Role = "loader"   // exports records to the civil-status database
	RoleAdmin    Role = "admin"    // everything, including tokens
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleScanner, RoleVerifier, RoleLoader, RoleAdmin:
		return true
	}
	return false
}

// Token is an API credential. Its secret is not kept: only its SHA-256.
type Token struct {
	ID        string
	Name      string
	Role      Role
	CreatedAt time.Time
	RevokedAt time.Time // zero while the token is valid
}

// Revoked reports whether the token was revoked.
func (t Token) Revoked() bool { return !t.RevokedAt.IsZero() }

// secretPrefix marks sohoa token secrets, so that a leaked one is
// recognisable by secret scanners.
const secretPrefix = "sohoa_"

const tokenColumns = `id, name, role::text, created_at, revoked_at`

// CreateToken stores a new token and returns it with its secret. The secret
// is shown only here: the database keeps its SHA-256.
func (s *Store) CreateToken(ctx context.Context, name string, role Role) (Token, string, error) {
	if name == "" {
		return Token{}, "", invalidf("token name is empty")
	}
	if !role.Valid() {
		return Token{}, "", invalidf("token role %q", role)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return Token{}, "", fmt.Errorf("storage: create token: %w", err)
	}
	secret := secretPrefix + base64.RawURLEncoding.EncodeToString(raw)
	t, err := scanToken(s.db.QueryRow(ctx, `INSERT INTO tokens (name, role, secret_sha256)
		VALUES ($1, $2, $3) RETURNING `+tokenColumns, name, string(role), hashSecret(secret)))
	if err != nil {
		return Token{}, "", fmt.Errorf("storage: create token: %w", err)
	}
	return t, secret, nil
}

// Authenticate returns the valid token whose secret this is, or
// ErrUnauthorized (unknown, malformed or revoked).
func (s *Store) Authenticate(ctx context.Context, secret string) (Token, error) {
	if !strings.HasPrefix(secret, secretPrefix) {
		return Token{}, ErrUnauthorized
	}
	t, err := scanToken(s.db.QueryRow(ctx, `SELECT `+tokenColumns+` FROM tokens
		WHERE secret_sha256 = $1 AND revoked_at IS NULL`, hashSecret(secret)))
	if errors.Is(err, pgx.ErrNoRows) {
		return Token{}, ErrUnauthorized
	}
	if err != nil {
		return Token{}, fmt.Errorf("storage: authenticate: %w", err)
	}
	return t, nil
}

// RevokeToken revokes a token for good; revoking it again does nothing. An
// unknown id gives ErrNotFound.
func (s *Store) RevokeToken(ctx context.Context, id string) error {
	uid, ok := parseID(id)
	if !ok {
		return fmt.Errorf("%w: token %q", ErrNotFound, id)
	}
	tag, err := s.db.Exec(ctx, `UPDATE tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1`, uid)
	if err != nil {
		return fmt.Errorf("storage: revoke token %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%w: token %s", ErrNotFound, id)
	}
	return nil
}

// ListTokens returns every token, revoked ones included, oldest first.
func (s *Store) ListTokens(ctx context.Context) ([]Token, error) {
	rows, err := s.db.Query(ctx, `SELECT `+tokenColumns+` FROM tokens ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("storage: list tokens: %w", err)
	}
	tokens, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Token, error) { return scanToken(r) })
	if err != nil {
		return nil, fmt.Errorf("storage: list tokens: %w", err)
	}
	return tokens, nil
}

// hashSecret is what the database keeps of a secret. The secret is 256
// random bits, so a plain SHA-256 (no salt, no slow hash) is enough.
func hashSecret(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

func scanToken(row pgx.Row) (Token, error) {
	var t Token
	var role string
	var revoked *time.Time
	if err := row.Scan(&t.ID, &t.Name, &role, &t.CreatedAt, &revoked); err != nil {
		return Token{}, err
	}
	t.Role = Role(role)
	if revoked != nil {
		t.RevokedAt = *revoked
	}
	return t, nil
}

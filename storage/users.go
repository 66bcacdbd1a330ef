package storage

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/bcrypt"
)

// UserRole is what a person may do in the web UI.
type UserRole string

// User roles.
const (
	UserVerifier   UserRole = "verifier"   // reviews and corrects records
	UserArbitrator UserRole = "arbitrator" // also settles double-entry disagreements
	UserAdmin      UserRole = "admin"      // everything, including review settings
)

// Valid reports whether r is one of the user roles.
func (r UserRole) Valid() bool {
	return r == UserVerifier || r == UserArbitrator || r == UserAdmin
}

// User is a person who logs in to the web UI.
type User struct {
	ID         string
	Username   string
	Role       UserRole
	CreatedAt  time.Time
	DisabledAt time.Time // zero while the user may log in
}

// Disabled reports whether the user may no longer log in.
func (u User) Disabled() bool { return !u.DisabledAt.IsZero() }

// Session is a logged-in user's session. Secret goes in the cookie (only
// its SHA-256 is stored); CSRF is the token forms must send back.
type Session struct {
	Secret    string
	CSRF      string
	User      User
	ExpiresAt time.Time
}

// BcryptCost is the cost of password hashes.
const BcryptCost = 12

var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

const userColumns = `u.id, u.username, u.role, u.created_at, u.disabled_at`

// CreateUser adds a user with a bcrypt hash of password. It returns
// ErrDuplicate when the username is taken, ErrInvalid for a malformed
// username, role or a password shorter than 8 characters.
func (s *Store) CreateUser(ctx context.Context, username string, role UserRole, password string) (User, error) {
	if !usernameRE.MatchString(username) {
		return User{}, invalidf("username %q: want lower-case letters, digits, '.', '_' or '-'", username)
	}
	if !role.Valid() {
		return User{}, invalidf("user role %q", role)
	}
	if len(password) < 8 {
		return User{}, invalidf("password: want at least 8 characters")
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), BcryptCost)
	if err != nil {
		return User{}, invalidf("password: %v", err)
	}
	u, err := scanUser(s.db.QueryRow(ctx, `INSERT INTO users AS u (username, role, password_hash)
		VALUES ($1, $2, $3) RETURNING `+userColumns, username, string(role), string(hash)))
	if pgCode(err) == codeUniqueViolation {
		return User{}, fmt.Errorf("%w: user %s", ErrDuplicate, username)
	}
	if err != nil {
		return User{}, fmt.Errorf("storage: create user: %w", err)
	}
	return u, nil
}

// SetUserDisabled disables (or enables again) the user and, when
// disabling, ends its sessions.
func (s *Store) SetUserDisabled(ctx context.Context, username string, disabled bool) (User, error) {
	var u User
	err := s.WithTx(ctx, func(tx *Store) error {
		var err error
		u, err = scanUser(tx.db.QueryRow(ctx, `UPDATE users AS u SET disabled_at = CASE WHEN $2
			THEN coalesce(disabled_at, now()) ELSE NULL END WHERE username = $1 RETURNING `+userColumns,
			username, disabled))
		if err != nil {
			return notFound(err, "user", username)
		}
		if disabled {
			_, err = tx.db.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, u.ID)
		}
		return err
	})
	return u, err
}

// GetUser returns the user with that username.
func (s *Store) GetUser(ctx context.Context, username string) (User, error) {
	u, err := scanUser(s.db.QueryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE username = $1`, username))
	if err != nil {
		return User{}, notFound(err, "user", username)
	}
	return u, nil
}

// ListUsers returns every user by username.
func (s *Store) ListUsers(ctx context.Context) ([]User, error) {
	rows, err := s.db.Query(ctx, `SELECT `+userColumns+` FROM users u ORDER BY username`)
	if err != nil {
		return nil, fmt.Errorf("storage: list users: %w", err)
	}
	users, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (User, error) { return scanUser(r) })
	if err != nil {
		return nil, fmt.Errorf("storage: list users: %w", err)
	}
	return users, nil
}

// Login checks the password of an enabled user and opens a session of
// lifetime ttl. A wrong username, password or a disabled user give
// ErrUnauthorized alike.
func (s *Store) Login(ctx context.Context, username, password string, ttl time.Duration) (Session, error) {
	var u User
	var hash string
	var disabled *time.Time
	err := s.db.QueryRow(ctx, `SELECT u.id, u.username, u.role, u.created_at, u.disabled_at, u.password_hash
		FROM users u WHERE username = $1`, username).Scan(&u.ID, &u.Username, &u.Role, &u.CreatedAt, &disabled, &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		// Spend the same time as a real check so usernames cannot be probed.
		_ = bcrypt.CompareHashAndPassword([]byte(dummyHash), []byte(password))
		return Session{}, ErrUnauthorized
	}
	if err != nil {
		return Session{}, fmt.Errorf("storage: login: %w", err)
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil || disabled != nil {
		return Session{}, ErrUnauthorized
	}
	secret, csrf := randomToken(), randomToken()
	sess := Session{Secret: secret, CSRF: csrf, User: u}
	err = s.db.QueryRow(ctx, `INSERT INTO sessions (id_sha256, user_id, csrf, expires_at)
		VALUES ($1, $2, $3, now() + $4::interval) RETURNING expires_at`,
		hashSecret(secret), u.ID, csrf, ttl.String()).Scan(&sess.ExpiresAt)
	if err != nil {
		return Session{}, fmt.Errorf("storage: login: %w", err)
	}
	return sess, nil
}

// dummyHash is compared against when the username is unknown.
const dummyHash = "$2a$12$RQ4nbWRwBMk3.U9SgyssgOZ3RORCxMZxoW3IDIp8.Kk9oh9z4g67K"

// GetSession returns the live session of secret with its enabled user, or
// ErrUnauthorized.
func (s *Store) GetSession(ctx context.Context, secret string) (Session, error) {
	if secret == "" {
		return Session{}, ErrUnauthorized
	}
	sess := Session{Secret: secret}
	var disabled *time.Time
	err := s.db.QueryRow(ctx, `SELECT `+userColumns+`, s.csrf, s.expires_at
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id_sha256 = $1 AND s.expires_at > now() AND u.disabled_at IS NULL`, hashSecret(secret)).
		Scan(&sess.User.ID, &sess.User.Username, &sess.User.Role, &sess.User.CreatedAt, &disabled, &sess.CSRF, &sess.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Session{}, ErrUnauthorized
	}
	if err != nil {
		return Session{}, fmt.Errorf("storage: session: %w", err)
	}
	return sess, nil
}

// Logout ends the session of secret; ending an unknown one is not an error.
func (s *Store) Logout(ctx context.Context, secret string) error {
	if _, err := s.db.Exec(ctx, `DELETE FROM sessions WHERE id_sha256 = $1 OR expires_at < now()`,
		hashSecret(secret)); err != nil {
		return fmt.Errorf("storage: logout: %w", err)
	}
	return nil
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err)) // never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func scanUser(row pgx.Row) (User, error) {
	var u User
	var role string
	var disabled *time.Time
	if err := row.Scan(&u.ID, &u.Username, &role, &u.CreatedAt, &disabled); err != nil {
		return User{}, err
	}
	u.Role = UserRole(role)
	if disabled != nil {
		u.DisabledAt = *disabled
	}
	return u, nil
}

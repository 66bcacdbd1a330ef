package server

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/sohoa/sohoa/storage"
)

type tokenKey struct{}

func withToken(ctx context.Context, t storage.Token) context.Context {
	if info := requestInfoFrom(ctx); info != nil {
		info.tokenID = t.ID
	}
	return context.WithValue(ctx, tokenKey{}, t)
}

// tokenFrom returns the authenticated token of the request; ok is false
// on public routes.
func tokenFrom(ctx context.Context) (storage.Token, bool) {
	t, ok := ctx.Value(tokenKey{}).(storage.Token)
	return t, ok
}

// authenticate reads "Authorization: Bearer <secret>" and returns the
// valid token it names, or a 401.
func (s *Server) authenticate(r *http.Request) (storage.Token, error) {
	h := r.Header.Get("Authorization")
	scheme, secret, _ := strings.Cut(h, " ")
	secret = strings.TrimSpace(secret)
	if h == "" || !strings.EqualFold(scheme, "Bearer") || secret == "" {
		return storage.Token{}, errorf(http.StatusUnauthorized, codeUnauthorized,
			"missing token: send Authorization: Bearer <token>")
	}
	t, err := s.store.Authenticate(r.Context(), secret)
	if errors.Is(err, storage.ErrUnauthorized) {
		return storage.Token{}, errorf(http.StatusUnauthorized, codeUnauthorized, "unknown or revoked token")
	}
	if err != nil {
		return storage.Token{}, err
	}
	return t, nil
}

// ownsBatch reports whether the request's token may see batch b: every
// role but scanner sees every batch; a scanner sees the batches it created.
func ownsBatch(ctx context.Context, b storage.Batch) bool {
	t, ok := tokenFrom(ctx)
	if !ok {
		return false
	}
	if t.Role != storage.RoleScanner {
		return true
	}
	creator, _ := b.Metadata[metaCreatedBy].(string)
	return creator != "" && creator == t.ID
}

// batchFor loads the batch named by the {id} path value, as the request's
// token may see it: a scanner asking for another station's batch gets 403.
func (s *Server) batchFor(r *http.Request) (storage.Batch, error) {
	id := r.PathValue("id")
	b, err := s.store.GetBatch(r.Context(), id)
	if errors.Is(err, storage.ErrNotFound) {
		return storage.Batch{}, notFoundf("no batch %q", id)
	}
	if err != nil {
		return storage.Batch{}, err
	}
	if !ownsBatch(r.Context(), b) {
		return storage.Batch{}, errorf(http.StatusForbidden, codeForbidden,
			"batch %s was created by another scanner token", b.ID)
	}
	return b, nil
}

// wwwAuthenticate is sent with every 401.
const wwwAuthenticate = `Bearer realm="sohoa"`

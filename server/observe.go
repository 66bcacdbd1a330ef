package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// requestInfo collects, for the access log, what the handlers learn about a
// request. Only the goroutine serving the request touches it.
type requestInfo struct {
	tokenID string // id (never the secret) of the authenticated token
	err     error  // internal error behind a 5xx, for the log only
}

type requestInfoKey struct{}

func requestInfoFrom(ctx context.Context) *requestInfo {
	info, _ := ctx.Value(requestInfoKey{}).(*requestInfo)
	return info
}

// observe runs next and then logs the request and counts it: method, route
// pattern (never the path with its ids or the query), status and duration.
// Tokens, headers and bodies are never logged.
func (s *Server) observe(w http.ResponseWriter, r *http.Request, next http.HandlerFunc) {
	start := time.Now()
	info := &requestInfo{}
	r = r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, info))
	sw := &statusWriter{ResponseWriter: w}
	h := sw.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				// A response cut on purpose (abortResponse): log it, then
				// let net/http close the connection.
				defer panic(p)
				if info.err == nil {
					info.err = errors.New("response aborted")
				}
			} else {
				info.err = fmt.Errorf("panic: %v", p)
				if sw.status == 0 {
					s.writeError(sw, r, errorf(http.StatusInternalServerError, codeInternal, "internal error"))
				}
			}
		}
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		route := r.Pattern // set by the mux on this request when a route matched
		if route == "" {
			route = "unmatched"
		}
		d := time.Since(start)
		s.metrics.observeRequest(route, r.Method, status, d)
		attrs := []slog.Attr{
			slog.String("method", r.Method),
			slog.String("route", route),
			slog.Int("status", status),
			slog.Duration("duration", d),
			slog.Int64("bytes", sw.bytes),
		}
		if info.tokenID != "" {
			attrs = append(attrs, slog.String("token_id", info.tokenID))
		}
		level := slog.LevelInfo
		if info.err != nil {
			attrs = append(attrs, slog.String("err", info.err.Error()))
			level = slog.LevelError
		}
		s.log.LogAttrs(r.Context(), level, "http request", attrs...)
	}()
	next(sw, r)
}

// statusWriter remembers the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

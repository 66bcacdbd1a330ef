package server

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/sohoa/sohoa/storage"
)

// readyTimeout bounds each readiness check.
const readyTimeout = 3 * time.Second

// healthz answers 200 while the process serves HTTP.
func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

// Readiness is the body of /readyz: "ok" or "unavailable" overall and per
// dependency ("not configured" for a queue that is not wired).
type Readiness struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

// readyz checks PostgreSQL, the object store and the task queue at once;
// any failure answers 503. Details of a failure go to the log only.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	checks := map[string]func(context.Context) error{
		"postgres": s.pingDB,
		"objects":  s.objects.EnsureBuckets,
	}
	res := Readiness{Status: "ok", Checks: map[string]string{"queue": "not configured"}}
	if s.inspector != nil {
		checks["queue"] = func(ctx context.Context) error {
			_, err := s.inspector.QueueDepth(ctx)
			return err
		}
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for name, check := range checks {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
			defer cancel()
			err := check(ctx)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				s.log.Warn("readiness check failed", "check", name, "err", err)
				res.Checks[name] = "unavailable"
				res.Status = "unavailable"
				return
			}
			res.Checks[name] = "ok"
		})
	}
	wg.Wait()
	status := http.StatusOK
	if res.Status != "ok" {
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, res)
	return nil
}

func (s *Server) pingDB(ctx context.Context) error {
	if s.db != nil {
		return s.db.Ping(ctx)
	}
	_, err := s.store.ListBatches(ctx, storage.ListBatchesOptions{Limit: 1})
	return err
}

// serveMetrics serves the registry in the Prometheus text format. A
// collector that fails (the queue unreachable) leaves out its metrics only.
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) error {
	promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}).ServeHTTP(w, r)
	return nil
}

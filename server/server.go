package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/sohoa/sohoa/preprocess"
	"github.com/sohoa/sohoa/storage"
)

// Enqueuer puts a page's first pipeline stage (cleanup) on the task queue.
// class is the queue priority class of the batch's priority: "critical",
// "default" or "low" (see Priority.QueueClass); the task goes to that
// class's cleanup queue. It must be idempotent: PostgreSQL is the source of
// truth, and a page whose enqueue failed is enqueued again by the
// reconciler.
type Enqueuer interface {
	EnqueuePage(ctx context.Context, pageID string, class string) error
}

// TaskInspector shows failed (archived) tasks and re-runs them. Retry wraps
// ErrTaskNotFound when no such failed task exists.
type TaskInspector interface {
	ListFailed(ctx context.Context) ([]FailedTask, error)
	Retry(ctx context.Context, queue, id string) error
	QueueDepth(ctx context.Context) (map[string]int, error)
}

// Pinger checks that a dependency answers (a *pgxpool.Pool does).
type Pinger interface {
	Ping(ctx context.Context) error
}

// Options configures New. Store and Objects are required.
type Options struct {
	Store   *storage.Store
	Objects *storage.Objects
	// DB, when set, is pinged by /readyz; otherwise /readyz runs a small
	// query through Store.
	DB Pinger
	// Enqueuer and Inspector may be nil: pages are then stored in state
	// uploaded without being enqueued (the reconciler picks them up once a
	// queue runs), and the task routes answer 503.
	Enqueuer  Enqueuer
	Inspector TaskInspector
	// Exports queues the book exports asked for over the API; nil leaves
	// them queued in PostgreSQL for the reconciler.
	Exports ExportEnqueuer
	Logger  *slog.Logger // nil discards logs
	// Registry receives the server's metrics and is what /metrics serves;
	// nil makes a new one with the Go and process collectors.
	Registry *prometheus.Registry

	MaxUploadBytes int64         // largest page image; 0 means 256 MiB
	MaxPixels      int64         // largest page, in pixels; 0 means 60 million
	MaxJSONBytes   int64         // largest JSON request body; 0 means 1 MiB
	PresignExpiry  time.Duration // lifetime of presigned PUT URLs; 0 means 1 hour
	// NearDuplicateDistance is the largest dHash distance (bits of 64) at
	// which two pages are reported as similar; 0 means 2, negative turns
	// the check off. Two different pages of the same printed form were seen
	// as little as 4 bits apart on this whole-page hash (synthetic register
	// books), so the default stays below that.
	NearDuplicateDistance int
	// TempDir holds uploads while they are checked; "" means os.TempDir().
	TempDir string
	// HashConcurrency bounds the images decoded at once for the dHash; 0
	// means the number of CPUs.
	HashConcurrency int
	// Web, when set, serves the verification UI under /ui/, /login and
	// /logout; it authenticates people by session itself.
	Web http.Handler
}

// Server is the HTTP API. It is an http.Handler and safe for concurrent use.
type Server struct {
	store     *storage.Store
	objects   *storage.Objects
	db        Pinger
	enqueuer  Enqueuer
	inspector TaskInspector
	exports   ExportEnqueuer
	log       *slog.Logger
	registry  *prometheus.Registry
	metrics   *metrics
	mux       *http.ServeMux

	maxUpload     int64
	maxPixels     int64
	maxJSON       int64
	presignExpiry time.Duration
	nearDistance  int
	tempDir       string
	hashSlots     chan struct{}
}

// New returns a Server over opts and registers its metrics.
func New(opts Options) (*Server, error) {
	if opts.Store == nil || opts.Objects == nil {
		return nil, errors.New("server: Store and Objects are required")
	}
	s := &Server{
		store:         opts.Store,
		objects:       opts.Objects,
		db:            opts.DB,
		enqueuer:      opts.Enqueuer,
		inspector:     opts.Inspector,
		exports:       opts.Exports,
		log:           opts.Logger,
		registry:      opts.Registry,
		maxUpload:     opts.MaxUploadBytes,
		maxPixels:     opts.MaxPixels,
		maxJSON:       opts.MaxJSONBytes,
		presignExpiry: opts.PresignExpiry,
		nearDistance:  opts.NearDuplicateDistance,
		tempDir:       opts.TempDir,
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.maxUpload <= 0 {
		s.maxUpload = preprocess.DefaultLimits().MaxFileBytes
	}
	if s.maxPixels <= 0 {
		s.maxPixels = preprocess.DefaultLimits().MaxPixels
	}
	if s.maxJSON <= 0 {
		s.maxJSON = 1 << 20
	}
	if s.presignExpiry <= 0 {
		s.presignExpiry = time.Hour
	}
	if s.nearDistance == 0 {
		s.nearDistance = 2
	}
	n := opts.HashConcurrency
	if n <= 0 {
		n = runtime.NumCPU()
	}
	s.hashSlots = make(chan struct{}, n)
	if s.registry == nil {
		s.registry = prometheus.NewRegistry()
		if err := s.registry.Register(collectors.NewGoCollector()); err != nil {
			return nil, err
		}
		if err := s.registry.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})); err != nil {
			return nil, err
		}
	}
	m, err := newMetrics(s.registry, s.inspector, s.log)
	if err != nil {
		return nil, err
	}
	s.metrics = m
	s.mux = http.NewServeMux()
	for _, rt := range s.routes() {
		s.mux.Handle(rt.pattern, s.wrap(rt))
	}
	if opts.Web != nil {
		for _, p := range []string{"/ui/", "/login", "/logout"} {
			s.mux.Handle(p, opts.Web)
		}
	}
	return s, nil
}

// ServeHTTP serves the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.observe(w, r, s.dispatch)
}

// dispatch routes r, answering unknown paths and methods with JSON errors.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	if _, pattern := s.mux.Handler(r); pattern == "" {
		// Let the mux decide between 404 and 405 (and its Allow header),
		// then answer in JSON.
		h, _ := s.mux.Handler(r)
		c := &statusCapture{header: http.Header{}}
		h.ServeHTTP(c, r)
		if allow := c.header.Get("Allow"); allow != "" {
			w.Header().Set("Allow", allow)
		}
		switch c.status {
		case http.StatusMethodNotAllowed:
			s.writeError(w, r, errorf(c.status, codeMethodNotAllowed, "method %s is not allowed here", r.Method))
		case http.StatusNotFound, 0:
			s.writeError(w, r, notFoundf("no such endpoint"))
		default:
			// Redirects (a path to clean) pass through.
			for k, v := range c.header {
				w.Header()[k] = v
			}
			w.WriteHeader(c.status)
		}
		return
	}
	s.mux.ServeHTTP(w, r)
}

// statusCapture records what a handler would answer, dropping the body.
type statusCapture struct {
	header http.Header
	status int
}

func (c *statusCapture) Header() http.Header { return c.header }
func (c *statusCapture) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	return len(b), nil
}
func (c *statusCapture) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
}

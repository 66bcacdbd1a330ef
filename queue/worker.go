package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/hibiken/asynq"

	"github.com/sohoa/sohoa/bookexport"
	"github.com/sohoa/sohoa/ocr"
	"github.com/sohoa/sohoa/pipeline"
	"github.com/sohoa/sohoa/preprocess"
	"github.com/sohoa/sohoa/storage"
)

// DefaultPollInterval is WorkerConfig.PollInterval's default. An empty
// look is one Redis script over the queues the worker serves: an idle
// worker looking five times a second instead of once costs Redis about
// 0.2 % of a core more, and the worker 0.4 % (BENCHMARKS.md, "Service").
const DefaultPollInterval = 200 * time.Millisecond

// WorkerConfig configures NewWorker. Redis, Store, Objects and Scanner are
// required.
type WorkerConfig struct {
	Redis   asynq.RedisConnOpt
	Store   *storage.Store
	Objects *storage.Objects
	// Scanner is the extraction stage, set up as `sohoa scan` sets it up
	// (extract.LoadTemplates, confidence.Default(), ReOCR), so that the
	// worker's records equal scan's. Scanner.Preprocess is the cleanup's
	// options.
	Scanner *pipeline.Scanner
	// Concurrency is how many tasks run at once, each with its own OCR
	// engine (default: the number of CPUs).
	Concurrency int
	// Queues and their weights (default DefaultQueues; see Queues for how
	// they order the work). StrictPriority ignores the weights and serves
	// the queues in Queues' order, each only when those before it are
	// empty: critical before default before low, and within a class
	// routing before OCR before cleanup (then the legacy queue).
	Queues         map[string]int
	StrictPriority bool
	// Options are the task options of the stages the worker enqueues
	// (the next stage of a page, the reconciler's).
	Options Options
	Limits  preprocess.Limits // decoding limits (default preprocess.DefaultLimits)
	// Access sets the pages' access copies, which exported PDFs hold
	// (default: 200 dpi, JPEG quality 75).
	Access preprocess.AccessOptions
	// ExportConcurrency is how many book exports (QueueExports) the worker
	// runs at once, beside and apart from its Concurrency page tasks
	// (default 1; negative: the worker runs no exports).
	ExportConcurrency int
	// Export is what the book exports asked for over the API are written
	// with (the workbook's columns, the PDFs' font).
	Export bookexport.JobOptions
	OCR    ocr.Options // default ocr.DefaultOptions
	// ShutdownTimeout is how long Run waits, once its context is done, for
	// running tasks to finish before handing them back to the queue
	// (default 30 s).
	ShutdownTimeout time.Duration
	// LeaseGrace is added to a task's deadline for the page's lease in
	// PostgreSQL, during which the reconciler leaves the page alone
	// (default 10 s).
	LeaseGrace time.Duration
	// ReconcileInterval is how often the reconciler looks for stuck pages
	// (default 30 s; negative: no reconciler). StuckAfter is how long a
	// page must have stayed in its state, with no lease, to count as stuck
	// (default 2 min).
	ReconcileInterval time.Duration
	StuckAfter        time.Duration
	// PollInterval is about how long the worker waits before it looks
	// again for a page task when every page queue it serves is empty
	// (default DefaultPollInterval). asynq's own default, a second, let a
	// page enqueued just after an empty look wait up to 1.5 s while a
	// slot stood idle: at the start of a batch, and whenever a stage's
	// next task was enqueued while the queues were empty. Book exports,
	// which take many seconds, keep asynq's second.
	PollInterval time.Duration
	// RetryDelay is how long a failed stage waits before its n-th retry
	// (n ≥ 1), e.g. Backoff(time.Second, time.Minute). Default: asynq's
	// backoff, 15–45 s before the first retry, growing as n⁴.
	RetryDelay func(n int) time.Duration
	Metrics    *Metrics     // may be nil
	Logger     *slog.Logger // default: discard

	// beforeStage, when set (tests), runs after the page is leased and
	// before the stage's work.
	beforeStage func(ctx context.Context, s Stage, page storage.Page)
}

// Worker runs the stage tasks of the queues it serves, and the reconciler.
type Worker struct {
	cfg    WorkerConfig
	client *Client
	pool   *ocr.Pool
	mux    *asynq.ServeMux
	log    *slog.Logger
	bufs   buffers // for the cleaned images (storeCleaned, loadCleaned)
	// handoff passes cleaned pages from this worker's cleanup tasks to its
	// OCR tasks without the round trip through the object store.
	handoff *handoff
	// running counts handlers in progress: Run waits for them before
	// closing the OCR engines they use.
	running sync.WaitGroup
}

// NewWorker checks cfg and starts the OCR engines. Close the worker (or let
// Run return) to release them.
func NewWorker(cfg WorkerConfig) (*Worker, error) {
	if cfg.Redis == nil || cfg.Store == nil || cfg.Objects == nil || cfg.Scanner == nil ||
		cfg.Scanner.Templates == nil || cfg.Scanner.Model == nil {
		return nil, invalidf("worker: Redis, Store, Objects and Scanner (with templates and model) are required")
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = runtime.NumCPU()
	}
	if cfg.Queues == nil {
		cfg.Queues = DefaultQueues()
	}
	for q, w := range cfg.Queues {
		if !knownQueue(q) || q == QueueExports || w < 1 {
			return nil, invalidf("worker: queue %q weight %d", q, w)
		}
	}
	if cfg.ExportConcurrency == 0 {
		cfg.ExportConcurrency = 1
	}
	if cfg.Limits == (preprocess.Limits{}) {
		cfg.Limits = preprocess.DefaultLimits()
	}
	if cfg.OCR.Language == "" {
		cfg.OCR = ocr.DefaultOptions()
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 30 * time.Second
	}
	if cfg.LeaseGrace <= 0 {
		cfg.LeaseGrace = 10 * time.Second
	}
	if cfg.ReconcileInterval == 0 {
		cfg.ReconcileInterval = 30 * time.Second
	}
	if cfg.StuckAfter <= 0 {
		cfg.StuckAfter = 2 * time.Minute
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	pool, err := ocr.NewPool(cfg.Concurrency, cfg.OCR)
	if err != nil {
		return nil, fmt.Errorf("queue: worker: %w", err)
	}
	w := &Worker{
		cfg:    cfg,
		client: NewClient(cfg.Redis, cfg.Store, cfg.Options),
		pool:   pool,
		mux:    asynq.NewServeMux(),
		log:    cfg.Logger,
		// One page per slot and one more: OCR tasks outrank cleanup
		// (stage weights), so a page cleaned here is usually taken up by
		// the next free slot.
		handoff: newHandoff(cfg.Concurrency + 1),
	}
	w.mux.HandleFunc(TypeCleanup, w.handler(StageCleanup, w.cleanup))
	w.mux.HandleFunc(TypeOCR, w.handler(StageOCR, w.recognize))
	w.mux.HandleFunc(TypeRouting, w.handler(StageRouting, w.route))
	w.mux.HandleFunc(TypeBookExport, w.bookExport)
	return w, nil
}

// Client is the worker's queue client.
func (w *Worker) Client() *Client { return w.client }

// ProcessTask runs one task as the worker's server would (tests, tools).
func (w *Worker) ProcessTask(ctx context.Context, t *asynq.Task) error {
	return w.mux.ProcessTask(ctx, t)
}

// Close releases the OCR engines and the Redis connections. The worker must
// be idle (Run returned or never called).
func (w *Worker) Close() error {
	w.handoff.close()
	return errors.Join(w.pool.Close(), w.client.Close())
}

// Run serves the queues and runs the reconciler until ctx is done, then
// shuts down gracefully: it stops taking tasks, waits up to ShutdownTimeout
// for running ones and hands back to the queue those that did not finish.
// It closes the worker before returning.
func (w *Worker) Run(ctx context.Context) error {
	defer w.Close()
	// Handlers get a context that outlives Run's: shutting down lets
	// running stages finish instead of cancelling them. It is cancelled
	// once the server has handed back what did not finish in time.
	base, abort := context.WithCancel(context.Background())
	defer abort()
	config := func(concurrency int, queues map[string]int, strict bool, poll time.Duration) asynq.Config {
		return asynq.Config{
			Concurrency:     concurrency,
			Queues:          queues,
			StrictPriority:  strict,
			ShutdownTimeout: w.cfg.ShutdownTimeout,
			// asynq sleeps between half and one and a half of it
			TaskCheckInterval: poll,
			Logger:            asynqLogger{w.log},
			LogLevel:          asynq.WarnLevel,
			BaseContext:       func() context.Context { return base },
			RetryDelayFunc:    w.retryDelay(),
		}
	}
	srv := asynq.NewServer(w.cfg.Redis,
		config(w.cfg.Concurrency, serverQueues(w.cfg.Queues, w.cfg.StrictPriority), w.cfg.StrictPriority, w.cfg.PollInterval))
	if err := srv.Start(w.mux); err != nil {
		return fmt.Errorf("queue: worker: %w", err)
	}
	var exports *asynq.Server
	if w.cfg.ExportConcurrency > 0 {
		exports = asynq.NewServer(w.cfg.Redis, config(w.cfg.ExportConcurrency, map[string]int{QueueExports: 1}, false, time.Second))
		if err := exports.Start(w.mux); err != nil {
			srv.Shutdown()
			return fmt.Errorf("queue: worker: exports: %w", err)
		}
	}
	w.log.Info("worker started", "concurrency", w.cfg.Concurrency, "queues", w.cfg.Queues,
		"export_concurrency", max(w.cfg.ExportConcurrency, 0))
	recDone := make(chan struct{})
	go func() {
		defer close(recDone)
		if w.cfg.ReconcileInterval > 0 {
			w.client.RunReconciler(ctx, w.cfg.ReconcileInterval, w.cfg.StuckAfter, w.log)
		}
	}()
	<-ctx.Done()
	w.log.Info("worker stopping")
	var stopping sync.WaitGroup // the two servers stop at once
	if exports != nil {
		stopping.Go(exports.Shutdown)
	}
	srv.Shutdown()
	stopping.Wait()
	abort()
	w.running.Wait()
	<-recDone
	w.log.Info("worker stopped")
	return nil
}

// serverQueues are the queue weights given to asynq. In strict mode asynq
// serves the queues by decreasing weight, and the products of class and
// stage weights tie (critical:ocr and default:routing both weigh 12, and
// asynq's sort leaves ties in map order, a different order at each
// start); the weights are replaced by ranks in Queues' order instead.
func serverQueues(queues map[string]int, strict bool) map[string]int {
	if !strict {
		return queues
	}
	out := make(map[string]int, len(queues))
	rank := len(PageQueues())
	for _, q := range PageQueues() {
		if _, ok := queues[q]; ok {
			out[q] = rank
		}
		rank--
	}
	return out
}

// retryDelay is the asynq form of cfg.RetryDelay; nil for asynq's default.
func (w *Worker) retryDelay() asynq.RetryDelayFunc {
	f := w.cfg.RetryDelay
	if f == nil {
		return nil
	}
	// asynq counts the retries done so far: 0 for the first.
	return func(retried int, _ error, _ *asynq.Task) time.Duration { return f(retried + 1) }
}

// asynqLogger sends asynq's log lines to slog.
type asynqLogger struct{ l *slog.Logger }

func (a asynqLogger) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...), "component", "asynq") }
func (a asynqLogger) Info(args ...any)  { a.l.Info(fmt.Sprint(args...), "component", "asynq") }
func (a asynqLogger) Warn(args ...any)  { a.l.Warn(fmt.Sprint(args...), "component", "asynq") }
func (a asynqLogger) Error(args ...any) { a.l.Error(fmt.Sprint(args...), "component", "asynq") }
func (a asynqLogger) Fatal(args ...any) {
	a.l.Error(fmt.Sprint(args...), "component", "asynq", "fatal", true)
}

package server

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the server's Prometheus metrics.
type metrics struct {
	requests *prometheus.CounterVec   // by route, method, code
	latency  *prometheus.HistogramVec // by route, method
	uploads  *prometheus.CounterVec   // by outcome, reason
}

func newMetrics(reg prometheus.Registerer, inspector TaskInspector, log *slog.Logger) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sohoa_http_requests_total",
			Help: "HTTP requests served, by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "sohoa_http_request_duration_seconds",
			Help:    "Time to serve HTTP requests, by route pattern and method.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"route", "method"}),
		uploads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sohoa_uploads_total",
			Help: "Page uploads by outcome (accepted, duplicate, near_duplicate, refused) and refusal reason.",
		}, []string{"outcome", "reason"}),
	}
	cs := []prometheus.Collector{m.requests, m.latency, m.uploads}
	if inspector != nil {
		cs = append(cs, &queueCollector{inspector: inspector, log: log, desc: prometheus.NewDesc(
			"sohoa_queue_depth", "Tasks waiting or running in each task queue.", []string{"queue"}, nil)})
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// observeRequest counts a served request.
func (m *metrics) observeRequest(route string, method string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route, method).Observe(d.Seconds())
}

// queueCollector reports the queue depth by asking the TaskInspector at
// each scrape.
type queueCollector struct {
	inspector TaskInspector
	log       *slog.Logger
	desc      *prometheus.Desc
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	depth, err := c.inspector.QueueDepth(ctx)
	if err != nil {
		c.log.Warn("queue depth", "err", err)
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	for q, n := range depth {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), q)
	}
}

package queue

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Outcomes of a stage run (label "outcome" of sohoa_pages_processed_total).
const (
	OutcomeOK      = "ok"      // the stage did its work and moved the page on
	OutcomeSkipped = "skipped" // nothing to do: the page was not in the stage's state (a repeated delivery)
	OutcomeRetry   = "retry"   // failed, will be retried
	OutcomeFailed  = "failed"  // failed for good: the page is failed, the task archived
)

// Metrics are the worker's Prometheus metrics. A nil *Metrics records
// nothing.
type Metrics struct {
	pages      *prometheus.CounterVec   // stage, outcome
	latency    *prometheus.HistogramVec // stage
	confidence *prometheus.HistogramVec // status
	fields     *prometheus.CounterVec   // status
}

// NewMetrics creates the metrics and registers them on reg:
//
//	sohoa_pages_processed_total{stage,outcome}  counter
//	sohoa_stage_duration_seconds{stage}         histogram
//	sohoa_field_confidence{status}              histogram of routed fields' confidence
//	sohoa_fields_routed_total{status}           counter of routed fields (accepted, review)
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		pages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sohoa_pages_processed_total",
			Help: "Stage runs on pages, by stage and outcome (ok, skipped, retry, failed).",
		}, []string{"stage", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "sohoa_stage_duration_seconds",
			Help:    "Time a stage took on one page.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120, 300, 600},
		}, []string{"stage"}),
		confidence: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "sohoa_field_confidence",
			Help:    "Confidence of routed fields, by routing status.",
			Buckets: prometheus.LinearBuckets(0.1, 0.1, 9),
		}, []string{"status"}),
		fields: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sohoa_fields_routed_total",
			Help: "Fields routed, by status (accepted, review).",
		}, []string{"status"}),
	}
	for _, c := range []prometheus.Collector{m.pages, m.latency, m.confidence, m.fields} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("queue: metrics: %w", err)
		}
	}
	for _, s := range Stages() {
		for _, o := range []string{OutcomeOK, OutcomeSkipped, OutcomeRetry, OutcomeFailed} {
			m.pages.WithLabelValues(string(s), o)
		}
	}
	return m, nil
}

func (m *Metrics) stageDone(s Stage, outcome string, d time.Duration) {
	if m == nil {
		return
	}
	m.pages.WithLabelValues(string(s), outcome).Inc()
	if outcome == OutcomeOK {
		m.latency.WithLabelValues(string(s)).Observe(d.Seconds())
	}
}

func (m *Metrics) field(status string, conf float64) {
	if m == nil {
		return
	}
	m.fields.WithLabelValues(status).Inc()
	m.confidence.WithLabelValues(status).Observe(conf)
}

// QueueCollector exports the depth of every queue as the gauge
// sohoa_queue_depth{queue} (tasks pending, active, scheduled or retrying)
// and archived tasks as sohoa_queue_failed_tasks{queue}, read from Redis at
// each scrape. Register it with reg.Register(queue.QueueCollector(c)).
func QueueCollector(c *Client) prometheus.Collector {
	return &queueCollector{
		c: c,
		depth: prometheus.NewDesc("sohoa_queue_depth",
			"Tasks pending, active, scheduled or waiting for a retry, per queue.", []string{"queue"}, nil),
		archived: prometheus.NewDesc("sohoa_queue_failed_tasks",
			"Archived (failed) tasks, per queue.", []string{"queue"}, nil),
	}
}

type queueCollector struct {
	c               *Client
	depth, archived *prometheus.Desc
}

func (q *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- q.depth
	ch <- q.archived
}

func (q *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	stats, err := q.c.queueStats(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(q.depth, err)
		return
	}
	for name, s := range stats {
		ch <- prometheus.MustNewConstMetric(q.depth, prometheus.GaugeValue, float64(s.depth), name)
		ch <- prometheus.MustNewConstMetric(q.archived, prometheus.GaugeValue, float64(s.archived), name)
	}
}

package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is the service's Prometheus collectors, on their own registry
// (not the global default, so tests and several servers in one process do
// not collide).
type Metrics struct {
	Registry     *prometheus.Registry
	requests     *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	roomsCreated prometheus.Counter
	denials      *prometheus.CounterVec
	rateLimited  prometheus.Counter
}

// NewMetrics creates and registers the collectors.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "roomgate_http_requests_total", Help: "HTTP requests by route template, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "roomgate_http_request_duration_seconds", Help: "HTTP request latency by route template and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method"}),
		roomsCreated: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "roomgate_rooms_created_total", Help: "Rooms created (not counting idempotent replays or existing direct rooms).",
		}),
		denials: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "roomgate_denials_total", Help: "Requests refused with 401 or 403, by problem code.",
		}, []string{"reason"}),
		rateLimited: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "roomgate_rate_limited_total", Help: "Requests refused by the per-user rate limiter.",
		}),
	}
	m.Registry.MustRegister(m.requests, m.duration, m.roomsCreated, m.denials, m.rateLimited,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
}

func (m *Metrics) observe(route, method string, code int, d time.Duration) {
	method = methodLabel(method)
	m.requests.WithLabelValues(route, method, strconv.Itoa(code)).Inc()
	m.duration.WithLabelValues(route, method).Observe(d.Seconds())
}

// methodLabel maps the request method to a bounded label: the method comes
// from the client verbatim, and any token is a valid method, so a scan with
// random methods would otherwise create a new series per request.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "other"
}

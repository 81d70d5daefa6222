package main

// Prometheus metrics on METRICS_PORT, as the TypeScript kit serves them (packages/platform/src/telemetry.ts and
// metrics.ts): the same names, labels and buckets as its OpenTelemetry exporter writes them, so the dashboard
// (deploy/grafana/globalmart-slo.json) and a scrape config read either engine alike. Series carry service_name; the
// probes are not counted.

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// OpenTelemetry's default buckets for http.server.request.duration (seconds), the TypeScript side's.
var httpDurationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

// The kit's event-lag buckets (metrics.ts, globalmart.events.lag).
var eventLagBuckets = []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

// metricProbes are left out of the HTTP histogram, as the kit's HttpInstrumentation ignores them.
var metricProbes = map[string]bool{"/healthz": true, "/readyz": true}

type Metrics struct {
	registry       *prometheus.Registry
	httpDuration   *prometheus.HistogramVec
	eventsConsumed *prometheus.CounterVec
	eventsRetried  *prometheus.CounterVec
	eventLag       *prometheus.HistogramVec
}

func NewMetrics(serviceName string) *Metrics {
	labels := prometheus.Labels{"service_name": serviceName}
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "http_server_request_duration", Help: "Duration of HTTP server requests.", ConstLabels: labels, Buckets: httpDurationBuckets,
		}, []string{"http_request_method", "http_route", "http_response_status_code"}),
		eventsConsumed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "globalmart_events_consumed_total", Help: "Events delivered to a subscriber and taken", ConstLabels: labels,
		}, []string{"topic", "type", "outcome"}),
		eventsRetried: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "globalmart_events_retried_total", Help: "Events a subscriber asked Dapr to redeliver", ConstLabels: labels,
		}, []string{"topic", "type"}),
		eventLag: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "globalmart_events_lag", Help: "From publish (CloudEvent time) to delivery to a subscriber", ConstLabels: labels, Buckets: eventLagBuckets,
		}, []string{"topic", "type"}),
	}
	m.registry.MustRegister(m.httpDuration, m.eventsConsumed, m.eventsRetried, m.eventLag)
	return m
}

// ObserveRequest records one answered request; route is the matched route ("" when none matched: no http_route).
func (m *Metrics) ObserveRequest(method, path, route string, status int, took time.Duration) {
	if metricProbes[path] {
		return
	}
	m.httpDuration.WithLabelValues(method, route, strconv.Itoa(status)).Observe(took.Seconds())
}

// Subscribed starts an event type's retry counter at 0 (a rate over no series is no data, not 0), as the kit does.
func (m *Metrics) Subscribed(topic, eventType string) {
	m.eventsRetried.WithLabelValues(topic, eventType).Add(0)
}

// Delivered records a delivery's answer to Dapr (SUCCESS → applied, DROP → dropped, RETRY → retried) and its lag.
func (m *Metrics) Delivered(topic, eventType, status string, published time.Time) {
	if !published.IsZero() {
		m.eventLag.WithLabelValues(topic, eventType).Observe(max(0, time.Since(published).Seconds()))
	}
	switch status {
	case "RETRY":
		m.eventsRetried.WithLabelValues(topic, eventType).Inc()
	case "DROP":
		m.eventsConsumed.WithLabelValues(topic, eventType, "dropped").Inc()
	default:
		m.eventsConsumed.WithLabelValues(topic, eventType, "applied").Inc()
	}
}

func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// ServeMetrics serves /metrics on host:port in the background. A taken port does not stop the service: it says so
// once and runs on without metrics, as the kit does. Returns the address it listens on ("" when it could not).
func (m *Metrics) ServeMetrics(host string, port int, log *slog.Logger) string {
	listener, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		log.Error("metrics endpoint not started", "host", host, "port", port, "err", err.Error())
		return ""
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics endpoint failed", "err", err.Error())
		}
	}()
	return listener.Addr().String()
}

package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The metrics endpoint serves what the TypeScript kit's does, by the same names: requests by route and status
// (probes left out), event deliveries by outcome, retries from 0, the lag from the CloudEvent's time.
func TestMetricsEndpoint(t *testing.T) {
	m := NewMetrics("recommendations")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := &server{cfg: Config{AppID: "recommendations"}, log: log, table: loadAppTable(), query: loadQueryRules(), metrics: m}
	for _, sub := range srv.table.Subscriptions {
		m.Subscribed(sub.Topic, sub.Type)
	}
	for _, path := range []string{"/healthz", "/nowhere", "/nowhere"} {
		srv.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil))
	}
	m.ObserveRequest(http.MethodGet, "/recommendations", "/recommendations", 200, 30*time.Millisecond)
	m.Delivered("orders", "OrderConfirmed", "SUCCESS", time.Now().Add(-2*time.Second))
	m.Delivered("orders", "OrderConfirmed", "DROP", time.Time{})
	m.Delivered("orders", "OrderConfirmed", "RETRY", time.Time{})

	addr := m.ServeMetrics("127.0.0.1", 0, log)
	if addr == "" {
		t.Fatal("the metrics endpoint did not start")
	}
	res, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	body := string(raw)
	if res.StatusCode != 200 {
		t.Fatalf("GET /metrics = %d", res.StatusCode)
	}
	for _, want := range []string{
		`http_server_request_duration_count{http_request_method="GET",http_response_status_code="200",http_route="/recommendations",service_name="recommendations"} 1`,
		`http_server_request_duration_bucket{http_request_method="GET",http_response_status_code="200",http_route="/recommendations",service_name="recommendations",le="0.05"} 1`,
		`http_server_request_duration_count{http_request_method="GET",http_response_status_code="404",http_route="",service_name="recommendations"} 2`,
		`globalmart_events_consumed_total{outcome="applied",service_name="recommendations",topic="orders",type="OrderConfirmed"} 1`,
		`globalmart_events_consumed_total{outcome="dropped",service_name="recommendations",topic="orders",type="OrderConfirmed"} 1`,
		`globalmart_events_retried_total{service_name="recommendations",topic="orders",type="OrderConfirmed"} 1`,
		`globalmart_events_lag_count{service_name="recommendations",topic="orders",type="OrderConfirmed"} 1`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("missing %s in\n%s", want, body)
		}
	}
	if strings.Contains(body, "/healthz") {
		t.Error("a probe was counted")
	}
	// Every subscription's retry counter is there from the start, at 0.
	for _, sub := range srv.table.Subscriptions {
		if !strings.Contains(body, `globalmart_events_retried_total{service_name="recommendations",topic="`+sub.Topic+`",type="`+sub.Type+`"}`) {
			t.Errorf("no retry counter for %s", sub.Type)
		}
	}
}

// recommendations-go: the Go twin of services/recommendations (same app-id, routes, subscriptions, answers and state
// layout), reached only through its Dapr sidecar and talking only to it (plain HTTP to the sidecar's API).
package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err.Error())
		os.Exit(1)
	}
	log := newLogger(cfg)
	sidecar := NewSidecar(cfg.DaprHost, cfg.DaprHTTPPort, cfg.DaprAPIToken)
	model := NewModel()
	learner := NewLearner(sidecar.State("statestore"), model, log, cfg)
	catalog := NewCatalogSync(sidecar, model, log)
	var draining atomic.Bool
	metrics := NewMetrics(cfg.AppID)
	srv := &server{
		cfg: cfg, log: log, sidecar: sidecar, model: model, learner: learner, catalog: catalog,
		table: loadAppTable(), query: loadQueryRules(), tokenHash: sha256.Sum256([]byte(cfg.AppAPIToken)), draining: draining.Load,
		metrics: metrics,
	}
	for _, sub := range srv.table.Subscriptions {
		metrics.Subscribed(sub.Topic, sub.Type)
	}
	if cfg.MetricsPort >= 0 {
		if addr := metrics.ServeMetrics(cfg.MetricsHost, cfg.MetricsPort, log); addr != "" {
			log.Info("metrics on http://"+addr+"/metrics", "url", "http://"+addr+"/metrics")
		}
	}
	if cfg.AppAPIToken == "" {
		log.Warn("APP_API_TOKEN is not set: the app port accepts calls without the sidecar's token (development only)")
	}
	listener, err := net.Listen("tcp", net.JoinHostPort(cfg.AppHost, strconv.Itoa(cfg.AppPort)))
	if err != nil {
		log.Error(fmt.Sprintf("cannot listen on %s:%d", cfg.AppHost, cfg.AppPort), "err", err.Error())
		os.Exit(1)
	}
	// Longer than the sidecar's idle keep-alive, so the app never closes a connection Dapr is about to reuse.
	httpServer := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 65 * time.Second}
	go func() {
		if err := httpServer.Serve(listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("server failed", "err", err.Error())
			os.Exit(1)
		}
	}()
	url := "http://" + listener.Addr().String()
	log.Info(fmt.Sprintf("%s listening on %s", cfg.AppID, url), "url", url)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	go every(ctx, log, "recommendation counts reload", cfg.ReloadEvery, learner.Reload)
	go every(ctx, log, "catalog load", cfg.CatalogRetry, catalog.LoadAll)
	<-ctx.Done()
	draining.Store(true)
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = httpServer.Shutdown(shutdownCtx)
	log.Info("stopped")
}

// every runs fn at once and then every period until ctx ends; a failure is logged and tried again next period
// (the kit's `every` with runAtStart).
func every(ctx context.Context, log *slog.Logger, name string, period time.Duration, fn func(context.Context) error) {
	for {
		callCtx, cancel := context.WithTimeout(ctx, period+10*time.Second)
		if err := fn(callCtx); err != nil && ctx.Err() == nil {
			log.Warn(name+" failed; retrying", "err", err.Error())
		}
		cancel()
		select {
		case <-ctx.Done():
			return
		case <-time.After(period):
		}
	}
}

// newLogger: one JSON object per line on stdout, the fields pino writes (level, time, msg, app_id), LOG_LEVEL honoured.
func newLogger(cfg Config) *slog.Logger {
	level := slog.LevelInfo
	switch cfg.LogLevel {
	case "debug", "trace":
		level = slog.LevelDebug
	case "warn":
		level = slog.LevelWarn
	case "error", "fatal":
		level = slog.LevelError
	case "silent":
		level = slog.LevelError + 100
	}
	handler := slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{
		Level: level,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.LevelKey {
				return slog.String("level", map[string]string{"DEBUG": "debug", "INFO": "info", "WARN": "warn", "ERROR": "error"}[a.Value.String()])
			}
			return a
		},
	})
	return slog.New(handler).With("app_id", cfg.AppID, "engine", Engine)
}

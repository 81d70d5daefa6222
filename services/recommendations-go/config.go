package main

// Settings from the environment, as the TypeScript kit's baseConfigShape plus recommendations' own (config.ts): a
// missing or invalid variable stops the start with one line naming it, never its value.

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

type Config struct {
	AppID              string
	AppHost            string
	AppPort            int
	DaprHost           string
	DaprHTTPPort       int
	DaprAPIToken       string
	AppAPIToken        string
	LogLevel           string
	Env                string
	ReloadEvery        time.Duration
	CatalogRetry       time.Duration
	UserCache          time.Duration
	EventMemorySeconds int
	CasAttempts        int
	// MetricsPort serves Prometheus metrics on MetricsHost when set (0 = any free port); -1 = unset, no endpoint.
	MetricsPort int
	MetricsHost string
}

var digits = regexp.MustCompile(`^\d+$`)

func loadConfig(getenv func(string) string) (Config, error) {
	var problems []string
	str := func(name, fallback string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return fallback
	}
	num := func(name string, min, max, fallback int, required bool) int {
		v := getenv(name)
		if v == "" {
			if required {
				problems = append(problems, name+" is missing")
			}
			return fallback
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if !digits.MatchString(v) || err != nil || n < min || n > max {
			problems = append(problems, fmt.Sprintf("%s is invalid (must be an integer %d-%d)", name, min, max))
			return fallback
		}
		return n
	}
	ms := func(name string, min, fallback int) time.Duration {
		return time.Duration(num(name, min, 86_400_000, fallback, false)) * time.Millisecond
	}
	c := Config{
		AppID:              str("APP_ID", ""),
		AppHost:            str("APP_HOST", "127.0.0.1"),
		AppPort:            num("APP_PORT", 0, 65535, 0, true),
		DaprHost:           str("DAPR_HOST", "127.0.0.1"),
		DaprHTTPPort:       num("DAPR_HTTP_PORT", 0, 65535, 3500, false),
		DaprAPIToken:       getenv("DAPR_API_TOKEN"),
		AppAPIToken:        getenv("APP_API_TOKEN"),
		LogLevel:           str("LOG_LEVEL", "info"),
		Env:                str("NODE_ENV", "development"),
		ReloadEvery:        ms("RECS_RELOAD_MS", 100, 30_000),
		CatalogRetry:       ms("RECS_CATALOG_RETRY_MS", 100, 5_000),
		UserCache:          ms("RECS_USER_CACHE_MS", 0, 30_000),
		EventMemorySeconds: num("RECS_EVENT_MEMORY_SECONDS", 60, 31_536_000, 604_800, false),
		CasAttempts:        num("RECS_CAS_ATTEMPTS", 1, 1_000, 30, false),
		MetricsPort:        num("METRICS_PORT", 0, 65535, -1, false),
		MetricsHost:        str("METRICS_HOST", "127.0.0.1"),
	}
	if c.AppID == "" {
		problems = append(problems, "APP_ID is missing")
	}
	switch c.LogLevel {
	case "fatal", "error", "warn", "info", "debug", "trace", "silent":
	default:
		problems = append(problems, "LOG_LEVEL is invalid")
	}
	// Outside development a service never runs with an open sidecar or an open port.
	if c.Env == "production" {
		if c.DaprAPIToken == "" {
			problems = append(problems, "DAPR_API_TOKEN is missing (required when NODE_ENV=production)")
		}
		if c.AppAPIToken == "" {
			problems = append(problems, "APP_API_TOKEN is missing (required when NODE_ENV=production)")
		}
	}
	if len(problems) > 0 {
		return c, fmt.Errorf("Invalid configuration: %s", strings.Join(problems, "; "))
	}
	return c, nil
}

var _ = os.Getenv

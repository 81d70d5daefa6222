package main

// The app's HTTP surface, as the TypeScript kit builds it (packages/platform/src/app.ts): request logs, /healthz and
// /readyz before the app token, the app token (ADR 0003), the per-route caller check from the contracts' call rules,
// then GET /recommendations and the subscriptions; every error is application/problem+json.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode/utf16"

	contractfiles "github.com/globalmart/recommendations-go/contracts"
	"github.com/globalmart/recommendations-go/internal/contracts"
)

const problemJSON = "application/problem+json"

// problem is the contracts' ProblemDetails plus the `code` extension, in the kit's member order.
type problem struct {
	Type     string                               `json:"type"`
	Title    string                               `json:"title"`
	Status   int                                  `json:"status"`
	Detail   string                               `json:"detail,omitempty"`
	Code     string                               `json:"code,omitempty"`
	Errors   []contracts.ProblemDetailsErrorsElem `json:"errors,omitempty"`
	Instance string                               `json:"instance,omitempty"`
	Checks   map[string]string                    `json:"checks,omitempty"`
}

func newProblem(status int, code, detail, instance string) problem {
	return problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Code: code, Detail: detail, Instance: instance}
}

func writeJSON(w http.ResponseWriter, status int, contentType string, body any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // ">=" as JavaScript's JSON.stringify writes it, not "\u003e="
	_ = enc.Encode(body)
	raw := bytes.TrimRight(buf.Bytes(), "\n")
	w.Header().Set("content-type", contentType+"; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(raw)
}

func sendProblem(w http.ResponseWriter, p problem) { writeJSON(w, p.Status, problemJSON, p) }

// appTable is contracts/app.json (generated from access.ts and the event catalogue).
type appTable struct {
	AppID     string `json:"app_id"`
	CallRules []struct {
		Caller string `json:"caller"`
		Method string `json:"method"`
		Path   string `json:"path"`
	} `json:"call_rules"`
	Subscriptions []struct {
		Type  string `json:"type"`
		Name  string `json:"name"`
		Topic string `json:"topic"`
		Route string `json:"route"`
	} `json:"subscriptions"`
}

func loadAppTable() appTable {
	var t appTable
	if err := json.Unmarshal(contractfiles.App, &t); err != nil {
		panic(err)
	}
	return t
}

func segments(p string) []string {
	out := []string{}
	for _, s := range strings.Split(p, "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// operationMatches: a rule's path, `*` standing for one segment (access.ts).
func operationMatches(pattern, path string) bool {
	p, s := segments(pattern), segments(path)
	if len(p) != len(s) {
		return false
	}
	for i := range p {
		if p[i] != "*" && p[i] != s[i] {
			return false
		}
	}
	return true
}

// queryRules holds the bounds of GET /recommendations' query, read from its generated JSON Schema.
type queryRules struct {
	productPattern *regexp.Regexp
	userMin        int
	userMax        int
	limitMin       int
	limitMax       int
	limitDefault   int
}

func loadQueryRules() queryRules {
	var s struct {
		Properties struct {
			ProductID struct {
				Pattern string `json:"pattern"`
			} `json:"product_id"`
			UserID struct {
				MinLength int `json:"minLength"`
				MaxLength int `json:"maxLength"`
			} `json:"user_id"`
			Limit struct {
				Default int `json:"default"`
				Minimum int `json:"minimum"`
				Maximum int `json:"maximum"`
			} `json:"limit"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(contractfiles.QuerySchema, &s); err != nil {
		panic(err)
	}
	p := s.Properties
	return queryRules{regexp.MustCompile(p.ProductID.Pattern), p.UserID.MinLength, p.UserID.MaxLength, p.Limit.Minimum, p.Limit.Maximum, p.Limit.Default}
}

var plainDigits = regexp.MustCompile(`^\d+$`)

// parse validates the query as the zod schema RecommendationsQuery does, with the same messages and codes, in the
// schema's field order. Repeated parameters arrive as arrays (Express' query parser), which a string field refuses.
func (q queryRules) parse(values map[string][]string) (contracts.RecommendationsQuery, []contracts.ProblemDetailsErrorsElem) {
	var out contracts.RecommendationsQuery
	var errs []contracts.ProblemDetailsErrorsElem
	fail := func(field, message, code string) {
		errs = append(errs, contracts.ProblemDetailsErrorsElem{Field: field, Message: message, Code: &code})
	}
	if v, ok := values["product_id"]; ok {
		switch {
		case len(v) > 1:
			fail("product_id", "Invalid input: expected string, received array", "invalid_type")
		case !q.productPattern.MatchString(v[0]):
			fail("product_id", "must look like prd_000123", "invalid_format")
		default:
			out.ProductID = &v[0]
		}
	}
	if v, ok := values["user_id"]; ok {
		n := 0
		if len(v) == 1 {
			n = len(utf16.Encode([]rune(v[0]))) // JavaScript string length: UTF-16 code units
		}
		switch {
		case len(v) > 1:
			fail("user_id", "Invalid input: expected string, received array", "invalid_type")
		case n < q.userMin:
			fail("user_id", fmt.Sprintf("Too small: expected string to have >=%d characters", q.userMin), "too_small")
		case n > q.userMax:
			fail("user_id", fmt.Sprintf("Too big: expected string to have <=%d characters", q.userMax), "too_big")
		default:
			out.UserID = &v[0]
		}
	}
	out.Limit = q.limitDefault
	if v, ok := values["limit"]; ok {
		message := fmt.Sprintf("limit must be an integer from %d to %d", q.limitMin, q.limitMax)
		var n int
		_, err := fmt.Sscan(firstOr(v), &n)
		switch {
		case len(v) != 1 || !plainDigits.MatchString(v[0]) || err != nil:
			fail("limit", message, "invalid_type")
		case n < q.limitMin:
			fail("limit", message, "too_small")
		case n > q.limitMax:
			fail("limit", message, "too_big")
		default:
			out.Limit = n
		}
	}
	return out, errs
}

func firstOr(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

type server struct {
	cfg       Config
	log       *slog.Logger
	sidecar   *Sidecar
	model     *Model
	learner   *Learner
	catalog   *CatalogSync
	table     appTable
	query     queryRules
	tokenHash [32]byte
	draining  func() bool
	metrics   *Metrics
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

var probes = map[string]bool{"/healthz": true, "/readyz": true, "/dapr/config": true, "/dapr/subscribe": true}
var requestIDPattern = regexp.MustCompile(`^[\w.:-]{1,128}$`)

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	started := time.Now()
	id := r.Header.Get("x-request-id")
	if !requestIDPattern.MatchString(id) {
		var b [16]byte
		_, _ = rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	}
	w.Header().Set("x-request-id", id)
	sw := &statusWriter{ResponseWriter: w, status: 200}
	s.route(sw, r)
	s.metrics.ObserveRequest(r.Method, r.URL.Path, s.routeOf(r), sw.status, time.Since(started))
	if probes[r.URL.Path] {
		return
	}
	level := slog.LevelInfo
	if sw.status >= 500 {
		level = slog.LevelError
	} else if sw.status >= 400 {
		level = slog.LevelWarn
	}
	s.log.Log(r.Context(), level, "request completed", "req", map[string]string{"id": id, "method": r.Method, "url": r.URL.Path},
		"res", map[string]int{"statusCode": sw.status}, "responseTime", time.Since(started).Milliseconds(), "caller", r.Header.Get("dapr-caller-app-id"))
}

func (s *server) route(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	// Probes come first, exempt from the token: kubelet probes do not carry Dapr's token.
	if r.Method == http.MethodGet && path == "/healthz" {
		writeJSON(w, 200, "application/json", map[string]string{"status": "ok"})
		return
	}
	if r.Method == http.MethodGet && path == "/readyz" {
		s.readyz(w, r)
		return
	}
	if s.cfg.AppAPIToken != "" {
		given := r.Header.Get("dapr-api-token")
		sum := sha256.Sum256([]byte(given))
		if given == "" || subtle.ConstantTimeCompare(sum[:], s.tokenHash[:]) != 1 {
			sendProblem(w, newProblem(401, "AUTH.APP_TOKEN_INVALID", "Missing or invalid dapr-api-token.", path))
			return
		}
	}
	if p, denied := s.checkCaller(r); denied {
		sendProblem(w, p)
		return
	}
	switch {
	case r.Method == http.MethodGet && path == "/recommendations":
		s.recommendations(w, r)
	case r.Method == http.MethodGet && path == "/ops/metadata":
		s.opsMetadata(w, r)
	case r.Method == http.MethodGet && path == "/dapr/subscribe":
		s.subscribe(w)
	case r.Method == http.MethodPost && path == "/events/ignored":
		writeJSON(w, 200, "application/json", map[string]string{"status": "SUCCESS"})
	case r.Method == http.MethodPost && strings.HasPrefix(path, "/events/"):
		for _, sub := range s.table.Subscriptions {
			if sub.Route == path {
				s.event(w, r, sub.Topic, sub.Type, sub.Name)
				return
			}
		}
		s.notFound(w, r)
	default:
		s.notFound(w, r)
	}
}

// routeOf names the route a request matched, for the metrics' http_route ("" when none did), as Express would.
func (s *server) routeOf(r *http.Request) string {
	path := r.URL.Path
	switch {
	case r.Method == http.MethodGet && (path == "/recommendations" || path == "/ops/metadata" || path == "/dapr/subscribe"):
		return path
	case r.Method == http.MethodPost && path == "/events/ignored":
		return path
	case r.Method == http.MethodPost && strings.HasPrefix(path, "/events/"):
		for _, sub := range s.table.Subscriptions {
			if sub.Route == path {
				return path
			}
		}
	}
	return ""
}

// opsMetadata: the app's own sidecar metadata for the admin console (the kit's ops.routes.ts): only the gateway acting
// for an admin (the caller check already allowed only the gateway; the role is checked here).
func (s *server) opsMetadata(w http.ResponseWriter, r *http.Request) {
	userID, role := r.Header.Get("x-user-id"), r.Header.Get("x-user-role")
	if r.Header.Get("dapr-caller-app-id") != "gateway" || userID == "" || (role != "customer" && role != "admin") {
		sendProblem(w, newProblem(401, "AUTH.UNAUTHENTICATED", "Sign in first.", r.URL.Path))
		return
	}
	if role != "admin" {
		sendProblem(w, newProblem(403, "AUTH.ADMIN_ONLY", "This needs the admin role.", r.URL.Path))
		return
	}
	raw, err := s.sidecar.Metadata(r.Context())
	if err != nil {
		s.log.Warn("sidecar metadata unavailable", "err", err.Error())
		sendProblem(w, newProblem(502, "OPS.SIDECAR_FAILED", "The sidecar did not answer its metadata.", r.URL.Path))
		return
	}
	w.Header().Set("cache-control", "no-store")
	writeJSON(w, 200, "application/json", raw)
}

func (s *server) notFound(w http.ResponseWriter, r *http.Request) {
	sendProblem(w, newProblem(404, "ROUTE.NOT_FOUND", fmt.Sprintf("No route for %s %s.", r.Method, r.URL.Path), r.URL.Path))
}

// checkCaller: a service invocation (it carries dapr-caller-app-id) must be one the call rules allow; the app's own
// sidecar (events) carries none and may reach only routes nobody invokes.
func (s *server) checkCaller(r *http.Request) (problem, bool) {
	from := r.Header.Get("dapr-caller-app-id")
	path := r.URL.Path
	invocable, allowed := false, false
	for _, rule := range s.table.CallRules {
		if operationMatches(rule.Path, path) {
			invocable = true
			if rule.Method == r.Method && rule.Caller == from {
				allowed = true
			}
		}
	}
	if from == "" {
		if invocable {
			return newProblem(403, "AUTH.CALLER_NOT_ALLOWED", "This route is reached only by service invocation.", path), true
		}
		return problem{}, false
	}
	if allowed {
		return problem{}, false
	}
	return newProblem(403, "AUTH.CALLER_NOT_ALLOWED", fmt.Sprintf("The app %s may not call %s %s on %s.", from, r.Method, path, s.cfg.AppID), path), true
}

func (s *server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	checks := map[string]string{"sidecar": "ok", "model": "ok"}
	if err := s.sidecar.Ready(ctx); err != nil {
		checks["sidecar"] = "failed"
		if ctx.Err() != nil {
			checks["sidecar"] = "timeout"
		}
	}
	if !s.learner.Loaded() {
		checks["model"] = "failed"
	}
	failing := []string{}
	for _, name := range []string{"sidecar", "model"} {
		if checks[name] != "ok" {
			failing = append(failing, name)
			s.log.Warn("readiness check failed", "check", name, "result", checks[name])
		}
	}
	if s.draining() {
		failing = append(failing, "draining")
	}
	if len(failing) == 0 {
		writeJSON(w, 200, "application/json", map[string]any{"status": "ready", "checks": checks})
		return
	}
	p := newProblem(503, "SERVICE.NOT_READY", fmt.Sprintf("Not ready: %s.", strings.Join(failing, ", ")), "")
	p.Checks = checks
	sendProblem(w, p)
}

// recommendations: GET /recommendations?product_id=&user_id=&limit=, answered from memory.
func (s *server) recommendations(w http.ResponseWriter, r *http.Request) {
	query, errs := s.query.parse(r.URL.Query())
	if len(errs) > 0 {
		p := newProblem(400, "REQUEST.INVALID", "The request is invalid.", r.URL.Path)
		p.Errors = errs
		sendProblem(w, p)
		return
	}
	var items []contracts.RecommendationsResponseItemsElem
	// A product page asks with product_id (and maybe user_id): the product decides. Without one, the user's views do.
	switch {
	case query.ProductID != nil:
		items = s.model.ForProduct(*query.ProductID, query.Limit)
	case query.UserID != nil:
		items = s.model.ForUser(s.learner.RecentViews(r.Context(), *query.UserID), query.Limit)
	default:
		items = s.model.ForUser(nil, query.Limit)
	}
	writeJSON(w, 200, "application/json", contracts.RecommendationsResponse{Items: items, Engine: Engine})
}

type subscription struct {
	PubsubName      string `json:"pubsubname"`
	Topic           string `json:"topic"`
	Routes          routes `json:"routes"`
	DeadLetterTopic string `json:"deadLetterTopic"`
}
type routes struct {
	Rules   []rule `json:"rules"`
	Default string `json:"default"`
}
type rule struct {
	Match string `json:"match"`
	Path  string `json:"path"`
}

// subscribe: one subscription per topic with CloudEvent type routing rules, a default route that acknowledges other
// types, and <topic>-dlq as the dead-letter topic (the kit's Subscriptions).
func (s *server) subscribe(w http.ResponseWriter) {
	out := []subscription{}
	byTopic := map[string]int{}
	for _, sub := range s.table.Subscriptions {
		i, ok := byTopic[sub.Topic]
		if !ok {
			i = len(out)
			byTopic[sub.Topic] = i
			out = append(out, subscription{PubsubName: "pubsub", Topic: sub.Topic, Routes: routes{Rules: []rule{}, Default: "/events/ignored"}, DeadLetterTopic: sub.Topic + "-dlq"})
		}
		out[i].Routes.Rules = append(out[i].Routes.Rules, rule{Match: fmt.Sprintf("event.type == '%s'", sub.Type), Path: sub.Route})
	}
	writeJSON(w, 200, "application/json", out)
}

type cloudEvent struct {
	ID   *string         `json:"id"`
	Time string          `json:"time"`
	Data json.RawMessage `json:"data"`
}

func deliver(w http.ResponseWriter, status string) {
	writeJSON(w, 200, "application/json", map[string]string{"status": status})
}

// event: invalid data is dropped (to the dead-letter topic, logged); a handler that fails is retried by Dapr.
func (s *server) event(w http.ResponseWriter, r *http.Request, topic, eventType, name string) {
	if ct := r.Header.Get("content-type"); ct != "" {
		mt, _, _ := mime.ParseMediaType(ct)
		if mt != "application/json" && !(strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")) {
			sendProblem(w, newProblem(415, "REQUEST.UNSUPPORTED_MEDIA_TYPE", "Send the body as application/json.", r.URL.Path))
			return
		}
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 100<<10))
	if err != nil {
		sendProblem(w, newProblem(413, "REQUEST.TOO_LARGE", "The request body is too large.", r.URL.Path))
		return
	}
	var ce cloudEvent
	if err := json.Unmarshal(raw, &ce); err != nil {
		sendProblem(w, newProblem(400, "REQUEST.MALFORMED_JSON", "The request body is not valid JSON.", r.URL.Path))
		return
	}
	eventID := ""
	if ce.ID != nil {
		eventID = *ce.ID
	} else {
		// Dapr always sets a CloudEvent id; without one the data itself stands in, so an identical copy counts once.
		sum := sha256.Sum256(ce.Data)
		eventID = eventType + ":" + hex.EncodeToString(sum[:])
	}
	published, _ := time.Parse(time.RFC3339Nano, ce.Time) // zero when absent or unreadable: no lag recorded
	answer := func(status string) {
		s.metrics.Delivered(topic, eventType, status, published)
		deliver(w, status)
	}
	ctx := r.Context()
	var outcome Outcome
	var invalid error
	switch name {
	case "OrderConfirmed":
		var order contracts.OrderConfirmed
		if invalid = unmarshalData(ce.Data, &order); invalid == nil {
			ids := make([]string, len(order.Items))
			for i, item := range order.Items {
				ids[i] = item.ProductID
			}
			outcome, err = s.learner.OrderConfirmed(ctx, ids, eventID)
			if err == nil {
				// One line per delivery (orders are few next to page views): duplicate = a repeat that changed nothing.
				s.log.Info("OrderConfirmed learned", "order_id", order.OrderID, "event_id", ptrOr(ce.ID), "outcome", outcome)
			}
		}
	case "ProductViewed":
		var view contracts.ProductViewed
		var at struct {
			OccurredAt string `json:"occurred_at"`
		}
		if invalid = unmarshalData(ce.Data, &view); invalid == nil {
			_ = json.Unmarshal(ce.Data, &at) // the timestamp as sent, as the TypeScript engine stores it
			_, err = s.learner.ProductViewed(ctx, view.ProductID, view.UserID, at.OccurredAt, eventID)
		}
	case "ProductUpdated":
		var update contracts.ProductUpdated
		if invalid = unmarshalData(ce.Data, &update); invalid == nil {
			err = s.catalog.Refresh(ctx, update.ProductID)
		}
	}
	if invalid != nil {
		s.log.Warn(fmt.Sprintf("invalid %s dropped", name), "event_id", ptrOr(ce.ID), "type", eventType, "issues", invalid.Error())
		answer("DROP")
		return
	}
	if err != nil {
		s.log.Warn(fmt.Sprintf("%s not applied yet; Dapr will redeliver", name), "err", err.Error(), "event_id", ptrOr(ce.ID), "type", eventType)
		answer("RETRY")
		return
	}
	answer("SUCCESS")
}

// unmarshalData decodes and validates with the generated type (required fields, patterns, bounds from the schema).
func unmarshalData(data json.RawMessage, into any) error {
	if len(data) == 0 || string(data) == "null" {
		return fmt.Errorf("data: required")
	}
	return json.Unmarshal(data, into)
}

func ptrOr(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

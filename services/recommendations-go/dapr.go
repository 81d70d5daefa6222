package main

// The sidecar's HTTP API (state, service invocation, outbound health), with the sidecar's API token on every call.
// Nothing here talks to Redis or the broker: the sidecar's components decide what is behind it.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// ErrConflict: the store refused a write because the ETag no longer matches (someone wrote in between).
var ErrConflict = errors.New("state etag conflict")

// InvokeError is a non-2xx answer from an invoked app.
type InvokeError struct {
	AppID  string
	Status int
	Body   []byte
}

func (e *InvokeError) Error() string {
	return fmt.Sprintf("invoke %s answered %d", e.AppID, e.Status)
}

type Sidecar struct {
	base   string
	token  string
	client *http.Client
}

func NewSidecar(host string, port int, token string) *Sidecar {
	transport := &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 60 * time.Second}
	return &Sidecar{base: fmt.Sprintf("http://%s:%d/v1.0", host, port), token: token, client: &http.Client{Transport: transport, Timeout: 15 * time.Second}}
}

func (s *Sidecar) do(ctx context.Context, method, path string, body any) (*http.Response, []byte, error) {
	var reader io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return nil, nil, err
		}
		reader = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.base+path, reader)
	if err != nil {
		return nil, nil, err
	}
	if body != nil {
		req.Header.Set("content-type", "application/json")
	}
	if s.token != "" {
		req.Header.Set("dapr-api-token", s.token)
	}
	res, err := s.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	return res, raw, err
}

// StateEntry is a stored value with its ETag.
type StateEntry struct {
	Value json.RawMessage
	ETag  string
}

// StateStore is one Dapr state store component.
type StateStore struct {
	sidecar *Sidecar
	name    string
}

func (s *Sidecar) State(name string) *StateStore { return &StateStore{sidecar: s, name: name} }

// Get returns nil for a missing key.
func (st *StateStore) Get(ctx context.Context, key string) (*StateEntry, error) {
	res, raw, err := st.sidecar.do(ctx, http.MethodGet, "/state/"+st.name+"/"+url.PathEscape(key), nil)
	if err != nil {
		return nil, fmt.Errorf("state get %s/%s: %w", st.name, key, err)
	}
	if res.StatusCode == http.StatusNoContent || (res.StatusCode == http.StatusOK && len(bytes.TrimSpace(raw)) == 0) {
		return nil, nil
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("state get %s/%s: %d %s", st.name, key, res.StatusCode, raw)
	}
	return &StateEntry{Value: raw, ETag: res.Header.Get("ETag")}, nil
}

// SaveOptions: an ETag turns on first-write concurrency (Dapr checks ETags only then); TTL in seconds when > 0.
type SaveOptions struct {
	ETag *string
	TTL  int
}

// Save writes one key; ErrConflict when the ETag does not match.
func (st *StateStore) Save(ctx context.Context, key string, value any, opts SaveOptions) error {
	item := map[string]any{"key": key, "value": value}
	if opts.ETag != nil {
		item["etag"] = *opts.ETag
		item["options"] = map[string]string{"concurrency": "first-write"}
	}
	if opts.TTL > 0 {
		item["metadata"] = map[string]string{"ttlInSeconds": strconv.Itoa(opts.TTL)}
	}
	res, raw, err := st.sidecar.do(ctx, http.MethodPost, "/state/"+st.name, []any{item})
	if err != nil {
		return fmt.Errorf("state save %s/%s: %w", st.name, key, err)
	}
	if res.StatusCode == http.StatusConflict {
		return ErrConflict
	}
	if res.StatusCode >= 300 {
		return fmt.Errorf("state save %s/%s: %d %s", st.name, key, res.StatusCode, raw)
	}
	return nil
}

// Invoke calls another app's method through Dapr service invocation; a non-2xx answer is an *InvokeError.
func (s *Sidecar) Invoke(ctx context.Context, appID, method string, query url.Values) ([]byte, error) {
	path := "/invoke/" + appID + "/method/" + method
	if len(query) > 0 {
		path += "?" + query.Encode()
	}
	res, raw, err := s.do(ctx, http.MethodGet, path, nil)
	if err != nil {
		return nil, fmt.Errorf("invoke %s %s: %w", appID, method, err)
	}
	if res.StatusCode >= 300 {
		return nil, &InvokeError{AppID: appID, Status: res.StatusCode, Body: raw}
	}
	return raw, nil
}

// Ready: the sidecar's outbound health (its components and pub/sub are up).
func (s *Sidecar) Ready(ctx context.Context) error {
	res, _, err := s.do(ctx, http.MethodGet, "/healthz/outbound", nil)
	if err != nil {
		return err
	}
	if res.StatusCode >= 300 {
		return fmt.Errorf("sidecar outbound health %d", res.StatusCode)
	}
	return nil
}

// Metadata is the sidecar's own description (GET /v1.0/metadata), passed on as it is.
func (s *Sidecar) Metadata(ctx context.Context) (json.RawMessage, error) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	res, raw, err := s.do(ctx, http.MethodGet, "/metadata", nil)
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("sidecar metadata %d", res.StatusCode)
	}
	return raw, nil
}

package main

// The catalog's products, for content similarity: every page once at start (retried until catalog answers), then one
// product at a time on ProductUpdated. Catalog stays the owner; nothing here is persisted (as catalog.sync.ts).

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"sync"

	"github.com/globalmart/recommendations-go/internal/contracts"
)

const (
	catalogPageSize = 100
	catalogMaxPages = 10_000
)

type CatalogSync struct {
	sidecar *Sidecar
	model   *Model
	log     *slog.Logger

	mu                  sync.Mutex
	done                bool
	refreshedDuringLoad map[string]bool
}

func NewCatalogSync(sidecar *Sidecar, model *Model, log *slog.Logger) *CatalogSync {
	return &CatalogSync{sidecar: sidecar, model: model, log: log, refreshedDuringLoad: map[string]bool{}}
}

// take parses one product as the contract says (only what similarity reads); an unexpected shape is skipped.
func (c *CatalogSync) take(raw json.RawMessage, skip map[string]bool) {
	var p contracts.ProductInfo
	if err := json.Unmarshal(raw, &p); err != nil {
		c.log.Warn("catalog product ignored: unexpected shape", "issues", err.Error())
		return
	}
	if !skip[p.ID] {
		c.model.UpsertProduct(p)
	}
}

// LoadAll reads every page into the model; a no-op once it has succeeded.
func (c *CatalogSync) LoadAll(ctx context.Context) error {
	c.mu.Lock()
	if c.done {
		c.mu.Unlock()
		return nil
	}
	c.refreshedDuringLoad = map[string]bool{}
	c.mu.Unlock()
	var products []json.RawMessage
	for page := 1; page <= catalogMaxPages; page++ {
		q := url.Values{"page": {strconv.Itoa(page)}, "page_size": {strconv.Itoa(catalogPageSize)}}
		raw, err := c.sidecar.Invoke(ctx, "catalog", "products", q)
		if err != nil {
			return err
		}
		var body struct {
			Data  []json.RawMessage `json:"data"`
			Total *int              `json:"total"`
		}
		if err := json.Unmarshal(raw, &body); err != nil || body.Data == nil || body.Total == nil || *body.Total < 0 {
			return errors.New("catalog page: unexpected shape")
		}
		products = append(products, body.Data...)
		if len(body.Data) < catalogPageSize || page*catalogPageSize >= *body.Total {
			break
		}
	}
	c.mu.Lock()
	skip := c.refreshedDuringLoad
	c.mu.Unlock()
	for _, raw := range products {
		c.take(raw, skip)
	}
	c.mu.Lock()
	c.done = true
	c.mu.Unlock()
	c.log.Info("catalog loaded", "products", c.model.ProductCount())
	return nil
}

// Refresh re-reads one product (ProductUpdated); a product catalog no longer has leaves the model.
func (c *CatalogSync) Refresh(ctx context.Context, productID string) error {
	c.mu.Lock()
	if !c.done {
		c.refreshedDuringLoad[productID] = true
	}
	c.mu.Unlock()
	raw, err := c.sidecar.Invoke(ctx, "catalog", "products/"+url.PathEscape(productID), nil)
	var invokeErr *InvokeError
	if errors.As(err, &invokeErr) && invokeErr.Status == http.StatusNotFound {
		c.model.RemoveProduct(productID)
		return nil
	}
	if err != nil {
		return err
	}
	c.take(raw, nil)
	return nil
}

package main

// Learning from events, persisted in the Dapr state store, mirrored into the model: the same keys, documents and
// idempotency as services/recommendations/src/learner.ts (read its header for the reasoning), so the two engines can
// replace each other over the same store (same app-id, so the same key prefix) and keep what was learned.
//
//   recs:index               { product_ids }     every product that has a counts document
//   recs:product:{id}        ProductDoc          views, purchases, co-purchase row, version, recently applied event ids
//   recs:user:{user_id}      UserDoc             the user's last viewed products (user id percent-encoded)
//   recs:event:{sha256(id)}  { at }, TTL         "this CloudEvent id was applied in full"

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

const (
	appliedRing     = 256
	recentViewsMax  = 20
	indexKey        = "recs:index"
	maxCachedUsers  = 10_000
	reloadBatchSize = 8
)

func productKey(id string) string { return "recs:product:" + id }

// userKey escapes as JavaScript's encodeURIComponent does (Dapr keys may not contain "||").
func userKey(userID string) string { return "recs:user:" + encodeURIComponent(userID) }

func eventKey(eventID string) string {
	sum := sha256.Sum256([]byte(eventID))
	return "recs:event:" + hex.EncodeToString(sum[:])
}

func encodeURIComponent(s string) string {
	// url.QueryEscape differs from encodeURIComponent in: space (+ vs %20) and the marks !'()* (escaped vs kept).
	e := url.QueryEscape(s)
	e = strings.ReplaceAll(e, "+", "%20")
	for _, r := range []string{"!", "'", "(", ")", "*"} {
		e = strings.ReplaceAll(e, url.QueryEscape(r), r)
	}
	return e
}

// ProductDoc is ProductStats plus its bookkeeping.
type ProductDoc struct {
	ProductID string         `json:"product_id"`
	Views     int            `json:"views"`
	Purchases int            `json:"purchases"`
	Co        map[string]int `json:"co"`
	Version   int            `json:"version"`
	Applied   []string       `json:"applied"`
}

type recentView struct {
	ProductID string `json:"product_id"`
	EventID   string `json:"event_id"`
	At        string `json:"at"`
}

// UserDoc: newest first, at most recentViewsMax entries, one per product.
type UserDoc struct {
	UserID string       `json:"user_id"`
	Recent []recentView `json:"recent"`
}

type indexDoc struct {
	ProductIDs []string `json:"product_ids"`
}

type Outcome string

const (
	Applied   Outcome = "applied"
	Duplicate Outcome = "duplicate"
)

// ErrBusy: too many concurrent changes to one document; the event is left to Dapr's redelivery.
var ErrBusy = errors.New("RECOMMENDATIONS.BUSY: too many concurrent changes to the same item; retry")

type Learner struct {
	store           *StateStore
	model           *Model
	log             *slog.Logger
	casAttempts     int
	eventMemorySecs int
	userCache       time.Duration

	mu      sync.Mutex
	indexed map[string]bool
	users   map[string]*cachedUser
	order   []string // LRU order of users, oldest first
	loaded  bool
}

type cachedUser struct {
	recent []string
	at     time.Time
}

func NewLearner(store *StateStore, model *Model, log *slog.Logger, cfg Config) *Learner {
	return &Learner{
		store: store, model: model, log: log, casAttempts: cfg.CasAttempts, eventMemorySecs: cfg.EventMemorySeconds,
		userCache: cfg.UserCache, indexed: map[string]bool{}, users: map[string]*cachedUser{},
	}
}

// casUpdate is the kit's read-change-save (packages/platform/src/dapr/state-cas.ts): decide sees the current value
// (nil when absent) and returns the next one, or nil to write nothing; a conflicting write is retried with jittered
// backoff, up to casAttempts.
func casUpdate[T any](ctx context.Context, l *Learner, key string, decide func(current *T) *T) error {
	for attempt := 1; ; attempt++ {
		entry, err := l.store.Get(ctx, key)
		if err != nil {
			return err
		}
		var current *T
		if entry != nil {
			current = new(T)
			if err := json.Unmarshal(entry.Value, current); err != nil {
				return fmt.Errorf("%s: stored document unreadable: %w", key, err)
			}
		}
		next := decide(current)
		if next == nil {
			return nil
		}
		if entry != nil {
			err = l.store.Save(ctx, key, next, SaveOptions{ETag: &entry.ETag})
		} else {
			err = l.createIfAbsent(ctx, key, next)
		}
		if err == nil {
			return nil
		}
		if !errors.Is(err, ErrConflict) {
			return err
		}
		if attempt >= l.casAttempts {
			return fmt.Errorf("%w (%s)", ErrBusy, key)
		}
		backoff := min(100, 4*(1<<min(attempt, 10)))
		time.Sleep(time.Duration(rand.IntN(backoff)) * time.Millisecond)
	}
}

// createIfAbsent: first-write with ETag "0" creates a missing key atomically on Redis; a store that refuses any ETag
// on a missing key falls back to a plain save (as the kit's createIfAbsent).
func (l *Learner) createIfAbsent(ctx context.Context, key string, value any) error {
	zero := "0"
	err := l.store.Save(ctx, key, value, SaveOptions{ETag: &zero})
	if !errors.Is(err, ErrConflict) {
		return err
	}
	if existing, getErr := l.store.Get(ctx, key); getErr != nil || existing != nil {
		return err
	}
	return l.store.Save(ctx, key, value, SaveOptions{})
}

// ensureIndexed adds ids to the index before their documents are written, so no counts document is missing from it.
func (l *Learner) ensureIndexed(ctx context.Context, ids []string) error {
	l.mu.Lock()
	all := true
	for _, id := range ids {
		all = all && l.indexed[id]
	}
	l.mu.Unlock()
	if all {
		return nil
	}
	var stored []string
	err := casUpdate(ctx, l, indexKey, func(current *indexDoc) *indexDoc {
		set := map[string]bool{}
		if current != nil {
			for _, id := range current.ProductIDs {
				set[id] = true
			}
		}
		missing := false
		for _, id := range ids {
			if !set[id] {
				missing = true
				set[id] = true
			}
		}
		stored = make([]string, 0, len(set))
		for id := range set {
			stored = append(stored, id)
		}
		sort.Strings(stored)
		if !missing {
			return nil
		}
		return &indexDoc{ProductIDs: stored}
	})
	if err != nil {
		return err
	}
	l.mu.Lock()
	for _, id := range stored {
		l.indexed[id] = true
	}
	l.mu.Unlock()
	return nil
}

// applyToProduct is one document's read-change-save; change runs only if the event is not in its applied list.
func (l *Learner) applyToProduct(ctx context.Context, id, eventID string, change func(doc *ProductDoc)) (bool, error) {
	var applied bool
	var result ProductDoc
	err := casUpdate(ctx, l, productKey(id), func(current *ProductDoc) *ProductDoc {
		applied = false
		base := ProductDoc{ProductID: id, Co: map[string]int{}, Applied: []string{}}
		if current != nil {
			base = *current
			if base.Co == nil {
				base.Co = map[string]int{}
			}
		}
		if slices.Contains(base.Applied, eventID) {
			result = base
			return nil
		}
		co := make(map[string]int, len(base.Co))
		for k, v := range base.Co {
			co[k] = v
		}
		ring := append(slices.Clone(base.Applied), eventID)
		if len(ring) > appliedRing {
			ring = ring[len(ring)-appliedRing:]
		}
		next := ProductDoc{ProductID: base.ProductID, Views: base.Views, Purchases: base.Purchases, Co: co, Version: base.Version + 1, Applied: ring}
		change(&next)
		applied = true
		result = next
		return &next
	})
	if err != nil {
		return false, err
	}
	l.model.SetStats(id, ProductStats{Views: result.Views, Purchases: result.Purchases, Co: result.Co, Version: result.Version})
	return applied, nil
}

// once skips an event applied in full before; otherwise applies it (document by document), then remembers it.
func (l *Learner) once(ctx context.Context, eventID string, apply func() (bool, error)) (Outcome, error) {
	seen, err := l.store.Get(ctx, eventKey(eventID))
	if err != nil {
		return "", err
	}
	if seen != nil {
		return Duplicate, nil
	}
	changed, err := apply()
	if err != nil {
		return "", err
	}
	marker := map[string]string{"at": time.Now().UTC().Format("2006-01-02T15:04:05.000Z")}
	if err := l.store.Save(ctx, eventKey(eventID), marker, SaveOptions{TTL: l.eventMemorySecs}); err != nil {
		return "", err
	}
	if changed {
		return Applied, nil
	}
	return Duplicate, nil
}

// OrderConfirmed: one purchase of each product and one co-purchase of each pair (quantity does not matter).
func (l *Learner) OrderConfirmed(ctx context.Context, productIDs []string, eventID string) (Outcome, error) {
	ids := []string{}
	seen := map[string]bool{}
	for _, id := range productIDs {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return l.once(ctx, eventID, func() (bool, error) {
		if err := l.ensureIndexed(ctx, ids); err != nil {
			return false, err
		}
		// Every document is attempted even when one fails, so a redelivery has as little left to do as possible.
		results := make([]bool, len(ids))
		errs := make([]error, len(ids))
		var wg sync.WaitGroup
		for i, id := range ids {
			wg.Go(func() {
				results[i], errs[i] = l.applyToProduct(ctx, id, eventID, func(doc *ProductDoc) {
					doc.Purchases++
					for _, other := range ids {
						if other != id {
							doc.Co[other]++
						}
					}
				})
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return false, err
		}
		return slices.Contains(results, true), nil
	})
}

// ProductViewed counts a view and, for a signed-in user, remembers it among their recent views.
func (l *Learner) ProductViewed(ctx context.Context, productID string, userID *string, occurredAt string, eventID string) (Outcome, error) {
	return l.once(ctx, eventID, func() (bool, error) {
		if err := l.ensureIndexed(ctx, []string{productID}); err != nil {
			return false, err
		}
		counted, err := l.applyToProduct(ctx, productID, eventID, func(doc *ProductDoc) { doc.Views++ })
		if err != nil || userID == nil {
			return counted, err
		}
		remembered := false
		var result UserDoc
		err = casUpdate(ctx, l, userKey(*userID), func(current *UserDoc) *UserDoc {
			remembered = false
			base := UserDoc{UserID: *userID, Recent: []recentView{}}
			if current != nil {
				base = *current
			}
			for _, r := range base.Recent {
				if r.EventID == eventID {
					result = base
					return nil
				}
			}
			// One entry per product, the newest view (ties by event id): the same answer whatever order views arrive in.
			entry := recentView{ProductID: productID, EventID: eventID, At: occurredAt}
			for _, r := range base.Recent {
				if r.ProductID == productID && isNewerView(r, entry) {
					result = base
					return nil
				}
			}
			recent := []recentView{entry}
			for _, r := range base.Recent {
				if r.ProductID != productID {
					recent = append(recent, r)
				}
			}
			sort.SliceStable(recent, func(i, j int) bool { return parseTime(recent[i].At).After(parseTime(recent[j].At)) })
			if len(recent) > recentViewsMax {
				recent = recent[:recentViewsMax]
			}
			remembered = true
			result = UserDoc{UserID: *userID, Recent: recent}
			return &result
		})
		if err != nil {
			return counted, err
		}
		l.cacheUser(result)
		return counted || remembered, nil
	})
}

func parseTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

func (l *Learner) cacheUser(doc UserDoc) {
	recent := make([]string, len(doc.Recent))
	for i, r := range doc.Recent {
		recent[i] = r.ProductID
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.users[doc.UserID]; ok {
		l.order = slices.DeleteFunc(l.order, func(u string) bool { return u == doc.UserID })
	}
	l.users[doc.UserID] = &cachedUser{recent: recent, at: time.Now()}
	l.order = append(l.order, doc.UserID)
	if len(l.order) > maxCachedUsers {
		delete(l.users, l.order[0])
		l.order = l.order[1:]
	}
}

// RecentViews: the user's recently viewed product ids, newest first, from memory or read through from the store.
func (l *Learner) RecentViews(ctx context.Context, userID string) []string {
	l.mu.Lock()
	cached := l.users[userID]
	l.mu.Unlock()
	if cached != nil && time.Since(cached.at) < l.userCache {
		return cached.recent
	}
	doc := UserDoc{UserID: userID, Recent: []recentView{}}
	entry, err := l.store.Get(ctx, userKey(userID))
	if err == nil && entry != nil {
		err = json.Unmarshal(entry.Value, &doc)
	}
	if err != nil {
		// The answer degrades (older views, or popular items), it never fails for this.
		l.log.Warn("recent views unavailable; answering without them", "err", err.Error(), "user_id", userID)
		if cached != nil {
			return cached.recent
		}
		return []string{}
	}
	l.cacheUser(doc)
	ids := make([]string, len(doc.Recent))
	for i, r := range doc.Recent {
		ids[i] = r.ProductID
	}
	return ids
}

// Reload re-reads the index and every counts document into the model (replicas converge within one period).
func (l *Learner) Reload(ctx context.Context) error {
	entry, err := l.store.Get(ctx, indexKey)
	if err != nil {
		return err
	}
	var index indexDoc
	if entry != nil {
		if err := json.Unmarshal(entry.Value, &index); err != nil {
			return err
		}
	}
	l.mu.Lock()
	for _, id := range index.ProductIDs {
		l.indexed[id] = true
	}
	ids := make([]string, 0, len(l.indexed))
	for id := range l.indexed {
		ids = append(ids, id)
	}
	wasLoaded := l.loaded
	l.mu.Unlock()
	taken := 0
	for i := 0; i < len(ids); i += reloadBatchSize {
		batch := ids[i:min(i+reloadBatchSize, len(ids))]
		docs := make([]*ProductDoc, len(batch))
		errs := make([]error, len(batch))
		var wg sync.WaitGroup
		for j, id := range batch {
			wg.Go(func() {
				e, err := l.store.Get(ctx, productKey(id))
				if err != nil || e == nil {
					errs[j] = err
					return
				}
				var doc ProductDoc
				errs[j] = json.Unmarshal(e.Value, &doc)
				docs[j] = &doc
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return err
		}
		for _, d := range docs {
			if d != nil && l.model.SetStats(d.ProductID, ProductStats{Views: d.Views, Purchases: d.Purchases, Co: d.Co, Version: d.Version}) {
				taken++
			}
		}
	}
	if !wasLoaded || taken > 0 {
		l.log.Info("recommendation counts reloaded", "products", len(ids), "updated", taken)
	}
	l.mu.Lock()
	l.loaded = true
	l.mu.Unlock()
	return nil
}

func (l *Learner) Loaded() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.loaded
}

// isNewerView: whether view a is newer than view b (time, then event id), which one a user's recent list keeps.
func isNewerView(a, b recentView) bool {
	ta, tb := parseTime(a.At), parseTime(b.At)
	return ta.After(tb) || (ta.Equal(tb) && a.EventID > b.EventID)
}

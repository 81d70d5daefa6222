package main

// The in-memory model every read is answered from, as services/recommendations/src/model.ts: the catalog's products
// (content similarity) and the learned counts per product (co-purchases, purchases, views). The same arithmetic in the
// same order, so both engines give the same scores and the same ranking (ties: higher popularity, then product id).

import (
	"math"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/globalmart/recommendations-go/internal/contracts"
)

// Engine names the implementation in every answer (the TypeScript one says globalmart-ts/1).
const Engine = "globalmart-go/1"

// PurchaseWeight: a purchase says much more about interest than a page view.
const PurchaseWeight = 5

type reason = contracts.RecommendationsResponseItemsElemReason

const (
	reasonCoPurchase = contracts.RecommendationsResponseItemsElemReasonCoPurchase
	reasonSimilar    = contracts.RecommendationsResponseItemsElemReasonSimilar
	reasonPopular    = contracts.RecommendationsResponseItemsElemReasonPopular
)

// Product is what similarity needs of a catalog product (tags trimmed, lower-cased, unique).
type Product struct {
	ID       string
	Category string
	Price    float64
	Tags     []string
}

// ProductStats are the learned counts of one product, as persisted (ProductDoc without its bookkeeping).
type ProductStats struct {
	Views     int            `json:"views"`
	Purchases int            `json:"purchases"`
	Co        map[string]int `json:"co"`
	Version   int            `json:"version"`
}

type scored struct {
	id    string
	score float64
}

type tier struct {
	reason reason
	items  []scored
}

// PriceBand: log-scale bands, each spanning a factor of 2.
func PriceBand(price float64) int {
	return int(math.Floor(math.Log2(math.Max(price, 0.01))))
}

func jaccard(a, b []string) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	left := setOf(a)
	right := setOf(b)
	shared := 0
	for t := range left {
		if right[t] {
			shared++
		}
	}
	return float64(shared) / float64(len(left)+len(right)-shared)
}

func setOf(items []string) map[string]bool {
	s := make(map[string]bool, len(items))
	for _, i := range items {
		s[i] = true
	}
	return s
}

// Similarity in [0, 1]: half for the same category, a quarter for the price band (same full, adjacent half), a quarter
// for the tags (Jaccard). Products sharing neither a category nor a tag are not similar at all.
func Similarity(a, b *Product) float64 {
	if a.ID == b.ID {
		return 0
	}
	sameCategory := a.Category == b.Category
	tags := jaccard(a.Tags, b.Tags)
	if !sameCategory && tags == 0 {
		return 0
	}
	gap := PriceBand(a.Price) - PriceBand(b.Price)
	if gap < 0 {
		gap = -gap
	}
	price := 0.0
	if gap == 0 {
		price = 1
	} else if gap == 1 {
		price = 0.5
	}
	cat := 0.0
	if sameCategory {
		cat = 0.5
	}
	return cat + 0.25*price + 0.25*tags
}

func popularity(s *ProductStats) float64 {
	if s == nil {
		return 0
	}
	return float64(s.Purchases*PurchaseWeight + s.Views)
}

var tierBase = map[reason]float64{reasonCoPurchase: 2, reasonSimilar: 1, reasonPopular: 0}

func round4(n float64) float64 { return math.Round(n*10_000) / 10_000 }

// blend: co-purchase first, then similar, then popular; never an excluded id, no duplicates, at most limit items.
func blend(tiers []tier, exclude map[string]bool, limit int) []contracts.RecommendationsResponseItemsElem {
	out := []contracts.RecommendationsResponseItemsElem{}
	seen := make(map[string]bool, len(exclude))
	for id := range exclude {
		seen[id] = true
	}
	for _, t := range tiers {
		max := 0.0
		for _, s := range t.items {
			max = math.Max(max, s.score)
		}
		for _, item := range t.items {
			if len(out) >= limit {
				return out
			}
			if seen[item.id] || !(item.score > 0) {
				continue
			}
			seen[item.id] = true
			relative := item.score / max
			if t.reason == reasonSimilar {
				relative = item.score
			}
			out = append(out, contracts.RecommendationsResponseItemsElem{ProductID: item.id, Score: round4(tierBase[t.reason] + relative), Reason: t.reason})
		}
	}
	return out
}

func sortByScoreThenID(items []scored) {
	sort.Slice(items, func(i, j int) bool {
		if items[i].score != items[j].score {
			return items[i].score > items[j].score
		}
		return items[i].id < items[j].id
	})
}

// Model is safe for concurrent use: reads share a lock, writes (catalog, counts) take it alone.
type Model struct {
	mu         sync.RWMutex
	products   map[string]*Product
	byCategory map[string]map[string]bool
	byTag      map[string]map[string]bool
	stats      map[string]*ProductStats
	// generation counts changes of stats; the popular list is cached for one generation.
	generation uint64
	popular    atomic.Pointer[popularList]
}

type popularList struct {
	generation uint64
	items      []scored
}

func NewModel() *Model {
	return &Model{
		products:   map[string]*Product{},
		byCategory: map[string]map[string]bool{},
		byTag:      map[string]map[string]bool{},
		stats:      map[string]*ProductStats{},
	}
}

func (m *Model) ProductCount() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.products)
}

// UpsertProduct adds or replaces one product (catalog load, ProductUpdated).
func (m *Model) UpsertProduct(in contracts.ProductInfo) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.removeLocked(in.ID)
	tags := []string{}
	seen := map[string]bool{}
	for _, t := range in.Tags {
		t = strings.ToLower(strings.TrimSpace(t))
		if !seen[t] {
			seen[t] = true
			tags = append(tags, t)
		}
	}
	p := &Product{ID: in.ID, Category: in.Category, Price: in.Price, Tags: tags}
	m.products[p.ID] = p
	index := func(idx map[string]map[string]bool, key string) {
		if idx[key] == nil {
			idx[key] = map[string]bool{}
		}
		idx[key][p.ID] = true
	}
	index(m.byCategory, p.Category)
	for _, t := range p.Tags {
		index(m.byTag, t)
	}
}

func (m *Model) RemoveProduct(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.removeLocked(id)
}

func (m *Model) removeLocked(id string) {
	old, ok := m.products[id]
	if !ok {
		return
	}
	delete(m.products, id)
	delete(m.byCategory[old.Category], id)
	for _, t := range old.Tags {
		delete(m.byTag[t], id)
	}
}

// SetStats takes a stored copy of a product's counts unless the model already holds a newer one; true when taken.
func (m *Model) SetStats(id string, s ProductStats) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if cur, ok := m.stats[id]; ok && cur.Version >= s.Version {
		return false
	}
	co := make(map[string]int, len(s.Co))
	for k, v := range s.Co {
		co[k] = v
	}
	m.stats[id] = &ProductStats{Views: s.Views, Purchases: s.Purchases, Co: co, Version: s.Version}
	m.generation++
	return true
}

func (m *Model) Stats(id string) (ProductStats, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	s, ok := m.stats[id]
	if !ok {
		return ProductStats{}, false
	}
	return *s, true
}

// coPurchased: products bought together with id, most often first (ties: the more popular, then the id).
func (m *Model) coPurchased(id string) []scored {
	type entry struct {
		id     string
		n, tie float64
	}
	var entries []entry
	if s := m.stats[id]; s != nil {
		for other, n := range s.Co {
			if other != id && n > 0 {
				entries = append(entries, entry{other, float64(n), popularity(m.stats[other])})
			}
		}
	}
	sort.Slice(entries, func(i, j int) bool {
		a, b := entries[i], entries[j]
		if a.n != b.n {
			return a.n > b.n
		}
		if a.tie != b.tie {
			return a.tie > b.tie
		}
		return a.id < b.id
	})
	out := make([]scored, len(entries))
	for i, e := range entries {
		out[i] = scored{e.id, e.n}
	}
	return out
}

// similarTo: catalog products similar to the seeds, best first; several seeds are weighted (the first counts most).
func (m *Model) similarTo(seeds []*Product, weights []float64) []scored {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	if total <= 0 {
		return nil
	}
	scores := map[string]float64{}
	for i, seed := range seeds {
		candidates := map[string]bool{}
		for id := range m.byCategory[seed.Category] {
			candidates[id] = true
		}
		for _, t := range seed.Tags {
			for id := range m.byTag[strings.ToLower(t)] {
				candidates[id] = true
			}
		}
		for id := range candidates {
			if s := Similarity(seed, m.products[id]); s > 0 {
				scores[id] += (s * weights[i]) / total
			}
		}
	}
	out := make([]scored, 0, len(scores))
	for id, s := range scores {
		out = append(out, scored{id, s})
	}
	sortByScoreThenID(out)
	return out
}

// popularLocked: every product with any purchase or view, most popular first (recomputed only after counts changed).
// Called under the read lock (stats cannot change meanwhile); the cache is an atomic pointer.
func (m *Model) popularLocked() []scored {
	if p := m.popular.Load(); p != nil && p.generation == m.generation {
		return p.items
	}
	out := []scored{}
	for id, s := range m.stats {
		if score := popularity(s); score > 0 {
			out = append(out, scored{id, score})
		}
	}
	sortByScoreThenID(out)
	m.popular.Store(&popularList{m.generation, out})
	return out
}

// ForProduct: bought together, then similar, then popular.
func (m *Model) ForProduct(productID string, limit int) []contracts.RecommendationsResponseItemsElem {
	m.mu.RLock()
	product := m.products[productID]
	var similar []scored
	if product != nil {
		similar = m.similarTo([]*Product{product}, []float64{1})
	}
	tiers := []tier{
		{reasonCoPurchase, m.coPurchased(productID)},
		{reasonSimilar, similar},
		{reasonPopular, m.popularLocked()},
	}
	m.mu.RUnlock()
	return blend(tiers, map[string]bool{productID: true}, limit)
}

// ForUser: similar to what they viewed (most recent first, weighted down with age), then popular; never those viewed.
func (m *Model) ForUser(recentViews []string, limit int) []contracts.RecommendationsResponseItemsElem {
	m.mu.RLock()
	seeds := []*Product{}
	for _, id := range recentViews {
		if p := m.products[id]; p != nil {
			seeds = append(seeds, p)
		}
	}
	weights := make([]float64, len(seeds))
	for i := range seeds {
		weights[i] = math.Pow(0.8, float64(i))
	}
	tiers := []tier{
		{reasonSimilar, m.similarTo(seeds, weights)},
		{reasonPopular, m.popularLocked()},
	}
	m.mu.RUnlock()
	exclude := map[string]bool{}
	for _, id := range recentViews {
		exclude[id] = true
	}
	return blend(tiers, exclude, limit)
}

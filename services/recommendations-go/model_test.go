package main

import (
	"net/url"
	"reflect"
	"testing"

	"github.com/globalmart/recommendations-go/internal/contracts"
)

func product(id, category string, price float64, tags ...string) *Product {
	return &Product{ID: id, Category: category, Price: price, Tags: tags}
}

// The same figures as services/recommendations/test/model.test.ts.
func TestSimilarity(t *testing.T) {
	base := product("prd_000001", "books", 20, "reading", "paper")
	cases := []struct {
		other *Product
		want  float64
	}{
		{product("prd_000002", "books", 21, "reading", "paper"), 1},
		{product("prd_000003", "books", 45, "reading", "paper"), 0.875},
		{product("prd_000004", "books", 400, "reading", "paper"), 0.75},
		{product("prd_000005", "garden", 20, "paper"), 0.25 + 0.25*0.5},
		{product("prd_000006", "garden", 20, "plants"), 0},
		{base, 0},
	}
	for _, c := range cases {
		if got := Similarity(base, c.other); got != c.want {
			t.Errorf("Similarity(base, %s) = %v, want %v", c.other.ID, got, c.want)
		}
	}
	if PriceBand(16) != PriceBand(31.99) || PriceBand(32) != PriceBand(16)+1 {
		t.Error("price bands are not factor-of-two wide")
	}
}

func TestBlend(t *testing.T) {
	tiers := []tier{
		{reasonCoPurchase, []scored{{"b", 4}, {"self", 9}, {"c", 2}}},
		{reasonSimilar, []scored{{"c", 0.9}, {"d", 0.5}}},
		{reasonPopular, []scored{{"e", 100}, {"b", 50}, {"f", 10}, {"g", 0}}},
	}
	got := blend(tiers, map[string]bool{"self": true}, 10)
	want := []contracts.RecommendationsResponseItemsElem{
		{ProductID: "b", Score: 2.4444, Reason: reasonCoPurchase}, // relative to the tier's best (9, excluded itself)
		{ProductID: "c", Score: 2.2222, Reason: reasonCoPurchase},
		{ProductID: "d", Score: 1.5, Reason: reasonSimilar},
		{ProductID: "e", Score: 1, Reason: reasonPopular},
		{ProductID: "f", Score: 0.1, Reason: reasonPopular},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("blend = %+v, want %+v", got, want)
	}
	if n := len(blend(tiers, map[string]bool{"self": true}, 3)); n != 3 {
		t.Errorf("limit 3 gave %d items", n)
	}
}

func TestCoPurchaseTieBreaks(t *testing.T) {
	m := NewModel()
	m.SetStats("a", ProductStats{Co: map[string]int{"b": 1, "c": 1, "d": 2, "a": 5}, Version: 1})
	m.SetStats("c", ProductStats{Views: 3, Version: 1})
	got := m.ForProduct("a", 3)
	ids := []string{got[0].ProductID, got[1].ProductID, got[2].ProductID}
	if !reflect.DeepEqual(ids, []string{"d", "c", "b"}) {
		t.Errorf("co-purchase order = %v, want [d c b] (count, then popularity, then id)", ids)
	}
	if m.SetStats("c", ProductStats{Views: 1, Version: 1}) {
		t.Error("an older or equal version replaced the model's copy")
	}
}

func TestQueryValidationAsZod(t *testing.T) {
	rules := loadQueryRules()
	q, errs := rules.parse(url.Values{})
	if len(errs) != 0 || q.Limit != 6 {
		t.Fatalf("defaults: %+v %+v", q, errs)
	}
	_, errs = rules.parse(url.Values{"product_id": {"x"}, "limit": {"0"}, "user_id": {""}})
	fields := []string{}
	for _, e := range errs {
		fields = append(fields, e.Field)
	}
	if !reflect.DeepEqual(fields, []string{"product_id", "user_id", "limit"}) {
		t.Errorf("fields = %v", fields)
	}
}

func TestEncodeURIComponent(t *testing.T) {
	if got := encodeURIComponent("a b!'()*@|é"); got != "a%20b!'()*%40%7C%C3%A9" {
		t.Errorf("encodeURIComponent = %s", got)
	}
}

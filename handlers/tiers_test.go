package handlers_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// goldTiers are the owner's Bronze, Silver and Gold by visits in a year.
var goldTiers = map[string]string{
	"measure": "visits", "period_days": "365", "grace_days": "30",
	"tier_name_1": "Bronze", "tier_threshold_1": "2", "tier_multiplier_1": "1",
	"tier_name_2": "Silver", "tier_threshold_2": "4", "tier_multiplier_2": "1.5",
	"tier_name_3": "Gold", "tier_threshold_3": "6", "tier_multiplier_3": "۲",
}

// setTiers saves the owner's ladder through the page's form.
func setTiers(t *testing.T, owner *client, fill map[string]string) {
	t.Helper()
	if res := owner.submit(owner.get("/tiers"), `form[action="/tiers"]`, fill); res.status != http.StatusSeeOther {
		t.Fatalf("save tiers: %d\n%s", res.status, snippet(text(res, "main")))
	}
}

// TestTiersSettings: the owner saves a ladder, sees it as saved, and the
// audit log keeps it before and after.
func TestTiersSettings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Tier Café", "tiers@example.com")
	setTiers(t, owner, goldTiers)
	page := owner.get("/tiers")
	for field, want := range map[string]string{"tier_name_2": "Silver", "tier_threshold_3": "6", "tier_multiplier_2": "1.5", "tier_multiplier_3": "2", "tier_name_4": ""} {
		if got, _ := page.doc.Find(`[name="` + field + `"]`).Attr("value"); got != want {
			t.Errorf("%s reads %q, want %q", field, got, want)
		}
	}
	if n := e.count(`SELECT count(*) FROM audit WHERE action = 'settings' AND subject = 'tiers: none → visits in 365 days, grace 30: Bronze 2 ×1.00, Silver 4 ×1.50, Gold 6 ×2.00'`); n != 1 {
		t.Errorf("audit rows of the ladder: %d", n)
	}
	// Emptying the rows removes the tiers.
	setTiers(t, owner, map[string]string{"tier_name_1": "", "tier_threshold_1": "", "tier_name_2": "", "tier_threshold_2": "", "tier_name_3": "", "tier_threshold_3": ""})
	if n := e.count(`SELECT count(*) FROM tiers`); n != 0 {
		t.Errorf("%d tiers left after emptying every row", n)
	}
}

// TestTiersBadInput: missing, malformed, oversized and falling values, a
// forged measure, a stale or replayed form, a cashier, another shop and no
// CSRF token: each refused with a 4xx, nothing changed.
func TestTiersBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Tier Bar", "tiers-bad@example.com")
	setTiers(t, owner, goldTiers)
	form := owner.get("/tiers")
	_, base := formValues(t, form, `form[action="/tiers"]`)
	cases := []struct {
		name   string
		set    map[string]string
		status int
	}{
		{"a threshold without a name", map[string]string{"tier_name_2": ""}, http.StatusUnprocessableEntity},
		{"a name without a threshold", map[string]string{"tier_threshold_2": ""}, http.StatusUnprocessableEntity},
		{"a malformed threshold", map[string]string{"tier_threshold_2": "four"}, http.StatusUnprocessableEntity},
		{"a negative threshold", map[string]string{"tier_threshold_1": "-2"}, http.StatusUnprocessableEntity},
		{"a huge threshold", map[string]string{"tier_threshold_3": "99999999999"}, http.StatusUnprocessableEntity},
		{"thresholds not rising", map[string]string{"tier_threshold_3": "4"}, http.StatusUnprocessableEntity},
		{"a multiplier below 1", map[string]string{"tier_multiplier_2": "0.5"}, http.StatusUnprocessableEntity},
		{"a multiplier above 10", map[string]string{"tier_multiplier_2": "11"}, http.StatusUnprocessableEntity},
		{"a malformed multiplier", map[string]string{"tier_multiplier_2": "x2"}, http.StatusUnprocessableEntity},
		{"an oversized name", map[string]string{"tier_name_1": strings.Repeat("B", 41)}, http.StatusUnprocessableEntity},
		{"a name over lines", map[string]string{"tier_name_1": "Bron\nze"}, http.StatusUnprocessableEntity},
		{"a forged measure", map[string]string{"measure": "money"}, http.StatusUnprocessableEntity},
		{"no period", map[string]string{"period_days": "0"}, http.StatusUnprocessableEntity},
		{"a grace too long", map[string]string{"grace_days": "1000"}, http.StatusUnprocessableEntity},
		{"no version", map[string]string{"version": ""}, http.StatusBadRequest},
		{"a stale version", map[string]string{"version": "1"}, http.StatusConflict},
	}
	for _, c := range cases {
		before := e.snapshot()
		res := owner.postRaw("/tiers", withValues(base, c.set))
		if res.status != c.status {
			t.Errorf("%s: status %d, want %d\n%s", c.name, res.status, c.status, snippet(text(res, "main")))
		}
		if e.snapshot() != before {
			t.Errorf("%s changed the database", c.name)
		}
	}
	// The same form twice: the second is a replay of a form the first made stale.
	if res := owner.postRaw("/tiers", withValues(base, map[string]string{"tier_name_1": "Copper"})); res.status != http.StatusSeeOther {
		t.Fatalf("the first save: %d", res.status)
	}
	before := e.snapshot()
	res := owner.postRaw("/tiers", withValues(base, map[string]string{"tier_name_1": "Tin"}))
	if res.status != http.StatusConflict || text(res, `[data-testid="problem"]`) == "" {
		t.Errorf("the replayed form: %d %q, want 409 with the reason", res.status, text(res, `[data-testid="problem"]`))
	}
	if e.snapshot() != before {
		t.Error("the replayed form changed the database")
	}
	// A cashier may not; another shop's owner changes only their own shop.
	cashier := e.addCashier(owner, "tier-cashier@example.com")
	if res := cashier.postRaw("/tiers", withValues(base, nil)); res.status != http.StatusForbidden {
		t.Errorf("a cashier's save: %d, want 403", res.status)
	}
	other := e.signup("Tier Rival", "tiers-rival@example.com")
	setTiers(t, other, map[string]string{"tier_name_1": "Rival", "tier_threshold_1": "9"})
	if n := e.count(`SELECT count(*) FROM tiers WHERE name = 'Copper'`); n != 1 {
		t.Errorf("the other shop's save touched this one's ladder (%d)", n)
	}
	// No CSRF token.
	before = e.snapshot()
	plain := withValues(base, map[string]string{"_csrf": ""})
	if res := owner.postRaw("/tiers", plain); res.status != http.StatusForbidden {
		t.Errorf("no CSRF token: %d, want 403", res.status)
	}
	if e.snapshot() != before {
		t.Error("a form without a CSRF token changed the database")
	}
}

// TestTierAtTheCounterAndOnTheCard: a purchase raises the card to Silver;
// the counter shows the badge and the ×1.5 before the cashier confirms and
// the purchase gives it; the card page shows the badge and how far Gold is;
// the owner's record lists the change.
func TestTierAtTheCounterAndOnTheCard(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := newCatalogueShop(t, e, "Tier Beans", "tierbeans@example.com", nil) // one purchase of 5.00 already
	setTiers(t, s.owner, map[string]string{
		"tier_name_1": "Bronze", "tier_threshold_1": "1", "tier_multiplier_1": "",
		"tier_name_2": "Silver", "tier_threshold_2": "2", "tier_multiplier_2": "1,5",
		"tier_name_3": "Gold", "tier_threshold_3": "5", "tier_multiplier_3": "2",
	})
	page := s.cashier.get(s.cardPath)
	if n := page.doc.Find(`[data-testid="tier-badge"]`).Length(); n != 0 {
		t.Errorf("a card judged before the shop had tiers shows a badge")
	}
	e.clock.Advance(time.Hour)
	if res := s.cashier.submit(page, `form[data-keypad]`, map[string]string{"amount": "10"}); res.status != http.StatusSeeOther {
		t.Fatalf("earn: %d\n%s", res.status, snippet(res.body))
	}
	page = s.cashier.get(s.cardPath)
	if got := text(page, `[data-testid="tier-badge"]`); !strings.Contains(got, "Silver") {
		t.Errorf("the counter's badge reads %q, want Silver", got)
	}
	if got := text(page, `[data-testid="tier-multiplier-now"]`); got != "Silver: ×1.5 points" {
		t.Errorf("the counter's multiplier reads %q", got)
	}
	if pct, _ := page.doc.Find(`form[data-keypad]`).Attr("data-tier-percent"); pct != "150" {
		t.Errorf("the keypad's tier percent %q, want 150", pct)
	}
	before := e.points(s.cardPath)
	e.clock.Advance(time.Hour)
	if res := s.cashier.submit(page, `form[data-keypad]`, map[string]string{"amount": "10"}); res.status != http.StatusSeeOther {
		t.Fatalf("earn at Silver: %d", res.status)
	}
	if got := e.points(s.cardPath) - before; got != 15 {
		t.Errorf("10.00 at Silver gave %d points, want 15", got)
	}
	card := s.card()
	if got := text(card, `[data-testid="tier-badge"]`); !strings.Contains(got, "Silver") {
		t.Errorf("the card's badge reads %q", got)
	}
	if got := text(card, `[data-testid="tier-progress"]`); got != "2 more visits to Gold" {
		t.Errorf("the card's progress reads %q", got)
	}
	record := s.owner.get(strings.Replace(s.cardPath, "/counter/cards/", "/customers/", 1))
	if got := text(record, `[data-testid="tier-changes"]`); !strings.Contains(got, "no tier → Silver") || !strings.Contains(got, "visits reached it") {
		t.Errorf("the record's tier changes read %q", got)
	}
}

// TestTierOnlyGift: an item for Silver and above is not offered to a card
// below Silver, and a request forged for it is refused with 403 and takes
// nothing; once the card is Silver the page offers it, labelled, and the
// request goes through. The owner's form refuses a tier the shop lacks.
func TestTierOnlyGift(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := newCatalogueShop(t, e, "Tier Gifts", "tiergifts@example.com", map[string]string{"name": "Open mug", "stock": ""})
	setTiers(t, s.owner, map[string]string{"tier_name_1": "Bronze", "tier_threshold_1": "2", "tier_name_2": "Silver", "tier_threshold_2": "3"})
	catalogue := s.owner.get("/catalogue")
	if catalogue.doc.Find(`select[name="min_tier"] option`).Length() != 3 {
		t.Fatalf("the item form's tier choices:\n%s", snippet(text(catalogue, "form[data-testid=gift-form]")))
	}
	before := e.snapshot()
	if res := s.owner.submit(catalogue, `[data-testid="gift-form"]`, map[string]string{"name": "Bad", "points": "10", "min_tier": "7"}); res.status != http.StatusUnprocessableEntity {
		t.Errorf("an item for a tier the shop lacks: %d, want 422", res.status)
	}
	if e.snapshot() != before {
		t.Error("the refused item changed the database")
	}
	res := s.owner.submit(s.owner.get("/catalogue"), `[data-testid="gift-form"]`, map[string]string{"name": "Silver mug", "points": "100", "stock": "", "per_customer": "0", "min_tier": "2"})
	if res.status != http.StatusSeeOther {
		t.Fatalf("add the Silver item: %d\n%s", res.status, snippet(res.body))
	}
	var silverID string
	if err := e.raw.QueryRow(`SELECT id FROM gifts WHERE name = 'Silver mug'`).Scan(&silverID); err != nil {
		t.Fatal(err)
	}
	page := s.card()
	if strings.Contains(text(page, `[data-testid="card-catalogue"]`), "Silver mug") {
		t.Error("the card page offers the Silver item to a card with no tier")
	}
	_, form := formValues(t, page, `[data-testid="gift-request"]`)
	held := e.points(s.cardPath)
	before = e.snapshot()
	res = s.customer.postRaw("/c/"+s.token+"/gifts/"+silverID, withValues(form, map[string]string{"key": "forged-silver-0001"}))
	if res.status != http.StatusForbidden || !strings.Contains(text(res, `[data-testid="gift-problem"]`), "higher tier") {
		t.Errorf("a forged request below Silver: %d %q, want 403 with the reason", res.status, text(res, `[data-testid="gift-problem"]`))
	}
	if e.snapshot() != before || e.points(s.cardPath) != held {
		t.Error("the refused request changed the database")
	}
	// Two more purchases: Silver.
	for range 2 {
		e.clock.Advance(time.Hour)
		if res := s.cashier.submit(s.cashier.get(s.cardPath), `form[data-keypad]`, map[string]string{"amount": "1"}); res.status != http.StatusSeeOther {
			t.Fatalf("earn: %d", res.status)
		}
	}
	page = s.card()
	var offered bool
	page.doc.Find(`[data-testid="card-gift"]`).Each(func(_ int, g *goquery.Selection) {
		if strings.Contains(g.Find(`[data-testid="gift-name"]`).Text(), "Silver mug") {
			offered = true
			if got := strings.TrimSpace(g.Find(`[data-testid="gift-tier-only"]`).Text()); got != "Members of Silver or higher only" {
				t.Errorf("the Silver item's label reads %q", got)
			}
		}
	})
	if !offered {
		t.Fatalf("the card page does not offer the Silver item to a Silver card:\n%s", snippet(text(page, `[data-testid="card-catalogue"]`)))
	}
	res = s.customer.postRaw("/c/"+s.token+"/gifts/"+silverID, withValues(form, map[string]string{"key": "silver-request-0001"}))
	if res.status != http.StatusOK || text(res, `[data-testid="gift-requested"]`) == "" {
		t.Errorf("the Silver card's request: %d\n%s", res.status, snippet(text(res, "main")))
	}
}

// TestTierOnlyCoupon: a coupon for Silver and above is refused at the
// counter to a card below Silver (409 with the reason, nothing written) and
// accepted once the card's visits reach Silver.
func TestTierOnlyCoupon(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Tier Coupons", "tiercoupons@example.com")
	setTiers(t, owner, map[string]string{"tier_name_1": "Bronze", "tier_threshold_1": "1", "tier_name_2": "Silver", "tier_threshold_2": "2"})
	cashier := e.addCashier(owner, "tiercoupons-till@example.com")
	cardPath := cashier.enroll("Ayla")
	if n := owner.get("/coupons/new").doc.Find(`select[name="min_tier"] option`).Length(); n != 3 {
		t.Errorf("the coupon form offers %d tier choices, want 3", n)
	}
	couponPath := newCoupon(t, owner, map[string]string{"title": "Silver treat", "value_kind": "percent", "value_number": "10", "audience": "all", "min_tier": "2"})
	page := cashier.get(cardPath)
	if n := page.doc.Find(`[data-testid="redeem-coupon"]`).Length(); n != 0 {
		t.Error("the counter offers the Silver coupon to a card with no tier")
	}
	// The request a stale or forged form would send.
	_, v := formValues(t, page, `form[action$="/code"]`)
	v.Set("key", "forged-silver-coupon-01")
	v.Del("code")
	v.Set("campaign", strings.TrimPrefix(couponPath, "/coupons/"))
	before := e.snapshot()
	res := cashier.postRaw(cardPath+"/coupon", v)
	if res.status != http.StatusConflict || !strings.Contains(text(res, `[data-testid="result"]`), "higher tier") {
		t.Fatalf("the Silver coupon for a card with no tier: %d %q, want 409 with the reason", res.status, text(res, `[data-testid="result"]`))
	}
	if e.snapshot() != before {
		t.Error("the refused coupon changed the database")
	}
	for range 2 {
		e.clock.Advance(time.Hour)
		if res := cashier.submit(cashier.get(cardPath), `[data-testid="stamp-1"]`, nil); res.status != http.StatusSeeOther {
			t.Fatalf("stamp: %d\n%s", res.status, snippet(res.body))
		}
	}
	if res := cashier.submit(cashier.get(cardPath), `[data-testid="redeem-coupon"]`, nil); res.status != http.StatusSeeOther {
		t.Errorf("the Silver coupon for a Silver card: %d\n%s", res.status, snippet(text(res, "main")))
	}
}

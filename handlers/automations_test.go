package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"regulars/db"
)

// TestAutomationList: the owner's list shows the seven kinds, each linked
// to its page with its state and a line saying what it does; an unknown
// kind has no page.
func TestAutomationList(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, withEmail)
	owner := e.signup("Shop", "owner@example.com")
	page := owner.submit(owner.get("/automations/we_miss_you"), `[data-testid="automation-form"]`, map[string]string{"action": "save"})
	if page.status != http.StatusSeeOther || page.location != "/automations/we_miss_you?saved=1" {
		t.Fatalf("turning on we miss you: %d %q\n%s", page.status, page.location, snippet(page.body))
	}
	page = owner.get("/automations")
	if page.status != http.StatusOK {
		t.Fatalf("GET /automations: %d", page.status)
	}
	for _, kind := range db.AutomationKinds {
		item := page.doc.Find(`[data-testid="automation-` + kind + `"]`)
		if href, _ := item.Find("a").Attr("href"); href != "/automations/"+kind || strings.TrimSpace(item.Find(".hint").Text()) == "" {
			t.Errorf("%s: link %q, hint %q", kind, href, item.Find(".hint").Text())
		}
		on := item.Find(`[data-testid="automation-on"]`).Length() == 1
		if on != (kind == db.AutomationWeMissYou) {
			t.Errorf("%s shown on: %v", kind, on)
		}
		if res := owner.get("/automations/" + kind); res.status != http.StatusOK {
			t.Errorf("GET /automations/%s: %d", kind, res.status)
		}
	}
	for _, path := range []string{"/automations/nope", "/automations/reward_ready%00", "/automations/" + strings.Repeat("x", 5000)} {
		if res := owner.get(path); res.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path[:min(len(path), 40)], res.status)
		}
	}
	// A form of the page before each kind had its own still saves "reward ready".
	_, v := formValues(t, owner.get("/automations/reward_ready"), `[data-testid="automation-form"]`)
	v.Set("action", "save")
	if res := owner.postRaw("/automations", v); res.status != http.StatusSeeOther || e.count(`SELECT count(*) FROM automations WHERE kind = 'reward_ready' AND enabled`) != 1 {
		t.Errorf("POST /automations: %d", res.status)
	}
	before := e.snapshot()
	if res := owner.postRaw("/automations/nope", url.Values{"_csrf": {owner.token()}, "enabled": {"1"}}); res.status != http.StatusNotFound {
		t.Errorf("POST to an unknown kind: %d", res.status)
	}
	if e.snapshot() != before {
		t.Error("a POST to an unknown kind changed the database")
	}
}

// TestMarketingLimits: the owner sets the cap and the quiet hours; missing,
// malformed and out-of-range values are refused with the reason and change
// nothing; the same form sent twice saves the same.
func TestMarketingLimits(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, withEmail)
	owner := e.signup("Shop", "owner@example.com")
	page := owner.get("/automations")
	if _, v := formValues(t, page, `[data-testid="limits-form"]`); v.Get("cap") != "4" || v.Get("quiet_from") != "21:00" || v.Get("quiet_until") != "09:00" {
		t.Errorf("the defaults shown: %v", v)
	}
	before := e.snapshot()
	for _, tc := range []struct {
		name  string
		field string
		fill  map[string]string
	}{
		{"cap not a number", "cap", map[string]string{"cap": "lots"}},
		{"cap too big", "cap", map[string]string{"cap": "31"}},
		{"cap huge", "cap", map[string]string{"cap": "99999999999999999999999"}},
		{"cap negative", "cap", map[string]string{"cap": "-1"}},
		{"quiet from missing", "quiet_from", map[string]string{"quiet_from": ""}},
		{"quiet from past midnight", "quiet_from", map[string]string{"quiet_from": "24:00"}},
		{"quiet until without minutes", "quiet_until", map[string]string{"quiet_until": "9"}},
		{"quiet until with seconds", "quiet_until", map[string]string{"quiet_until": "09:00:00"}},
		{"quiet until oversized", "quiet_until", map[string]string{"quiet_until": strings.Repeat("9", 1000)}},
	} {
		res := owner.submit(page, `[data-testid="limits-form"]`, tc.fill)
		if res.status != http.StatusUnprocessableEntity || text(res, "#e-"+tc.field) == "" {
			t.Errorf("%s: %d %q", tc.name, res.status, text(res, "#e-"+tc.field))
		}
	}
	if e.snapshot() != before {
		t.Error("a refused form changed the database")
	}
	for range 2 { // a double tap saves the same
		res := owner.submit(page, `[data-testid="limits-form"]`, map[string]string{"cap": "2", "quiet_from": "22:30", "quiet_until": "07:15"})
		if res.status != http.StatusSeeOther || res.location != "/automations?saved=limits" {
			t.Fatalf("save: %d %q\n%s", res.status, res.location, snippet(res.body))
		}
	}
	if n := e.count(`SELECT count(*) FROM shops WHERE marketing_cap = 2 AND quiet_from = 1350 AND quiet_until = 435`); n != 1 {
		t.Error("the limits were not kept")
	}
	page = owner.get("/automations?saved=limits")
	if _, v := formValues(t, page, `[data-testid="limits-form"]`); v.Get("cap") != "2" || v.Get("quiet_from") != "22:30" || page.doc.Find(`[data-testid="limits-saved"]`).Length() != 1 {
		t.Errorf("after saving the page shows %v", v)
	}
}

// TestWeMissYouSettings: the owner turns on "we miss you" with a hold-out
// and one of the shop's coupons, and the preview names the coupon; a
// hold-out out of bounds, another shop's coupon, an ended one or a forged
// value is refused and changes nothing; "coupon expiring" takes its days.
func TestWeMissYouSettings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnvWith(t, withEmail)
	owner := e.signup("Shop", "owner@example.com")
	e.signup("Other", "other@example.com")
	user := func(shopID int64) (id int64) {
		e.raw.QueryRow(`SELECT id FROM users WHERE shop_id = ?`, shopID).Scan(&id)
		return id
	}
	campaign := func(shopID int64, title string) int64 {
		t.Helper()
		now := e.clock.Now()
		id, err := e.store.CreateCampaign(ctx, db.Campaign{ShopID: shopID, Title: title, ValueKind: "text", ValueText: "x",
			ValidFrom: now, ValidUntil: now.Add(30 * 24 * time.Hour), Audience: db.AudienceChosen, PerCardLimit: 1}, nil, user(shopID), now)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	mine := campaign(1, "A free pastry")
	ended := campaign(1, "Last summer's")
	if err := e.store.SetCampaignState(ctx, 1, ended, db.CampaignEnd, user(1), e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	theirs := campaign(2, "Their coupon")
	page := owner.get("/automations/we_miss_you")
	options := page.doc.Find(`[data-testid="automation-coupon"] option`)
	if options.Length() != 2 || !strings.Contains(options.Text(), "A free pastry") || strings.Contains(options.Text(), "Their coupon") || strings.Contains(options.Text(), "Last summer") {
		t.Errorf("the coupons offered: %q", options.Text())
	}
	before := e.snapshot()
	for _, tc := range []struct {
		name, field string
		fill        map[string]string
	}{
		{"hold-out too big", "holdout", map[string]string{"holdout": "51"}},
		{"hold-out negative", "holdout", map[string]string{"holdout": "-5"}},
		{"hold-out not a number", "holdout", map[string]string{"holdout": "ten"}},
		{"another shop's coupon", "campaign", map[string]string{"campaign": strconv.FormatInt(theirs, 10)}},
		{"an ended coupon", "campaign", map[string]string{"campaign": strconv.FormatInt(ended, 10)}},
		{"a forged coupon", "campaign", map[string]string{"campaign": "1 OR 1=1"}},
		{"a forged switch", "enabled", map[string]string{"enabled": "yes"}},
	} {
		res := owner.submit(page, `[data-testid="automation-form"]`, tc.fill)
		if res.status != http.StatusUnprocessableEntity || text(res, "#e-"+tc.field) == "" {
			t.Errorf("%s: %d %q", tc.name, res.status, text(res, "#e-"+tc.field))
		}
	}
	if e.snapshot() != before {
		t.Error("a refused form changed the database")
	}
	fill := map[string]string{"holdout": "30", "campaign": strconv.FormatInt(mine, 10), "action": "preview"}
	res := owner.submit(page, `[data-testid="automation-form"]`, fill)
	if !strings.Contains(text(res, `[data-testid="preview"]`), "A free pastry") {
		t.Errorf("the preview does not name the coupon:\n%s", text(res, `[data-testid="preview"]`))
	}
	if e.snapshot() != before {
		t.Error("the preview saved something")
	}
	fill["campaign"] = ""
	if res := owner.submit(page, `[data-testid="automation-form"]`, fill); strings.Contains(text(res, `[data-testid="preview"]`), "{coupon}") ||
		strings.Contains(text(res, `[data-testid="preview"]`), "gift is waiting") {
		t.Errorf("without a coupon the preview keeps the coupon's line:\n%s", text(res, `[data-testid="preview"]`))
	}
	fill["campaign"], fill["action"] = strconv.FormatInt(mine, 10), "save"
	for range 2 { // replayed: the same state
		if res := owner.submit(page, `[data-testid="automation-form"]`, fill); res.status != http.StatusSeeOther {
			t.Fatalf("save: %d\n%s", res.status, snippet(res.body))
		}
	}
	if n := e.count(`SELECT count(*) FROM automations WHERE shop_id = 1 AND kind = 'we_miss_you' AND enabled AND holdout_pct = 30 AND campaign_id = ?`, mine); n != 1 {
		t.Error("the settings were not kept")
	}
	expiring := owner.get("/automations/coupon_expiring")
	for _, days := range []string{"0", "31", "x"} {
		if res := owner.submit(expiring, `[data-testid="automation-form"]`, map[string]string{"days_before": days}); res.status != http.StatusUnprocessableEntity {
			t.Errorf("days before %q: %d", days, res.status)
		}
	}
	if res := owner.submit(expiring, `[data-testid="automation-form"]`, map[string]string{"days_before": "5", "holdout": "0"}); res.status != http.StatusSeeOther {
		t.Fatalf("coupon expiring: %d", res.status)
	}
	if n := e.count(`SELECT count(*) FROM automations WHERE kind = 'coupon_expiring' AND days_before = 5 AND holdout_pct = 0`); n != 1 {
		t.Error("coupon expiring's settings were not kept")
	}
}

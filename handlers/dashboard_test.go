package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"regulars/db"
)

// TestDashboardShowsTheShop: after a stamp the owner's dashboard counts the
// customer and the visit; the cashier may not see it.
func TestDashboardShowsTheShop(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Shop A", "a@example.com")
	cashier := e.addCashier(owner, "cashier@example.com")
	card := cashier.enroll("Ali")
	cashier.submit(cashier.get(card), `[data-testid="stamp-1"]`, map[string]string{"count": "1"})

	res := owner.get("/dashboard")
	if res.status != http.StatusOK {
		t.Fatalf("dashboard: %d", res.status)
	}
	for sel, want := range map[string]string{
		`[data-testid="tile-customers"] .tile-value`: "1",
		`[data-testid="tile-active"] .tile-value`:    "1",
		`[data-testid="today"]`:                      "stamps 1",
		`[data-testid="segment-new"] .count`:         "1",
	} {
		if got := text(res, sel); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want %q", sel, got, want)
		}
	}
	if n := res.doc.Find(`[data-testid="chart-daily"] rect.bar`).Length(); n != 1 {
		t.Errorf("daily chart has %d bars after one visit", n)
	}
	if got := text(res, `[data-testid="staff-activity"] tbody tr`); !strings.Contains(got, "Cashier cashier@example.com") {
		t.Errorf("staff activity %q does not name the cashier", got)
	}
	if res := cashier.get("/dashboard"); res.status != http.StatusForbidden {
		t.Errorf("cashier sees the dashboard: %d", res.status)
	}
}

// TestEconomicsForm: the owner enters an average ticket and a reward cost and
// reads the return; bad amounts are refused and change nothing.
func TestEconomicsForm(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Shop A", "a@example.com")
	cashier := e.addCashier(owner, "cashier@example.com")
	form := `form[action="/dashboard/economics"]`
	cases := []struct {
		name   string
		c      *client
		set    map[string]string
		del    []string
		status int
	}{
		{"malformed ticket", owner, map[string]string{"average_ticket": "four", "reward_cost": "1.80"}, nil, 422},
		{"negative cost", owner, map[string]string{"average_ticket": "4.50", "reward_cost": "-1"}, nil, 422},
		{"three decimals", owner, map[string]string{"average_ticket": "4.505", "reward_cost": "1"}, nil, 422},
		{"oversized ticket", owner, map[string]string{"average_ticket": "1234567890123", "reward_cost": "1"}, nil, 422},
		{"without CSRF token", owner, map[string]string{"average_ticket": "4.50"}, []string{"_csrf"}, 403},
		{"by a cashier", cashier, map[string]string{"average_ticket": "4.50"}, nil, 403},
	}
	page := owner.get("/dashboard")
	// One case at a time: each compares snapshots of the whole shared database,
	// which a sibling case's requests would change in between.
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			before := e.snapshot()
			action, v := formValues(t, page, form)
			for k, val := range tt.set {
				v.Set(k, val)
			}
			for _, k := range tt.del {
				v.Del(k)
			}
			if tt.c == cashier {
				_, cv := formValues(t, cashier.get("/counter"), `form[action="/logout"]`)
				v.Set("_csrf", cv.Get("_csrf"))
			}
			res := tt.c.postRaw(action, v)
			if res.status != tt.status {
				t.Fatalf("status %d, want %d\n%s", res.status, tt.status, snippet(res.body))
			}
			if tt.status == 422 && text(res, ".field-error") == "" {
				t.Errorf("no message:\n%s", snippet(res.body))
			}
			if after := e.snapshot(); after != before {
				t.Error("a refused form changed the database")
			}
		})
	}
	res := owner.submit(page, form, map[string]string{"average_ticket": "4,50", "reward_cost": "1.80"})
	if res.status != http.StatusSeeOther {
		t.Fatalf("save economics: %d\n%s", res.status, snippet(res.body))
	}
	res = owner.get("/dashboard")
	if got := res.doc.Find(`#f-average_ticket`).AttrOr("value", ""); got != "4.50" {
		t.Errorf("average ticket shown as %q", got)
	}
	if got := text(res, `[data-testid="economics"] .formula`); !strings.Contains(got, "4.50 EUR") || !strings.Contains(got, "1.80 EUR") {
		t.Errorf("formula %q does not spell out the inputs", got)
	}
}

// TestDashboardNewCustomersOneDefinition: a new customer is a customer's
// first visit, wherever the dashboard counts one (the tile, the weekly chart,
// retention), and imported customers are never new: they were customers
// before the shop used Regulars. A card never stamped is nobody's visit yet.
func TestDashboardNewCustomersOneDefinition(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Shop A", "a@example.com")
	cashier := e.addCashier(owner, "cashier@example.com")
	for _, name := range []string{"Ali", "Bea"} {
		card := cashier.enroll(name)
		cashier.submit(cashier.get(card), `[data-testid="stamp-1"]`, map[string]string{"count": "1"})
	}
	cashier.enroll("Cem") // joined, never stamped

	newCustomers := func(stage string, res response) {
		t.Helper()
		if got := text(res, `[data-testid="tile-new"] .tile-value`); got != "2" {
			t.Errorf("%s: new customers tile %q, want 2 (Ali and Bea's first visits)", stage, got)
		}
		if got := text(res, `[data-testid="cohorts"] tbody tr:last-child td`); got != "2" {
			t.Errorf("%s: March's new customers in retention %q, want 2", stage, got)
		}
		if got := res.doc.Find(`[data-testid="chart-weekly"] rect.bar.new title`).Text(); !strings.Contains(got, "2 first visits") {
			t.Errorf("%s: weekly chart says %q, want 2 first visits", stage, got)
		}
	}
	res := owner.get("/dashboard")
	newCustomers("before the import", res)
	before := text(res, `[data-testid="tile-new"]`)

	owner.importCSV([]byte("name,stamps\nDeniz,2\nEce,0\nFatma,4\n"))
	res = owner.get("/dashboard")
	newCustomers("after importing 3", res)
	if got := text(res, `[data-testid="tile-new"]`); got != before {
		t.Errorf("the import moved the new customers tile from %q to %q", before, got)
	}
	if got := text(res, `[data-testid="tile-customers"] .tile-value`); got != "5" {
		t.Errorf("customers tile %q, want 5: two who visited and three imported", got)
	}

	// An imported customer's first stamp in the app is a returning visit.
	var deniz int64
	if err := e.raw.QueryRow(`SELECT id FROM cards WHERE first_name = 'Deniz'`).Scan(&deniz); err != nil {
		t.Fatal(err)
	}
	page := cashier.get(fmt.Sprintf("/counter/cards/%d", deniz))
	cashier.submit(page, `[data-testid="stamp-1"]`, map[string]string{"count": "1"})
	res = owner.get("/dashboard")
	newCustomers("after Deniz's visit", res)
	if got := text(res, `[data-testid="tile-active"] .tile-value`); got != "3" {
		t.Errorf("active tile %q, want 3", got)
	}
	if got := res.doc.Find(`[data-testid="chart-weekly"] rect.bar.returning title`).Text(); !strings.Contains(got, "1 returning") {
		t.Errorf("weekly chart says %q, want Deniz's visit as 1 returning", got)
	}
	// The segment of one visit is not "new": it says what it is.
	if got := text(res, `[data-testid="segment-new"] strong`); strings.Contains(got, "New") {
		t.Errorf("the one-visit segment is called %q", got)
	}
}

// TestDashboardEconomicsCountsEveryGift: a shop that gave a welcome gift of a
// whole card, coupons of every kind and nothing else: the cost of rewards
// counts each reward and coupon handed over, and the page says what the
// estimate assumes.
func TestDashboardEconomicsCountsEveryGift(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	owner := e.signup("Shop A", "a@example.com")
	cashier := e.addCashier(owner, "cashier@example.com")
	var shopID, ownerID, cashierID int64
	if err := e.raw.QueryRow(`SELECT shop_id, id FROM users WHERE email = 'a@example.com'`).Scan(&shopID, &ownerID); err != nil {
		t.Fatal(err)
	}
	if err := e.raw.QueryRow(`SELECT id FROM users WHERE email = 'cashier@example.com'`).Scan(&cashierID); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SaveGrowth(ctx, shopID, db.Growth{WelcomeStamps: 10, ReferralCap: 5, BirthdayDays: 7}, ownerID, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	card := cardID(t, cashier.enroll("Ali")) // 10 welcome stamps: a reward ready
	now := e.clock.Now()
	var ids []int64
	for _, c := range []db.Campaign{
		{Title: "2 off", ValueKind: "amount", ValueNumber: 200},
		{Title: "10% off", ValueKind: "percent", ValueNumber: 10},
		{Title: "Free cookie", ValueKind: "item", ValueText: "a cookie"},
	} {
		c.ShopID, c.Audience, c.PerCardLimit = shopID, db.AudienceAll, 1
		c.ValidFrom, c.ValidUntil = now.Add(-time.Hour), now.AddDate(0, 1, 0)
		id, err := e.store.CreateCampaign(ctx, c, nil, ownerID, now)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	a := func(key string) db.Action {
		return db.Action{ShopID: shopID, CardID: card, UserID: cashierID, Key: key, Now: e.clock.Now()}
	}
	for i, id := range ids {
		if _, err := e.store.RedeemCoupon(ctx, a(fmt.Sprint("coupon", i)), id); err != nil {
			t.Fatal(err)
		}
	}
	ps, err := e.store.Programs(ctx, shopID, false)
	if err != nil {
		t.Fatal(err)
	}
	visit := a("visit")
	visit.ProgramID = ps[0].ID
	if _, err := e.store.Stamp(ctx, visit, 1, false); err != nil {
		t.Fatal(err)
	}
	redeem := a("redeem")
	redeem.ProgramID = ps[0].ID
	if _, err := e.store.Redeem(ctx, redeem, 1); err != nil {
		t.Fatal(err)
	}
	res := owner.submit(owner.get("/dashboard"), `form[action="/dashboard/economics"]`, map[string]string{"average_ticket": "4.50", "reward_cost": "1.80"})
	if res.status != http.StatusSeeOther {
		t.Fatalf("save economics: %d", res.status)
	}
	res = owner.get("/dashboard")
	// 1 reward × 1.80 + 2.00 off + 10% of 4.50 + a free item at a reward's cost.
	if got := text(res, `[data-testid="economics-cost"]`); got != "6.05 EUR" {
		t.Errorf("cost of rewards %q, want 6.05 EUR", got)
	}
	if got := text(res, `[data-testid="economics"] .formula`); !strings.Contains(got, "3 coupons") {
		t.Errorf("formula %q does not count the coupons", got)
	}
	if got := text(res, `[data-testid="economics-gifts"]`); !strings.Contains(got, "10") {
		t.Errorf("the welcome stamps given are not shown: %q", got)
	}
	if got := text(res, `[data-testid="economics-assumption"]`); !strings.Contains(got, "every visit") {
		t.Errorf("the assumption is not stated: %q", got)
	}
}

// TestDashboardChartsStartWithTheShop: a shop opened today has one day of
// history, and its charts show that day, not 89 empty days before it.
func TestDashboardChartsStartWithTheShop(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Shop A", "a@example.com")
	cashier := e.addCashier(owner, "cashier@example.com")
	card := cashier.enroll("Ali")
	cashier.submit(cashier.get(card), `[data-testid="stamp-1"]`, map[string]string{"count": "1"})
	res := owner.get("/dashboard")
	if got := text(res, `[data-testid="chart-daily"] desc`); !strings.Contains(got, "1 visit in 1 day") {
		t.Errorf("daily chart: %q, want one day", got)
	}
	labels := res.doc.Find(`[data-testid="chart-daily"] text.axis-label`)
	if labels.Length() != 1 || labels.Text() != "Mar 2, 2026" {
		t.Errorf("daily chart labels %q, want today's date alone", labels.Text())
	}
	if n := res.doc.Find(`[data-testid="chart-weekly"] rect.bar`).Length(); n != 1 {
		t.Errorf("weekly chart has %d bars, want this week's", n)
	}
	for _, sel := range []string{`section:has([data-testid="chart-daily"]) h2`, `[data-testid="heatmap"] desc`} {
		if got := text(res, sel); strings.Contains(got, "90") {
			t.Errorf("%s = %q on a shop opened today", sel, got)
		}
	}
}

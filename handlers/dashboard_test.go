package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

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
	form := `form[action^="/dashboard/economics"]`
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
	res := owner.submit(owner.get("/dashboard"), `form[action^="/dashboard/economics"]`, map[string]string{"average_ticket": "4.50", "reward_cost": "1.80"})
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
	if labels.Length() != 1 || labels.Text() != "Mar 2" {
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

// TestDashboardChecklist: a new shop's dashboard lists the first things to do
// instead of charts of zeros; each item links where it is done and ticks once
// it is; the list goes once all are done, or when the owner hides it.
func TestDashboardChecklist(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	items := func(res response) (done, todo []string) {
		res.doc.Find(`[data-testid="checklist"] li`).Each(func(_ int, li *goquery.Selection) {
			id := strings.TrimPrefix(li.AttrOr("data-testid", ""), "checklist-")
			if li.HasClass("done") {
				done = append(done, id)
			} else {
				todo = append(todo, id+" "+li.Find("a").AttrOr("href", ""))
			}
		})
		return done, todo
	}

	first := owner.get("/dashboard")
	done, todo := items(first)
	if want := []string{"reward /setup?step=reward", "poster /poster", "cashier /staff", "stamp /counter"}; len(done) != 0 || !slices.Equal(todo, want) {
		t.Errorf("new shop's list: done %q, to do %q; want nothing done, to do %q", done, todo, want)
	}
	if first.doc.Find(`[data-testid="dashboard-empty"]`).Length() != 1 {
		t.Error("a shop without visits does not say what the dashboard will show")
	}
	for _, sel := range []string{`[data-testid="chart-daily"]`, `[data-testid="heatmap"]`, `[data-testid="tile-customers"]`, `[data-testid="cohorts"]`} {
		if first.doc.Find(sel).Length() != 0 {
			t.Errorf("a shop without visits shows %s", sel)
		}
	}
	if strings.Contains(first.body, "Scale: up to 0") {
		t.Error("a shop without visits shows a scale of zero")
	}
	if first.doc.Find(`form[action^="/dashboard/economics"]`).Length() != 1 {
		t.Error("the economics form is gone from a shop without visits")
	}

	steps := []struct {
		item string
		do   func()
	}{
		{"reward", func() {
			owner.submit(owner.get("/setup"), `[data-testid="setup-form"]`, map[string]string{"reward_text": "a free tea", "stamps_required": "8"})
		}},
		{"poster", func() { owner.get("/poster") }},
		{"cashier", func() { e.addCashier(owner, "cashier@example.com") }},
	}
	for i, st := range steps {
		st.do()
		done, _ := items(owner.get("/dashboard"))
		if len(done) != i+1 || done[i] != st.item {
			t.Errorf("after %s: done %q", st.item, done)
		}
	}
	owner.submit(owner.get(owner.enroll("Ayla")), `[data-testid="stamp-1"]`, nil)
	last := owner.get("/dashboard")
	if last.doc.Find(`[data-testid="checklist"]`).Length() != 0 {
		t.Error("the list stays once everything is done")
	}
	if last.doc.Find(`[data-testid="dashboard-empty"]`).Length() != 0 || last.doc.Find(`[data-testid="chart-daily"]`).Length() != 1 {
		t.Error("the figures do not replace the empty state after the first visit")
	}
}

// TestDashboardChecklistDismiss: the owner may hide the list for good; a
// manager sees it but may not hide it.
func TestDashboardChecklistDismiss(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	manager := e.addManager(owner, "manager@example.com")
	page := manager.get("/dashboard")
	if page.doc.Find(`[data-testid="checklist"]`).Length() != 1 || page.doc.Find(`[data-testid="checklist-dismiss"]`).Length() != 0 {
		t.Error("a manager does not see the list, or may hide it")
	}
	_, v := formValues(t, page, `form[action="/logout"]`)
	if res := manager.postRaw("/dashboard/checklist/dismiss", v); res.status != http.StatusForbidden {
		t.Errorf("a manager hid the list: %d", res.status)
	}
	res := owner.submit(owner.get("/dashboard"), `form[action="/dashboard/checklist/dismiss"]`, nil)
	if res.status != http.StatusSeeOther || res.location != "/dashboard" {
		t.Fatalf("dismiss: %d %q", res.status, res.location)
	}
	if owner.get("/dashboard").doc.Find(`[data-testid="checklist"]`).Length() != 0 {
		t.Error("the list is back after the owner hid it")
	}
}

// TestEconomicsErrorOpensAtTheForm: a refused economics form brings the
// browser back to the form (its action's fragment), with the errors right
// above it and the focus on the first field in error; a save says Saved
// there.
func TestEconomicsErrorOpensAtTheForm(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	form := `form[action^="/dashboard/economics"]`
	page := owner.get("/dashboard")
	if action := page.doc.Find(form).AttrOr("action", ""); action != "/dashboard/economics#economics" {
		t.Errorf("action %q: the page would open at its top", action)
	}
	cases := []struct {
		name, ticket, cost, focus string
	}{
		{"bad ticket", "four", "1.80", "average_ticket"},
		{"bad cost", "4.50", "-1", "reward_cost"},
		{"both bad", "x", "y", "average_ticket"},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			res := owner.submit(page, form, map[string]string{"average_ticket": tt.ticket, "reward_cost": tt.cost})
			if res.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d", res.status)
			}
			section := res.doc.Find(`#economics`)
			if section.Find(`[data-testid="form-error"]`).Length() != 1 || section.Find(`.field-error`).Length() == 0 {
				t.Error("the errors are not at the form")
			}
			focused := res.doc.Find(`[autofocus]`)
			if focused.Length() != 1 || focused.AttrOr("name", "") != tt.focus {
				t.Errorf("focus on %d fields, %q; want %s", focused.Length(), focused.AttrOr("name", ""), tt.focus)
			}
			if res.doc.Find(form).AttrOr("action", "") != "/dashboard/economics#economics" {
				t.Error("the re-shown form loses its fragment")
			}
		})
	}
	res := owner.submit(page, form, map[string]string{"average_ticket": "4.50", "reward_cost": "1.80"})
	if res.status != http.StatusSeeOther || res.location != "/dashboard?saved=economics#economics" {
		t.Fatalf("save: %d %q", res.status, res.location)
	}
	saved := owner.get(res.location)
	if saved.doc.Find(`#economics [data-testid="economics-saved"]`).Length() != 1 {
		t.Error("no Saved at the form after a save")
	}
	if owner.get("/dashboard").doc.Find(`[data-testid="economics-saved"]`).Length() != 0 {
		t.Error("Saved shows without a save")
	}
}

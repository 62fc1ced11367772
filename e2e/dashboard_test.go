package e2e

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"regulars/db"
	"regulars/demo"
)

// TestDashboardWithDemoData: the owner of a shop with three months of history
// reads the dashboard, on a desktop and on a phone: every figure is there, the
// charts have their bars, and the segments add up to the customers.
func TestDashboardWithDemoData(t *testing.T) {
	t.Parallel()
	srv, clk := startServer(t)
	l, err := demo.Seed(context.Background(), srv.Store, 300, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	// A brown café: the charts keep their own colours.
	shop, err := srv.Store.Shop(context.Background(), l.ShopID)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Store.UpdateShop(context.Background(), l.ShopID, db.ShopSettings{Name: shop.Name, BrandColor: "#6b4423", Language: shop.Language,
		TimeZone: shop.TimeZone, Currency: shop.Currency, Digits: shop.Digits, StampOnScan: shop.StampOnScan}, 0, clk.Now()); err != nil {
		t.Fatal(err)
	}
	shopOwner := person{Email: l.OwnerEmail, Password: l.OwnerPassword}
	for _, device := range []struct {
		name string
		opts browserOptions
	}{{"desktop", desktop}, {"phone", phone}} {
		t.Run(device.name, func(t *testing.T) {
			// Both devices sign the owner in, each in a tab of its own, and
			// only read the seeded shop; the server, closed by the parent's
			// cleanup, outlives both.
			t.Parallel()
			ctx := newBrowser(t, device.opts)
			logIn(t, ctx, srv, shopOwner, `[data-testid=tile-customers]`)
			run(t, ctx, chromedp.Navigate(srv.URL+"/dashboard"), chromedp.WaitVisible(`[data-testid=heatmap]`, chromedp.ByQuery))
			// Nobody was imported: the customers are those who visited, every
			// one of them in a segment.
			segments := 0
			for _, n := range texts(t, ctx, `[data-testid=segments] .count`) {
				v, err := strconv.Atoi(n)
				if err != nil {
					t.Fatalf("segment count %q", n)
				}
				segments += v
			}
			if got := text(t, ctx, `[data-testid=tile-customers] .tile-value`); got != strconv.Itoa(segments) || segments < 250 {
				t.Errorf("customers tile shows %q, the segments add up to %d", got, segments)
			}
			var fills []string
			run(t, ctx, chromedp.Evaluate(`["rect.bar.new", "rect.bar.returning"].map(s => getComputedStyle(document.querySelector("[data-testid=chart-weekly] " + s)).fill)`, &fills))
			if want := []string{"rgb(199, 83, 0)", "rgb(33, 102, 172)"}; !slices.Equal(fills, want) {
				t.Errorf("weekly chart's series are coloured %q, want the fixed palette %q whatever the brand", fills, want)
			}
			for _, tile := range []string{"active", "new", "repeat", "gap", "rewards"} {
				v := text(t, ctx, `[data-testid=tile-`+tile+`] .tile-value`)
				if v == "" || v == "–" || v == "0" {
					t.Errorf("tile %s shows %q with three months of visits", tile, v)
				}
			}
			if n := count(t, ctx, `[data-testid=chart-daily] rect.bar`); n < 60 {
				t.Errorf("daily chart has %d bars for 90 days of a busy café", n)
			}
			if n := count(t, ctx, `[data-testid=chart-weekly] rect.bar.new`); n < 5 {
				t.Errorf("weekly chart shows first visits in only %d weeks", n)
			}
			if n := count(t, ctx, `[data-testid=heatmap] rect.heat-cell:not(.shade-0)`); n < 10 {
				t.Errorf("heatmap has %d busy hours", n)
			}
			cohorts := texts(t, ctx, `[data-testid=cohorts] tbody tr`)
			if len(cohorts) < 3 || !strings.Contains(cohorts[0], "%") {
				t.Errorf("cohort rows: %q", cohorts)
			}
			if n := count(t, ctx, `[data-testid=staff-activity] tbody tr`); n < 1 {
				t.Error("no staff activity in a shop whose cashier stamped for three months")
			}
			if got := text(t, ctx, `[data-testid=segment-at_risk] .count`); got == "0" || got == "" {
				t.Errorf("at-risk segment has %q customers; the demo has regulars who stopped coming", got)
			}
			screenshot(t, ctx, "dashboard-"+device.name)
			followAtRiskCustomer(t, ctx, device.name)
		})
	}
}

// followAtRiskCustomer goes from the dashboard's at-risk segment to the list
// of those customers and opens the first one's record.
func followAtRiskCustomer(t *testing.T, ctx context.Context, device string) {
	t.Helper()
	run(t, ctx, chromedp.Click(`[data-testid=segment-at_risk]`, chromedp.ByQuery), chromedp.WaitVisible(`[data-testid=customer-row]`, chromedp.ByQuery), loaded)
	if !strings.Contains(location(t, ctx), "segment=at_risk") {
		t.Errorf("the at-risk segment links to %s", location(t, ctx))
	}
	screenshot(t, ctx, "customers-at-risk-"+device)
	run(t, ctx, chromedp.Click(`[data-testid=customer-row] a`, chromedp.ByQuery), chromedp.WaitVisible(`[data-testid=customer-ledger]`, chromedp.ByQuery), loaded)
	if seg := text(t, ctx, `[data-testid=customer-segment]`); seg != "At risk" {
		t.Errorf("customer record says segment %q, want At risk", seg)
	}
	if n := count(t, ctx, `[data-testid=customer-ledger] tbody tr`); n < 3 {
		t.Errorf("an at-risk customer's ledger has %d lines; they had a habit before they stopped", n)
	}
	if staff := texts(t, ctx, `[data-testid=customer-ledger] tbody td`); !containsAll(staff, "Ayla") {
		t.Errorf("the ledger does not say who stamped: %q", staff)
	}
	screenshot(t, ctx, "customer-record-"+device)
}

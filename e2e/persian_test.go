package e2e

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"regulars/demo"
)

// TestPersianPages: the owner of a café with three months of history switches
// the shop to Persian. Staff pages and the customer's card read right to left,
// numbers are written in Persian digits (the default of a Persian shop) and
// machine values stay Latin; the stamp grid fills from the right. When the
// owner chooses Latin digits the card shows 0–9, still right to left; a
// customer who picks Romanian gets a left-to-right card. Screenshots of the
// counter, dashboard, customer pages and card at tablet and phone widths.
func TestPersianPages(t *testing.T) {
	t.Parallel()
	srv, clk := startServer(t)
	l, err := demo.Seed(context.Background(), srv.Store, 120, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	shopOwner := person{Email: l.OwnerEmail, Password: l.OwnerPassword}

	till := newBrowser(t, tablet)
	logIn(t, till, srv, shopOwner, `[data-testid=tile-customers]`)
	run(t, till, chromedp.Navigate(srv.URL+"/settings"), chromedp.WaitVisible(`#f-language`, chromedp.ByQuery),
		chromedp.SetValue(`#f-language`, "fa", chromedp.ByQuery))
	submit(t, till, `form[action="/settings"] button[type=submit]`, `#f-digits`)
	if got := attr(t, till, `html`, "lang") + " " + attr(t, till, `html`, "dir"); got != "fa rtl" {
		t.Fatalf("after choosing Persian the settings page is %q, want fa rtl", got)
	}
	if got := value(t, till, `#f-digits`); got != "persian" {
		t.Errorf("a shop switched to Persian writes numbers in %q digits, want persian", got)
	}
	screenshot(t, till, "fa-settings-tablet")

	// The demo's customers who have visited: a card never stamped is not one yet.
	d, err := srv.Store.Dashboard(context.Background(), l.ShopID, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	checkPersianDashboard(t, till, srv, "tablet", persianDigits(d.Customers))
	checkPersianCustomers(t, till, srv, "tablet")
	cardID, token := checkPersianCounter(t, till, srv)
	checkOtherPersianPages(t, till, srv, "tablet")

	mobile := newBrowser(t, phone)
	cardURL := srv.URL + "/c/" + token
	run(t, mobile, chromedp.Navigate(cardURL), chromedp.WaitVisible(`html[dir=rtl] [data-testid=stamp-count]`, chromedp.ByQuery))
	if got := text(t, mobile, `[data-testid=stamp-count]`); got != "۲ از ۱۰" {
		t.Errorf("card page stamp count %q, want ۲ از ۱۰", got)
	}
	checkStampsFillFromTheReadingSide(t, mobile, "right")
	checkNoSidewaysScroll(t, mobile, "card")
	screenshot(t, mobile, "fa-card-phone")
	// The raffle's public page explains the draw with formulas amid Persian prose.
	submit(t, mobile, `a[href^="/r/"]`, `.verify`)
	checkNoSidewaysScroll(t, mobile, "raffle")
	screenshot(t, mobile, "fa-raffle-phone")
	// A drawn raffle's check: formulas and hex amid Persian sentences.
	run(t, mobile, chromedp.Navigate(srv.URL+"/r/"+strconv.FormatInt(drawnRaffle(t, srv, l.ShopID), 10)),
		chromedp.WaitVisible(`[data-testid=verified]`, chromedp.ByQuery))
	checkNoSidewaysScroll(t, mobile, "drawn raffle")
	screenshot(t, mobile, "fa-raffle-drawn-phone")
	run(t, mobile, chromedp.Navigate(cardURL), chromedp.WaitVisible(`[data-testid=stamp-count]`, chromedp.ByQuery))

	phoneOwner := newBrowser(t, phone)
	logIn(t, phoneOwner, srv, shopOwner, `[data-testid=tile-customers]`)
	checkPersianDashboard(t, phoneOwner, srv, "phone", persianDigits(d.Customers+1)) // with سارا, who visited
	checkPersianCustomers(t, phoneOwner, srv, "phone")
	checkOtherPersianPages(t, phoneOwner, srv, "phone")
	run(t, phoneOwner, chromedp.Navigate(srv.URL+"/counter"), chromedp.WaitVisible(`html[dir=rtl] #lookup-q`, chromedp.ByQuery))
	checkNoSidewaysScroll(t, phoneOwner, "counter")
	screenshot(t, phoneOwner, "fa-counter-home-phone")
	run(t, phoneOwner, chromedp.Navigate(srv.URL+"/counter/cards/"+strconv.FormatInt(cardID, 10)), chromedp.WaitVisible(`[data-testid=stamp-count]`, chromedp.ByQuery))
	checkStampsFillFromTheReadingSide(t, phoneOwner, "right")
	checkNoSidewaysScroll(t, phoneOwner, "counter card")
	screenshot(t, phoneOwner, "fa-counter-card-phone")

	// The owner prefers Latin digits: the card keeps its direction, not its ۰–۹.
	run(t, till, chromedp.Navigate(srv.URL+"/settings"), chromedp.WaitVisible(`#f-digits`, chromedp.ByQuery),
		chromedp.SetValue(`#f-digits`, "latin", chromedp.ByQuery))
	submit(t, till, `form[action="/settings"] button[type=submit]`, `#f-digits`)
	reload(t, mobile, `[data-testid=stamp-count]`)
	if got := attr(t, mobile, `html`, "dir"); got != "rtl" {
		t.Errorf("Latin digits turned the card %q", got)
	}
	if got := text(t, mobile, `[data-testid=stamp-count]`); got != "2 از 10" {
		t.Errorf("card page stamp count with Latin digits %q, want 2 از 10", got)
	}
	screenshot(t, mobile, "fa-card-latin-digits-phone")

	// A customer who reads Romanian switches their own card.
	submit(t, mobile, `form.lang-switch button[value=ro]`, `[data-testid=stamp-count]`)
	if got := attr(t, mobile, `html`, "lang") + " " + attr(t, mobile, `html`, "dir"); got != "ro ltr" {
		t.Errorf("after choosing Română the card is %q, want ro ltr", got)
	}
	if got := text(t, mobile, `[data-testid=stamp-count]`); got != "2 din 10" {
		t.Errorf("Romanian stamp count %q, want 2 din 10", got)
	}
	checkStampsFillFromTheReadingSide(t, mobile, "left")
	screenshot(t, mobile, "ro-card-phone")
}

// checkPersianDashboard opens the dashboard of the Persian shop and checks its
// figures and chart labels are in Persian digits.
func checkPersianDashboard(t *testing.T, ctx context.Context, srv *testServer, device, customers string) {
	t.Helper()
	run(t, ctx, chromedp.Navigate(srv.URL+"/dashboard"), chromedp.WaitVisible(`html[dir=rtl] [data-testid=heatmap]`, chromedp.ByQuery))
	if got := text(t, ctx, `[data-testid=tile-customers] .tile-value`); got != customers {
		t.Errorf("%s: customers tile %q, want %s", device, got, customers)
	}
	if got := text(t, ctx, `[data-testid=today]`); hasLatinDigit(got) {
		t.Errorf("%s: today's line %q has Latin digits", device, got)
	}
	if hours := svgTexts(t, ctx, `[data-testid=heatmap] text`); len(hours) == 0 || hasLatinDigit(strings.Join(hours, " ")) {
		t.Errorf("%s: heatmap labels %q, want Persian digits", device, hours)
	}
	if labels := svgTexts(t, ctx, `[data-testid=chart-daily] text.axis-label`); len(labels) == 0 || hasLatinDigit(strings.Join(labels, " ")) {
		t.Errorf("%s: daily chart labels %q, want Persian digits", device, labels)
	}
	if cohorts := texts(t, ctx, `[data-testid=cohorts] tbody tr`); len(cohorts) == 0 || !strings.Contains(cohorts[0], "٪") || hasLatinDigit(cohorts[0]) {
		t.Errorf("%s: cohort rows %q, want Persian percentages", device, cohorts)
	}
	checkNoSidewaysScroll(t, ctx, "dashboard")
	screenshot(t, ctx, "fa-dashboard-"+device)
}

// checkPersianCustomers lists the customers and opens the first one's record.
func checkPersianCustomers(t *testing.T, ctx context.Context, srv *testServer, device string) {
	t.Helper()
	run(t, ctx, chromedp.Navigate(srv.URL+"/customers"), chromedp.WaitVisible(`html[dir=rtl] [data-testid=customer-row]`, chromedp.ByQuery))
	checkNoSidewaysScroll(t, ctx, "customers")
	screenshot(t, ctx, "fa-customers-"+device)
	submit(t, ctx, `[data-testid=customer-row] a`, `[data-testid=customer-ledger]`)
	if ledger := texts(t, ctx, `[data-testid=customer-ledger] tbody tr`); len(ledger) == 0 || hasLatinDigit(ledger[0]) {
		t.Errorf("%s: the customer's ledger %q, want dates in Persian digits", device, ledger)
	}
	checkNoSidewaysScroll(t, ctx, "customer record")
	screenshot(t, ctx, "fa-customer-"+device)
}

// checkPersianCounter enrolls a customer with a Persian name at the counter,
// stamps once and returns the card's id and token. The demo café welcomes
// every new card with a stamp, so the card then has two.
func checkPersianCounter(t *testing.T, ctx context.Context, srv *testServer) (int64, string) {
	t.Helper()
	run(t, ctx, chromedp.Navigate(srv.URL+"/counter"), chromedp.WaitVisible(`html[dir=rtl] #f-first_name`, chromedp.ByQuery))
	screenshot(t, ctx, "fa-counter-home-tablet")
	id, token := enroll(t, ctx, srv, "سارا")
	submit(t, ctx, `[data-testid=stamp-1]`, `[data-testid=result]`)
	if got := text(t, ctx, `[data-testid=stamp-count]`); got != "۲ از ۱۰" {
		t.Errorf("counter stamp count %q, want ۲ از ۱۰", got)
	}
	if got := text(t, ctx, `[data-testid=short-code]`); got == "" || strings.ContainsAny(got, "۰۱۲۳۴۵۶۷۸۹") {
		t.Errorf("short code %q must stay in Latin letters and digits", got)
	}
	checkStampsFillFromTheReadingSide(t, ctx, "right")
	checkNoSidewaysScroll(t, ctx, "counter")
	screenshot(t, ctx, "fa-counter-tablet")
	return id, token
}

// checkOtherPersianPages opens the owner's other screens, which must fit the
// screen right to left too.
func checkOtherPersianPages(t *testing.T, ctx context.Context, srv *testServer, device string) {
	t.Helper()
	for _, page := range []string{"programs", "programs/1", "coupons", "coupons/new", "raffles", "raffles/new", "staff", "customers/import"} {
		run(t, ctx, chromedp.Navigate(srv.URL+"/"+page), chromedp.WaitVisible(`html[dir=rtl] main h1`, chromedp.ByQuery))
		checkNoSidewaysScroll(t, ctx, page)
		screenshot(t, ctx, "fa-"+strings.ReplaceAll(page, "/", "-")+"-"+device)
	}
}

// checkStampsFillFromTheReadingSide compares the first (earned) stamp's place
// with the second's: on a right-to-left page the grid starts at the right.
func checkStampsFillFromTheReadingSide(t *testing.T, ctx context.Context, side string) {
	t.Helper()
	var x []float64
	run(t, ctx, chromedp.Evaluate(`Array.from(document.querySelectorAll("ol.stamps li"), li => li.getBoundingClientRect().x)`, &x))
	if len(x) < 2 || count(t, ctx, `ol.stamps li:first-child.on`) != 1 {
		t.Fatalf("stamp grid has %d places, want the first one earned", len(x))
	}
	if got := map[bool]string{true: "right", false: "left"}[x[0] > x[1]]; got != side {
		t.Errorf("the stamp grid fills from the %s, want the %s", got, side)
	}
	// The stamps are circles, not a numbered list.
	var marker string
	run(t, ctx, chromedp.Evaluate(`getComputedStyle(document.querySelector("ol.stamps")).listStyleType`, &marker))
	if marker != "none" {
		t.Errorf("the stamp grid shows list numbers (%s)", marker)
	}
}

// checkNoSidewaysScroll fails when the page is wider than the screen.
func checkNoSidewaysScroll(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	var over int
	run(t, ctx, chromedp.Evaluate(`document.documentElement.scrollWidth - document.documentElement.clientWidth`, &over))
	if over > 0 {
		t.Errorf("%s page is %dpx wider than the screen", page, over)
	}
}

// svgTexts is the text of every SVG element matching sel (which have no innerText).
func svgTexts(t *testing.T, ctx context.Context, sel string) []string {
	t.Helper()
	var out []string
	run(t, ctx, chromedp.Evaluate(fmt.Sprintf(`Array.from(document.querySelectorAll(%q), el => el.textContent.trim())`, sel), &out))
	return out
}

// drawnRaffle is the id of the demo's raffle that was drawn last month.
func drawnRaffle(t *testing.T, srv *testServer, shopID int64) int64 {
	t.Helper()
	raffles, err := srv.Store.Raffles(context.Background(), shopID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range raffles {
		if !r.DrawnAt.IsZero() {
			return r.ID
		}
	}
	t.Fatal("the demo has no drawn raffle")
	return 0
}

func hasLatinDigit(s string) bool { return strings.ContainsAny(s, "0123456789") }

// persianDigits writes n as a Persian shop does, without grouping (under 1,000).
func persianDigits(n int) string {
	return strings.Map(func(r rune) rune { return r - '0' + '۰' }, strconv.Itoa(n))
}

func attr(t *testing.T, ctx context.Context, sel, name string) string {
	t.Helper()
	var v string
	var ok bool
	run(t, ctx, chromedp.AttributeValue(sel, name, &v, &ok, chromedp.ByQuery))
	return v
}

func value(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	var v string
	run(t, ctx, chromedp.Value(sel, &v, chromedp.ByQuery))
	return v
}

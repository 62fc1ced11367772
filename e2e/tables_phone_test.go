package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"regulars/db"
	"regulars/demo"
)

// TestOwnerTablesOnAPhone: on a 390 px phone, in English and in Persian,
// every owner page with a table fits the screen (issue 17, item 7): no page
// scrolls sideways, no table scrolls inside itself, and every link, button
// and field of a table (the staff list's Remove among them) is on screen.
// The tables turn into one card per row, each value with its column's name.
func TestOwnerTablesOnAPhone(t *testing.T) {
	t.Parallel()
	srv, clk := startServer(t)
	ctx := context.Background()
	l, err := demo.Seed(ctx, srv.Store, 120, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	staff, err := srv.Store.Staff(ctx, l.ShopID)
	if err != nil {
		t.Fatal(err)
	}
	var ownerID int64
	for _, u := range staff {
		if u.Role == db.RoleOwner {
			ownerID = u.ID
		}
	}
	if err := srv.Store.PrintCards(ctx, l.ShopID, 1, 1, ownerID, clk.Now()); err != nil {
		t.Fatal(err)
	}
	campaigns, err := srv.Store.Campaigns(ctx, l.ShopID)
	if err != nil {
		t.Fatal(err)
	}
	var missYou int64 // the demo's campaign sent to customers at risk
	for _, c := range campaigns {
		if c.Title == "We miss you" {
			missYou = c.ID
		}
	}
	list, err := srv.Store.Customers(ctx, l.ShopID, db.CustomerQuery{Sort: db.SortVisits}, clk.Now())
	if err != nil || len(list.Rows) == 0 {
		t.Fatalf("the demo's customers: %v", err)
	}
	pages := []struct {
		path, table string // table: a table the page must show
	}{
		{"/customers", "customers"},
		{fmt.Sprintf("/customers/%d", list.Rows[0].ID), "customer-ledger"},
		{"/dashboard", "staff-activity"},
		{"/programs", "program-row"},
		{"/staff", "staff-row"},
		{"/coupons", "coupon-row"},
		{fmt.Sprintf("/coupons/%d", missYou), "recipient"},
		{"/raffles", "raffle-row"},
		{"/referrals", "referrals"},
		{"/feedback", "trend-table"},
		{"/audit", "audit"},
		{"/cards/print", "print-run"},
	}

	// A tab lasts tabTimeout: each language's pages are seen in two tabs.
	for _, lang := range []string{"en", "fa"} {
		for half := range 2 {
			t.Run(fmt.Sprint(lang, half), func(t *testing.T) {
				tab := newBrowser(t, phone)
				logIn(t, tab, srv, person{Email: l.OwnerEmail, Password: l.OwnerPassword}, `main`)
				if lang == "fa" && half == 0 { // the shop's language: both tabs after it read Persian
					run(t, tab, chromedp.Navigate(srv.URL+"/settings"), chromedp.WaitVisible(`#f-language`, chromedp.ByQuery),
						chromedp.SetValue(`#f-language`, "fa", chromedp.ByQuery))
					submit(t, tab, `form[action="/settings"] button[type=submit]`, `main h1`)
					if got := attr(t, tab, `html`, "dir"); got != "rtl" {
						t.Fatalf("the shop switched to Persian reads %s", got)
					}
				}
				for i := half; i < len(pages); i += 2 {
					checkTablesFit(t, tab, srv.URL, lang, pages[i].path, pages[i].table)
				}
				if half == 1 {
					checkImportFits(t, tab, srv.URL, lang)
				}
			})
		}
	}
}

// checkTablesFit opens the page at path and checks that its tables, among
// them the one whose testid is table, fit the phone's screen.
func checkTablesFit(t *testing.T, tab context.Context, base, lang, path, table string) {
	t.Helper()
	run(t, tab, chromedp.Navigate(base+path), chromedp.WaitReady(`main`, chromedp.ByQuery))
	if count(t, tab, `main table [data-testid=`+table+`], main table[data-testid=`+table+`], main [data-testid=`+table+`] table`) == 0 {
		t.Errorf("%s %s: no table %s with data to look at", lang, path, table)
		return
	}
	checkTablesHere(t, tab, lang, path)
}

// checkImportFits uploads a file of customers and checks the import's
// tables of columns and rows.
func checkImportFits(t *testing.T, tab context.Context, base, lang string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "customers.csv")
	if err := os.WriteFile(file, []byte("First name;Phone;Stamps;Note\r\nAyşe Yılmaz;0532 111 22 33;12;every morning, a flat white and a croissant\r\nBora;0544 222 33 44;3;\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run(t, tab, chromedp.Navigate(base+"/customers/import"), chromedp.WaitVisible(`#f-file`, chromedp.ByQuery),
		chromedp.SetUploadFiles(`#f-file`, []string{file}, chromedp.ByQuery))
	submit(t, tab, `[data-testid=csv-upload] button[type=submit]`, `[data-testid=csv-mapping]`)
	if count(t, tab, `[data-testid=csv-row]`) == 0 {
		run(t, tab, choose(`#col-0`, "name"))
		submit(t, tab, `[data-testid=csv-recheck]`, `[data-testid=csv-row]`)
	}
	checkTablesHere(t, tab, lang, "/customers/import")
}

// checkTablesHere checks that the open page's tables fit the phone's screen.
func checkTablesHere(t *testing.T, tab context.Context, lang, path string) {
	t.Helper()
	// What a tap opens is on screen too: the staff list's "manage", the
	// feedback page's table of weeks.
	run(t, tab, chromedp.Evaluate(`document.querySelectorAll('main details').forEach(d => d.open = true)`, nil))
	page := lang + " " + path
	checkNoSidewaysScroll(t, tab, page)
	for _, problem := range tableProblems(t, tab) {
		t.Errorf("%s: %s", page, problem)
	}
	// A card shows each value with its column's name, in the page's language.
	var label string
	run(t, tab, chromedp.Evaluate(`(() => {
		const td = document.querySelector('main table td[data-label]');
		return td ? getComputedStyle(td, '::before').content : '';
	})()`, &label))
	if label != "" && (label == "none" || (lang == "fa" && strings.ContainsAny(label, "abcdefghijklmnopqrstuvwxyz"))) {
		t.Errorf("%s: a card labels its value %s, want the column's name in %s", page, label, lang)
	}
	screenshot(t, tab, "tables-phone-"+lang+strings.ReplaceAll(path, "/", "-"))
}

// tableProblems lists what of the page's tables is off the screen or hidden
// in a sideways scroll: a table wider than the screen or its scroll box, or a
// link, button or field of a table that is not wholly within the screen.
func tableProblems(t *testing.T, ctx context.Context) []string {
	t.Helper()
	var problems []string
	run(t, ctx, chromedp.Evaluate(`(() => {
		const out = [], w = document.documentElement.clientWidth;
		const name = el => el.tagName.toLowerCase() + (el.dataset.testid ? '[' + el.dataset.testid + ']' : '') +
			' "' + (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 30) + '"';
		for (const table of document.querySelectorAll('main table')) {
			for (let el = table; el && el !== document.body; el = el.parentElement) {
				const s = getComputedStyle(el);
				if (el.scrollWidth > el.clientWidth + 1 && /auto|scroll|hidden/.test(s.overflowX)) {
					out.push(name(table) + ' scrolls sideways inside ' + name(el) + ': ' + el.scrollWidth + ' px in ' + el.clientWidth);
				}
			}
			const r = table.getBoundingClientRect();
			if (r.width > 0 && (r.left < -1 || r.right > w + 1)) {
				out.push('a table runs off the screen: ' + Math.round(r.left) + '..' + Math.round(r.right) + ' of ' + w);
			}
			for (const c of table.querySelectorAll('a, button, summary, select, input:not([type=hidden])')) {
				// A phone's list has no header row; its order is chosen above it.
				const head = c.closest('thead');
				if (c.closest('[hidden]') || (head && getComputedStyle(head).display === 'none')) continue;
				const b = c.getBoundingClientRect();
				if (b.width === 0 || b.height === 0) {
					out.push(name(c) + ' is not shown');
				} else if (b.left < -1 || b.right > w + 1) {
					out.push(name(c) + ' is off the screen: ' + Math.round(b.left) + '..' + Math.round(b.right) + ' of ' + w);
				}
			}
		}
		return out;
	})()`, &problems))
	return problems
}

// TestCustomerListOnALaptop: the customer list's columns (stamps now, reward
// ready, masked phone, joined) fit a 1366 px laptop as a table, its headers
// order it, and the order holds on the next page (issue 17, item 10).
func TestCustomerListOnALaptop(t *testing.T) {
	t.Parallel()
	srv, clk := startServer(t)
	l, err := demo.Seed(context.Background(), srv.Store, 120, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	tab := newBrowser(t, laptop)
	logIn(t, tab, srv, person{Email: l.OwnerEmail, Password: l.OwnerPassword}, `main`)
	run(t, tab, chromedp.Navigate(srv.URL+"/customers"), chromedp.WaitVisible(`[data-testid=customer-row]`, chromedp.ByQuery))
	checkNoSidewaysScroll(t, tab, "customers")
	for _, problem := range tableProblems(t, tab) {
		t.Errorf("customers on a laptop: %s", problem)
	}
	if n := count(t, tab, `[data-testid=reward-ready]`); n == 0 {
		t.Error("no customer of the demo has a reward ready")
	}
	screenshot(t, tab, "customers-laptop-en")
	submit(t, tab, `[data-testid=sort-name]`, `th[aria-sort=ascending] [data-testid=sort-name]`)
	if got := value(t, tab, `#f-sort`); got != "name" {
		t.Errorf("ordered by the name header, the form's order says %q", got)
	}
	first := texts(t, tab, `[data-testid=customer-row] td:first-child a`)
	submit(t, tab, `[data-testid=page-next]`, `[data-testid=page-prev]`)
	next := texts(t, tab, `[data-testid=customer-row] td:first-child a`)
	if len(first) == 0 || len(next) == 0 {
		t.Fatalf("by name, %d and %d customers on pages one and two", len(first), len(next))
	}
	if a, z := strings.ToLower(first[0]), strings.ToLower(first[len(first)-1]); a > z {
		t.Errorf("by name, page one runs %q … %q", a, z)
	}
	if got := attr(t, tab, `th[aria-sort=ascending] a`, "data-testid"); got != "sort-name" {
		t.Errorf("page two is ordered by %q", got)
	}
	screenshot(t, tab, "customers-laptop-en-by-name-page-2")
}

package handlers_test

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// setCashback saves the shop's cashback through the owner's form.
func setCashback(t *testing.T, owner *client, rate, min string) {
	t.Helper()
	res := owner.submit(owner.get("/cashback"), `[data-testid="cashback-form"]`, map[string]string{"rate": rate, "min": min})
	if res.status != http.StatusSeeOther {
		t.Fatalf("save cashback %s%% from %s: %d\n%s", rate, min, res.status, snippet(text(res, "main")))
	}
}

func (e *env) credit(cardPath string) int {
	e.t.Helper()
	return e.count(`SELECT coalesce((SELECT credit FROM card_credit WHERE card_id = ?), 0)`, strings.TrimPrefix(cardPath, "/counter/cards/"))
}

// The owner turns cashback on; the cashier keys a purchase and the card
// earns its credit; part of it is spent as money off and undone; the
// customer's page, the owner's dashboard and the customers export show it.
func TestCashbackAtTheCounter(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Corner Shop", "cashback@example.com")
	if owner.get("/programs").doc.Find(`[data-testid="cashback-link"]`).Length() != 1 {
		t.Error("the programs page has no way to the cashback setting")
	}
	cashier := e.addCashier(owner, "till-credit@example.com")
	cardPath := cashier.enroll("Ada")
	// Without cashback the counter shows no store credit at all.
	if n := cashier.get(cardPath).doc.Find(`[data-testid="credit"]`).Length(); n != 0 {
		t.Errorf("a shop without cashback shows %d credit sections", n)
	}
	setCashback(t, owner, "5", "5")
	if got := owner.get("/cashback").doc.Find(`input[name="rate"]`).AttrOr("value", ""); got != "5" {
		t.Errorf("the saved rate reads %q, want 5", got)
	}
	// The cashier cannot change it.
	if res := cashier.get("/cashback"); res.status != http.StatusForbidden {
		t.Errorf("a cashier opened the cashback setting: %d", res.status)
	}

	page := cashier.get(cardPath)
	if got := page.doc.Find(`form[data-credit-keypad]`).AttrOr("data-rate", ""); got != "500" {
		t.Fatalf("the keypad's rate %q, want 500\n%s", got, snippet(text(page, "main")))
	}
	res := cashier.submit(page, `form[data-credit-keypad]`, map[string]string{"amount": "12.59"})
	if res.status != http.StatusSeeOther {
		t.Fatalf("earn: %d\n%s", res.status, snippet(text(res, "main")))
	}
	done := cashier.get(res.location)
	if kind := done.doc.Find(`[data-testid="result"]`).AttrOr("data-result", ""); kind != "credit" {
		t.Errorf("result banner %q, want credit", kind)
	}
	if got := text(done, `[data-testid="result-credit"]`); got != "+0.62 EUR store credit" {
		t.Errorf("result %q", got)
	}
	if got := text(done, `[data-testid="credit-held"]`); got != "0.62 EUR" {
		t.Errorf("credit held %q", got)
	}
	if got := text(done, `[data-testid="undo"]`); !strings.Contains(got, "+0.62 store credit, purchase of 12.59") {
		t.Errorf("undo button %q", got)
	}

	// Spend part of it; the undo gives it back exactly.
	res = cashier.submit(done, `form[action$="/usecredit"]`, map[string]string{"amount": "0.50"})
	if res.status != http.StatusSeeOther || e.credit(cardPath) != 12 {
		t.Fatalf("spend 0.50: %d, %d left\n%s", res.status, e.credit(cardPath), snippet(text(res, "main")))
	}
	spent := cashier.get(res.location)
	if got := text(spent, `[data-testid="result-credit"]`); got != "0.50 EUR off with store credit" {
		t.Errorf("spend result %q", got)
	}
	if undo := cashier.submit(spent, `[data-testid="undo"]`, nil); undo.status != http.StatusSeeOther || e.credit(cardPath) != 62 {
		t.Errorf("undo of the spend: %d, %d held", undo.status, e.credit(cardPath))
	}

	// The customer's page: one line in the shop's currency.
	var token string
	if err := e.raw.QueryRow(`SELECT token FROM cards WHERE id = ?`, strings.TrimPrefix(cardPath, "/counter/cards/")).Scan(&token); err != nil {
		t.Fatal(err)
	}
	if got := text(e.client().get("/c/"+token), `[data-testid="card-credit"]`); got != "Store credit: 0.62 EUR" {
		t.Errorf("card page credit %q", got)
	}
	// The owner: what the shop owes, on the dashboard and in the export.
	if got := text(owner.get("/dashboard"), `[data-testid="economics-credit"]`); !strings.Contains(got, "0.62 EUR on 1 card") {
		t.Errorf("dashboard liability %q", got)
	}
	export := owner.get("/customers/export.csv")
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(export.body, "\ufeff"))).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("export: %v, %d rows\n%s", err, len(rows), export.body)
	}
	if h, v := rows[0][len(rows[0])-2], rows[1][len(rows[1])-2]; h != "store credit" || v != "0.62" {
		t.Errorf("export's column before the clubs %q = %q, want store credit = 0.62", h, v)
	}
	if n, err := e.store.RebuildBalances(t.Context(), 1); err != nil || n != 0 {
		t.Errorf("rebuild corrected %d (%v)", n, err)
	}
}

// In a shop whose points program counts money, the points keypad's purchase
// earns the cashback too, in one tap, and the counter offers no second keypad.
func TestCashbackWithPoints(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Bean Bar", "cashback-points@example.com")
	newPointsProgram(t, e, owner, "cashback-points@example.com")
	setCashback(t, owner, "2.5", "")
	cardPath := owner.enroll("Ada")
	page := owner.get(cardPath)
	if n := page.doc.Find(`form[data-credit-keypad]`).Length(); n != 0 {
		t.Errorf("%d cashback keypads beside the points keypad", n)
	}
	res := owner.submit(page, `form[data-keypad]`, map[string]string{"amount": "40"})
	if res.status != http.StatusSeeOther {
		t.Fatalf("earn: %d\n%s", res.status, snippet(text(res, "main")))
	}
	done := owner.get(res.location)
	if got := text(done, `[data-testid="result-credit"]`); got != "+1.00 EUR store credit" {
		t.Errorf("result %q, want the cashback beside the points", got)
	}
	if e.points(cardPath) != 40 || e.credit(cardPath) != 1_00 {
		t.Errorf("after 40.00: %d points, %d credit", e.points(cardPath), e.credit(cardPath))
	}
	if undo := owner.submit(done, `[data-testid="undo"]`, nil); undo.status != http.StatusSeeOther || e.points(cardPath) != 0 || e.credit(cardPath) != 0 {
		t.Errorf("undo: %d, %d points, %d credit left", undo.status, e.points(cardPath), e.credit(cardPath))
	}
}

// Bad amounts, another shop's card, more than the card holds, a replayed or
// stale form: each is refused with a 4xx and changes nothing.
func TestCreditBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Corner Shop", "bad-credit@example.com")
	setCashback(t, owner, "10", "")
	cardPath := owner.enroll("Ada")
	other := e.signup("Rival", "rival-credit@example.com")
	setCashback(t, other, "10", "")
	otherCard := other.enroll("Bob")
	_, base := formValues(t, owner.get(cardPath), `form[data-credit-keypad]`)
	if res := owner.postRaw(cardPath+"/credit", withValues(base, map[string]string{"key": base.Get("key") + "-first", "amount": "20"})); res.status != http.StatusSeeOther {
		t.Fatalf("earn 20: %d", res.status) // 2.00 held
	}
	stale := owner.get(cardPath) // the spend form as a second tablet shows it

	cases := []struct {
		name   string
		path   string
		amount string
		status int
	}{
		{"negative", "/credit", "-5", http.StatusUnprocessableEntity},
		{"zero", "/credit", "0", http.StatusUnprocessableEntity},
		{"none", "/credit", "", http.StatusUnprocessableEntity},
		{"huge", "/credit", "1e20", http.StatusUnprocessableEntity},
		{"too many digits", "/credit", "100000000000000000000", http.StatusUnprocessableEntity},
		{"malformed", "/credit", "12,3,4", http.StatusUnprocessableEntity},
		{"too long", "/credit", strings.Repeat("1", 50), http.StatusBadRequest},
		{"earns nothing", "/credit", "0.05", http.StatusUnprocessableEntity},
		{"spend negative", "/usecredit", "-1", http.StatusUnprocessableEntity},
		{"spend zero", "/usecredit", "0", http.StatusUnprocessableEntity},
		{"spend huge", "/usecredit", "1e20", http.StatusUnprocessableEntity},
		{"spend malformed", "/usecredit", "12,3,4", http.StatusUnprocessableEntity},
		{"spend above the balance", "/usecredit", "2.01", http.StatusConflict},
	}
	for i, c := range cases {
		before := e.snapshot()
		res := owner.postRaw(cardPath+c.path, withValues(base, map[string]string{"key": base.Get("key") + "-bad" + strings.Repeat("x", i+1), "amount": c.amount}))
		if res.status != c.status {
			t.Errorf("%s: status %d, want %d\n%s", c.name, res.status, c.status, snippet(text(res, "main")))
		}
		if e.snapshot() != before {
			t.Errorf("%s changed the database", c.name)
		}
	}
	// Another shop's card, to earn on or to spend from.
	for _, path := range []string{otherCard + "/credit", otherCard + "/usecredit"} {
		before := e.snapshot()
		if res := owner.postRaw(path, withValues(base, map[string]string{"key": base.Get("key") + "-foreign" + strings.ReplaceAll(path, "/", "_"), "amount": "1"})); res.status != http.StatusNotFound {
			t.Errorf("%s of another shop: %d, want 404", path, res.status)
		}
		if e.snapshot() != before {
			t.Errorf("%s of another shop changed the database", path)
		}
	}
	// A replayed form (a double tap) earns once.
	before := e.snapshot()
	if res := owner.postRaw(cardPath+"/credit", withValues(base, map[string]string{"key": base.Get("key") + "-first", "amount": "20"})); res.status != http.StatusConflict {
		t.Errorf("replayed earn: %d, want 409", res.status)
	}
	if e.snapshot() != before || e.credit(cardPath) != 2_00 {
		t.Errorf("a replayed form changed the database (%d held)", e.credit(cardPath))
	}
	// Two tablets: the first spends it all, the second's stale form is refused.
	if res := owner.submit(owner.get(cardPath), `form[action$="/usecredit"]`, nil); res.status != http.StatusSeeOther || e.credit(cardPath) != 0 {
		t.Fatalf("spend it all: %d, %d left", res.status, e.credit(cardPath))
	}
	before = e.snapshot()
	res := owner.submit(stale, `form[action$="/usecredit"]`, map[string]string{"key": "second-tablet-key-1234"})
	if res.status != http.StatusConflict || !strings.Contains(text(res, `[data-testid="result"]`), "does not hold that much") {
		t.Errorf("stale spend: %d %q", res.status, text(res, `[data-testid="result"]`))
	}
	if e.snapshot() != before {
		t.Error("the stale spend changed the database")
	}
}

// The owner's cashback setting refuses what it cannot honour.
func TestCashbackSettingBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Corner Shop", "rate@example.com")
	for _, c := range []struct{ rate, min string }{
		{"0.4", ""}, {"51", ""}, {"-5", ""}, {"abc", ""}, {"2.555", ""}, {"1e3", ""}, {"5", "-1"}, {"5", "12,3,4"}, {"5", "1e20"},
	} {
		before := e.snapshot()
		res := owner.submit(owner.get("/cashback"), `[data-testid="cashback-form"]`, map[string]string{"rate": c.rate, "min": c.min})
		if res.status != http.StatusUnprocessableEntity {
			t.Errorf("rate %q min %q: %d, want 422", c.rate, c.min, res.status)
		}
		if e.snapshot() != before {
			t.Errorf("rate %q min %q changed the database", c.rate, c.min)
		}
	}
	// Persian digits and separator, a percent sign: 2.5% is 250 basis points.
	setCashback(t, owner, "۲٫۵٪", "۱۰")
	if n := e.count(`SELECT count(*) FROM shops WHERE cashback_bp = 250 AND cashback_min = 1000`); n != 1 {
		t.Error("۲٫۵٪ from ۱۰ was not saved as 250 bp from 10.00")
	}
	setCashback(t, owner, "", "") // off
	if n := e.count(`SELECT count(*) FROM shops WHERE cashback_bp = 0`); n != 1 {
		t.Error("an empty rate did not turn cashback off")
	}
}

func withValues(base url.Values, set map[string]string) url.Values {
	v := url.Values{}
	for k, vs := range base {
		v[k] = vs
	}
	for k, s := range set {
		v.Set(k, s)
	}
	return v
}

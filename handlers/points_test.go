package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// newPointsProgram creates a points program through the owner's form: a
// point per whole unit spent, the reward at 100 points; it returns its id.
func newPointsProgram(t *testing.T, e *env, owner *client, shopEmail string) string {
	t.Helper()
	form := owner.get("/programs/new?kind=points")
	if form.doc.Find(`input[name="reward_points"]`).Length() == 0 {
		t.Fatalf("the new points program form has no reward price:\n%s", snippet(form.body))
	}
	res := owner.submit(form, `[data-testid="program-form"]`, map[string]string{
		"name": "Beans", "reward_text": "a bag of beans", "reward_points": "100", "points_per_unit": "1", "points_rounding": "down",
		"max_per_visit": "500",
	})
	if res.status != http.StatusSeeOther {
		t.Fatalf("save points program: %d\n%s", res.status, snippet(res.body))
	}
	var id string
	if err := e.raw.QueryRow(`SELECT p.id FROM programs p JOIN users u ON u.shop_id = p.shop_id WHERE u.email = ? AND p.kind = 'points'`, shopEmail).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func (e *env) points(cardPath string) int {
	e.t.Helper()
	return e.count(`SELECT coalesce(sum(b.points), 0) FROM card_balances b JOIN programs p ON p.id = b.program_id
		WHERE p.kind = 'points' AND b.card_id = ?`, strings.TrimPrefix(cardPath, "/counter/cards/"))
}

// The cashier keys an amount, the card gets the points it gives, a tap
// spends the reward's price, undo takes a purchase back, and the customer's
// page shows the points and what they are worth.
func TestPointsAtTheCounter(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Bean Bar", "beans@example.com")
	newPointsProgram(t, e, owner, "beans@example.com")
	if got := text(owner.get("/programs"), `[data-testid="program-row"]:contains("Beans") td[data-label]`); got != "100 points → a bag of beans" {
		t.Errorf("programs list: %q", got)
	}
	cashier := e.addCashier(owner, "till@example.com")
	cardPath := cashier.enroll("Ada")

	page := cashier.get(cardPath)
	res := cashier.submit(page, `form[data-keypad]`, map[string]string{"amount": "129,90"})
	if res.status != http.StatusSeeOther {
		t.Fatalf("earn: %d\n%s", res.status, snippet(res.body))
	}
	done := cashier.get(res.location)
	if kind := done.doc.Find(`[data-testid="result"]`).AttrOr("data-result", ""); kind != "points" {
		t.Errorf("result banner %q, want points", kind)
	}
	if got := text(done, `[data-testid="result-points"]`); !strings.HasPrefix(got, "+129 points") {
		t.Errorf("result %q, want +129 points", got)
	}
	if got := text(done, `[data-testid="points-held"]`); got != "129 points" {
		t.Errorf("points held %q", got)
	}
	// The undo names the purchase and its amount.
	if got := text(done, `[data-testid="undo"]`); !strings.Contains(got, "+129 points, purchase of 129.90") {
		t.Errorf("undo button %q", got)
	}

	// Spending the reward's price leaves the rest.
	res = cashier.submit(done, `form[action$="/spend"]`, nil)
	if res.status != http.StatusSeeOther || e.points(cardPath) != 29 {
		t.Fatalf("spend: %d, %d points left\n%s", res.status, e.points(cardPath), snippet(res.body))
	}
	if kind := cashier.get(res.location).doc.Find(`[data-testid="result"]`).AttrOr("data-result", ""); kind != "redeemed" {
		t.Errorf("after spending: result %q", kind)
	}
	// A second tablet's stale form for the same reward is refused: the
	// balance covers it no longer, nothing is spent.
	stale := cashier.submit(done, `form[action$="/spend"]`, map[string]string{"key": "another-tablet-key"})
	if stale.status != http.StatusConflict || !strings.Contains(text(stale, `[data-testid="result"]`), "no longer holds enough points") {
		t.Errorf("stale spend: %d %q", stale.status, text(stale, `[data-testid="result"]`))
	}

	// Undo a purchase: its points go back.
	res = cashier.submit(cashier.get(cardPath), `form[data-keypad]`, map[string]string{"amount": "40"})
	if e.points(cardPath) != 69 {
		t.Fatalf("after 40 more: %d points", e.points(cardPath))
	}
	undo := cashier.submit(cashier.get(res.location), `[data-testid="undo"]`, nil)
	if undo.status != http.StatusSeeOther || e.points(cardPath) != 29 {
		t.Errorf("undo of a purchase: %d, %d points", undo.status, e.points(cardPath))
	}

	// The customer's page: the points and what they are worth.
	var token string
	if err := e.raw.QueryRow(`SELECT token FROM cards WHERE id = ?`, strings.TrimPrefix(cardPath, "/counter/cards/")).Scan(&token); err != nil {
		t.Fatal(err)
	}
	card := e.client().get("/c/" + token)
	if got := text(card, `[data-testid="points-held"]`); got != "29 points" {
		t.Errorf("card page points %q", got)
	}
	if got := text(card, `[data-testid="points-to-go"]`); got != "71 more points for a bag of beans" {
		t.Errorf("card page to go %q", got)
	}
	if n, err := e.store.RebuildBalances(t.Context(), 1); err != nil || n != 0 {
		t.Errorf("rebuild corrected %d (%v)", n, err)
	}
}

// Bad amounts, another shop's program or card, a stamps program, a replayed
// form: each is refused with a 4xx and changes nothing.
func TestPointsBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Bean Bar", "bad-beans@example.com")
	programID := newPointsProgram(t, e, owner, "bad-beans@example.com")
	cardPath := owner.enroll("Ada")
	other := e.signup("Rival", "rival@example.com")
	otherProgram := newPointsProgram(t, e, other, "rival@example.com")
	otherCard := other.enroll("Bob")
	var stampsProgram string
	if err := e.raw.QueryRow(`SELECT id FROM programs WHERE kind = 'stamps' AND id <> ? ORDER BY id LIMIT 1`, programID).Scan(&stampsProgram); err != nil {
		t.Fatal(err)
	}
	_, base := formValues(t, owner.get(cardPath), `form[data-keypad]`)

	cases := []struct {
		name   string
		path   string
		set    map[string]string
		status int
	}{
		{"negative", cardPath + "/points", map[string]string{"amount": "-5"}, http.StatusUnprocessableEntity},
		{"zero", cardPath + "/points", map[string]string{"amount": "0"}, http.StatusUnprocessableEntity},
		{"none where money counts", cardPath + "/points", map[string]string{"amount": ""}, http.StatusUnprocessableEntity},
		{"huge", cardPath + "/points", map[string]string{"amount": "1e20"}, http.StatusUnprocessableEntity},
		{"too many digits", cardPath + "/points", map[string]string{"amount": "100000000000000000000"}, http.StatusUnprocessableEntity},
		{"malformed", cardPath + "/points", map[string]string{"amount": "12,3,4"}, http.StatusUnprocessableEntity},
		{"three decimals", cardPath + "/points", map[string]string{"amount": "12.345"}, http.StatusUnprocessableEntity},
		{"words", cardPath + "/points", map[string]string{"amount": "twelve"}, http.StatusUnprocessableEntity},
		{"more points than a visit may give", cardPath + "/points", map[string]string{"amount": "999"}, http.StatusUnprocessableEntity},
		{"below one unit", cardPath + "/points", map[string]string{"amount": "0.50"}, http.StatusUnprocessableEntity},
		{"another shop's program", cardPath + "/points", map[string]string{"program": otherProgram, "amount": "10"}, http.StatusNotFound},
		{"another shop's card", otherCard + "/points", map[string]string{"amount": "10"}, http.StatusNotFound},
		{"a stamps program", cardPath + "/points", map[string]string{"program": stampsProgram, "amount": "10"}, http.StatusBadRequest},
		{"no program", cardPath + "/points", map[string]string{"program": "x", "amount": "10"}, http.StatusBadRequest},
		{"spend with nothing held", cardPath + "/spend", nil, http.StatusConflict},
		{"spend on another shop's program", cardPath + "/spend", map[string]string{"program": otherProgram}, http.StatusNotFound},
		{"spend on a stamps program", cardPath + "/spend", map[string]string{"program": stampsProgram}, http.StatusBadRequest},
	}
	for i, c := range cases {
		before := e.snapshot()
		v := url.Values{}
		for k, vs := range base {
			v[k] = vs
		}
		v.Set("key", base.Get("key")+"-bad"+strings.Repeat("x", i))
		for k, s := range c.set {
			v.Set(k, s)
		}
		res := owner.postRaw(c.path, v)
		if res.status != c.status {
			t.Errorf("%s: status %d, want %d\n%s", c.name, res.status, c.status, snippet(text(res, "main")))
		}
		if after := e.snapshot(); after != before {
			t.Errorf("%s changed the database", c.name)
		}
	}

	// An amount typed in Persian digits with the Persian separator counts.
	v := url.Values{}
	for k, vs := range base {
		v[k] = vs
	}
	v.Set("amount", "۱۲٫۵۰")
	if res := owner.postRaw(cardPath+"/points", v); res.status != http.StatusSeeOther || e.points(cardPath) != 12 {
		t.Fatalf("Persian amount: %d, %d points", res.status, e.points(cardPath))
	}
	// The same form again (a double tap) gives nothing twice.
	before := e.snapshot()
	if res := owner.postRaw(cardPath+"/points", v); res.status != http.StatusConflict {
		t.Errorf("replayed form: %d, want 409", res.status)
	}
	if e.snapshot() != before || e.points(cardPath) != 12 {
		t.Errorf("a replayed form changed the database")
	}
}

// A Persian shop's counter shows the keypad and the points in Persian
// digits; the form's values stay Latin.
func TestPointsInPersian(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	res := c.submit(c.get("/signup"), `form[action="/signup"]`, map[string]string{
		"shop_name": "کافه نارنج", "name": "مریم", "email": "narenj@example.com", "password": "correct horse battery",
		"language": "fa", "timezone": "Asia/Tehran",
	})
	if res.status != http.StatusSeeOther {
		t.Fatalf("signup: %d", res.status)
	}
	newPointsProgram(t, e, c, "narenj@example.com")
	cardPath := c.enroll("سارا")
	page := c.get(cardPath)
	if got := text(page, `[data-testid="key-7"]`); got != "۷" {
		t.Errorf("keypad key 7 shows %q, want ۷", got)
	}
	if got := text(page, `[data-testid="key-sep"]`); got != "٫" {
		t.Errorf("separator key %q, want ٫", got)
	}
	res = c.submit(page, `form[data-keypad]`, map[string]string{"amount": "۱۵۰"})
	if res.status != http.StatusSeeOther {
		t.Fatalf("earn: %d\n%s", res.status, snippet(res.body))
	}
	if got := text(c.get(cardPath), `[data-testid="points-held"]`); got != "۱۵۰ امتیاز" {
		t.Errorf("points held %q, want ۱۵۰ امتیاز", got)
	}
}

// Changing a points program's rules asks the owner to confirm when the new
// price changes what cards can have now, and saves a new rules version.
func TestPointsRuleChangeAtTheProgramsPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Bean Bar", "rules-beans@example.com")
	programID := newPointsProgram(t, e, owner, "rules-beans@example.com")
	cardPath := owner.enroll("Ada")
	owner.submit(owner.get(cardPath), `form[data-keypad]`, map[string]string{"amount": "80"})

	form := owner.get("/programs/" + programID)
	if form.doc.Find(`input[name="stamps_required"]`).Length() != 0 {
		t.Error("a points program's form asks for a stamp target")
	}
	res := owner.submit(form, `[data-testid="program-form"]`, map[string]string{"reward_points": "75"})
	if res.status != http.StatusOK || res.doc.Find(`[data-testid="rule-change"]`).Length() == 0 {
		t.Fatalf("lowering the price: %d, no confirmation asked\n%s", res.status, snippet(res.body))
	}
	if !strings.Contains(text(res, `[data-testid="rule-change"]`), "1 card") {
		t.Errorf("preview %q", text(res, `[data-testid="rule-change"]`))
	}
	if res = owner.submit(res, `[data-testid="program-form"]`, nil); res.status != http.StatusSeeOther {
		t.Fatalf("confirm: %d", res.status)
	}
	if n := e.count(`SELECT count(*) FROM program_rules WHERE program_id = ? AND reward_points = 75 AND kind = 'points'`, programID); n != 1 {
		t.Errorf("%d new rules versions", n)
	}
	// A kind posted to an existing program changes nothing of its kind.
	owner.submit(owner.get("/programs/"+programID), `[data-testid="program-form"]`, map[string]string{"kind": "stamps", "points_per_unit": "2"})
	if n := e.count(`SELECT count(*) FROM programs WHERE id = ? AND kind = 'points' AND points_per_unit = 2`, programID); n != 1 {
		t.Error("saving a points program changed its kind or lost its rules")
	}
	// Bad rules are refused with a message.
	for _, bad := range []map[string]string{{"reward_points": "0"}, {"points_per_unit": "0", "points_per_visit": "0"}, {"points_rounding": "up"}, {"max_per_visit": "-1"}} {
		if res := owner.submit(owner.get("/programs/"+programID), `[data-testid="program-form"]`, bad); res.status != http.StatusUnprocessableEntity {
			t.Errorf("rules %v: %d, want 422", bad, res.status)
		}
	}
}

// A shop that stamps on scan and whose default program counts points: a
// scanned card opens at the keypad, and nothing is written before the
// cashier keys the amount.
func TestScanOpensAPointsCard(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Scan Beans", "scan-beans@example.com")
	programID := newPointsProgram(t, e, owner, "scan-beans@example.com")
	edit := owner.get("/programs/" + programID)
	if res := owner.submit(edit, `form[action$="/default"]`, nil); res.status != http.StatusSeeOther {
		t.Fatalf("make default: %d", res.status)
	}
	if res := owner.submit(owner.get("/settings"), `form[action="/settings"]`, map[string]string{"stamp_on_scan": "1"}); res.status != http.StatusSeeOther {
		t.Fatalf("stamp on scan: %d\n%s", res.status, snippet(res.body))
	}
	cardPath := owner.enroll("Deniz")
	token := cardToken(t, e, 1, cardPath)
	before := e.count(`SELECT count(*) FROM events`)
	res := owner.submit(owner.get("/counter"), `form#scan-stamp`, map[string]string{"q": e.srv.URL + "/c/" + token})
	if res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/counter/find?") {
		t.Fatalf("scan: %d → %q, want a lookup", res.status, res.location)
	}
	if after := e.count(`SELECT count(*) FROM events`); after != before {
		t.Errorf("a scan wrote %d events before the amount was keyed", after-before)
	}
	if page := owner.get(res.location); page.status != http.StatusSeeOther || page.location != cardPath {
		t.Errorf("the lookup of the scanned card: %d → %q, want %s", page.status, page.location, cardPath)
	}
}

package handlers_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// quietHoursProgram makes the shop's points program give ×2 for the hour
// around the env's clock (in the shop's zone) and expire points after 30
// days, through the owner's form.
func quietHoursProgram(t *testing.T, e *env, owner *client, programID string) {
	t.Helper()
	var zone string
	if err := e.raw.QueryRow(`SELECT timezone FROM shops s JOIN programs p ON p.shop_id = s.id WHERE p.id = ?`, programID).Scan(&zone); err != nil {
		t.Fatal(err)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	now := e.clock.Now().In(loc)
	set := noDays()
	set["points_expiry_days"], set["multiplier"], set[fmt.Sprintf("multiplier_day_%d", now.Weekday())] = "30", "2", "1"
	set["multiplier_from"], set["multiplier_to"] = now.Truncate(time.Hour).Format("15:04"), now.Truncate(time.Hour).Add(time.Hour).Format("15:04")
	res := owner.submit(owner.get("/programs/"+programID), `[data-testid="program-form"]`, set)
	if res.status != http.StatusSeeOther {
		t.Fatalf("save the multiplier: %d\n%s", res.status, snippet(text(res, "main")))
	}
}

// noDays is a program form's fill with no weekday ticked (the test client
// sends every box), confirmed.
func noDays() map[string]string {
	set := map[string]string{"confirm": "1"}
	for d := range 7 {
		set[fmt.Sprintf("multiplier_day_%d", d)] = ""
	}
	return set
}

// The counter says "×2 now" before the cashier confirms, the purchase gives
// twice the points in the window and the usual points after it; the card
// shows when the first points expire, and they do.
func TestPointsMultiplierAndExpiryAtTheCounter(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Quiet Café", "quiet@example.com")
	programID := newPointsProgram(t, e, owner, "quiet@example.com")
	quietHoursProgram(t, e, owner, programID)
	form := owner.get("/programs/" + programID)
	if form.doc.Find(`input[name="multiplier"]`).AttrOr("value", "") != "2" || form.doc.Find(`input[name="points_expiry_days"]`).AttrOr("value", "") != "30" {
		t.Errorf("the saved form does not show ×2 and 30 days:\n%s", snippet(text(form, "main")))
	}

	cashier := e.addCashier(owner, "quiet-till@example.com")
	cardPath := cashier.enroll("Ada")
	page := cashier.get(cardPath)
	if got := text(page, `[data-testid="multiplier-now"]`); got != "×2 points now" {
		t.Errorf("the counter says %q, want ×2 points now", got)
	}
	if got := page.doc.Find(`form[data-keypad]`).AttrOr("data-multiplier", ""); got != "2" {
		t.Errorf("the keypad's multiplier %q, want 2", got)
	}
	res := cashier.submit(page, `form[data-keypad]`, map[string]string{"amount": "10"})
	if res.status != http.StatusSeeOther || e.points(cardPath) != 20 {
		t.Fatalf("10.00 in the window: %d, %d points; want 20", res.status, e.points(cardPath))
	}

	e.clock.Advance(2 * time.Hour)
	page = cashier.get(cardPath)
	if page.doc.Find(`[data-testid="multiplier-now"]`).Length() != 0 {
		t.Error("the counter still shows the multiplier after its window")
	}
	cashier.submit(page, `form[data-keypad]`, map[string]string{"amount": "10"})
	if got := e.points(cardPath); got != 30 {
		t.Fatalf("10.00 after the window: %d points in all, want 30", got)
	}

	var token string
	if err := e.raw.QueryRow(`SELECT token FROM cards WHERE id = ?`, strings.TrimPrefix(cardPath, "/counter/cards/")).Scan(&token); err != nil {
		t.Fatal(err)
	}
	card := e.client().get("/c/" + token)
	if got := text(card, `[data-testid="points-expiry"]`); got != "30 points expire on Apr 1, 2026" {
		t.Errorf("the card's expiry line %q, want 30 points on 1 April", got)
	}
	// The owner's dashboard counts the points held as a liability.
	if got := text(owner.get("/dashboard"), `[data-testid="economics-points"]`); !strings.HasPrefix(got, "Customers hold 30 points of Beans (1 card)") {
		t.Errorf("the dashboard's liability %q", got)
	}
	e.clock.Advance(30 * 24 * time.Hour)
	card = e.client().get("/c/" + token)
	if got := text(card, `[data-testid="points-held"]`); got != "0 points" {
		t.Errorf("30 days on the card holds %q, want 0 points", got)
	}
	if n, err := e.store.RebuildBalances(t.Context(), 1); err != nil || n != 0 {
		t.Errorf("rebuild corrected %d (%v)", n, err)
	}
}

// A multiplier or expiry the form cannot mean is refused with a message,
// and nothing is saved.
func TestPointsRulesBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Bean Bar", "rules-bad@example.com")
	programID := newPointsProgram(t, e, owner, "rules-bad@example.com")
	cases := []struct {
		name string
		set  map[string]string
	}{
		{"a multiplier above 10", map[string]string{"multiplier": "11", "multiplier_day_1": "1", "multiplier_from": "14:00", "multiplier_to": "17:00"}},
		{"a multiplier of 0", map[string]string{"multiplier": "0"}},
		{"a multiplier on no day", map[string]string{"multiplier": "2", "multiplier_from": "14:00", "multiplier_to": "17:00"}},
		{"hours that end before they start", map[string]string{"multiplier": "2", "multiplier_day_1": "1", "multiplier_from": "17:00", "multiplier_to": "14:00"}},
		{"an hour that is not one", map[string]string{"multiplier": "2", "multiplier_day_1": "1", "multiplier_from": "25:00", "multiplier_to": "26:00"}},
		{"a forged day", map[string]string{"multiplier": "2", "multiplier_day_1": "yes", "multiplier_from": "14:00", "multiplier_to": "17:00"}},
		{"a negative expiry", map[string]string{"points_expiry_days": "-1"}},
		{"an expiry of ages", map[string]string{"points_expiry_days": "999999"}},
	}
	for _, c := range cases {
		before := e.snapshot()
		set := noDays()
		for k, v := range c.set {
			set[k] = v
		}
		res := owner.submit(owner.get("/programs/"+programID), `[data-testid="program-form"]`, set)
		if res.status != http.StatusUnprocessableEntity || res.doc.Find(`.field-error`).Length() == 0 {
			t.Errorf("%s: status %d, want 422 with a message", c.name, res.status)
		}
		if e.snapshot() != before {
			t.Errorf("%s changed the database", c.name)
		}
	}
}

// The customer page's correction in a points program adjusts points, with
// its reason, never below zero; bad numbers are refused and change nothing.
func TestPointsCorrectionOnTheCustomerPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Bean Bar", "adjust-points@example.com")
	programID := newPointsProgram(t, e, owner, "adjust-points@example.com")
	cardPath := owner.enroll("Ada")
	customerPath := "/customers/" + strings.TrimPrefix(cardPath, "/counter/cards/")
	page := owner.get(customerPath)
	if page.doc.Find(`[data-testid="adjust-points-hint"]`).Length() != 1 {
		t.Errorf("the correction form does not say it counts points in Beans")
	}
	res := owner.submit(page, `[data-testid="adjust-form"]`, map[string]string{"program": programID, "stamps": "50", "reason": "lost receipt"})
	if res.status != http.StatusSeeOther || e.points(cardPath) != 50 {
		t.Fatalf("+50 points: %d, %d points held\n%s", res.status, e.points(cardPath), snippet(text(res, "main")))
	}
	if n := e.count(`SELECT count(*) FROM events WHERE kind = 'adjust' AND points = 50 AND stamps = 0 AND note = 'lost receipt' AND program_id = ?`, programID); n != 1 {
		t.Errorf("%d adjustments of +50 points with the reason", n)
	}
	res = owner.submit(owner.get(customerPath), `[data-testid="adjust-form"]`, map[string]string{"program": programID, "stamps": "-80", "reason": "typo"})
	if res.status != http.StatusSeeOther || e.points(cardPath) != 0 {
		t.Fatalf("-80 of 50 points: %d, %d held", res.status, e.points(cardPath))
	}
	if got := text(owner.get(res.location), `[data-testid="saved"]`); got != "50 points removed; the card had 50." {
		t.Errorf("the banner says %q", got)
	}
	for _, bad := range []map[string]string{
		{"stamps": "0", "reason": "x"},
		{"stamps": "2000000", "reason": "x"},
		{"stamps": "-2000000", "reason": "x"},
		{"stamps": "1.5", "reason": "x"},
		{"stamps": "10", "reason": ""},
	} {
		bad["program"] = programID
		before := e.snapshot()
		if res := owner.submit(owner.get(customerPath), `[data-testid="adjust-form"]`, bad); res.status != http.StatusUnprocessableEntity {
			t.Errorf("%v: status %d, want 422", bad, res.status)
		}
		if e.snapshot() != before {
			t.Errorf("%v changed the database", bad)
		}
	}
}

// A points program reads as points wherever stamp wording was: the
// customers list, the customer's record, the dashboard's programs and the
// printed cards.
func TestPointsWording(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Bean Bar", "wording@example.com")
	programID := newPointsProgram(t, e, owner, "wording@example.com")
	var shopID, id int64
	if err := e.raw.QueryRow(`SELECT shop_id, id FROM programs WHERE id = ?`, programID).Scan(&shopID, &id); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetDefaultProgram(t.Context(), shopID, id, 0, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	cardPath := owner.enroll("Ada")
	owner.submit(owner.get(cardPath), `form[data-keypad]`, map[string]string{"amount": "129,90"})
	if got := text(owner.get("/customers"), `[data-testid="customer-stamps"]`); !strings.Contains(got, "129 points") || strings.Contains(got, "0 / 0") {
		t.Errorf("the customers list says %q, want 129 points", got)
	}
	record := owner.get("/customers/" + strings.TrimPrefix(cardPath, "/counter/cards/"))
	if got := text(record, `[data-testid="customer-program"]:contains("Beans")`); !strings.Contains(got, "129 points") {
		t.Errorf("the customer's record says %q, want 129 points", got)
	}
	if got := text(owner.get("/dashboard"), `[data-testid="programs"]`); !strings.Contains(got, "100 points → a bag of beans") {
		t.Errorf("the dashboard's programs say %q", got)
	}
	res := owner.submit(owner.get("/cards/print"), `[data-testid="print-form"]`, map[string]string{"sheets": "1"})
	if res.status != http.StatusSeeOther {
		t.Fatalf("print: %d", res.status)
	}
	if got := text(owner.get(res.location), `[data-testid="printed-rule"]`); !strings.HasPrefix(got, "100 points → a bag of beans") {
		t.Errorf("the printed card says %q", got)
	}
}

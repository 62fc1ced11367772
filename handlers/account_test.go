package handlers_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"regulars/db/dbtest"
)

func TestAccountPageForEveryRole(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Shop", "owner@example.com")
	cashier := e.addCashier(owner, "cashier@example.com")
	for name, c := range map[string]*client{"owner": owner, "cashier": cashier} {
		// Every staff page leads to the account page.
		home := c.get(map[string]string{"owner": "/dashboard", "cashier": "/counter"}[name])
		if href, _ := home.doc.Find(`[data-testid="account-link"]`).Attr("href"); href != "/account" {
			t.Errorf("%s: no account link on their home page", name)
		}
		res := c.get("/account")
		if res.status != http.StatusOK || res.doc.Find(`form[action="/account/password"]`).Length() != 1 {
			t.Fatalf("%s: account page %d\n%s", name, res.status, snippet(res.body))
		}
		if !strings.Contains(res.body, name+"@example.com") {
			t.Errorf("%s: the page does not say who is signed in", name)
		}
	}
	// A cashier's account page keeps the counter's frame, without the owner's menu.
	if res := cashier.get("/account"); res.doc.Find(`a[href="/settings"]`).Length() != 0 || res.doc.Find(`[data-testid="next-customer"]`).Length() != 1 {
		t.Error("the cashier's account page is not framed as the counter")
	}
}

// TestChangePasswordBadInput: refused changes say why, change nothing, and
// leave the person signed in with the old password.
func TestChangePasswordBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Shop", "owner@example.com")
	const current = "correct horse battery"
	other := e.client()
	otherPage := other.get("/login")
	_, otherValues := formValues(t, otherPage, `form[action^="/login"]`)
	cases := []struct {
		name   string
		fill   map[string]string
		status int
		field  string // the field whose message must show
	}{
		{"missing current", map[string]string{"current_password": "", "password": "a new long password"}, 422, "current_password"},
		{"wrong current", map[string]string{"current_password": "not my password", "password": "a new long password"}, 422, "current_password"},
		{"oversized current", map[string]string{"current_password": strings.Repeat("x", 10000), "password": "a new long password"}, 422, "current_password"},
		{"missing new", map[string]string{"current_password": current, "password": ""}, 422, "password"},
		{"short new", map[string]string{"current_password": current, "password": "short"}, 422, "password"},
		{"oversized new", map[string]string{"current_password": current, "password": strings.Repeat("x", 73)}, 422, "password"},
		{"new same as current", map[string]string{"current_password": current, "password": current}, 422, "password"},
		{"no csrf", map[string]string{"_csrf": "", "current_password": current, "password": "a new long password"}, 403, ""},
		{"another browser's csrf", map[string]string{"_csrf": otherValues.Get("_csrf"), "current_password": current, "password": "a new long password"}, 403, ""},
	}
	// One case at a time: each moves the shared clock, spends the shared login
	// limits and compares snapshots of the whole database.
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			e.clock.Advance(2 * time.Minute) // each try within the login limits
			before := e.snapshot()
			res := owner.submit(owner.get("/account"), `form[action="/account/password"]`, tt.fill)
			if res.status != tt.status {
				t.Fatalf("status %d, want %d\n%s", res.status, tt.status, snippet(res.body))
			}
			if tt.field != "" && text(res, "#e-"+tt.field) == "" {
				t.Errorf("no message for %s", tt.field)
			}
			if strings.Contains(res.body, current) {
				t.Error("the page shows a password typed")
			}
			if after := e.snapshot(); after != before {
				t.Errorf("changed: %s → %s", before, after)
			}
			if res := owner.get("/dashboard"); res.status != http.StatusOK {
				t.Errorf("signed out by a refused change: %d", res.status)
			}
		})
	}
	e.clock.Advance(2 * time.Minute)
	e.login("owner@example.com", current)

	// Replaying a change that went through: the same browser's form now names
	// a wrong current password; a copy of the cookie from before is signed out.
	e.clock.Advance(2 * time.Minute)
	stale := owner.clone()
	page := owner.get("/account")
	fill := map[string]string{"current_password": current, "password": "a new long password"}
	if res := owner.submit(page, `form[action="/account/password"]`, fill); res.status != http.StatusSeeOther || res.location != "/account?changed=1" {
		t.Fatalf("change: %d %q\n%s", res.status, res.location, snippet(res.body))
	}
	if res := owner.get("/account?changed=1"); text(res, `[data-testid="saved"]`) == "" {
		t.Error("no confirmation after the change")
	}
	before := e.snapshot()
	if res := owner.submit(owner.get("/account"), `form[action="/account/password"]`, fill); res.status != 422 {
		t.Errorf("replayed change: %d, want 422", res.status)
	}
	if res := stale.submit(page, `form[action="/account/password"]`, fill); res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/login?unsaved=1") {
		t.Errorf("replay with the old cookie: %d %q, want 303 to /login?unsaved=1", res.status, res.location)
	}
	if after := e.snapshot(); after != before {
		t.Errorf("replays changed: %s → %s", before, after)
	}
	if n := e.count(`SELECT count(*) FROM audit WHERE action = 'password'`); n != 1 {
		t.Errorf("%d password changes audited, want 1", n)
	}
}

// TestChangePasswordIsRateLimited: the form checks the current password
// against the login limits, so a stolen session guesses no faster than the
// login form lets it.
func TestChangePasswordIsRateLimited(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Shop", "owner@example.com")
	e.clock.Advance(2 * time.Minute) // the sign-up's own try refills
	var statuses []int
	for range 7 {
		res := owner.submit(owner.get("/account"), `form[action="/account/password"]`, map[string]string{"current_password": "a guess at it", "password": "a new long password"})
		statuses = append(statuses, res.status)
	}
	if want := []int{422, 422, 422, 422, 422, 429, 429}; !slices.Equal(statuses, want) {
		t.Fatalf("statuses %v, want five 422 then 429", statuses)
	}
	fill := map[string]string{"current_password": "correct horse battery", "password": "a new long password"}
	if res := owner.submit(owner.get("/account"), `form[action="/account/password"]`, fill); res.status != http.StatusTooManyRequests {
		t.Errorf("right password while limited: %d, want 429", res.status)
	}
	// The login form shares the budget.
	anon := e.client()
	if res := anon.submit(anon.get("/login"), `form[action^="/login"]`, map[string]string{"email": "owner@example.com", "password": "correct horse battery"}); res.status != http.StatusTooManyRequests {
		t.Errorf("login while the account is limited: %d, want 429", res.status)
	}
	e.clock.Advance(2 * time.Minute)
	if res := owner.submit(owner.get("/account"), `form[action="/account/password"]`, fill); res.status != http.StatusSeeOther {
		t.Errorf("right password after waiting: %d, want 303", res.status)
	}
}

// TestPasswordCostIsProductionByDefault: a server built without a
// PasswordCost, as main builds it, hashes new passwords at bcrypt's default
// cost; only the tests ask for less.
func TestPasswordCostIsProductionByDefault(t *testing.T) {
	t.Parallel()
	e := newEnvAt(t, dbtest.Path(t), 0)
	e.signup("Shop", "owner@example.com")
	var hash string
	if err := e.raw.QueryRow(`SELECT password_hash FROM users WHERE email = ?`, "owner@example.com").Scan(&hash); err != nil {
		t.Fatal(err)
	}
	if cost, err := bcrypt.Cost([]byte(hash)); err != nil || cost != bcrypt.DefaultCost {
		t.Errorf("a sign-up's password hash has cost %d (%v), want bcrypt.DefaultCost, %d", cost, err, bcrypt.DefaultCost)
	}
}

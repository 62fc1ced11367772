package handlers_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestCounterTabletStaysSignedIn: a tablet used every few days stays signed
// in past the 30 days of its sign-in (the server renews the session and the
// cookie), one left alone for 30 days is signed out, and the owner can sign
// a lost tablet out at once. Issue 14, point 8.
func TestCounterTabletStaysSignedIn(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Tablet Café", "tablet@example.com")
	till := e.addCashier(owner, "till@example.com")
	idle := e.login("till@example.com", "cashier password 1")
	for day := 1; day <= 40; day++ {
		e.clock.Advance(24 * time.Hour)
		res := till.get("/counter")
		if res.status != http.StatusOK {
			t.Fatalf("day %d of use: %d → %q", day, res.status, res.location)
		}
		if day == 2 && !strings.Contains(strings.Join(res.header.Values("Set-Cookie"), ";"), "regulars=") {
			t.Error("a renewed session's cookie was not renewed")
		}
		owner.get("/dashboard") // the owner uses theirs too
	}
	if res := idle.get("/counter"); res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/login") {
		t.Errorf("a tablet left alone for 40 days: %d %q, want the sign-in", res.status, res.location)
	}

	staffPage := owner.get("/staff")
	if res := owner.submit(staffPage, `form[action$="/signout"]`, nil); res.status != http.StatusSeeOther {
		t.Fatalf("sign the till out: %d\n%s", res.status, snippet(res.body))
	}
	if res := till.get("/counter"); res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/login") {
		t.Errorf("the till after the owner signed it out: %d %q", res.status, res.location)
	}
	if res := owner.get("/counter"); res.status != http.StatusOK {
		t.Errorf("the owner was signed out too: %d", res.status)
	}
	if n := e.count(`SELECT count(*) FROM audit WHERE action = 'staff_signout'`); n != 1 {
		t.Errorf("%d audit lines for the sign-out, want 1", n)
	}
}

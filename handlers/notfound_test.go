package handlers_test

import (
	"net/http"
	"testing"
)

// TestErrorsInsideTheStaffFrame: a missing page inside the owner's area is a
// "Not found" with the owner's menu; a cashier's refusal keeps the counter's
// bar; a visitor who is not signed in gets the plain error page.
func TestErrorsInsideTheStaffFrame(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	cashier := e.addCashier(owner, "cashier@example.com")
	cases := []struct {
		name   string
		c      *client
		path   string
		status int
		frame  string // the selector of the layout the error sits in; "" for none
	}{
		{"missing customer", owner, "/customers/999999", http.StatusNotFound, `header.topbar nav a[href="/customers"]`},
		{"malformed coupon", owner, "/coupons/abc", http.StatusNotFound, `header.topbar nav a[href="/coupons"]`},
		{"program zero", owner, "/programs/0", http.StatusNotFound, `header.topbar nav a[href="/programs"]`},
		{"unknown address", owner, "/nowhere", http.StatusNotFound, `header.topbar nav a[href="/dashboard"]`},
		{"cashier at the dashboard", cashier, "/dashboard", http.StatusForbidden, `[data-testid="next-customer"]`},
		{"cashier at a missing card", cashier, "/counter/cards/999999", http.StatusNotFound, `[data-testid="next-customer"]`},
		{"owner at a missing card of the counter", owner, "/counter/cards/999999", http.StatusNotFound, `[data-testid="next-customer"]`},
		{"signed out", e.client(), "/nowhere", http.StatusNotFound, ""},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := tt.c.get(tt.path)
			if res.status != tt.status || text(res, `[data-testid="error-message"]`) == "" {
				t.Fatalf("status %d, message %q", res.status, text(res, `[data-testid="error-message"]`))
			}
			switch {
			case tt.frame == "" && res.doc.Find(`header.topbar`).Length() != 0:
				t.Error("a visitor sees a staff frame")
			case tt.frame != "" && res.doc.Find(tt.frame).Length() != 1:
				t.Errorf("the error is not in the staff frame (%s)", tt.frame)
			}
		})
	}
}

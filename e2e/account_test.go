package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestCashierChangesPasswordOnPhone: a cashier opens their account from the
// top bar on a phone, changes their password, and the tablet where they were
// still signed in is signed out; the new password is the one that works.
func TestCashierChangesPasswordOnPhone(t *testing.T) {
	t.Parallel()
	srv, _ := startServer(t)
	setUpShop(t, srv)
	till := newBrowser(t, tablet)
	logIn(t, till, srv, cashier, `[data-testid=enroll]`)

	ph := newBrowser(t, phone)
	logIn(t, ph, srv, cashier, `[data-testid=enroll]`)
	submit(t, ph, `[data-testid=account-link]`, `form[action="/account/password"]`)
	if got := location(t, ph); got != srv.URL+"/account" {
		t.Fatalf("the name in the top bar led to %s", got)
	}
	newPassword := "a new till password"
	run(t, ph,
		chromedp.SendKeys(`#f-current_password`, cashier.Password, chromedp.ByQuery),
		chromedp.SendKeys(`#f-password`, newPassword, chromedp.ByQuery),
	)
	submit(t, ph, `form[action="/account/password"] button[type=submit]`, `[data-testid=saved]`)
	screenshot(t, ph, "account-password-changed-phone")

	// The tablet's session ended with the change: its next page is the login.
	run(t, till, chromedp.Navigate(srv.URL+"/counter"), chromedp.WaitVisible(`#f-email`, chromedp.ByQuery))
	if got := location(t, till); got != srv.URL+"/login?next=%2Fcounter" {
		t.Errorf("the tablet after the change is at %s, want the login", got)
	}
	logIn(t, till, srv, person{Email: cashier.Email, Password: newPassword}, `[data-testid=enroll]`)
	// The phone stayed signed in.
	run(t, ph, chromedp.Navigate(srv.URL+"/counter"), chromedp.WaitVisible(`[data-testid=enroll]`, chromedp.ByQuery))
}

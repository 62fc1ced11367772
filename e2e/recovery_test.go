package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"regulars/mailtest"
)

var resetHrefOf = regexp.MustCompile(`href="([^"]+)"[^>]*data-testid="mail-reset-link"`)

// TestPasswordResetByEmail: a cashier forgot their password. On a phone they
// follow "Forgot your password?" from the sign-in page and type their
// address; the mailbox holds a message in the shop's name with a link; the
// link's page sets a new password and lands on the counter; the session the
// cashier had at the till is signed out, the new password signs in and the
// old one is refused; the link works once.
func TestPasswordResetByEmail(t *testing.T) {
	t.Parallel()
	mp := mailtest.Start(t)
	srv := startMailServer(t, mp)
	lap := newBrowser(t, laptop)
	signUp(t, lap, srv, owner)
	addStaff(t, lap, srv, cashier, "cashier")
	till := newBrowser(t, tablet)
	logIn(t, till, srv, cashier, `#lookup-q`)

	ph := newBrowser(t, phone)
	run(t, ph, chromedp.Navigate(srv.URL+"/login"), chromedp.WaitVisible(`[data-testid=forgot-link]`, chromedp.ByQuery))
	submit(t, ph, `[data-testid=forgot-link]`, `[data-testid=forgot-form]`)
	run(t, ph, chromedp.SendKeys(`#f-email`, cashier.Email, chromedp.ByQuery))
	submit(t, ph, `[data-testid=forgot-submit]`, `[data-testid=forgot-sent]`)
	if got := text(t, ph, `[data-testid=forgot-sent]`); !strings.Contains(got, cashier.Email) {
		t.Errorf("the answer %q does not name the address", got)
	}
	screenshot(t, ph, "forgot-sent")

	m := mp.Wait(t, cashier.Email, 30*time.Second)
	if !strings.Contains(m.Subject, shopName) {
		t.Errorf("subject %q without the shop's name", m.Subject)
	}
	link := resetHrefOf.FindStringSubmatch(m.HTML)
	if link == nil || !strings.HasPrefix(link[1], srv.URL+"/reset/") || !strings.Contains(m.Text, link[1]) {
		t.Fatalf("no reset link in the HTML part, or not the text's: %v\n%s", link, m.Text)
	}
	if h := mp.Headers(t, m.ID); len(h["List-Unsubscribe"]) != 0 {
		t.Errorf("a message sent on request offers to unsubscribe: %v", h["List-Unsubscribe"])
	}

	const newPassword = "a new one, by e-mail"
	run(t, ph, chromedp.Navigate(link[1]), chromedp.WaitVisible(`#f-password`, chromedp.ByQuery),
		chromedp.SendKeys(`#f-password`, newPassword, chromedp.ByQuery))
	screenshot(t, ph, "reset-password-page")
	submit(t, ph, `main form button[type=submit]`, `#lookup-q`)

	// The till's session ended with the old password.
	run(t, till, chromedp.Navigate(srv.URL+"/counter"), chromedp.WaitVisible(`#f-email`, chromedp.ByQuery))
	fresh := newBrowser(t, tablet)
	logIn(t, fresh, srv, person{Email: cashier.Email, Password: newPassword}, `#lookup-q`)
	old := newBrowser(t, phone)
	logIn(t, old, srv, cashier, `[data-testid=form-error]`)

	// Used once.
	run(t, old, chromedp.Navigate(link[1]), chromedp.WaitVisible(`[data-testid=error-message]`, chromedp.ByQuery))
	if got := text(t, old, `[data-testid=error-message]`); !strings.Contains(got, "used already") {
		t.Errorf("a used link says %q", got)
	}
	screenshot(t, old, "reset-link-used")
}

// TestCardLinkByEmailInRomanian: a customer joined with their address and
// asked for e-mail about their card; on another phone, with the page in
// Romanian, they ask the join page for their card; the mailbox holds a
// Romanian message whose link opens their card. A phone number gets the
// advice to ask at the counter.
func TestCardLinkByEmailInRomanian(t *testing.T) {
	t.Parallel()
	mp := mailtest.Start(t)
	srv := startMailServer(t, mp)
	lap := newBrowser(t, laptop)
	signUp(t, lap, srv, owner)
	shop, err := srv.Store.Shop(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	joinURL := srv.URL + "/join/" + shop.Slug
	const email = "ioana@example.com"

	first := newBrowser(t, phone)
	run(t, first, chromedp.Navigate(joinURL), chromedp.WaitVisible(`[data-testid=join-form]`, chromedp.ByQuery))
	submit(t, first, `form.lang-switch button[value=ro]`, `[data-testid=join-submit]`)
	run(t, first,
		chromedp.SendKeys(`#f-first_name`, "Ioana", chromedp.ByQuery),
		chromedp.SendKeys(`#f-email`, email, chromedp.ByQuery),
		chromedp.Click(`[data-testid=join-email-service]`, chromedp.ByQuery),
	)
	submit(t, first, `[data-testid=join-submit]`, `[data-testid=short-code]`)
	cardURL := location(t, first)

	// Another phone, without the card: the join page leads to "find my card".
	second := newBrowser(t, phone)
	run(t, second, chromedp.Navigate(joinURL), chromedp.WaitVisible(`[data-testid=join-form]`, chromedp.ByQuery))
	submit(t, second, `form.lang-switch button[value=ro]`, `[data-testid=join-lost-card]`)
	submit(t, second, `[data-testid=join-lost-card]`, `[data-testid=lost-form]`)
	run(t, second, chromedp.SendKeys(`#f-contact`, email, chromedp.ByQuery))
	submit(t, second, `[data-testid=lost-submit]`, `[data-testid=lost-sent]`)
	if got := text(t, second, `[data-testid=lost-sent]`); !strings.Contains(got, "am trimis linkul cardului") {
		t.Errorf("the answer is not the Romanian one: %q", got)
	}
	screenshot(t, second, "lost-card-sent-ro")

	m := mp.Wait(t, email, 30*time.Second)
	if !strings.Contains(m.Subject, "Cardul tău de fidelitate") || !strings.Contains(m.Subject, shopName) {
		t.Errorf("subject %q: not Romanian, or without the shop's name", m.Subject)
	}
	if !strings.Contains(m.Text, "Bună, Ioana") {
		t.Errorf("text part without the Romanian greeting:\n%s", m.Text)
	}
	link := hrefOf.FindStringSubmatch(m.HTML)
	if link == nil || link[1] != cardURL {
		t.Fatalf("the message's button leads to %v, want %s", link, cardURL)
	}
	run(t, second, chromedp.Navigate(link[1]), chromedp.WaitVisible(`[data-testid=short-code]`, chromedp.ByQuery))
	screenshot(t, second, "lost-card-opened")

	// By phone: nothing can be sent; the counter can help.
	run(t, second, chromedp.Navigate(joinURL+"/lost"), chromedp.WaitVisible(`[data-testid=lost-form]`, chromedp.ByQuery),
		chromedp.SendKeys(`#f-contact`, "0722 123 456", chromedp.ByQuery))
	submit(t, second, `[data-testid=lost-submit]`, `[data-testid=lost-phone]`)
	if got := text(t, second, `[data-testid=lost-phone]`); !strings.Contains(got, "Întreabă la casă") {
		t.Errorf("the phone answer: %q", got)
	}
	if n := len(mp.To(t, email)); n != 1 {
		t.Errorf("%d messages to %s, want 1", n, email)
	}
}

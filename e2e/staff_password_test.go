package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestOwnerSetsStaffPassword: a cashier forgot their password. The owner
// opens the cashier's "manage" on the staff page, types a new password and
// confirms; the cashier, on a phone that never signed in (a fresh browser
// context), signs in with it and lands on the counter; the old password no
// longer opens anything, and the session the cashier had before is signed
// out (issue 16).
func TestOwnerSetsStaffPassword(t *testing.T) {
	t.Parallel()
	srv, _ := startServer(t)
	lap := newBrowser(t, laptop)
	signUp(t, lap, srv, owner)
	addStaff(t, lap, srv, cashier, "cashier")

	// The cashier is signed in at the till before the reset.
	till := newBrowser(t, tablet)
	logIn(t, till, srv, cashier, `#lookup-q`)

	const newPassword = "yeni-sifre-2025 kasa"
	row := `[data-testid=staff-row]:nth-child(2)`
	run(t, lap, chromedp.Navigate(srv.URL+"/staff"), chromedp.WaitVisible(row, chromedp.ByQuery))
	if got := text(t, lap, row+` td:first-child`); got != cashier.Name {
		t.Fatalf("the second member is %q, want %s", got, cashier.Name)
	}
	run(t, lap, chromedp.Click(row+` [data-testid=staff-manage]`, chromedp.ByQuery),
		chromedp.WaitVisible(row+` input[name=password]`, chromedp.ByQuery),
		chromedp.SendKeys(row+` input[name=password]`, newPassword, chromedp.ByQuery))
	// The form asks before it replaces the password; the owner says yes.
	asked := make(chan string, 1)
	chromedp.ListenTarget(lap, func(ev any) {
		if ev, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			select {
			case asked <- ev.Message:
			default:
			}
			go func() {
				if err := chromedp.Run(lap, page.HandleJavaScriptDialog(true)); err != nil {
					t.Logf("answering the dialog: %v", err)
				}
			}()
		}
	})
	submit(t, lap, row+` [data-testid=staff-password]`, `[data-testid=saved]`)
	select {
	case q := <-asked:
		if !strings.Contains(q, cashier.Name) {
			t.Errorf("the confirmation %q does not name %s", q, cashier.Name)
		}
	case <-time.After(5 * time.Second):
		t.Error("setting the password asked nothing")
	}
	if got := text(t, lap, `[data-testid=saved]`); got == "" {
		t.Error("no word that the password was set")
	}
	screenshot(t, lap, "staff-password-set")

	// The session the cashier had is over.
	run(t, till, chromedp.Navigate(srv.URL+"/counter"), chromedp.WaitVisible(`#f-email`, chromedp.ByQuery))

	// A phone that never signed in: the new password opens the counter.
	ph := newBrowser(t, phone)
	logIn(t, ph, srv, person{Email: cashier.Email, Password: newPassword}, `#lookup-q`)
	if got, want := location(t, ph), srv.URL+"/counter"; got != want {
		t.Errorf("signed in with the new password at %s, want %s", got, want)
	}
	screenshot(t, ph, "staff-password-new-signs-in")

	// Another fresh browser: the old password is refused.
	old := newBrowser(t, phone)
	logIn(t, old, srv, cashier, `[data-testid=form-error]`)
	if got := location(t, old); !strings.HasPrefix(got, srv.URL+"/login") {
		t.Errorf("the old password led to %s", got)
	}
	run(t, old, chromedp.Navigate(srv.URL+"/counter"), chromedp.WaitVisible(`#f-email`, chromedp.ByQuery))
	screenshot(t, old, "staff-password-old-refused")
}

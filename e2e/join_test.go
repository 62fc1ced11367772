package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestPosterJoin: the owner sets a welcome gift of two stamps and prints the
// poster, on one sheet of A4 and of A5; a customer's phone opens the address
// the poster's QR code holds, gives a first name and consent, taps once and
// sees a card with the two stamps and the welcome line. The join screen is
// also looked at in Persian on a phone.
func TestPosterJoin(t *testing.T) {
	t.Parallel()
	srv, _ := startServer(t)
	desk := newBrowser(t, desktop)
	signUp(t, desk, srv, owner)

	run(t, desk, chromedp.Navigate(srv.URL+"/growth"), chromedp.WaitVisible(`#f-welcome_stamps`, chromedp.ByQuery),
		chromedp.SetValue(`#f-welcome_stamps`, "2", chromedp.ByQuery),
		chromedp.SetValue(`#f-pitch`, "Her onuncu kahve bizden", chromedp.ByQuery))
	submit(t, desk, `[data-testid=growth-form] button[type=submit]`, `[data-testid=saved]`)
	if got := value(t, desk, `#f-welcome_stamps`); got != "2" {
		t.Fatalf("welcome stamps after saving: %q", got)
	}
	screenshot(t, desk, "growth-desktop")

	submit(t, desk, `[data-testid=poster-a4]`, `[data-testid=poster-qr] svg`)
	joinURL := text(t, desk, `[data-testid=join-url]`)
	if want := srv.URL + "/join/cinar-kahve"; joinURL != want {
		t.Fatalf("the poster's join address is %q, want %q", joinURL, want)
	}
	screenshot(t, desk, "poster-a4-screen")
	checkPosterPrint(t, desk, "a4", "595x842")
	run(t, desk, chromedp.Navigate(srv.URL+"/poster?size=a5"), chromedp.WaitVisible(`[data-testid=poster-qr] svg`, chromedp.ByQuery))
	checkPosterPrint(t, desk, "a5", "420x595")

	mobile := newBrowser(t, phone)
	run(t, mobile, chromedp.Navigate(joinURL), chromedp.WaitVisible(`[data-testid=join-submit]`, chromedp.ByQuery))
	if got := text(t, mobile, `[data-testid=join-welcome]`); got != "Join now and start with 2 free stamps." {
		t.Errorf("join page welcome %q", got)
	}
	checkNoSidewaysScroll(t, mobile, "join")
	screenshot(t, mobile, "join-phone")
	run(t, mobile,
		chromedp.SendKeys(`#f-first_name`, "Elif", chromedp.ByQuery),
		chromedp.Click(`[data-testid=consent]`, chromedp.ByQuery),
	)
	submit(t, mobile, `[data-testid=join-submit]`, `[data-testid=welcome-gift]`)
	if loc := location(t, mobile); !strings.HasPrefix(loc, srv.URL+"/c/") {
		t.Errorf("after joining at %s, want the card page", loc)
	}
	if got := text(t, mobile, `[data-testid=welcome-gift]`); got != "Welcome gift: 2 stamps" {
		t.Errorf("welcome line %q", got)
	}
	if got := text(t, mobile, `[data-testid=stamp-count]`); got != "2 of 10" {
		t.Errorf("stamp count %q, want 2 of 10", got)
	}
	if got := count(t, mobile, `ol.stamps li.on`); got != 2 {
		t.Errorf("%d stamps drawn filled, want 2", got)
	}
	if got := text(t, mobile, `.greeting`); !strings.Contains(got, "Elif") {
		t.Errorf("greeting %q does not name Elif", got)
	}
	screenshot(t, mobile, "joined-card-phone")

	// A customer who reads Persian switches the join screen to it.
	persian := newBrowser(t, phone)
	run(t, persian, chromedp.Navigate(joinURL), chromedp.WaitVisible(`[data-testid=join-submit]`, chromedp.ByQuery))
	submit(t, persian, `form.lang-switch button[value=fa]`, `[data-testid=join-submit]`)
	if got := attr(t, persian, `html`, "dir"); got != "rtl" {
		t.Errorf("the Persian join screen reads %q", got)
	}
	if loc := location(t, persian); loc != joinURL {
		t.Errorf("the language switch went to %s, want back to %s", loc, joinURL)
	}
	if got := text(t, persian, `[data-testid=join-submit]`); got != "دریافت کارت من" {
		t.Errorf("Persian button %q", got)
	}
	checkNoSidewaysScroll(t, persian, "Persian join")
	screenshot(t, persian, "fa-join-phone")
	submit(t, persian, `[data-testid=join-submit]`, `[data-testid=welcome-gift]`)
	if got := text(t, persian, `[data-testid=welcome-gift]`); got != "هدیهٔ خوش\u200cآمد: 2 مهر" {
		t.Errorf("Persian welcome line %q", got)
	}
	screenshot(t, persian, "fa-joined-card-phone")
}

// checkPosterPrint renders the open poster to PDF as Chromium prints it and
// checks that it is one page of the paper size (in points), then keeps a
// screenshot of the page in print media and the PDF.
func checkPosterPrint(t *testing.T, ctx context.Context, size, points string) {
	t.Helper()
	var pdf []byte
	run(t, ctx, chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		pdf, _, err = page.PrintToPDF().WithPreferCSSPageSize(true).WithPrintBackground(true).Do(ctx)
		return err
	}))
	if err := os.WriteFile(filepath.Join(t.ArtifactDir(), "poster-"+size+".pdf"), pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	if n := len(pdfPage.FindAll(pdf, -1)); n != 1 {
		t.Errorf("poster %s prints on %d pages, want 1", size, n)
	}
	if got := mediaBox(pdf); got != points {
		t.Errorf("poster %s page is %s points, want %s", size, got, points)
	}
	run(t, ctx, emulation.SetEmulatedMedia().WithMedia("print"))
	if got := count(t, ctx, `.print-tools button:not([hidden])`); got != 1 {
		t.Errorf("print button missing on screen (%d)", got)
	}
	var shown bool
	run(t, ctx, chromedp.Evaluate(`getComputedStyle(document.querySelector('.print-tools')).display !== 'none'`, &shown))
	if shown {
		t.Errorf("poster %s prints its buttons", size)
	}
	screenshot(t, ctx, "poster-"+size+"-print")
	run(t, ctx, emulation.SetEmulatedMedia().WithMedia(""))
}

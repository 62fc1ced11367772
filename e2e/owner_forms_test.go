package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestOwnerFormsInABrowser (issue 16, items 3, 4 and 9), in a Turkish shop on
// a phone: ending a campaign asks first and "no" changes nothing; saving the
// settings says so at the top of the page; printed cards and the poster are
// in the shop's language while the owner's screen is in English.
func TestOwnerFormsInABrowser(t *testing.T) {
	t.Parallel()
	srv, _ := startServer(t)
	ctx := newBrowser(t, phone)
	signUp(t, ctx, srv, owner)

	// 4: the settings say "Saved" where the eye is.
	run(t, ctx, chromedp.Navigate(srv.URL+"/settings"), chromedp.WaitVisible(`#f-language`, chromedp.ByQuery),
		choose(`#f-language`, "tr"), choose(`#f-timezone`, "Europe/Istanbul"), choose(`#f-currency`, "TRY"))
	submit(t, ctx, `form[action="/settings"] button[type=submit]`, `[data-testid=saved]`)
	var top float64
	run(t, ctx, chromedp.Evaluate(`document.querySelector('[data-testid=saved]').getBoundingClientRect().top`, &top))
	if top < 0 || top > 600 {
		t.Errorf("the confirmation is %.0f px down the page, out of sight", top)
	}
	screenshot(t, ctx, "settings-saved-tr")

	// 3: "End" asks; answering no leaves the campaign running.
	run(t, ctx, chromedp.Navigate(srv.URL+"/coupons/new"), chromedp.WaitVisible(`[data-testid=coupon-form]`, chromedp.ByQuery),
		chromedp.SendKeys(`#f-title`, "Bahar", chromedp.ByQuery), chromedp.SendKeys(`#f-value_number`, "10", chromedp.ByQuery))
	submit(t, ctx, `[data-testid=coupon-form] button[type=submit]`, `[data-testid=coupon-end]`)
	asked := make(chan string, 2)
	chromedp.ListenTarget(ctx, func(ev any) {
		if ev, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			asked <- ev.Message
			go func() {
				if err := chromedp.Run(ctx, page.HandleJavaScriptDialog(false)); err != nil {
					t.Logf("answering the dialog: %v", err)
				}
			}()
		}
	})
	run(t, ctx, chromedp.Click(`[data-testid=coupon-end]`, chromedp.ByQuery))
	select {
	case q := <-asked:
		if strings.TrimSpace(q) == "" {
			t.Error("ending the campaign asked an empty question")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ending the campaign asked nothing")
	}
	time.Sleep(500 * time.Millisecond) // a form sent anyway would have left the page by now
	if n := count(t, ctx, `[data-testid=coupon-end]`); n != 1 {
		t.Errorf("after answering no, the campaign's End button is gone (%d): it ended", n)
	}
	campaigns, err := srv.Store.Campaigns(context.Background(), 1)
	if err != nil || len(campaigns) != 1 || campaigns[0].Ended {
		t.Errorf("after answering no: %+v %v", campaigns, err)
	}

	// 9: the owner reads English; the paper speaks Turkish.
	submit(t, ctx, `form.lang-switch button[value=en]`, `[data-testid=coupon-end]`)
	run(t, ctx, chromedp.Navigate(srv.URL+"/poster"), chromedp.WaitVisible(`[data-testid=poster]`, chromedp.ByQuery))
	if got := attr(t, ctx, `[data-testid=poster]`, "lang"); got != "tr" {
		t.Errorf("the poster is lang=%q, want tr", got)
	}
	if got := text(t, ctx, `[data-testid=poster-scan]`); !strings.Contains(got, "okutun") {
		t.Errorf("the poster says %q, want the shop's Turkish", got)
	}
	screenshot(t, ctx, "poster-tr-from-english")
	var batch string
	run(t, ctx, chromedp.Navigate(srv.URL+"/cards/print"), chromedp.WaitVisible(`[data-testid=print-form]`, chromedp.ByQuery))
	submit(t, ctx, `[data-testid=print-submit]`, `[data-testid=printed-card]`)
	run(t, ctx, chromedp.Location(&batch))
	if got := attr(t, ctx, `html`, "lang"); got != "en" {
		t.Errorf("the print page is in %q, want the owner's en", got)
	}
	if got := attr(t, ctx, `[data-testid=printed-card]`, "lang"); got != "tr" {
		t.Errorf("a printed card is lang=%q, want tr (%s)", got, batch)
	}
	if got := text(t, ctx, `[data-testid=printed-rule]`); !strings.Contains(got, "damga") {
		t.Errorf("a printed card's rule is %q, want the shop's Turkish", got)
	}
}

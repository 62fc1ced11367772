package e2e

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestOwnerMenuOnAPhone: on a 390 px phone the owner's menu takes at most
// two lines (thirteen links took four), a group opens as a menu that stays
// on the screen, its link leads to the page, which the menu then marks; in
// English and in Persian, right to left.
func TestOwnerMenuOnAPhone(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"en", "fa"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			srv, _ := startServer(t)
			ctx := newBrowser(t, phone)
			signUp(t, ctx, srv, owner)
			run(t, ctx, chromedp.Navigate(srv.URL+"/dashboard"), chromedp.WaitVisible(`[data-testid=main-nav]`, chromedp.ByQuery))
			if lang != "en" {
				submit(t, ctx, `form.lang-switch button[value=`+lang+`]`, `[data-testid=main-nav]`)
			}
			var lines int
			run(t, ctx, chromedp.Evaluate(`new Set(Array.from(document.querySelector('[data-testid=main-nav]').children, el => Math.round(el.getBoundingClientRect().top))).size`, &lines))
			if lines > 2 {
				t.Errorf("the menu takes %d lines on a phone, want at most 2", lines)
			}
			checkNoSidewaysScroll(t, ctx, "dashboard")
			run(t, ctx, chromedp.Click(`[data-testid=nav-rewards] summary`, chromedp.ByQuery))
			waitJS(t, ctx, `document.querySelector('[data-testid=nav-rewards] a[href="/coupons"]').checkVisibility()`, 3*time.Second)
			var off bool
			run(t, ctx, chromedp.Evaluate(`(() => { const r = document.querySelector('[data-testid=nav-rewards] .navmenu').getBoundingClientRect(); return r.left < 0 || r.right > innerWidth; })()`, &off))
			if off {
				t.Error("the open menu runs off the screen")
			}
			screenshot(t, ctx, "owner-menu-open-"+lang)
			// Another group opened closes the first.
			run(t, ctx, chromedp.Click(`[data-testid=nav-insights] summary`, chromedp.ByQuery))
			waitJS(t, ctx, `!document.querySelector('[data-testid=nav-rewards]').open && document.querySelector('[data-testid=nav-insights]').open`, 3*time.Second)
			run(t, ctx, chromedp.Click(`[data-testid=nav-insights] summary`, chromedp.ByQuery), chromedp.Click(`[data-testid=nav-rewards] summary`, chromedp.ByQuery))
			submit(t, ctx, `[data-testid=nav-rewards] a[href="/coupons"]`, `[data-testid=new-coupon]`)
			if n := count(t, ctx, `[data-testid=main-nav] a[aria-current=page][href="/coupons"]`); n != 1 {
				t.Errorf("on the coupons page the menu marks %d coupons links", n)
			}
			if n := count(t, ctx, `[data-testid=main-nav] .navgroup.active`); n != 1 {
				t.Errorf("%d groups marked", n)
			}
			screenshot(t, ctx, "owner-menu-coupons-"+lang)
		})
	}
}

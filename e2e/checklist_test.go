package e2e

import (
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// TestNewShopChecklist: a new Persian shop's dashboard opens with the
// getting-started list on the first screen instead of charts of zeros, right
// to left and without sideways scrolling, on a laptop and on a phone.
// Opening the poster from the list ticks it; hiding the list removes it.
func TestNewShopChecklist(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		device browserOptions
	}{
		{"1366", browserOptions{Width: 1366, Height: 800}},
		{"390", phone},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := startServer(t)
			ctx := newBrowser(t, c.device)
			run(t, ctx,
				network.Enable(),
				network.SetExtraHTTPHeaders(network.Headers{"Accept-Language": "fa-IR,fa;q=0.9"}),
			)
			signUp(t, ctx, srv, owner)
			run(t, ctx,
				chromedp.Navigate(srv.URL+"/dashboard"),
				chromedp.WaitVisible(`[data-testid=checklist]`, chromedp.ByQuery),
			)
			if got := attr(t, ctx, "html", "dir"); got != "rtl" {
				t.Fatalf("the dashboard is %q, want rtl", got)
			}
			if got := text(t, ctx, `#checklist-title`); got != "برای شروع" {
				t.Errorf("the list is titled %q", got)
			}
			if n, done := count(t, ctx, `[data-testid=checklist] li`), count(t, ctx, `[data-testid=checklist] li.done`); n != 4 || done != 0 {
				t.Errorf("%d items, %d done; want 4 to do", n, done)
			}
			if count(t, ctx, `[data-testid=chart-daily]`) != 0 || count(t, ctx, `[data-testid=dashboard-empty]`) != 1 {
				t.Error("a shop without visits shows charts instead of what they will show")
			}
			// The list is seen without scrolling: its last item's top is on the first screen.
			var top, height float64
			run(t, ctx,
				chromedp.Evaluate(`document.querySelector('[data-testid=checklist-stamp]').getBoundingClientRect().top`, &top),
				chromedp.Evaluate(`window.innerHeight`, &height),
			)
			if top >= height {
				t.Errorf("the last item starts at %.0fpx, below the first screen (%.0fpx)", top, height)
			}
			// Right to left: each item's circle is on the right of its link.
			var circleRight, linkRight float64
			run(t, ctx,
				chromedp.Evaluate(`document.querySelector('[data-testid=checklist-poster] .check').getBoundingClientRect().right`, &circleRight),
				chromedp.Evaluate(`document.querySelector('[data-testid=checklist-poster] a').getBoundingClientRect().right`, &linkRight),
			)
			if circleRight <= linkRight {
				t.Errorf("the circle (right %.0f) is not before the link (right %.0f) in a right-to-left list", circleRight, linkRight)
			}
			checkNoSidewaysScroll(t, ctx, "dashboard")
			screenshot(t, ctx, "checklist-fa-"+c.name)

			submit(t, ctx, `[data-testid=checklist-poster] a`, `body`)
			run(t, ctx,
				chromedp.Navigate(srv.URL+"/dashboard"),
				chromedp.WaitVisible(`[data-testid=checklist]`, chromedp.ByQuery),
			)
			if count(t, ctx, `[data-testid=checklist-poster].done`) != 1 {
				t.Error("opening the poster from the list does not tick it")
			}
			screenshot(t, ctx, "checklist-fa-"+c.name+"-poster-done")
			submit(t, ctx, `[data-testid=checklist-dismiss]`, `[data-testid=dashboard-empty]`)
			if count(t, ctx, `[data-testid=checklist]`) != 0 {
				t.Error("the list stays after the owner hid it")
			}
		})
	}
}

package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// TestNewShopSetUp: a café owner signs up in their language and lands on the
// set-up, not on a dashboard of zeros. The reward step redraws the customer's
// card as they type; the place step proposes the currency of their language
// and browser and the time zone of their computer; the last step leads to the
// counter. In Turkish on a laptop, in Persian and Romanian on a phone.
func TestNewShopSetUp(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		lang, accept, zone, currency, reward string
		device                               browserOptions
		stamps                               string // the stamp count as typed
	}{
		{"tr", "tr-TR,tr;q=0.9", "Europe/Istanbul", "TRY", "bir bedava kahve", browserOptions{Width: 1366, Height: 800}, "8"},
		{"fa", "fa-IR,fa;q=0.9", "Asia/Tehran", "IRR", "یک قهوهٔ رایگان", phone, "۸"},
		{"ro", "ro-RO,ro;q=0.9", "Europe/Bucharest", "RON", "o cafea gratuită", phone, "8"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			t.Parallel()
			srv, _ := startServer(t)
			ctx := newBrowser(t, c.device)
			run(t, ctx,
				network.Enable(),
				network.SetExtraHTTPHeaders(network.Headers{"Accept-Language": c.accept}),
				emulation.SetTimezoneOverride(c.zone),
				chromedp.Navigate(srv.URL+"/signup"),
				chromedp.WaitVisible(`#f-shop_name`, chromedp.ByQuery),
			)
			if got := attr(t, ctx, "html", "lang"); got != c.lang {
				t.Fatalf("the sign-up page is in %q, want the browser's %q", got, c.lang)
			}
			run(t, ctx,
				chromedp.SendKeys(`#f-shop_name`, shopName, chromedp.ByQuery),
				chromedp.SendKeys(`#f-name`, owner.Name, chromedp.ByQuery),
				chromedp.SendKeys(`#f-email`, owner.Email, chromedp.ByQuery),
				chromedp.SendKeys(`#f-password`, owner.Password, chromedp.ByQuery),
			)
			// The password can be read back before it is sent (issue 16: one typo locked owners out).
			run(t, ctx, chromedp.Click(`[data-testid=show-password]`, chromedp.ByQuery))
			waitJS(t, ctx, `document.querySelector('#f-password').type === 'text' && document.querySelector('[data-testid=show-password]').getAttribute('aria-pressed') === 'true'`, 3*time.Second)
			submit(t, ctx, `main form[action="/signup"] button[type=submit]`, `[data-testid=setup-form]`)
			if got, want := location(t, ctx), srv.URL+"/setup"; got != want {
				t.Fatalf("after sign-up at %s, want %s", got, want)
			}

			// The reward: the preview follows the typing, before anything is sent.
			if n := count(t, ctx, `[data-testid=setup-preview] ol.stamps li`); n != 10 {
				t.Errorf("the preview draws %d stamps, want the proposed 10", n)
			}
			run(t, ctx,
				chromedp.Evaluate(`document.querySelector('#f-stamps_required').value = ''; document.querySelector('#f-reward_text').value = ''`, nil),
				chromedp.SendKeys(`#f-stamps_required`, c.stamps, chromedp.ByQuery),
				chromedp.SendKeys(`#f-reward_text`, c.reward, chromedp.ByQuery),
			)
			waitJS(t, ctx, `document.querySelectorAll('[data-testid=setup-preview] ol.stamps li').length === 8`, 3*time.Second)
			if got := text(t, ctx, `[data-preview-reward]`); got != c.reward {
				t.Errorf("the preview's reward is %q, want the typed %q", got, c.reward)
			}
			screenshot(t, ctx, "setup-reward-"+c.lang)
			submit(t, ctx, `[data-testid=setup-next]`, `#f-currency`)

			// The place: proposed, shown, editable.
			var currency, zone string
			run(t, ctx, chromedp.Value(`#f-currency`, &currency, chromedp.ByQuery), chromedp.Value(`#f-timezone`, &zone, chromedp.ByQuery))
			if currency != c.currency || zone != c.zone {
				t.Errorf("the place step proposes %s in %s, want %s in %s", currency, zone, c.currency, c.zone)
			}
			screenshot(t, ctx, "setup-place-"+c.lang)
			submit(t, ctx, `[data-testid=setup-next]`, `#f-brand_color`)
			screenshot(t, ctx, "setup-look-"+c.lang)
			submit(t, ctx, `[data-testid=setup-next]`, `[data-testid=setup-todo]`)
			screenshot(t, ctx, "setup-ready-"+c.lang)
			submit(t, ctx, `[data-testid=setup-counter]`, `#lookup-q`)

			// What the customer's card will say, and what the shop counts in.
			st, err := srv.Store.Setup(context.Background(), 1)
			if err != nil {
				t.Fatal(err)
			}
			if st.Program.StampsRequired != 8 || st.Program.RewardText != c.reward {
				t.Errorf("the default program is %d stamps → %q, want 8 → %q", st.Program.StampsRequired, st.Program.RewardText, c.reward)
			}
			shop, err := srv.Store.Shop(context.Background(), 1)
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(shop.Currency, " ", shop.TimeZone); got != c.currency+" "+c.zone {
				t.Errorf("the shop counts in %s, want %s %s", got, c.currency, c.zone)
			}
		})
	}
}

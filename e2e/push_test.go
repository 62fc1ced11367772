package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/serviceworker"
	"github.com/chromedp/chromedp"

	"regulars/locale"
	"regulars/views"
)

// shownNotification is a notification the card's service worker showed, as
// registration.getNotifications() lists it.
type shownNotification struct {
	Title, Body, Lang, Dir, Tag string
}

// TestPushNotification: a customer who reads their card in Persian allows
// notifications and taps "Notify me". This Chromium reaches no push service,
// so subscribing fails, and the page says so in Persian instead of claiming
// success. A push message delivered to the card's real service worker
// (DevTools' ServiceWorker.deliverPushMessage, what a push service would
// hand the browser) then shows a notification with the Persian title,
// right to left.
func TestPushNotification(t *testing.T) {
	t.Parallel()
	c := openCardCafe(t)
	card := c.newCard(t, "دارا")
	ctx := newBrowser(t, phone)

	grant := browser.GrantPermissions([]browser.PermissionType{browser.PermissionTypeNotifications}).
		WithOrigin(c.srv.URL).WithBrowserContextID(chromedp.FromContext(ctx).BrowserContextID)
	// The card page's worker, once registered: push messages are delivered to it.
	scope := c.srv.URL + "/c/"
	registered := make(chan serviceworker.RegistrationID, 1)
	chromedp.ListenTarget(ctx, func(ev any) {
		if ev, ok := ev.(*serviceworker.EventWorkerRegistrationUpdated); ok {
			for _, r := range ev.Registrations {
				if r.ScopeURL == scope && !r.IsDeleted {
					select {
					case registered <- r.RegistrationID:
					default:
					}
				}
			}
		}
	})
	run(t, ctx, grant, serviceworker.Enable(),
		network.SetCookie("lang", "fa").WithURL(c.srv.URL),
		chromedp.Navigate(c.srv.URL+"/c/"+card.Token),
		chromedp.WaitVisible(`html[lang=fa] [data-testid=push-on]`, chromedp.ByQuery),
	)
	fa := locale.New("fa", nil, locale.PersianDigits)
	if got := text(t, ctx, `[data-testid=push-on]`); got != fa.T("PushNotifyMe") {
		t.Errorf("the button says %q, want %q", got, fa.T("PushNotifyMe"))
	}

	run(t, ctx,
		chromedp.Click(`[data-testid=push-on]`, chromedp.ByQuery),
		chromedp.Poll(`document.querySelector('[data-testid=push-status]').textContent !== ''`, nil, chromedp.WithPollingTimeout(30*time.Second)),
	)
	switch got := text(t, ctx, `[data-testid=push-status]`); got {
	case fa.T("PushFailed"):
		// As expected here: no push service to subscribe with.
		if n := c.srv.Hits("/c/" + card.Token + "/push"); n != 0 {
			t.Errorf("the page posted a subscription it did not get (%d times)", n)
		}
	case fa.T("PushOn"):
		// A Chromium that reached a push service: the server has it.
		t.Log("this Chromium subscribed with a push service")
	default:
		t.Errorf("after tapping, the page says %q", got)
	}
	screenshot(t, ctx, "push-fa")
	// The section as shown, with its outcome, passes axe's rules.
	for _, v := range runAxe(t, ctx) {
		for _, target := range v.Targets {
			if strings.Contains(target, "push") {
				t.Errorf("axe: %s (%s) on %s", v.ID, v.Help, target)
			}
		}
	}

	var id serviceworker.RegistrationID
	select {
	case id = <-registered:
	case <-ctx.Done():
		t.Fatal("the card's service worker was never registered")
	}
	shopName := "Demo"
	if shop, err := c.srv.Store.Shop(context.Background(), c.shopID); err == nil {
		shopName = shop.Name
	}
	subject, body := views.DefaultAutomationText(fa, views.AutomationRewardReady)
	vars := views.MailVars{Name: "دارا", Shop: shopName, Reward: c.coffee.RewardText}
	title := views.FillMail(subject, vars)
	payload, _ := json.Marshal(map[string]string{
		"title": title, "body": views.FillMail(body, vars), "url": c.srv.URL + "/c/" + card.Token, "lang": "fa", "dir": "rtl",
	})
	run(t, ctx, serviceworker.DeliverPushMessage(c.srv.URL, id, string(payload)))

	var shown []shownNotification
	list := chromedp.Evaluate(`navigator.serviceWorker.ready.then((r) => r.getNotifications())
		.then((ns) => ns.map((n) => ({Title: n.title, Body: n.body, Lang: n.lang, Dir: n.dir, Tag: n.tag})))`,
		&shown, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) })
	for deadline := time.Now().Add(20 * time.Second); len(shown) == 0 && time.Now().Before(deadline); {
		run(t, ctx, list)
		if len(shown) == 0 {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if len(shown) != 1 {
		t.Fatalf("%d notifications shown, want 1", len(shown))
	}
	n := shown[0]
	if n.Title != title || n.Lang != "fa" || n.Dir != "rtl" || !strings.Contains(n.Body, c.coffee.RewardText) || !strings.HasSuffix(n.Tag, "/c/"+card.Token) {
		t.Errorf("notification %+v, want title %q in Persian, right to left, with the reward, tagged with the card", n, title)
	}
}

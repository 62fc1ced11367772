package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"regulars/db"
	"regulars/mailtest"
)

// TestWeMissYouByEmail: the owner of a Romanian shop turns on "we miss you"
// with a coupon and half the customers held out, and moves the quiet hours
// away from now; of two lapsed customers who agreed to offers, the daily
// run messages one and holds the other out. The messaged one's mailbox holds
// the Romanian message naming the coupon, whose link opens the card that
// shows it; the held-out one receives nothing.
func TestWeMissYouByEmail(t *testing.T) {
	t.Parallel()
	mp := mailtest.Start(t)
	srv := startMailServer(t, mp)
	ctx := newBrowser(t, desktop)
	run(t, ctx,
		chromedp.Navigate(srv.URL+"/signup"),
		chromedp.WaitVisible(`#f-shop_name`, chromedp.ByQuery),
		chromedp.SendKeys(`#f-shop_name`, "Cafeneaua Veche", chromedp.ByQuery),
		chromedp.SendKeys(`#f-name`, owner.Name, chromedp.ByQuery),
		chromedp.SendKeys(`#f-email`, owner.Email, chromedp.ByQuery),
		chromedp.SendKeys(`#f-password`, owner.Password, chromedp.ByQuery),
		choose(`#f-language`, "ro"),
	)
	submit(t, ctx, `main form[action="/signup"] button[type=submit]`, `[data-testid=setup-form]`)

	bg := context.Background()
	shop, err := srv.Store.Shop(bg, 1)
	if err != nil {
		t.Fatal(err)
	}
	zone, err := db.Location(shop.TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	lastVisit := now.Add(-100 * 24 * time.Hour)
	programs, err := srv.Store.Programs(bg, shop.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	// Two customers who agreed to offers, who last came a hundred days ago.
	lapsed := func(name string) db.Card {
		t.Helper()
		card, err := srv.Store.EnrollCard(bg, shop.ID, db.NewCard{FirstName: name, Email: strings.ToLower(name) + "@example.com", Consent: true, Key: name}, lastVisit)
		if err != nil {
			t.Fatal(err)
		}
		a := db.Action{ShopID: shop.ID, CardID: card.ID, ProgramID: programs[0].ID, Key: name + "-visit", Now: lastVisit}
		if _, err := srv.Store.Stamp(bg, a, 1, false); err != nil {
			t.Fatal(err)
		}
		return card
	}
	ana, bogdan := lapsed("Ana"), lapsed("Bogdan")
	staff, err := srv.Store.Staff(bg, shop.ID)
	if err != nil {
		t.Fatal(err)
	}
	coupon, err := srv.Store.CreateCampaign(bg, db.Campaign{ShopID: shop.ID, Title: "Un croissant gratuit", ValueKind: "item", ValueText: "croissant",
		ValidFrom: now.Add(-time.Hour), ValidUntil: now.Add(30 * 24 * time.Hour), Audience: db.AudienceChosen, PerCardLimit: 1}, nil, staff[0].ID, now)
	if err != nil {
		t.Fatal(err)
	}

	// The quiet hours begin two hours from now, so that the message goes at once.
	local := now.In(zone)
	run(t, ctx,
		chromedp.Navigate(srv.URL+"/automations"),
		chromedp.WaitVisible(`[data-testid=limits-form]`, chromedp.ByQuery),
		chromedp.SetValue(`#f-quiet_from`, local.Add(2*time.Hour).Format("15:04"), chromedp.ByQuery),
		chromedp.SetValue(`#f-quiet_until`, local.Add(3*time.Hour).Format("15:04"), chromedp.ByQuery),
	)
	submit(t, ctx, `[data-testid=limits-save]`, `[data-testid=limits-saved]`)
	screenshot(t, ctx, "automations-ro")
	checkAxe(t, ctx, "automations")

	// "We miss you": on, half held out, with the coupon; the preview names it.
	run(t, ctx,
		chromedp.Click(`[data-testid=automation-we_miss_you] a`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=automation-form]`, chromedp.ByQuery),
		chromedp.Click(`[data-testid=automation-enabled]`, chromedp.ByQuery),
		chromedp.SetValue(`[data-testid=automation-holdout]`, "50", chromedp.ByQuery),
		choose(`[data-testid=automation-coupon]`, fmt.Sprint(coupon)),
	)
	submit(t, ctx, `[data-testid=automation-preview]`, `[data-testid=preview]`)
	if got := text(t, ctx, `[data-testid=preview]`); !strings.Contains(got, "Un croissant gratuit") || !strings.Contains(got, "Ne este dor de tine") {
		t.Errorf("the preview is not the Romanian text with the coupon:\n%s", got)
	}
	submit(t, ctx, `[data-testid=automation-save]`, `[data-testid=saved]`)
	screenshot(t, ctx, "we-miss-you-ro")
	checkAxe(t, ctx, "automation")

	// The daily run. Its draw is random; the test picks a seed whose first
	// draw messages (Ana, the lower card id) and whose second holds out.
	seed := uint64(1)
	for ; ; seed++ {
		r := rand.New(rand.NewPCG(seed, seed))
		if r.IntN(100) >= 50 && r.IntN(100) < 50 {
			break
		}
	}
	if err := srv.Store.RunAutomations(bg, now, rand.New(rand.NewPCG(seed, seed))); err != nil {
		t.Fatal(err)
	}

	m := mp.Wait(t, "ana@example.com", 30*time.Second)
	if !strings.Contains(m.Subject, "Ne este dor de tine") || !strings.Contains(m.Subject, "Cafeneaua Veche") {
		t.Errorf("subject %q: not the Romanian one with the shop's name", m.Subject)
	}
	if !strings.Contains(m.Text, "Bună, Ana") || !strings.Contains(m.Text, "Un croissant gratuit") || !strings.Contains(m.Text, "noutăți și oferte") {
		t.Errorf("the text is not Romanian, lacks the coupon or the marketing footer:\n%s", m.Text)
	}
	link := hrefOf.FindStringSubmatch(m.HTML)
	if link == nil || !strings.HasSuffix(link[1], "/c/"+ana.Token) {
		t.Fatalf("the HTML part's button leads to %v, want Ana's card", link)
	}
	// The link opens Ana's card, which holds the coupon.
	phoneCtx := newBrowser(t, phone)
	cardText := func(url string) string {
		t.Helper()
		var s string
		run(t, phoneCtx, chromedp.Navigate(url), chromedp.WaitVisible(`[data-testid=short-code]`, chromedp.ByQuery), chromedp.Text(`main`, &s, chromedp.ByQuery))
		return s
	}
	if got := cardText(link[1]); !strings.Contains(got, "Un croissant gratuit") {
		t.Errorf("Ana's card does not show the coupon:\n%s", got)
	}
	screenshot(t, phoneCtx, "we-miss-you-card-ro")

	// Once nothing waits in the outbox, whatever was to be sent has been.
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, waiting, err := srv.Store.NextOutboxAt(bg)
		if err != nil {
			t.Fatal(err)
		}
		if !waiting {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("messages still waiting after 10 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n := len(mp.To(t, "bogdan@example.com")); n != 0 {
		t.Errorf("Bogdan, held out, has %d messages", n)
	}
	if got := cardText(srv.URL + "/c/" + bogdan.Token); strings.Contains(got, "Un croissant gratuit") {
		t.Error("Bogdan, held out, was given the coupon")
	}
	if regexp.MustCompile(`\{\w+\}`).MatchString(m.Text) {
		t.Errorf("a placeholder was left in the text:\n%s", m.Text)
	}
}

// checkAxe fails the test with every axe violation on the page in the tab.
func checkAxe(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	for _, v := range runAxe(t, ctx) {
		t.Errorf("%s: %s (%s): %s on %v", page, v.ID, v.Impact, v.Help, v.Targets)
	}
}

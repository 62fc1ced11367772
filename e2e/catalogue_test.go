package e2e

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"regulars/db"
	"regulars/loyalty"
)

// TestGiftJourney, in English and in Persian: the customer asks for a gift
// of the catalogue on their phone's card page, the owner marks it ready for
// pickup and then handed over on the queue, and the customer's card shows
// where it stands at each step, in the card's language.
func TestGiftJourney(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		lang, gift, requested, ready, handedOver string
	}{
		{"en", "Café mug", "Requested", "Ready for pickup", "Handed over"},
		{"fa", "ماگ کافه", "درخواست شده", "آمادهٔ تحویل", "تحویل داده شد"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			t.Parallel()
			srv, clk := startServer(t)
			laptop := newBrowser(t, desktop)
			signUp(t, laptop, srv, owner)
			if tc.lang != "en" {
				run(t, laptop, chromedp.Navigate(srv.URL+"/settings"), chromedp.WaitVisible(`#f-language`, chromedp.ByQuery),
					chromedp.SetValue(`#f-language`, tc.lang, chromedp.ByQuery))
				submit(t, laptop, `form[action="/settings"] button[type=submit]`, `#f-digits`)
			}
			ctx := context.Background()
			programID, err := srv.Store.SaveProgram(ctx, db.Program{ShopID: 1, Name: "Beans", RewardText: "beans", Kind: db.ProgramPoints,
				PointsPerUnit: 1, PointsRounding: loyalty.RoundDown, RewardPoints: 100, MaxPerVisit: 1000}, 1, clk.Now())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := srv.Store.CreateGift(ctx, 1, db.GiftInput{ProgramID: programID, Name: tc.gift, Points: 300, Limited: true, Stock: 3,
				Key: "journey-gift"}, clk.Now()); err != nil {
				t.Fatal(err)
			}
			card, err := srv.Store.EnrollCard(ctx, 1, db.NewCard{CreatedBy: 1, Key: "gift-enrol"}, clk.Now())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := srv.Store.EarnPoints(ctx, db.Action{ShopID: 1, CardID: card.ID, ProgramID: programID, UserID: 1, Key: "gift-earn", Now: clk.Now()}, 500_00, false); err != nil {
				t.Fatal(err)
			}

			mobile := newBrowser(t, phone)
			cardURL := srv.URL + "/c/" + card.Token
			run(t, mobile, chromedp.Navigate(cardURL), chromedp.WaitVisible(`[data-testid=gift-request]`, chromedp.ByQuery))
			if got := text(t, mobile, `[data-testid=card-gift] [data-testid=gift-name]`); got != tc.gift {
				t.Errorf("the card offers %q, want %q", got, tc.gift)
			}
			submit(t, mobile, `[data-testid=gift-request]`, `[data-testid=gift-requested]`)
			if got := text(t, mobile, `[data-testid=card-gift-state]`); got != tc.requested {
				t.Errorf("after asking, the card says %q, want %q", got, tc.requested)
			}
			screenshot(t, mobile, tc.lang+"-gift-requested-phone")

			run(t, laptop, chromedp.Navigate(srv.URL+"/catalogue/orders"), chromedp.WaitVisible(`[data-testid=gift-move-ready]`, chromedp.ByQuery))
			submit(t, laptop, `[data-testid=gift-move-ready]`, `[data-testid=gift-move-handed_over]`)
			run(t, mobile, chromedp.Navigate(cardURL), chromedp.WaitVisible(`[data-testid=card-gift-state]`, chromedp.ByQuery))
			if got := text(t, mobile, `[data-testid=card-gift-state]`); got != tc.ready {
				t.Errorf("once ready, the card says %q, want %q", got, tc.ready)
			}
			submit(t, laptop, `[data-testid=gift-move-handed_over]`, `[data-testid=gift-order-done]`)
			screenshot(t, laptop, tc.lang+"-gift-queue-desktop")
			run(t, mobile, chromedp.Navigate(cardURL), chromedp.WaitVisible(`[data-testid=card-gift-state]`, chromedp.ByQuery))
			if got := text(t, mobile, `[data-testid=card-gift-state]`); got != tc.handedOver {
				t.Errorf("once handed over, the card says %q, want %q", got, tc.handedOver)
			}
			screenshot(t, mobile, tc.lang+"-gift-handed-over-phone")
		})
	}
}

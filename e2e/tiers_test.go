package e2e

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"regulars/db"
	"regulars/loyalty"
)

// TestTierJourney, in English on a laptop and in Persian on a tablet: the
// owner sets Bronze and Silver on the tiers page; the customer reaches
// Silver through purchases at the counter; the badge appears at the counter
// and on the customer's phone; and a Silver-only gift, hidden before,
// appears on the card page with its label and can be requested.
func TestTierJourney(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		lang       string
		staff      browserOptions
		bronze     string
		silver     string
		multiplier string
		gift       string
		label      string
	}{
		{"en", desktop, "Bronze", "Silver", "1.5", "Silver mug", "Members of Silver or higher only"},
		{"fa", tablet, "برنزی", "نقره\u200cای", "۱٫۵", "ماگ نقره\u200cای", "فقط اعضای نقره\u200cای و بالاتر"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			t.Parallel()
			srv, clk := startServer(t)
			staff := newBrowser(t, tc.staff)
			signUp(t, staff, srv, owner)
			if tc.lang != "en" {
				run(t, staff, chromedp.Navigate(srv.URL+"/settings"), chromedp.WaitVisible(`#f-language`, chromedp.ByQuery),
					chromedp.SetValue(`#f-language`, tc.lang, chromedp.ByQuery))
				submit(t, staff, `form[action="/settings"] button[type=submit]`, `#f-digits`)
			}
			ctx := context.Background()
			programID, err := srv.Store.SaveProgram(ctx, db.Program{ShopID: 1, Name: "Beans", RewardText: "beans", Kind: db.ProgramPoints,
				PointsPerUnit: 1, PointsRounding: loyalty.RoundDown, RewardPoints: 100, MaxPerVisit: 1000}, 1, clk.Now())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := srv.Store.CreateGift(ctx, 1, db.GiftInput{ProgramID: programID, Name: tc.gift, Points: 20, MinTier: 2, Key: "tier-gift"}, clk.Now()); err != nil {
				t.Fatal(err)
			}
			card, err := srv.Store.EnrollCard(ctx, 1, db.NewCard{CreatedBy: 1, Key: "tier-enrol"}, clk.Now())
			if err != nil {
				t.Fatal(err)
			}

			// The owner's ladder: Bronze at 1 visit, Silver at 3 (×1.5).
			run(t, staff, chromedp.Navigate(srv.URL+"/tiers"), chromedp.WaitVisible(`[data-testid=tiers-form]`, chromedp.ByQuery),
				chromedp.SetValue(`#f-tier_name_1`, tc.bronze, chromedp.ByQuery), chromedp.SetValue(`#f-tier_threshold_1`, "1", chromedp.ByQuery),
				chromedp.SetValue(`#f-tier_name_2`, tc.silver, chromedp.ByQuery), chromedp.SetValue(`#f-tier_threshold_2`, "3", chromedp.ByQuery),
				chromedp.SetValue(`#f-tier_multiplier_2`, tc.multiplier, chromedp.ByQuery))
			screenshot(t, staff, tc.lang+"-tiers-settings")
			submit(t, staff, `[data-testid=tiers-save]`, `[data-testid=saved]`)

			mobile := newBrowser(t, phone)
			cardURL := srv.URL + "/c/" + card.Token
			counterURL := srv.URL + "/counter/cards/" + strconv.FormatInt(card.ID, 10)
			for visit := 1; visit <= 3; visit++ {
				clk.Advance(time.Hour)
				run(t, staff, chromedp.Navigate(counterURL), chromedp.WaitVisible(`[data-testid=points-amount]`, chromedp.ByQuery),
					chromedp.SetValue(`[data-testid=points-amount]`, "10", chromedp.ByQuery))
				submit(t, staff, `[data-testid=points-earn]`, `[data-testid=result-points]`)
				if visit == 2 {
					// Bronze: the Silver gift is not offered yet.
					run(t, mobile, chromedp.Navigate(cardURL), chromedp.WaitVisible(`[data-testid=tier-badge]`, chromedp.ByQuery))
					if got := text(t, mobile, `[data-testid=tier-badge]`); !strings.Contains(got, tc.bronze) {
						t.Errorf("after two visits the card's badge reads %q, want %s", got, tc.bronze)
					}
					if got := text(t, mobile, `body`); strings.Contains(got, tc.gift) {
						t.Errorf("a Bronze card is offered the Silver gift")
					}
				}
			}
			run(t, staff, chromedp.Navigate(counterURL), chromedp.WaitVisible(`[data-testid=tier-badge]`, chromedp.ByQuery))
			if got := text(t, staff, `[data-testid=tier-badge]`); !strings.Contains(got, tc.silver) {
				t.Errorf("the counter's badge reads %q, want %s", got, tc.silver)
			}
			if got := text(t, staff, `[data-testid=tier-multiplier-now]`); !strings.Contains(got, tc.silver) {
				t.Errorf("the counter's multiplier line reads %q", got)
			}
			screenshot(t, staff, tc.lang+"-tier-counter")

			run(t, mobile, chromedp.Navigate(cardURL), chromedp.WaitVisible(`[data-testid=tier-badge]`, chromedp.ByQuery))
			if got := text(t, mobile, `[data-testid=tier-badge]`); !strings.Contains(got, tc.silver) {
				t.Errorf("the card's badge reads %q, want %s", got, tc.silver)
			}
			if got := text(t, mobile, `[data-testid=card-gift] [data-testid=gift-name]`); got != tc.gift {
				t.Errorf("the Silver card is offered %q, want %q", got, tc.gift)
			}
			if got := text(t, mobile, `[data-testid=card-gift] [data-testid=gift-tier-only]`); got != tc.label {
				t.Errorf("the gift's label reads %q, want %q", got, tc.label)
			}
			screenshot(t, mobile, tc.lang+"-tier-card-phone")
			submit(t, mobile, `[data-testid=gift-request]`, `[data-testid=gift-requested]`)
			screenshot(t, mobile, tc.lang+"-tier-gift-requested-phone")
		})
	}
}

package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"regulars/db"
)

// TestClubJoinShowsClubCoupon: in English and in Persian (right to left),
// the owner makes an open "Coffee club" on /clubs and a coupon for its
// members; a customer's card shows the club with a Join button and no
// coupon; one tap makes them a member and the club-only coupon appears.
func TestClubJoinShowsClubCoupon(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		lang, club, coupon, joinLabel, dir string
	}{
		{"en", "Coffee club", "Members' refill", "Join Coffee club", "ltr"},
		{"fa", "باشگاه قهوه", "قهوهٔ دوم رایگان", "پیوستن به باشگاه قهوه", "rtl"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			t.Parallel()
			srv, clk := startServer(t)
			shop := newBrowser(t, laptop)
			signUp(t, shop, srv, owner)
			if tc.lang != "en" {
				run(t, shop, chromedp.Navigate(srv.URL+"/settings"), chromedp.WaitVisible(`#f-language`, chromedp.ByQuery),
					chromedp.SetValue(`#f-language`, tc.lang, chromedp.ByQuery))
				submit(t, shop, `form[action="/settings"] button[type=submit]`, `#f-digits`)
			}

			// The owner makes the club, open to join (the box comes ticked).
			run(t, shop, chromedp.Navigate(srv.URL+"/clubs"), chromedp.WaitVisible(`[data-testid=club-form] #f-name`, chromedp.ByQuery),
				chromedp.SendKeys(`#f-name`, tc.club, chromedp.ByQuery))
			submit(t, shop, `[data-testid=club-form] button[type=submit]`, `[data-testid=club-add]`)
			screenshot(t, shop, tc.lang+"-club-owner")

			// A coupon for the club's members.
			run(t, shop, chromedp.Navigate(srv.URL+"/coupons/new"), chromedp.WaitVisible(`#f-title`, chromedp.ByQuery),
				chromedp.SendKeys(`#f-title`, tc.coupon, chromedp.ByQuery),
				choose(`#f-value_kind`, "item"),
				chromedp.WaitVisible(`#f-value_text`, chromedp.ByQuery),
				chromedp.SendKeys(`#f-value_text`, tc.coupon, chromedp.ByQuery),
				choose(`#f-audience`, "club"),
				chromedp.WaitVisible(`#f-club`, chromedp.ByQuery))
			submit(t, shop, `[data-testid=coupon-form] button[type=submit]`, `[data-testid=coupon-end]`)
			screenshot(t, shop, tc.lang+"-club-coupon-owner")

			card, err := srv.Store.EnrollCard(context.Background(), 1, db.NewCard{CreatedBy: 1, FirstName: "Ada", Key: "club-" + tc.lang}, clk.Now())
			if err != nil {
				t.Fatal(err)
			}
			mobile := newBrowser(t, phone)
			run(t, mobile, chromedp.Navigate(srv.URL+"/c/"+card.Token),
				chromedp.WaitVisible(`html[dir=`+tc.dir+`] [data-testid=club-join]`, chromedp.ByQuery))
			if got := text(t, mobile, `[data-testid=club-join]`); got != tc.joinLabel {
				t.Errorf("join button %q, want %q", got, tc.joinLabel)
			}
			if n := count(t, mobile, `[data-testid=coupon]`); n != 0 {
				t.Fatalf("before joining the card shows %d coupons", n)
			}
			submit(t, mobile, `[data-testid=club-join]`, `[data-testid=club-member]`)
			if got := text(t, mobile, `[data-testid=coupon] h2`); !strings.Contains(got, tc.coupon) {
				t.Errorf("after joining the coupon reads %q, want %q", got, tc.coupon)
			}
			if n := count(t, mobile, `[data-testid=club-leave]`); n != 1 {
				t.Errorf("%d leave buttons after joining", n)
			}
			checkNoSidewaysScroll(t, mobile, tc.lang+"-card-clubs")
			run(t, shop, chromedp.Navigate(srv.URL+"/clubs/1"), chromedp.WaitVisible(`[data-testid=club-member]`, chromedp.ByQuery))
			if got := text(t, shop, `[data-testid=club-member] a`); got != "Ada" {
				t.Errorf("the owner's member list shows %q, want Ada", got)
			}
			screenshot(t, shop, tc.lang+"-club-members-owner")
			screenshot(t, mobile, tc.lang+"-club-card-phone")
		})
	}
}

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

// TestPointsMultiplierInPersian: a Persian shop's points program gives ×2 in
// the hour the counter is in (its quiet hours) and expires points after 30
// days. The counter says "×۲" before the cashier confirms, the keypad's
// preview shows the doubled points, the purchase gives them, and the
// customer's phone shows when they expire, in Persian digits.
func TestPointsMultiplierInPersian(t *testing.T) {
	t.Parallel()
	srv, clk := startServer(t)
	till := newBrowser(t, tablet)
	signUp(t, till, srv, owner)
	run(t, till, chromedp.Navigate(srv.URL+"/settings"), chromedp.WaitVisible(`#f-language`, chromedp.ByQuery),
		chromedp.SetValue(`#f-language`, "fa", chromedp.ByQuery))
	submit(t, till, `form[action="/settings"] button[type=submit]`, `#f-digits`)

	ctx := context.Background()
	shop, err := srv.Store.Shop(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	loc, err := time.LoadLocation(shop.TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	now := clk.Now().In(loc)
	hour := now.Hour() * 60
	programID, err := srv.Store.SaveProgram(ctx, db.Program{ShopID: 1, Name: "دانه\u200cها", RewardText: "یک بسته قهوه", Kind: db.ProgramPoints,
		PointsPerUnit: 1, PointsRounding: loyalty.RoundDown, RewardPoints: 100, MaxPerVisit: 1000, PointsExpiryDays: 30,
		Multiplier: 2, MultiplierDays: 1 << now.Weekday(), MultiplierFrom: hour, MultiplierTo: hour + 60}, 1, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	card, err := srv.Store.EnrollCard(ctx, 1, db.NewCard{CreatedBy: 1, Key: "multiplier-enrol"}, clk.Now())
	if err != nil {
		t.Fatal(err)
	}

	run(t, till, chromedp.Navigate(srv.URL+"/counter/cards/"+strconv.FormatInt(card.ID, 10)),
		chromedp.WaitVisible(`html[dir=rtl] [data-testid=key-1]`, chromedp.ByQuery))
	if got := text(t, till, `[data-testid=multiplier-now]`); !strings.Contains(got, "×۲") {
		t.Errorf("the counter says %q, want ×۲ before the cashier confirms", got)
	}
	for _, key := range []string{"key-1", "key-2", "key-sep", "key-5", "key-0"} {
		run(t, till, chromedp.Click(`[data-testid=`+key+`]`, chromedp.ByQuery))
	}
	if got := text(t, till, `[data-testid=points-gives]`); !strings.Contains(got, "۲۴ امتیاز") {
		t.Errorf("before confirming the cashier sees %q, want the doubled ۲۴ points", got)
	}
	screenshot(t, till, "fa-points-multiplier-tablet")
	submit(t, till, `[data-testid=points-earn]`, `[data-testid=result-points]`)
	if got := text(t, till, `[data-testid=result-points]`); !strings.HasPrefix(got, "+۲۴ امتیاز") {
		t.Errorf("result banner %q, want +۲۴ امتیاز", got)
	}
	st, err := srv.Store.CardState(ctx, 1, card.ID, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, pb := range st.Programs {
		if pb.Program.ID == programID && pb.Points != 24 {
			t.Errorf("the card holds %d points, want 24", pb.Points)
		}
	}

	mobile := newBrowser(t, phone)
	run(t, mobile, chromedp.Navigate(srv.URL+"/c/"+st.Card.Token), chromedp.WaitVisible(`html[dir=rtl] [data-testid=points-expiry]`, chromedp.ByQuery))
	if got := text(t, mobile, `[data-testid=points-expiry]`); !strings.HasPrefix(got, "۲۴ امتیاز در ") || !strings.Contains(got, "منقضی می\u200cشود") {
		t.Errorf("the customer's card says %q, want the ۲۴ points' expiry", got)
	}
	screenshot(t, mobile, "fa-points-expiry-phone")
}

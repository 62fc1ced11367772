package e2e

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"regulars/db"
	"regulars/loyalty"
)

// TestPointsKeypadInPersian: in a Persian shop with a points program (a
// point per whole unit spent), the cashier keys 12٫50 on the counter's
// keypad in Persian digits, sees the 12 points it will give, takes a digit
// back and types it again, and confirms; the customer's card on their phone
// shows the ۱۲ points and how many more the reward needs.
func TestPointsKeypadInPersian(t *testing.T) {
	t.Parallel()
	srv, clk := startServer(t)
	till := newBrowser(t, tablet)
	signUp(t, till, srv, owner)
	run(t, till, chromedp.Navigate(srv.URL+"/settings"), chromedp.WaitVisible(`#f-language`, chromedp.ByQuery),
		chromedp.SetValue(`#f-language`, "fa", chromedp.ByQuery))
	submit(t, till, `form[action="/settings"] button[type=submit]`, `#f-digits`)

	ctx := context.Background()
	programID, err := srv.Store.SaveProgram(ctx, db.Program{ShopID: 1, Name: "دانه\u200cها", RewardText: "یک بسته قهوه", Kind: db.ProgramPoints,
		PointsPerUnit: 1, PointsRounding: loyalty.RoundDown, RewardPoints: 100, MaxPerVisit: 1000}, 1, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	card, err := srv.Store.EnrollCard(ctx, 1, db.NewCard{CreatedBy: 1, Key: "points-enrol"}, clk.Now())
	if err != nil {
		t.Fatal(err)
	}

	run(t, till, chromedp.Navigate(srv.URL+"/counter/cards/"+strconv.FormatInt(card.ID, 10)),
		chromedp.WaitVisible(`html[dir=rtl] [data-testid=key-1]`, chromedp.ByQuery)) // the script showed the keys
	for _, key := range []string{"key-1", "key-2", "key-sep", "key-5", "key-9", "key-back", "key-0"} {
		run(t, till, chromedp.Click(`[data-testid=`+key+`]`, chromedp.ByQuery))
	}
	if got := value(t, till, `[data-testid=points-amount]`); got != "۱۲٫۵۰" {
		t.Errorf("the keypad typed %q, want ۱۲٫۵۰", got)
	}
	if got := text(t, till, `[data-testid=points-gives]`); !strings.Contains(got, "۱۲ امتیاز") {
		t.Errorf("before confirming the cashier sees %q, want the 12 points in Persian digits", got)
	}
	screenshot(t, till, "fa-points-keypad-tablet")
	submit(t, till, `[data-testid=points-earn]`, `[data-testid=result-points]`)
	if got := text(t, till, `[data-testid=result-points]`); !strings.HasPrefix(got, "+۱۲ امتیاز") {
		t.Errorf("result banner %q, want +۱۲ امتیاز", got)
	}
	st, err := srv.Store.CardState(ctx, 1, card.ID, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, pb := range st.Programs {
		if pb.Program.ID == programID && pb.Points != 12 {
			t.Errorf("the card holds %d points, want 12", pb.Points)
		}
	}

	mobile := newBrowser(t, phone)
	run(t, mobile, chromedp.Navigate(srv.URL+"/c/"+st.Card.Token), chromedp.WaitVisible(`html[dir=rtl] [data-testid=points-held]`, chromedp.ByQuery))
	if got := text(t, mobile, `[data-testid=points-held]`); got != "۱۲ امتیاز" {
		t.Errorf("the customer's card shows %q, want ۱۲ امتیاز", got)
	}
	if got := text(t, mobile, `[data-testid=points-to-go]`); !strings.Contains(got, "۸۸") {
		t.Errorf("the customer's card says %q, want the ۸۸ points still to go", got)
	}
	screenshot(t, mobile, "fa-points-card-phone")
}

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

// TestPointsKeypadPreviewsCashback: in a shop whose points program counts
// money and which gives 5% cashback, the cashier keys 12.59 on the points
// keypad and sees, before confirming, both the points and the 0.62 of store
// credit the purchase gives; confirming gives exactly that.
func TestPointsKeypadPreviewsCashback(t *testing.T) {
	t.Parallel()
	srv, clk := startServer(t)
	till := newBrowser(t, tablet)
	signUp(t, till, srv, owner)
	ctx := context.Background()
	if _, err := srv.Store.SaveProgram(ctx, db.Program{ShopID: 1, Name: "Beans", RewardText: "a bag of beans", Kind: db.ProgramPoints,
		PointsPerUnit: 1, PointsRounding: loyalty.RoundDown, RewardPoints: 100, MaxPerVisit: 1000}, 1, clk.Now()); err != nil {
		t.Fatal(err)
	}
	if err := srv.Store.SetCashback(ctx, 1, loyalty.Cashback{Rate: 500}, 1, clk.Now()); err != nil {
		t.Fatal(err)
	}
	card, err := srv.Store.EnrollCard(ctx, 1, db.NewCard{CreatedBy: 1, Key: "points-credit-enrol"}, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	run(t, till, chromedp.Navigate(srv.URL+"/counter/cards/"+strconv.FormatInt(card.ID, 10)),
		chromedp.WaitVisible(`form[data-keypad] [data-testid=key-1]`, chromedp.ByQuery))
	for _, key := range []string{"key-1", "key-2", "key-sep", "key-5", "key-9"} {
		run(t, till, chromedp.Click(`form[data-keypad] [data-testid=`+key+`]`, chromedp.ByQuery))
	}
	if got := text(t, till, `[data-testid=points-gives]`); !strings.Contains(got, "12") {
		t.Errorf("the points preview says %q, want 12 points", got)
	}
	if got := text(t, till, `[data-testid=points-credit-gives]`); !strings.Contains(got, "0.62") {
		t.Errorf("before confirming the cashier sees %q, want the 0.62 of store credit", got)
	}
	submit(t, till, `form[data-keypad] button[type=submit]`, `[data-testid=result-credit]`)
	if st, err := srv.Store.CardState(ctx, 1, card.ID, clk.Now()); err != nil || st.Credit != 62 {
		t.Errorf("the card holds %d minor units of credit (%v), want 62", st.Credit, err)
	}
}

package e2e

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"regulars/db"
)

// TestCashbackInPersian: a Persian owner turns on 5% cashback on the cashback
// page, typing ۵; the cashier keys ۱۲٫۵۹ on the counter's keypad in Persian
// digits, sees the ۰٫۶۲ of credit it earns before confirming, and confirms;
// the customer's phone shows the store credit; the cashier takes ۰٫۵۰ off a
// purchase with it and the phone shows what is left.
func TestCashbackInPersian(t *testing.T) {
	t.Parallel()
	srv, clk := startServer(t)
	till := newBrowser(t, tablet)
	signUp(t, till, srv, owner)
	run(t, till, chromedp.Navigate(srv.URL+"/settings"), chromedp.WaitVisible(`#f-language`, chromedp.ByQuery),
		chromedp.SetValue(`#f-language`, "fa", chromedp.ByQuery))
	submit(t, till, `form[action="/settings"] button[type=submit]`, `#f-digits`)

	run(t, till, chromedp.Navigate(srv.URL+"/programs"), chromedp.WaitVisible(`html[dir=rtl] [data-testid=cashback-link]`, chromedp.ByQuery))
	submit(t, till, `[data-testid=cashback-link]`, `#f-rate`)
	run(t, till, chromedp.SendKeys(`#f-rate`, "۵", chromedp.ByQuery))
	submit(t, till, `[data-testid=cashback-save]`, `[data-testid=saved]`)

	ctx := context.Background()
	card, err := srv.Store.EnrollCard(ctx, 1, db.NewCard{CreatedBy: 1, Key: "credit-enrol"}, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	run(t, till, chromedp.Navigate(srv.URL+"/counter/cards/"+strconv.FormatInt(card.ID, 10)),
		chromedp.WaitVisible(`html[dir=rtl] form[data-credit-keypad] [data-testid=key-1]`, chromedp.ByQuery)) // the script showed the keys
	for _, key := range []string{"key-1", "key-2", "key-sep", "key-5", "key-9"} {
		run(t, till, chromedp.Click(`form[data-credit-keypad] [data-testid=`+key+`]`, chromedp.ByQuery))
	}
	if got := value(t, till, `[data-testid=credit-amount]`); got != "۱۲٫۵۹" {
		t.Errorf("the keypad typed %q, want ۱۲٫۵۹", got)
	}
	if got := text(t, till, `[data-testid=credit-gives]`); !strings.Contains(got, "۰٫۶۲") {
		t.Errorf("before confirming the cashier sees %q, want the ۰٫۶۲ of credit", got)
	}
	screenshot(t, till, "fa-credit-keypad-tablet")
	submit(t, till, `[data-testid=credit-earn]`, `[data-testid=result-credit]`)
	if got := text(t, till, `[data-testid=credit-held]`); !strings.Contains(got, "۰٫۶۲") {
		t.Errorf("the counter shows %q held, want ۰٫۶۲", got)
	}

	mobile := newBrowser(t, phone)
	run(t, mobile, chromedp.Navigate(srv.URL+"/c/"+card.Token), chromedp.WaitVisible(`html[dir=rtl] [data-testid=card-credit]`, chromedp.ByQuery))
	if got := text(t, mobile, `[data-testid=card-credit]`); !strings.Contains(got, "اعتبار فروشگاه") || !strings.Contains(got, "۰٫۶۲") {
		t.Errorf("the customer's card shows %q, want the store credit ۰٫۶۲", got)
	}
	screenshot(t, mobile, "fa-credit-card-phone")

	// Part of it as money off: the cashier types ۰٫۵۰ over the balance offered.
	run(t, till, chromedp.Clear(`[data-testid=credit-spend-amount]`, chromedp.ByQuery),
		chromedp.SendKeys(`[data-testid=credit-spend-amount]`, "۰٫۵۰", chromedp.ByQuery))
	submit(t, till, `[data-testid=credit-spend]`, `[data-result=credit]`)
	if got := text(t, till, `[data-testid=credit-held]`); !strings.Contains(got, "۰٫۱۲") {
		t.Errorf("after spending ۰٫۵۰ the counter shows %q held, want ۰٫۱۲", got)
	}
	reload(t, mobile, `[data-testid=card-credit]`)
	if got := text(t, mobile, `[data-testid=card-credit]`); !strings.Contains(got, "۰٫۱۲") {
		t.Errorf("after the spend the customer's card shows %q, want ۰٫۱۲", got)
	}
	st, err := srv.Store.CardState(ctx, 1, card.ID, clk.Now())
	if err != nil || st.Credit != 12 {
		t.Errorf("the card holds %d minor units (%v), want 12", st.Credit, err)
	}
}

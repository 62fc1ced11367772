package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"regulars/db"
	"regulars/demo"
	"regulars/loyalty"
)

// TestCouponAudienceCount: a Persian café's owner on a phone ticks customers
// on the customer list, sends them a coupon, and sees before "Create" how many
// it goes to, the count following each change of audience, group and codes;
// the campaign's page then lists who got it (issue 16).
func TestCouponAudienceCount(t *testing.T) {
	t.Parallel()
	srv, clk := startServer(t)
	ctx := context.Background()
	l, err := demo.Seed(ctx, srv.Store, 40, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	size := func(audience string, segment loyalty.Segment) int {
		n, err := srv.Store.AudienceSize(ctx, l.ShopID, audience, segment, nil, clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	all := size(db.AudienceAll, "")
	var segment loyalty.Segment
	for _, s := range loyalty.Segments {
		if n := size(db.AudienceSegment, s); n != all && n != 2 && n != 3 && segment == "" {
			segment = s
		}
	}
	if segment == "" {
		t.Fatal("no segment whose count tells it apart")
	}
	reaches := func(n int) string {
		return fmt.Sprintf("این کوپن به %s مشتری می\u200cرسد.", persianDigits(n))
	}

	owner := newBrowser(t, phone)
	logIn(t, owner, srv, person{Email: l.OwnerEmail, Password: l.OwnerPassword}, `[data-testid=tile-customers]`)
	run(t, owner, chromedp.Navigate(srv.URL+"/settings"), chromedp.WaitVisible(`#f-language`, chromedp.ByQuery),
		chromedp.SetValue(`#f-language`, "fa", chromedp.ByQuery))
	submit(t, owner, `form[action="/settings"] button[type=submit]`, `#f-digits`)

	// Two customers ticked on the list.
	run(t, owner, chromedp.Navigate(srv.URL+"/customers"), chromedp.WaitVisible(`[data-testid=choose-customer]`, chromedp.ByQuery))
	var codes []string
	run(t, owner, chromedp.Evaluate(`Array.from(document.querySelectorAll('[data-testid=choose-customer]')).slice(0, 3).map(b => b.value)`, &codes))
	if len(codes) < 3 {
		t.Fatalf("checkboxes: %v", codes)
	}
	run(t, owner,
		chromedp.Click(fmt.Sprintf(`[data-testid=choose-customer][value=%q]`, codes[0]), chromedp.ByQuery),
		chromedp.Click(fmt.Sprintf(`[data-testid=choose-customer][value=%q]`, codes[1]), chromedp.ByQuery),
	)
	checkNoSidewaysScroll(t, owner, "customers")
	screenshot(t, owner, "fa-customers-chosen-phone")
	submit(t, owner, `[data-testid=coupon-chosen-send]`, `[data-testid=coupon-form]`)
	if got := text(t, owner, `[data-testid=coupon-reach]`); got != reaches(2) {
		t.Errorf("for the two ticked the form says %q, want %q", got, reaches(2))
	}
	if got := value(t, owner, `select[name=audience]`); got != "chosen" {
		t.Errorf("audience %q, want chosen", got)
	}

	// says waits for the count the form shows to become want.
	says := func(want, after string) {
		t.Helper()
		var got string
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if got = text(t, owner, `[data-testid=coupon-reach]`); got == want {
				return
			}
		}
		t.Errorf("after %s the form says %q, want %q (the codes: %q)", after, got, want, value(t, owner, `#f-cards`))
	}
	run(t, owner, choose(`select[name=audience]`, "all"))
	says(reaches(all), "choosing everyone")
	run(t, owner, choose(`select[name=audience]`, "segment"), choose(`select[name=segment]`, string(segment)))
	says(reaches(size(db.AudienceSegment, segment)), "choosing a group")
	run(t, owner, choose(`select[name=audience]`, "chosen"))
	says(reaches(2), "choosing the ticked again")
	// Typed at the caret, which focusing puts at the start.
	run(t, owner, chromedp.SendKeys(`#f-cards`, codes[2]+"\n", chromedp.ByQuery))
	says(reaches(3), "typing a third code")
	run(t, owner, chromedp.SendKeys(`#f-cards`, "K7M2Q9XZ\n", chromedp.ByQuery))
	waitJS(t, owner, `document.querySelector('[data-testid=coupon-reach]').textContent.includes('«\u2068K7M2Q9XZ\u2069»')`, 10*time.Second)
	checkNoSidewaysScroll(t, owner, "coupon form")
	screenshot(t, owner, "fa-coupon-reach-phone")

	// Created without the bad line, the campaign lists the three.
	run(t, owner,
		chromedp.SetValue(`#f-cards`, codes[0]+"\n"+codes[1]+"\n"+codes[2], chromedp.ByQuery),
		chromedp.SendKeys(`#f-title`, "تخفیف دوستان", chromedp.ByQuery),
		chromedp.SendKeys(`#f-value_number`, "۱۰", chromedp.ByQuery),
	)
	submit(t, owner, `[data-testid=coupon-form] button[type=submit]`, `[data-testid=recipients]`)
	if n := count(t, owner, `[data-testid=recipient]`); n != 3 {
		t.Errorf("the campaign lists %d recipients, want 3", n)
	}
	checkNoSidewaysScroll(t, owner, "coupon")
	screenshot(t, owner, "fa-coupon-recipients-phone")
}

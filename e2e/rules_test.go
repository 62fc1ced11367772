package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"regulars/db"
)

// TestOwnerConfirmsALoweredTarget: an owner lowers the card from 10 stamps to
// 8 while a customer holds 9. Before anything is saved the form says, in the
// owner's language, that one card will have a reward ready now, and asks to
// confirm; once confirmed, the customer's reward is there. On a laptop in
// English and on a phone in Persian.
func TestOwnerConfirmsALoweredTarget(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, lang string
		device     browserOptions
		warning    string
	}{
		{"laptop-en", "en", browserOptions{Width: 1366, Height: 800}, "1 card holds enough stamps for the new number"},
		{"phone-fa", "fa", phone, "کارت برای عدد جدید مهر کافی دارد"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := startServer(t)
			ctx := newBrowser(t, c.device)
			signUp(t, ctx, srv, owner)
			card := stampedCard(t, srv, 9)
			run(t, ctx, chromedp.Navigate(srv.URL+"/programs/1"), chromedp.WaitVisible(`[data-testid=program-form]`, chromedp.ByQuery))
			if c.lang != "en" {
				submit(t, ctx, `form.lang-switch button[value=`+c.lang+`]`, `[data-testid=program-form]`)
			}
			run(t, ctx, chromedp.SetValue(`#f-stamps_required`, "8", chromedp.ByQuery))
			submit(t, ctx, `[data-testid=program-form] button[type=submit]`, `[data-testid=rule-change]`)
			if got := text(t, ctx, `[data-testid=rule-change]`); !strings.Contains(got, c.warning) {
				t.Errorf("the owner is told %q, want %q", got, c.warning)
			}
			screenshot(t, ctx, "rule-change-confirm-"+c.name)
			if n := rewardsReady(t, srv, card); n != 0 {
				t.Fatalf("%d rewards ready before the owner confirmed", n)
			}
			submit(t, ctx, `[data-testid=confirm-rule]`, `[data-testid=program-row]`)
			if n := rewardsReady(t, srv, card); n != 1 {
				t.Errorf("rewards ready on the card at 9 stamps after 10 → 8: %d, want 1", n)
			}
		})
	}
}

// stampedCard enrols a card of the only shop and gives it n stamps, a day apart.
func stampedCard(t *testing.T, srv *testServer, n int) int64 {
	t.Helper()
	ctx := context.Background()
	card, err := srv.Store.EnrollCard(ctx, 1, db.NewCard{CreatedBy: 1, Key: "rules-enrol"}, time.Now().AddDate(0, 0, -n))
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		a := db.Action{ShopID: 1, CardID: card.ID, ProgramID: 1, UserID: 1, Key: fmt.Sprint("rules-stamp-", i), Now: time.Now().AddDate(0, 0, i-n)}
		if _, err := srv.Store.Stamp(ctx, a, 1, false); err != nil {
			t.Fatal(err)
		}
	}
	return card.ID
}

func rewardsReady(t *testing.T, srv *testServer, cardID int64) int {
	t.Helper()
	st, err := srv.Store.CardState(context.Background(), 1, cardID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return len(st.Programs[0].Available)
}

package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"regulars/db"
)

// TestDashboardShowsHoldouts: an owner whose "we miss you" chose 24
// customers 40 days ago, 12 of them held out, reads on the dashboard how many
// of each group came back and what the message did, in English and in a
// Persian shop's Persian digits; the measured return stands beside the
// estimate.
func TestDashboardShowsHoldouts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tests := []struct {
		lang, shop, timezone       string
		summary, verdict, measured string
	}{
		{"en", "Holdout Café", "UTC", "Of the 12 customers chosen for “We miss you”, 67% came back within 30 days; of the 12 held out, 8%.", "Brought people back",
			"customers came back who would not have within 30 days, most likely 7."},
		{"fa", "کافه نارنج", "Asia/Tehran", "از ۱۲ مشتریِ برگزیده برای «دلمان برایتان تنگ شده»، ۶۷٪ در ۳۰ روز برگشتند؛ از ۱۲ مشتریِ کنار گذاشته\u200cشده، ۸٪.", "مشتریان را برگرداند",
			"به احتمال زیاد ۷."},
	}
	for _, tt := range tests {
		email := "holdout-" + tt.lang + "@example.com"
		owner := e.client()
		res := owner.submit(owner.get("/signup"), `form[action="/signup"]`, map[string]string{
			"shop_name": tt.shop, "name": "Owner", "email": email, "password": "correct horse battery", "language": tt.lang, "timezone": tt.timezone,
		})
		if res.status != http.StatusSeeOther {
			t.Fatalf("signup: %d\n%s", res.status, snippet(res.body))
		}
		if res := owner.get("/dashboard"); res.doc.Find(`[data-testid=holdouts]`).Length() != 0 {
			t.Fatal("a hold-out section before any automation chose anyone")
		}
		seedWinBack(t, e, tt.shop, email)
		page := owner.get("/dashboard")
		section := page.doc.Find(`[data-testid=holdout-we_miss_you]`)
		if got := strings.Join(strings.Fields(section.Find(`[data-testid=holdout-summary]`).Text()), " "); got != tt.summary {
			t.Errorf("%s summary %q\nwant %q", tt.lang, got, tt.summary)
		}
		if got := text(page, `[data-testid=holdout-verdict]`); got != tt.verdict {
			t.Errorf("%s verdict %q, want %q", tt.lang, got, tt.verdict)
		}
		if got := text(page, `#economics [data-testid=economics-measured]`); !strings.Contains(got, tt.measured) {
			t.Errorf("%s measured return %q, want %q", tt.lang, got, tt.measured)
		}
	}
}

// seedWinBack has the shop's "we miss you" choose 24 customers 40 days ago,
// every other one held out: 8 of the 12 messaged came back, 1 of the held out.
func seedWinBack(t *testing.T, e *env, shop, email string) {
	t.Helper()
	ctx := context.Background()
	shopID := int64(e.count(`SELECT id FROM shops WHERE name = ?`, shop))
	userID := int64(e.count(`SELECT id FROM users WHERE email = ?`, email))
	ps, err := e.store.Programs(ctx, shopID, false)
	if err != nil {
		t.Fatal(err)
	}
	now := e.clock.Now()
	chosenAt := now.AddDate(0, 0, -40)
	var audience []db.AudienceMember
	for i := range 24 {
		card, err := e.store.EnrollCard(ctx, shopID, db.NewCard{CreatedBy: userID, Key: fmt.Sprint("card", i)}, now.AddDate(0, 0, -60))
		if err != nil {
			t.Fatal(err)
		}
		heldOut := i%2 == 1
		if !heldOut && i < 16 || i == 1 {
			a := db.Action{ShopID: shopID, CardID: card.ID, ProgramID: ps[0].ID, UserID: userID, Key: fmt.Sprint("visit", i), Now: chosenAt.AddDate(0, 0, 5)}
			if _, err := e.store.Stamp(ctx, a, 1, false); err != nil {
				t.Fatal(err)
			}
		}
		audience = append(audience, db.AudienceMember{CardID: card.ID, ChosenAt: chosenAt, HeldOut: heldOut, Occasion: "lapse"})
	}
	if err := e.store.AddAudience(ctx, shopID, "we_miss_you", audience); err != nil {
		t.Fatal(err)
	}
}

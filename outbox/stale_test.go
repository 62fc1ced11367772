package outbox_test

import (
	"context"
	"testing"
	"time"

	"regulars/db"
	"regulars/loyalty"
	"regulars/outbox"
)

// TestStaleMarketingDropped: a marketing message that waited (for the quiet
// hours, or its turn) is dropped at send time when what it says stopped
// being true: "one visit to go" once the customer came back for another
// stamp, "coupon expiring" once the coupon was used. A message still true
// is sent.
func TestStaleMarketingDropped(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		kind   string
		change func(t *testing.T, f *fixture, campaignID int64)
		want   string
	}{
		{"one visit to go, stays away", db.AutomationOneVisitLeft, func(*testing.T, *fixture, int64) {}, "sent/1"},
		{"one visit to go, came back", db.AutomationOneVisitLeft, func(t *testing.T, f *fixture, _ int64) { f.stamps(t, 1) }, "dropped/1"},
		{"coupon expiring, kept", db.AutomationCouponExpiring, func(*testing.T, *fixture, int64) {}, "sent/1"},
		{"coupon expiring, used", db.AutomationCouponExpiring, func(t *testing.T, f *fixture, campaignID int64) {
			a := db.Action{ShopID: f.shopID, CardID: f.card.ID, UserID: f.userID, Key: "use", Now: f.clock.Now()}
			if _, err := f.store.RedeemCoupon(ctx, a, campaignID); err != nil {
				t.Fatal(err)
			}
		}, "dropped/1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, true, false)
			if err := f.store.SetConsent(ctx, f.shopID, f.card.ID, db.ChannelEmail, db.PurposeMarketing, true, db.ConsentOnCard, t0); err != nil {
				t.Fatal(err)
			}
			if err := f.store.SaveAutomation(ctx, f.shopID, db.Automation{Kind: tc.kind, Enabled: true, DaysBefore: 3}, t0); err != nil {
				t.Fatal(err)
			}
			// Quiet from noon to half past eleven at night in Istanbul: the
			// fixture's day (t0 is 13:00 there) is all quiet.
			if err := f.store.SaveMarketingLimits(ctx, f.shopID, db.MarketingLimits{Cap: 4, Quiet: loyalty.QuietHours{From: 12 * 60, Until: 23*60 + 30}}); err != nil {
				t.Fatal(err)
			}
			var campaignID int64
			if tc.kind == db.AutomationOneVisitLeft {
				f.stamps(t, f.program.StampsRequired-1)
			} else {
				var err error
				campaignID, err = f.store.CreateCampaign(ctx, db.Campaign{ShopID: f.shopID, Title: "İkincisi bedava", ValueKind: "text", ValueText: "2x1",
					ValidFrom: t0, ValidUntil: t0.Add(48 * time.Hour), Audience: db.AudienceChosen, PerCardLimit: 1}, []int64{f.card.ID}, f.userID, t0)
				if err != nil {
					t.Fatal(err)
				}
				f.clock.Advance(time.Hour)
				if err := f.store.RunAutomations(ctx, f.clock.Now(), nil); err != nil {
					t.Fatal(err)
				}
			}
			sent := &recorder{}
			w := f.worker(t, map[string]outbox.Sender{db.ChannelEmail: sent})
			if n, err := w.SendDue(ctx); err != nil || n != 0 {
				t.Fatalf("sent %d in the quiet hours: %v", n, err)
			}
			tc.change(t, f, campaignID)
			f.clock.Advance(12 * time.Hour) // past the quiet hours
			if _, err := w.SendDue(ctx); err != nil {
				t.Fatal(err)
			}
			got := f.states(t)
			if len(got) != 1 || got[0] != tc.want {
				t.Errorf("messages %v, want one %s (sent %d)", got, tc.want, len(sent.got))
			}
		})
	}
}

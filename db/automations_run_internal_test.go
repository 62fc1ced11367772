package db

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"regulars/migrations"
)

// TestExpiringCouponUsedMeanwhile: the daily run reads the customers whose
// coupon ends soon before its write transaction; a coupon used in between
// is no longer an occasion, and nothing is queued about it.
func TestExpiringCouponUsedMeanwhile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "race.db"), migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2026, 6, 20, 12, 0, 0, 0, time.UTC)
	shopID, owner, err := s.CreateShop(ctx, NewShop{Name: "Shop", OwnerName: "O", Email: "o@example.com", PasswordHash: "x",
		Language: "ro", TimeZone: "UTC", ProgramName: "Card", RewardText: "coffee"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAutomation(ctx, shopID, Automation{Kind: AutomationCouponExpiring, Enabled: true, DaysBefore: 3}, t0); err != nil {
		t.Fatal(err)
	}
	card, err := s.EnrollCard(ctx, shopID, NewCard{FirstName: "Ana", Email: "ana@example.com", Consent: true, Key: "k"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	campaignID, err := s.CreateCampaign(ctx, Campaign{ShopID: shopID, Title: "Two for one", ValueKind: "text", ValueText: "2x1",
		ValidFrom: t0, ValidUntil: t0.Add(48 * time.Hour), Audience: AudienceChosen, PerCardLimit: 1}, []int64{card.ID}, owner, t0)
	if err != nil {
		t.Fatal(err)
	}
	now := t0.Add(time.Hour)
	r, ok, err := readMarketingRun(ctx, s.r, shopID, AutomationCouponExpiring)
	if err != nil || !ok {
		t.Fatalf("run: %v %v", ok, err)
	}
	list, err := s.expiringCoupons(ctx, r, now)
	if err != nil || len(list) != 1 {
		t.Fatalf("%d coupons ending: %v", len(list), err)
	}
	if _, err := s.RedeemCoupon(ctx, Action{ShopID: shopID, CardID: card.ID, UserID: owner, Key: "use", Now: now}, campaignID); err != nil {
		t.Fatal(err)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error { return choose(ctx, tx, r, list[0], 99, now) })
	if err != nil {
		t.Fatal(err)
	}
	var queued int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE template = 'coupon_expiring'`).Scan(&queued); err != nil {
		t.Fatal(err)
	}
	if queued != 0 {
		t.Errorf("%d messages about a coupon used before they were queued", queued)
	}
}

package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"regulars/db"
	"regulars/db/dbtest"
	"regulars/loyalty"
)

// birthdayShop is a shop with a birthday gift valid 3 days either side, and a
// card with its birthday on 20 June.
func birthdayShop(t *testing.T, s *db.Store, email string) (shopID, userID int64, card db.Card) {
	t.Helper()
	ctx := context.Background()
	shopID, userID, _, _ = shop(t, s, email)
	if err := s.SaveGrowth(ctx, shopID, db.Growth{BirthdayGift: "A slice of cake", BirthdayDays: 3, ReferralCap: 5}, userID, t0); err != nil {
		t.Fatal(err)
	}
	card, err := s.EnrollCard(ctx, shopID, db.NewCard{FirstName: "Ece", Birthday: "06-20", Key: "bday-" + email}, t0)
	if err != nil {
		t.Fatal(err)
	}
	return shopID, userID, card
}

// birthdayCoupons are the card's birthday coupons usable at now.
func birthdayCoupons(t *testing.T, s *db.Store, shopID, cardID int64, now time.Time) []db.CardCoupon {
	t.Helper()
	st, err := s.CardState(context.Background(), shopID, cardID, now)
	if err != nil {
		t.Fatal(err)
	}
	var out []db.CardCoupon
	for _, c := range st.Coupons {
		if c.BirthdayYear != 0 {
			out = append(out, c)
		}
	}
	return out
}

func TestBirthdayCoupon(t *testing.T) {
	t.Parallel()
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	shopID, _, card := birthdayShop(t, s, "a@example.com")
	day := func(m time.Month, d, y int) time.Time { return time.Date(y, m, d, 10, 0, 0, 0, time.UTC) }

	// Outside the window: nothing.
	if err := s.IssueBirthdayCoupon(ctx, shopID, card.ID, day(6, 16, 2026)); err != nil {
		t.Fatal(err)
	}
	if got := birthdayCoupons(t, s, shopID, card.ID, day(6, 16, 2026)); len(got) != 0 {
		t.Fatalf("coupon four days early: %+v", got)
	}
	// On the window's first day: the gift, valid over the card's own window.
	if err := s.IssueBirthdayCoupon(ctx, shopID, card.ID, day(6, 17, 2026)); err != nil {
		t.Fatal(err)
	}
	got := birthdayCoupons(t, s, shopID, card.ID, day(6, 17, 2026))
	if len(got) != 1 {
		t.Fatalf("birthday coupons in the window: %+v", got)
	}
	c := got[0]
	if c.Title != "A slice of cake" || c.ValueText != "A slice of cake" || c.BirthdayYear != 2026 || c.Usable != nil ||
		!c.ValidFrom.Equal(time.Date(2026, 6, 17, 0, 0, 0, 0, time.UTC)) || !c.ValidUntil.Equal(time.Date(2026, 6, 24, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("birthday coupon %+v", c)
	}
	// Not twice, by the card page or the daily pass.
	if err := s.IssueBirthdayCoupon(ctx, shopID, card.ID, day(6, 20, 2026)); err != nil {
		t.Fatal(err)
	}
	if err := s.IssueAllBirthdayCoupons(ctx, day(6, 21, 2026)); err != nil {
		t.Fatal(err)
	}
	campaigns, err := s.Campaigns(ctx, shopID)
	if err != nil || len(campaigns) != 1 || campaigns[0].Issued != 1 || campaigns[0].Audience != db.AudienceChosen || campaigns[0].PerCardLimit != 1 {
		t.Fatalf("campaigns after issuing again: %+v %v", campaigns, err)
	}
	// After the window the coupon is gone from the card and refused at the counter.
	after := day(6, 24, 2026)
	if got := birthdayCoupons(t, s, shopID, card.ID, after); len(got) != 1 || !errors.Is(got[0].Usable, loyalty.ErrCouponExpired) {
		t.Errorf("coupon after the window: %+v", got)
	}
	_, err = s.RedeemCoupon(ctx, db.Action{ShopID: shopID, CardID: card.ID, Key: "late", Now: after}, c.ID)
	if !errors.Is(err, loyalty.ErrCouponExpired) {
		t.Errorf("redeem after the window: %v, want ErrCouponExpired", err)
	}
	// In the window, it is redeemed once.
	if _, err := s.RedeemCoupon(ctx, db.Action{ShopID: shopID, CardID: card.ID, Key: "on-time", Now: day(6, 20, 2026)}, c.ID); err != nil {
		t.Errorf("redeem on the birthday: %v", err)
	}
	if _, err := s.RedeemCoupon(ctx, db.Action{ShopID: shopID, CardID: card.ID, Key: "again", Now: day(6, 21, 2026)}, c.ID); !errors.Is(err, loyalty.ErrCouponUsedByCard) {
		t.Errorf("second redemption: %v", err)
	}
	// The next year, a new gift, of that year's campaign.
	if err := s.IssueAllBirthdayCoupons(ctx, day(6, 19, 2027)); err != nil {
		t.Fatal(err)
	}
	got = birthdayCoupons(t, s, shopID, card.ID, day(6, 19, 2027))
	if len(got) != 2 || got[1].BirthdayYear != 2027 || got[1].Usable != nil || got[0].Usable == nil {
		t.Errorf("coupons the next year: %+v", got)
	}
}

func TestBirthdayCouponEarlyRedeemRefused(t *testing.T) {
	t.Parallel()
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	shopID, _, card := birthdayShop(t, s, "a@example.com")
	// Issued on the window's last day (23 June, 23:00), with the window of its own.
	if err := s.IssueBirthdayCoupon(ctx, shopID, card.ID, time.Date(2026, 6, 23, 23, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	got := birthdayCoupons(t, s, shopID, card.ID, time.Date(2026, 6, 23, 23, 0, 0, 0, time.UTC))
	if len(got) != 1 {
		t.Fatalf("coupon on the window's last day: %+v", got)
	}
	// Before the window (the campaign itself runs all year) it is refused.
	_, err := s.RedeemCoupon(ctx, db.Action{ShopID: shopID, CardID: card.ID, Key: "early", Now: time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)}, got[0].ID)
	if !errors.Is(err, loyalty.ErrCouponNotStarted) {
		t.Errorf("redeem before the window: %v, want ErrCouponNotStarted", err)
	}
}

func TestBirthdayCouponAcrossNewYear(t *testing.T) {
	t.Parallel()
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	shopID, userID, _, _ := shop(t, s, "a@example.com")
	if err := s.SaveGrowth(ctx, shopID, db.Growth{BirthdayGift: "Tea", BirthdayDays: 7, ReferralCap: 5}, userID, t0); err != nil {
		t.Fatal(err)
	}
	card, err := s.EnrollCard(ctx, shopID, db.NewCard{Birthday: "01-02", Key: "k"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	eve := time.Date(2026, 12, 30, 10, 0, 0, 0, time.UTC)
	if err := s.IssueAllBirthdayCoupons(ctx, eve); err != nil {
		t.Fatal(err)
	}
	// The same birthday seen in the new year is the same gift.
	if err := s.IssueBirthdayCoupon(ctx, shopID, card.ID, eve.AddDate(0, 0, 5)); err != nil {
		t.Fatal(err)
	}
	got := birthdayCoupons(t, s, shopID, card.ID, eve)
	if len(got) != 1 || got[0].BirthdayYear != 2027 || !got[0].ValidFrom.Equal(time.Date(2026, 12, 26, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("coupon across New Year: %+v", got)
	}
}

func TestBirthdayCouponWithoutGiftOrBirthday(t *testing.T) {
	t.Parallel()
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	shopID, userID, card := birthdayShop(t, s, "a@example.com")
	noBirthday, err := s.EnrollCard(ctx, shopID, db.NewCard{FirstName: "No date", Key: "k"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	june20 := time.Date(2026, 6, 20, 10, 0, 0, 0, time.UTC)
	if err := s.IssueBirthdayCoupon(ctx, shopID, noBirthday.ID, june20); err != nil {
		t.Fatal(err)
	}
	if got := birthdayCoupons(t, s, shopID, noBirthday.ID, june20); len(got) != 0 {
		t.Errorf("card without a birthday got %+v", got)
	}
	// The gift turned off: nothing issued, no campaign made.
	if err := s.SaveGrowth(ctx, shopID, db.Growth{BirthdayDays: 3, ReferralCap: 5}, userID, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.IssueBirthdayCoupon(ctx, shopID, card.ID, june20); err != nil {
		t.Fatal(err)
	}
	if err := s.IssueAllBirthdayCoupons(ctx, june20); err != nil {
		t.Fatal(err)
	}
	if cs, err := s.Campaigns(ctx, shopID); err != nil || len(cs) != 0 {
		t.Errorf("campaigns without a gift: %+v %v", cs, err)
	}
}

func TestBirthdayCouponShopIsolation(t *testing.T) {
	t.Parallel()
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	shopA, _, cardA := birthdayShop(t, s, "a@example.com")
	shopB, userB, _, _ := shop(t, s, "b@example.com")
	cardB, err := s.EnrollCard(ctx, shopB, db.NewCard{Birthday: "06-20", Key: "b"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	june20 := time.Date(2026, 6, 20, 10, 0, 0, 0, time.UTC)
	// Shop B has no gift: the daily pass leaves its cards alone.
	if err := s.IssueAllBirthdayCoupons(ctx, june20); err != nil {
		t.Fatal(err)
	}
	if got := birthdayCoupons(t, s, shopB, cardB.ID, june20); len(got) != 0 {
		t.Errorf("shop B's card got %+v", got)
	}
	// A card named through another shop is not given anything.
	if err := s.IssueBirthdayCoupon(ctx, shopA, cardB.ID, june20); err != nil {
		t.Fatal(err)
	}
	if got := birthdayCoupons(t, s, shopB, cardB.ID, june20); len(got) != 0 {
		t.Errorf("shop B's card got shop A's gift: %+v", got)
	}
	// Shop B's own gift is its own campaign.
	if err := s.SaveGrowth(ctx, shopB, db.Growth{BirthdayGift: "Baklava", BirthdayDays: 1, ReferralCap: 5}, userB, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.IssueAllBirthdayCoupons(ctx, june20); err != nil {
		t.Fatal(err)
	}
	a, b := birthdayCoupons(t, s, shopA, cardA.ID, june20), birthdayCoupons(t, s, shopB, cardB.ID, june20)
	if len(a) != 1 || a[0].Title != "A slice of cake" || len(b) != 1 || b[0].Title != "Baklava" || a[0].ID == b[0].ID {
		t.Errorf("gifts: A %+v, B %+v", a, b)
	}
	// Shop A's coupon cannot be redeemed on shop B's card.
	if _, err := s.RedeemCoupon(ctx, db.Action{ShopID: shopB, CardID: cardB.ID, Key: "x", Now: june20}, a[0].ID); !errors.Is(err, loyalty.ErrCouponUnknown) {
		t.Errorf("redeem shop A's coupon in shop B: %v", err)
	}
}

package db_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"regulars/db"
	"regulars/db/dbtest"
	"regulars/loyalty"
)

// growthShop is a shop with its owner, a default program and a raw view of the database.
type growthShop struct {
	s       *db.Store
	raw     *sql.DB
	shopID  int64
	ownerID int64
	program db.Program
}

func newGrowthShop(t *testing.T) *growthShop {
	t.Helper()
	s, path := dbtest.Open(t)
	shopID, ownerID, _, program := shop(t, s, "growth@example.com")
	return &growthShop{s: s, raw: rawDB(t, path), shopID: shopID, ownerID: ownerID, program: program}
}

func (g *growthShop) save(t *testing.T, settings db.Growth) {
	t.Helper()
	if err := g.s.SaveGrowth(context.Background(), g.shopID, settings, g.ownerID, t0); err != nil {
		t.Fatal(err)
	}
}

func (g *growthShop) enroll(t *testing.T, n db.NewCard) db.Card {
	t.Helper()
	card, err := g.s.EnrollCard(context.Background(), g.shopID, n, t0)
	if err != nil {
		t.Fatal(err)
	}
	return card
}

// campaign creates a campaign issued to nobody, valid for 30 days from t0.
func (g *growthShop) campaign(t *testing.T, title string) int64 {
	t.Helper()
	id, err := g.s.CreateCampaign(context.Background(), db.Campaign{ShopID: g.shopID, Title: title, ValueKind: "text", ValueText: "a cookie",
		ValidFrom: t0, ValidUntil: t0.Add(30 * day), Audience: db.AudienceChosen, PerCardLimit: 1}, nil, g.ownerID, t0)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// welcome returns the card's welcome bonus events as "user stamps" pairs.
func (g *growthShop) welcome(t *testing.T, cardID int64) (events, stamps int, byUser sql.NullInt64) {
	t.Helper()
	err := g.raw.QueryRow(`SELECT count(*), coalesce(sum(stamps), 0), max(user_id) FROM events WHERE card_id = ? AND kind = 'bonus' AND note = ?`,
		cardID, db.WelcomeNote).Scan(&events, &stamps, &byUser)
	if err != nil {
		t.Fatal(err)
	}
	return events, stamps, byUser
}

func TestWelcomeStamps(t *testing.T) {
	t.Parallel()
	g := newGrowthShop(t)
	g.save(t, db.Growth{WelcomeStamps: 3, ReferralCap: 5})
	tests := []struct {
		name   string
		by     int64
		wantBy sql.NullInt64
	}{
		{"enrolled at the counter", g.ownerID, sql.NullInt64{Int64: g.ownerID, Valid: true}},
		{"joined by poster", 0, sql.NullInt64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			card := g.enroll(t, db.NewCard{FirstName: "Ada", CreatedBy: tt.by, Key: "welcome-" + tt.name})
			events, stamps, by := g.welcome(t, card.ID)
			if events != 1 || stamps != 3 || by != tt.wantBy {
				t.Errorf("welcome bonus: %d events of %d stamps by %v; want 1 of 3 by %v", events, stamps, by, tt.wantBy)
			}
			st, err := g.s.CardState(context.Background(), g.shopID, card.ID, t0)
			if err != nil {
				t.Fatal(err)
			}
			if got := st.Programs[0].Stamps; got != 3 {
				t.Errorf("card holds %d stamps, want the 3 welcome stamps", got)
			}
			if e := st.Ledger[0]; e.Kind != loyalty.KindBonus || e.Note != db.WelcomeNote || e.ProgramID != g.program.ID {
				t.Errorf("ledger shows %+v, want a welcome bonus in the default program", e)
			}
		})
	}
}

func TestWelcomeCoupon(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g := newGrowthShop(t)
	running := g.campaign(t, "Welcome")
	g.save(t, db.Growth{WelcomeCampaignID: running, ReferralCap: 5})
	card := g.enroll(t, db.NewCard{Key: "coupon-1"})
	if n := count(t, g.raw, `SELECT count(*) FROM coupons WHERE card_id = ? AND campaign_id = ?`, card.ID, running); n != 1 {
		t.Fatalf("welcome coupons issued: %d, want 1", n)
	}
	if _, stamps, _ := g.welcome(t, card.ID); stamps != 0 {
		t.Errorf("a coupon-only gift gave %d stamps", stamps)
	}

	if err := g.s.SetCampaignState(ctx, g.shopID, running, db.CampaignEnd, g.ownerID, t0); err != nil {
		t.Fatal(err)
	}
	late := g.enroll(t, db.NewCard{Key: "coupon-2"})
	if n := count(t, g.raw, `SELECT count(*) FROM coupons WHERE card_id = ?`, late.ID); n != 0 {
		t.Errorf("an ended welcome campaign was issued %d times", n)
	}

	expired := g.campaign(t, "Old welcome")
	g.save(t, db.Growth{WelcomeCampaignID: expired, ReferralCap: 5})
	after, err := g.s.EnrollCard(ctx, g.shopID, db.NewCard{Key: "coupon-3"}, t0.Add(31*day))
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, g.raw, `SELECT count(*) FROM coupons WHERE card_id = ?`, after.ID); n != 0 {
		t.Errorf("an expired welcome campaign was issued %d times", n)
	}
}

func TestNoWelcomeGiftWhenOff(t *testing.T) {
	t.Parallel()
	g := newGrowthShop(t)
	card := g.enroll(t, db.NewCard{FirstName: "Bo", Key: "off"})
	if n := count(t, g.raw, `SELECT count(*) FROM events WHERE card_id = ?`, card.ID); n != 0 {
		t.Errorf("a shop without a welcome gift wrote %d events", n)
	}
	if n := count(t, g.raw, `SELECT count(*) FROM coupons WHERE card_id = ?`, card.ID); n != 0 {
		t.Errorf("a shop without a welcome gift issued %d coupons", n)
	}
}

func TestSaveGrowth(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g := newGrowthShop(t)
	own := g.campaign(t, "Welcome")
	want := db.Growth{Pitch: "Tenth coffee free", WelcomeStamps: 2, WelcomeCampaignID: own, ReferralStamps: 1, ReferralCap: 3, BirthdayGift: "A cake", BirthdayDays: 5}
	g.save(t, want)
	if got, err := g.s.Growth(ctx, g.shopID); err != nil || got != want {
		t.Fatalf("saved %+v, read %+v, %v", want, got, err)
	}
	if n := count(t, g.raw, `SELECT count(*) FROM audit WHERE shop_id = ? AND action = ?`, g.shopID, string(db.AuditGrowth)); n != 1 {
		t.Errorf("audit rows for the save: %d, want 1", n)
	}

	otherShop, otherOwner, _, _ := shop(t, g.s, "other@example.com")
	foreign, err := g.s.CreateCampaign(ctx, db.Campaign{ShopID: otherShop, Title: "Theirs", ValueKind: "text", ValueText: "x",
		ValidFrom: t0, ValidUntil: t0.Add(day), Audience: db.AudienceChosen, PerCardLimit: 1}, nil, otherOwner, t0)
	if err != nil {
		t.Fatal(err)
	}
	err = g.s.SaveGrowth(ctx, g.shopID, db.Growth{WelcomeCampaignID: foreign, ReferralCap: 5}, g.ownerID, t0)
	if !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("saving another shop's campaign: %v, want ErrNotFound", err)
	}
	if got, _ := g.s.Growth(ctx, g.shopID); got != want {
		t.Errorf("a refused save changed the settings to %+v", got)
	}
}

func TestReplayedEnrolmentGivesNoSecondGift(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g := newGrowthShop(t)
	g.save(t, db.Growth{WelcomeStamps: 2, WelcomeCampaignID: g.campaign(t, "Welcome"), ReferralCap: 5})
	first := g.enroll(t, db.NewCard{FirstName: "Cem", Consent: true, Key: "join-once"})
	if !first.Consent {
		t.Error("consent was not recorded")
	}
	cards := count(t, g.raw, `SELECT count(*) FROM cards WHERE shop_id = ?`, g.shopID)
	_, err := g.s.EnrollCard(ctx, g.shopID, db.NewCard{FirstName: "Cem", Consent: true, Key: "join-once"}, t0)
	var replay *db.ReplayedError
	if !errors.As(err, &replay) || replay.ID != first.ID {
		t.Fatalf("replay: %v, want ReplayedError naming card %d", err, first.ID)
	}
	if n := count(t, g.raw, `SELECT count(*) FROM cards WHERE shop_id = ?`, g.shopID); n != cards {
		t.Errorf("cards after the replay: %d, want %d", n, cards)
	}
	if events, stamps, _ := g.welcome(t, first.ID); events != 1 || stamps != 2 {
		t.Errorf("welcome bonus after the replay: %d events, %d stamps; want 1 of 2", events, stamps)
	}
	if n := count(t, g.raw, `SELECT count(*) FROM coupons WHERE shop_id = ?`, g.shopID); n != 1 {
		t.Errorf("welcome coupons after the replay: %d, want 1", n)
	}
}

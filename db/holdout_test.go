package db_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"regulars/db"
	"regulars/db/dbtest"
	"regulars/loyalty"
)

// TestHoldoutCounts seeds an audience whose every count is known and reads
// it through the dashboard's one snapshot:
//
//	we_miss_you, chosen 40 days ago: messaged A came back 5 days later and
//	redeemed a coupon; messaged B's visit was voided; messaged C came before
//	being chosen and 35 days after (too late); held-out D came back 20 days
//	later and redeemed a coupon (not the message's cost); held-out E never did.
//	Messaged F was chosen 10 days ago: pending, whatever it did.
//	birthday, chosen 60 days ago: messaged A came back 25 days later.
//	The kinds come in the order of db.AutomationKinds.
//	Not counted: a row older than a year, another shop's row.
func TestHoldoutCounts(t *testing.T) {
	t.Parallel()
	s, path := dbtest.Open(t)
	ctx := context.Background()
	now := time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)
	ago := func(days int) time.Time { return now.AddDate(0, 0, -days) }
	shopID, userID, a, program := shop(t, s, "holdout@example.com")
	otherShop, otherUser, foreign, otherProgram := shop(t, s, "other-holdout@example.com")
	cards := map[string]int64{"A": a.ID}
	for _, name := range []string{"B", "C", "D", "E", "F"} {
		c, err := s.EnrollCard(ctx, shopID, db.NewCard{CreatedBy: userID, Key: "enrol" + name}, ago(400))
		if err != nil {
			t.Fatal(err)
		}
		cards[name] = c.ID
	}
	n := 0
	act := func(card int64, at time.Time) db.Action {
		n++
		return db.Action{ShopID: shopID, CardID: card, ProgramID: program.ID, UserID: userID, Key: fmt.Sprint("k", n), Now: at}
	}
	stamp := func(card string, at time.Time) int64 {
		t.Helper()
		out, err := s.Stamp(ctx, act(cards[card], at), 1, false)
		if err != nil {
			t.Fatal(err)
		}
		return out.EventID
	}
	stamp("A", ago(35))
	voided := stamp("B", ago(35))
	if _, err := s.Undo(ctx, act(cards["B"], ago(35).Add(time.Minute)), voided); err != nil {
		t.Fatal(err)
	}
	stamp("C", ago(41))
	stamp("C", ago(5))
	stamp("D", ago(20))
	stamp("F", ago(5))
	// A bonus is no visit.
	if _, err := s.AdjustStamps(ctx, act(cards["E"], ago(30)), 2, "sorry"); err != nil {
		t.Fatal(err)
	}
	coupon, err := s.CreateCampaign(ctx, db.Campaign{ShopID: shopID, Title: "Back", ValueKind: "amount", ValueNumber: 150,
		Audience: db.AudienceChosen, ValidFrom: ago(50), ValidUntil: now, PerCardLimit: 1}, []int64{cards["A"], cards["D"]}, userID, ago(50))
	if err != nil {
		t.Fatal(err)
	}
	for _, card := range []string{"A", "D"} {
		if _, err := s.RedeemCoupon(ctx, act(cards[card], ago(34)), coupon); err != nil {
			t.Fatal(err)
		}
	}
	chosen := func(card string, days int, heldOut bool) db.AudienceMember {
		return db.AudienceMember{CardID: cards[card], ChosenAt: ago(days), HeldOut: heldOut, Occasion: fmt.Sprint(days)}
	}
	if err := s.AddAudience(ctx, shopID, "we_miss_you", []db.AudienceMember{
		chosen("A", 40, false), chosen("B", 40, false), chosen("C", 40, false), chosen("D", 40, true), chosen("E", 40, true),
		chosen("F", 10, false), chosen("A", 400, false),
		// another shop's card is not this shop's audience
		{CardID: foreign.ID, ChosenAt: ago(40), Occasion: "40"},
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddAudience(ctx, shopID, "birthday", []db.AudienceMember{chosen("A", 60, false)}); err != nil {
		t.Fatal(err)
	}
	// The cap kept C's message back, as an automation's run records it: C is
	// in neither group.
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE automation_audience SET skipped = 'cap' WHERE card_id = ? AND kind = 'we_miss_you'`, cards["C"]); err != nil {
		t.Fatal(err)
	}
	// The other shop's own audience, whose customer came back.
	if _, err := s.Stamp(ctx, db.Action{ShopID: otherShop, CardID: foreign.ID, ProgramID: otherProgram.ID, UserID: otherUser, Key: "o1", Now: ago(35)}, 1, false); err != nil {
		t.Fatal(err)
	}
	if err := s.AddAudience(ctx, otherShop, "we_miss_you", []db.AudienceMember{{CardID: foreign.ID, ChosenAt: ago(40), Occasion: "40"}}); err != nil {
		t.Fatal(err)
	}

	d, err := s.Dashboard(ctx, shopID, now)
	if err != nil {
		t.Fatal(err)
	}
	want := []db.AutomationHoldout{
		{Kind: "we_miss_you", Holdout: loyalty.Holdout{Messaged: 2, MessagedReturned: 1, HeldOut: 2, HeldOutReturned: 1, Pending: 1}, KeptBack: 1,
			Coupons: loyalty.Gifts{Coupons: 1, AmountOff: 150}},
		// A's coupon fell within both of its 30 days: each automation counts it.
		{Kind: "birthday", Holdout: loyalty.Holdout{Messaged: 1, MessagedReturned: 1}, Coupons: loyalty.Gifts{Coupons: 1, AmountOff: 150}},
	}
	if fmt.Sprint(d.Holdouts) != fmt.Sprint(want) {
		t.Errorf("hold-outs\n got %+v\nwant %+v", d.Holdouts, want)
	}
	other, err := s.Dashboard(ctx, otherShop, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(other.Holdouts) != 1 || other.Holdouts[0].Messaged != 1 || other.Holdouts[0].MessagedReturned != 1 {
		t.Errorf("the other shop's hold-outs: %+v", other.Holdouts)
	}
	// A later audience chosen long ago (an import, the demo) is read again
	// at once; the closed counts are otherwise kept for the day.
	if err := s.AddAudience(ctx, shopID, "birthday", []db.AudienceMember{chosen("E", 300, true)}); err != nil {
		t.Fatal(err)
	}
	if d, err = s.Dashboard(ctx, shopID, now); err != nil || len(d.Holdouts) != 2 || d.Holdouts[1].HeldOut != 1 {
		t.Errorf("after a backdated audience: %+v, %v", d.Holdouts, err)
	}
	// A shop whose automations chose nobody has no section.
	empty, _, _, _ := shop(t, s, "no-audience@example.com")
	if d, err := s.Dashboard(ctx, empty, now); err != nil || d.Holdouts != nil {
		t.Errorf("hold-outs of a shop without automations: %+v, %v", d.Holdouts, err)
	}
}

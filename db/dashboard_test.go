package db_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"regulars/db"
	"regulars/db/dbtest"
	"regulars/loyalty"
)

// TestDashboardKnownLedger builds a small ledger whose every figure is known:
//
//	card A: visits 40, 10 and 3 days ago (its third stamp earns a reward, redeemed at once)
//	card B: one first visit 5 days ago
//	card C: visits 45 and 35 days ago
//	card D: enrolled, never stamped
//
// The current period is the last 30 days, the previous one the 30 before.
func TestDashboardKnownLedger(t *testing.T) {
	t.Parallel()
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	now := time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)
	ago := func(days int) time.Time { return now.AddDate(0, 0, -days) }
	shopID, userID, a, program := shop(t, s, "dash@example.com")
	program.StampsRequired = 3
	if _, err := s.SaveProgram(ctx, program, userID, ago(60)); err != nil {
		t.Fatal(err)
	}
	cards := map[string]int64{"A": a.ID}
	for _, name := range []string{"B", "C", "D"} {
		c, err := s.EnrollCard(ctx, shopID, db.NewCard{CreatedBy: userID, Key: "enrol" + name}, ago(60))
		if err != nil {
			t.Fatal(err)
		}
		cards[name] = c.ID
	}
	n := 0
	act := func(card string, at time.Time) db.Action {
		n++
		return db.Action{ShopID: shopID, CardID: cards[card], ProgramID: program.ID, UserID: userID, Key: fmt.Sprint("k", n), Now: at}
	}
	for _, v := range []struct {
		card string
		ago  int
	}{{"A", 40}, {"A", 10}, {"A", 3}, {"B", 5}, {"C", 45}, {"C", 35}} {
		if _, err := s.Stamp(ctx, act(v.card, ago(v.ago)), 1, false); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Redeem(ctx, act("A", ago(3).Add(time.Minute)), 1); err != nil {
		t.Fatal(err)
	}
	if err := s.SetEconomics(ctx, shopID, userID, 450, 180, now); err != nil {
		t.Fatal(err)
	}

	d, err := s.Dashboard(ctx, shopID, now)
	if err != nil {
		t.Fatal(err)
	}
	// D never visited; B's first visit is in the period.
	if d.Customers != 3 || d.CustomersBefore != 2 || d.ShopFirstDay != loyalty.DayNumber(t0) {
		t.Errorf("customers %d, before %d, shop since day %d; want 3, 2, %d", d.Customers, d.CustomersBefore, d.ShopFirstDay, loyalty.DayNumber(t0))
	}
	wantCur := db.Period{Active: 2, Repeat: 1, Visits: 3, NewCustomers: 1, GapSum: 37, Gaps: 2, Stamps: 3, Rewards: 1, Redeems: 1}
	wantPrev := db.Period{Active: 2, Repeat: 1, Visits: 3, NewCustomers: 2, GapSum: 10, Gaps: 1, Stamps: 3}
	if d.Current != wantCur {
		t.Errorf("current period %+v\nwant %+v", d.Current, wantCur)
	}
	if d.Previous != wantPrev {
		t.Errorf("previous period %+v\nwant %+v", d.Previous, wantPrev)
	}
	if d.StampsToday != 0 || d.AverageTicket != 450 || d.RewardCost != 180 {
		t.Errorf("today %d stamps; economics %d, %d", d.StampsToday, d.AverageTicket, d.RewardCost)
	}
	// Visits at 12:00 UTC; the shop is in UTC.
	visits := 0
	for wd := range 7 {
		visits += d.Hours[wd][12]
	}
	if visits != 6 {
		t.Errorf("%d visits at noon in the heatmap, want 6", visits)
	}
	if len(d.Daily) != db.ChartDays || d.Daily[len(d.Daily)-1].Day != loyalty.DayNumber(now) || d.Daily[len(d.Daily)-4].Visits != 1 {
		t.Errorf("daily chart ends on day %d with %+v", d.Daily[len(d.Daily)-1].Day, d.Daily[len(d.Daily)-4:])
	}
	may, june := 2026*12+4, 2026*12+5
	var cohorts = map[int]loyalty.Cohort{}
	for _, c := range d.Cohorts {
		cohorts[c.Month] = c
	}
	if c := cohorts[may]; c.Size != 2 || c.Returned[0] != 1 {
		t.Errorf("May cohort %+v: want A and C, and A back in June", c)
	}
	if c := cohorts[june]; c.Size != 1 || c.Returned[0] != 0 {
		t.Errorf("June cohort %+v: want B alone", c)
	}
	if len(d.Staff) != 1 || d.Staff[0].Stamps != 3 || d.Staff[0].Redeems != 1 {
		t.Errorf("staff activity %+v: want 3 stamps and 1 redemption in the period", d.Staff)
	}
	// D never visited; C, away 35 days with two visits, has no habit to judge;
	// A's three visits are the top decile of three cards.
	want := map[loyalty.Segment]int{loyalty.SegmentNone: 1, loyalty.SegmentNew: 1, loyalty.SegmentOccasional: 1, loyalty.SegmentVIP: 1}
	for seg, n := range want {
		if d.Segments[seg] != n {
			t.Errorf("segment %q has %d cards, want %d (all: %v)", seg, d.Segments[seg], n, d.Segments)
		}
	}
}

// TestDashboardImportedCustomersAreNeverNew pins the one definition of a new
// customer in every figure that counts them: a first visit ever, of a card
// not imported. As of 30 June:
//
//	A: enrolled 60 days ago, visits 40 days ago (21 May) and 3 days ago
//	B: enrolled and first visit 5 days ago
//	C: enrolled 60 days ago, never stamped
//	Deniz, Ece, Fatma: imported 50 days ago; Deniz visits 45 (16 May) and 10
//	days ago, Ece 5 days ago, Fatma never
//
// It also reads the period's gifts: B's welcome stamps and two coupons (a
// third one undone).
func TestDashboardImportedCustomersAreNeverNew(t *testing.T) {
	t.Parallel()
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	now := time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)
	ago := func(days int) time.Time { return now.AddDate(0, 0, -days) }
	shopID, userID, a, program := shop(t, s, "new@example.com")
	cards := map[string]int64{"A": a.ID}
	enrol := func(name string, at time.Time) {
		c, err := s.EnrollCard(ctx, shopID, db.NewCard{FirstName: name, CreatedBy: userID, Key: "enrol" + name}, at)
		if err != nil {
			t.Fatal(err)
		}
		cards[name] = c.ID
	}
	enrol("C", ago(60))
	rows := []loyalty.CustomerRow{{Row: 2, FirstName: "Deniz", StartingStamps: 3}, {Row: 3, FirstName: "Ece"}, {Row: 4, FirstName: "Fatma", StartingStamps: 1}}
	if _, err := s.ImportCustomers(ctx, shopID, userID, rows, program.ID, "file", db.ImportSkip, ago(50)); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Deniz", "Ece", "Fatma"} {
		found, err := s.SearchCards(ctx, shopID, db.CardQuery{Name: name})
		if err != nil || len(found) != 1 {
			t.Fatalf("imported %s: %+v %v", name, found, err)
		}
		cards[name] = found[0].ID
	}
	if err := s.SaveGrowth(ctx, shopID, db.Growth{WelcomeStamps: 2, ReferralCap: 5, BirthdayDays: 7}, userID, ago(6)); err != nil {
		t.Fatal(err)
	}
	enrol("B", ago(5))
	n := 0
	act := func(card string, at time.Time) db.Action {
		n++
		return db.Action{ShopID: shopID, CardID: cards[card], ProgramID: program.ID, UserID: userID, Key: fmt.Sprint("k", n), Now: at}
	}
	for _, v := range []struct {
		card string
		ago  int
	}{{"Deniz", 45}, {"A", 40}, {"Deniz", 10}, {"B", 5}, {"Ece", 5}, {"A", 3}} {
		if _, err := s.Stamp(ctx, act(v.card, ago(v.ago)), 1, false); err != nil {
			t.Fatal(err)
		}
	}
	var coupons []int64
	for _, c := range []db.Campaign{
		{Title: "1.50 off", ValueKind: "amount", ValueNumber: 150},
		{Title: "20% off", ValueKind: "percent", ValueNumber: 20},
		{Title: "Undone", ValueKind: "amount", ValueNumber: 999},
	} {
		c.ShopID, c.Audience, c.PerCardLimit, c.ValidFrom, c.ValidUntil = shopID, db.AudienceAll, 1, ago(10), now
		id, err := s.CreateCampaign(ctx, c, nil, userID, ago(10))
		if err != nil {
			t.Fatal(err)
		}
		coupons = append(coupons, id)
	}
	var undone int64
	for _, id := range coupons {
		out, err := s.RedeemCoupon(ctx, act("A", ago(3)), id)
		if err != nil {
			t.Fatal(err)
		}
		undone = out.EventID
	}
	if _, err := s.Undo(ctx, act("A", ago(3)), undone); err != nil {
		t.Fatal(err)
	}

	d, err := s.Dashboard(ctx, shopID, now)
	if err != nil {
		t.Fatal(err)
	}
	// Customers: A, B, Deniz and Ece visited, Fatma was imported; C is nobody's yet.
	if d.Customers != 5 || d.CustomersBefore != 4 {
		t.Errorf("customers %d, before %d; want 5 and 4 (B is the period's one new customer)", d.Customers, d.CustomersBefore)
	}
	if d.Current.NewCustomers != 1 || d.Previous.NewCustomers != 1 || d.Current.Visits != 4 || d.Previous.Visits != 2 {
		t.Errorf("new customers %d and %d in %d and %d visits; want B and A, in 4 and 2", d.Current.NewCustomers, d.Previous.NewCustomers, d.Current.Visits, d.Previous.Visits)
	}
	if day := d.Daily[len(d.Daily)-6]; day.Visits != 2 || day.NewCustomers != 1 {
		t.Errorf("5 days ago: %+v; want B's and Ece's visits, B's alone new", day)
	}
	if day := d.Daily[len(d.Daily)-46]; day.Visits != 1 || day.NewCustomers != 0 {
		t.Errorf("45 days ago: %+v; want Deniz's visit, not new", day)
	}
	may, june := 2026*12+4, 2026*12+5
	cohorts := map[int]loyalty.Cohort{}
	for _, c := range d.Cohorts {
		cohorts[c.Month] = c
	}
	if c := cohorts[may]; c.Size != 1 || c.Returned[0] != 1 {
		t.Errorf("May cohort %+v: want A alone, back in June", c)
	}
	if c := cohorts[june]; c.Size != 1 {
		t.Errorf("June cohort %+v: want B alone", c)
	}
	want := loyalty.Gifts{BonusStamps: 2, Coupons: 2, AmountOff: 150, PercentOff: 20}
	if d.Gifts != want {
		t.Errorf("gifts %+v, want %+v", d.Gifts, want)
	}
}

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
	if d.Customers != 4 || d.CustomersBefore != 4 {
		t.Errorf("customers %d, before %d; want 4, 4", d.Customers, d.CustomersBefore)
	}
	wantCur := db.Period{Active: 2, Repeat: 1, Visits: 3, NewVisits: 1, GapSum: 37, Gaps: 2, Stamps: 3, Rewards: 1, Redeems: 1}
	wantPrev := db.Period{Active: 2, Repeat: 1, Visits: 3, NewVisits: 2, GapSum: 10, Gaps: 1, Stamps: 3}
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

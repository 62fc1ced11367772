package db_test

import (
	"context"
	"testing"
	"time"

	"regulars/db"
)

// "Points about to expire" carries in its message how many points expire
// and when the first of them do, so that the text can say so: the points
// of the shop's day of the first expiry (in Tehran 21:00 UTC is the next
// day), not those expiring later.
func TestPointsExpiringPayload(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _, shopID, owner, _ := marketingShop(t, "Asia/Tehran", db.AutomationPointsExpiring, 0)
	if err := s.SaveAutomation(ctx, shopID, db.Automation{Kind: db.AutomationPointsExpiring, Enabled: true, DaysBefore: 3}, t0); err != nil {
		t.Fatal(err)
	}
	p := db.Program{ShopID: shopID, Name: "Beans", RewardText: "a bag of beans", Kind: db.ProgramPoints, PointsPerUnit: 1,
		RewardPoints: 100, MaxPerVisit: 1000, PointsExpiryDays: 30}
	id, err := s.SaveProgram(ctx, p, owner, t0)
	if err != nil {
		t.Fatal(err)
	}
	p.ID = id
	holder := customer(t, s, shopID, p, "Holder", "holder@example.com", true)
	for _, e := range []struct {
		key    string
		amount int
		at     time.Time
	}{
		{"first", 20_00, t0},                       // 13:30 in Tehran
		{"same-day", 7_00, t0.Add(time.Hour)},      // 14:30, the same day
		{"next-day", 5_00, t0.Add(11 * time.Hour)}, // 00:30 the next day
	} {
		if _, err := s.EarnPoints(ctx, db.Action{ShopID: shopID, CardID: holder.ID, ProgramID: id, Key: e.key, Now: e.at}, e.amount, true); err != nil {
			t.Fatal(err)
		}
	}
	expiry := t0.AddDate(0, 0, 30)
	if err := s.RunAutomations(ctx, expiry.AddDate(0, 0, -2), nil); err != nil {
		t.Fatal(err)
	}
	msgs, err := s.ClaimOutbox(ctx, expiry, time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	var found []db.OutboxPayload
	for _, m := range msgs {
		if m.Template == db.AutomationPointsExpiring {
			found = append(found, m.Payload)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d reminders queued, want 1", len(found))
	}
	if got := found[0]; got.Points != 27 || got.Expires != expiry.Unix() || got.ProgramID != id {
		t.Errorf("payload says %d points at %d of program %d; want 27 at %d (the first lot's expiry) of %d",
			got.Points, got.Expires, got.ProgramID, expiry.Unix(), id)
	}
}

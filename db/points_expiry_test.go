package db_test

import (
	"context"
	"testing"
	"time"

	"regulars/db"
	"regulars/loyalty"
)

// quietHours is l's points program with points that expire after 30 days
// and ×2 on weekdays 14:00–17:00.
func (l *ledgerShop) quietHours() db.Program {
	l.t.Helper()
	p := l.pointsProgram()
	p.PointsExpiryDays, p.Multiplier, p.MultiplierFrom, p.MultiplierTo = 30, 2, 14*60, 17*60
	p.MultiplierDays = 1<<time.Monday | 1<<time.Tuesday | 1<<time.Wednesday | 1<<time.Thursday | 1<<time.Friday
	l.save(p)
	saved, err := l.s.Program(context.Background(), l.shopID, p.ID)
	if err != nil {
		l.t.Fatal(err)
	}
	return saved
}

// earnAt is a purchase of amount at the moment at.
func (l *ledgerShop) earnAt(p db.Program, amount int, at time.Time) db.PointsOutcome {
	l.t.Helper()
	a := l.action(l.card, p.ID)
	l.now, a.Now = at, at
	out, err := l.s.EarnPoints(context.Background(), a, amount, true)
	if err != nil {
		l.t.Fatalf("earn %d at %v: %v", amount, at, err)
	}
	return out
}

// The multiplier doubles a purchase in its window, in the shop's zone, and
// the rebuild computes the same; points expire oldest first after 30 days.
func TestPointsMultiplierAndExpiry(t *testing.T) {
	t.Parallel()
	l := newLedgerShop(t, "quiet-hours@example.com")
	ctx := context.Background()
	p := l.quietHours()
	if p.MultiplierZone != "UTC" {
		t.Fatalf("the multiplier's zone is %q, want the shop's UTC", p.MultiplierZone)
	}
	monday := time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)
	if out := l.earnAt(p, 10_00, monday.Add(15*time.Hour)); out.Points != 20 || out.Multiplier != 2 {
		t.Errorf("10.00 at 15:00 on a Monday gave %d points ×%d, want 20 ×2", out.Points, out.Multiplier)
	}
	if out := l.earnAt(p, 10_00, monday.Add(18*time.Hour)); out.Points != 10 || out.Multiplier != 1 {
		t.Errorf("10.00 at 18:00 gave %d points ×%d, want 10 ×1", out.Points, out.Multiplier)
	}
	var stored int
	if err := l.raw.QueryRowContext(ctx, `SELECT points FROM events WHERE program_id = ? ORDER BY id LIMIT 1`, p.ID).Scan(&stored); err != nil || stored != 20 {
		t.Errorf("the doubled purchase's ledger row says %d points (%v), want 20", stored, err)
	}
	var expireAt int64
	if err := l.raw.QueryRowContext(ctx, `SELECT points_expire_at FROM card_balances WHERE card_id = ? AND program_id = ?`, l.card.ID, p.ID).Scan(&expireAt); err != nil ||
		expireAt != monday.Add(15*time.Hour).AddDate(0, 0, 30).Unix() {
		t.Errorf("kept first expiry %d (%v), want 30 days after the first purchase", expireAt, err)
	}
	l.checkRebuild()

	// A new zone moves the window from then on; what was given stays.
	sh, err := l.s.Shop(ctx, l.shopID)
	if err != nil {
		t.Fatal(err)
	}
	l.now = monday.Add(19 * time.Hour)
	if err := l.s.UpdateShop(ctx, l.shopID, db.ShopSettings{Name: sh.Name, BrandColor: sh.BrandColor, Language: sh.Language, TimeZone: "Asia/Tehran",
		Currency: sh.Currency, Digits: sh.Digits, Calendar: sh.Calendar}, l.userID, l.now); err != nil {
		t.Fatal(err)
	}
	tuesday := monday.AddDate(0, 0, 1)
	// 11:00 UTC is 14:30 in Tehran: in the window now, though not in UTC.
	if out := l.earnAt(p, 10_00, tuesday.Add(11*time.Hour)); out.Points != 20 {
		t.Errorf("14:30 in Tehran gave %d points, want 20", out.Points)
	}
	l.checkRebuild()

	// 30 days after the first purchase its 20 points are gone, the rest stay.
	l.now = monday.Add(15*time.Hour).AddDate(0, 0, 30)
	b := l.balance(l.card, p)
	if b.Points != 30 || b.PointsExpired != 20 {
		t.Errorf("after the first lot's expiry: %d held, %d expired; want 30 and 20", b.Points, b.PointsExpired)
	}
	when, n := b.NextPointsExpiry(time.UTC)
	if n != 10 || !when.Equal(monday.Add(18*time.Hour).AddDate(0, 0, 30)) {
		t.Errorf("next expiry: %d on %v, want Monday evening's 10, 30 days on", n, when)
	}
	// A spend after it takes what is left, oldest first, never the expired.
	if _, err := l.s.SpendPoints(ctx, db.Action{ShopID: l.shopID, CardID: l.card.ID, ProgramID: p.ID, UserID: l.userID, Key: "spend-late", Now: l.now}, 31); err == nil {
		t.Error("spending 31 of the 30 points left was allowed")
	}
	l.checkRebuild()
}

// "Points about to expire" writes once per lot about to expire, a few days
// before, to a customer whose points will expire; not to one who spent
// them, nor about points that expire later.
func TestPointsExpiringReminder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, raw, shopID, owner, _ := marketingShop(t, "UTC", db.AutomationPointsExpiring, 0)
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
	earn := func(c db.Card, key string, amount int, at time.Time) {
		t.Helper()
		if _, err := s.EarnPoints(ctx, db.Action{ShopID: shopID, CardID: c.ID, ProgramID: id, Key: key, Now: at}, amount, true); err != nil {
			t.Fatal(err)
		}
	}
	holder := customer(t, s, shopID, p, "Holder", "holder@example.com", true)
	spender := customer(t, s, shopID, p, "Spender", "spender@example.com", true)
	later := customer(t, s, shopID, p, "Later", "later@example.com", true)
	earn(holder, "h1", 20_00, t0)
	earn(holder, "h2", 5_00, t0.AddDate(0, 0, 10))
	earn(spender, "s1", 20_00, t0)
	if _, err := s.SpendPoints(ctx, db.Action{ShopID: shopID, CardID: spender.ID, ProgramID: id, Key: "s2", Now: t0.Add(time.Hour)}, 20); err != nil {
		t.Fatal(err)
	}
	earn(later, "l1", 20_00, t0.AddDate(0, 0, 5))

	expiry := t0.AddDate(0, 0, 30)
	for _, at := range []time.Time{expiry.AddDate(0, 0, -10), expiry.AddDate(0, 0, -2), expiry.AddDate(0, 0, -1)} {
		if err := s.RunAutomations(ctx, at, nil); err != nil {
			t.Fatal(err)
		}
	}
	if got := count(t, raw, `SELECT count(*) FROM outbox WHERE template = 'points_expiring' AND card_id = ? AND purpose = 'marketing'
		AND json_extract(payload, '$.program') = ?`, holder.ID, id); got != 1 {
		t.Errorf("%d reminders to the holder, want 1", got)
	}
	if got := count(t, raw, `SELECT count(*) FROM outbox WHERE template = 'points_expiring'`); got != 1 {
		t.Errorf("%d reminders in all: a spender's or a later lot was written about", got)
	}
	// The first lot gone, the holder's next one (ten days later) is its own
	// occasion, though the kept first expiry is the gone lot's.
	if err := s.RunAutomations(ctx, expiry.AddDate(0, 0, 8), nil); err != nil {
		t.Fatal(err)
	}
	if got := count(t, raw, `SELECT count(*) FROM outbox WHERE template = 'points_expiring' AND card_id = ?`, holder.ID); got != 2 {
		t.Errorf("%d reminders to the holder after the second lot's, want 2", got)
	}
}

// The dashboard's liability is the points the cards hold now: the lots
// expired since a card's last event are not owed.
func TestPointsLiability(t *testing.T) {
	t.Parallel()
	l := newLedgerShop(t, "liability@example.com")
	ctx := context.Background()
	p := l.pointsProgram()
	p.PointsExpiryDays = 30
	l.save(p)
	other := l.enroll("other")
	start := l.now
	l.earnAt(p, 40_00, start)                   // expires at start + 30 days
	l.earnAt(p, 10_00, start.AddDate(0, 0, 20)) // expires at start + 50 days
	if _, err := l.s.EarnPoints(ctx, db.Action{ShopID: l.shopID, CardID: other.ID, ProgramID: p.ID, Key: "other", Now: start.AddDate(0, 0, 20)}, 25_00, true); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name          string
		at            time.Time
		points, cards int
	}{
		{"before any expiry", start.AddDate(0, 0, 29), 75, 2},
		{"the first lot gone since the last event", start.AddDate(0, 0, 31), 35, 2},
		{"everything gone", start.AddDate(0, 0, 51), 0, 0},
	}
	for _, c := range cases {
		d, err := l.s.Dashboard(ctx, l.shopID, c.at)
		if err != nil {
			t.Fatal(err)
		}
		points, cards := 0, 0
		for _, o := range d.PointsOwed {
			points, cards = points+o.Points, cards+o.Cards
			if o.Program != "Beans" || o.RewardPoints != 100 {
				t.Errorf("%s: owed %+v, want Beans at 100 points", c.name, o)
			}
		}
		if points != c.points || cards != c.cards {
			t.Errorf("%s: %d points on %d cards owed, want %d on %d", c.name, points, cards, c.points, c.cards)
		}
	}
}

// The customers export carries each card's points in a points program, and
// an import into a points program gives its starting balance as points, an
// adjustment noted "import"; a customer holding more keeps them.
func TestPointsExportAndImport(t *testing.T) {
	t.Parallel()
	l := newLedgerShop(t, "csv-points@example.com")
	ctx := context.Background()
	p := l.pointsProgram()
	l.earn(l.card, p, 123_45)
	rows := []loyalty.CustomerRow{
		{Row: 2, FirstName: "Neu", Email: "neu@example.com", StartingStamps: 250, HasStamps: true},
		{Row: 3, FirstName: "Zero", Email: "zero@example.com"},
	}
	if _, err := l.s.ImportCustomers(ctx, l.shopID, l.userID, rows, p.ID, "import-points", db.ImportSkip, l.now); err != nil {
		t.Fatal(err)
	}
	var points int
	var note string
	if err := l.raw.QueryRowContext(ctx, `SELECT e.points, e.note FROM events e JOIN cards c ON c.id = e.card_id
		WHERE c.email = 'neu@example.com' AND e.kind = 'adjust' AND e.program_id = ?`, p.ID).Scan(&points, &note); err != nil || points != 250 || note != db.ImportNote {
		t.Errorf("the imported balance: %d points noted %q (%v), want 250 noted %q", points, note, err, db.ImportNote)
	}
	got := map[string]int{}
	err := l.s.ExportCustomers(ctx, l.shopID, []db.Program{l.program, p}, db.CustomerQuery{}, l.now, func(c db.ExportedCustomer) error {
		got[c.FirstName] = c.Stamps[1]
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got["Neu"] != 250 || got["Zero"] != 0 || got[l.card.FirstName] != 123 {
		t.Errorf("exported points %v, want Neu 250, Zero 0 and the first card 123", got)
	}
	l.checkRebuild()
}

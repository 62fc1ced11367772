package db_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"regulars/db"
	"regulars/loyalty"
)

// pointsProgram adds a points program to l's shop: a point per whole unit
// spent, 100 points for the reward.
func (l *ledgerShop) pointsProgram() db.Program {
	l.t.Helper()
	p := db.Program{ShopID: l.shopID, Name: "Beans", RewardText: "a bag of beans", Kind: db.ProgramPoints, PointsPerUnit: 1,
		PointsRounding: loyalty.RoundDown, RewardPoints: 100, MaxPerVisit: 1000}
	id, err := l.s.SaveProgram(context.Background(), p, l.userID, l.now)
	if err != nil {
		l.t.Fatal(err)
	}
	if p, err = l.s.Program(context.Background(), l.shopID, id); err != nil {
		l.t.Fatal(err)
	}
	return p
}

// undoAction is an action a minute after the last one: within undo's reach.
func (l *ledgerShop) undoAction(card db.Card) db.Action {
	a := l.action(card, 0)
	l.now = l.now.Add(-time.Hour + time.Minute)
	a.Now = l.now
	return a
}

func (l *ledgerShop) earn(card db.Card, p db.Program, amount int) db.PointsOutcome {
	l.t.Helper()
	out, err := l.s.EarnPoints(context.Background(), l.action(card, p.ID), amount, false)
	if err != nil {
		l.t.Fatalf("earn on %d: %v", amount, err)
	}
	return out
}

func TestPointsEarnSpendVoid(t *testing.T) {
	t.Parallel()
	l := newLedgerShop(t, "points@example.com")
	ctx := context.Background()
	beans := l.pointsProgram()
	if beans.Kind != db.ProgramPoints || beans.StampsRequired != 0 {
		t.Fatalf("saved points program: %+v", beans)
	}

	out := l.earn(l.card, beans, 12_90) // 12.90: 12 points
	if out.Points != 12 {
		t.Errorf("12.90 gave %d points, want 12", out.Points)
	}
	var amount, points, stamps int
	var kind string
	if err := l.raw.QueryRowContext(ctx, `SELECT kind, amount, points, stamps FROM events WHERE id = ?`, out.EventID).Scan(&kind, &amount, &points, &stamps); err != nil {
		t.Fatal(err)
	}
	if kind != "stamp" || amount != 1290 || points != 12 || stamps != 1 {
		t.Errorf("the purchase's ledger row: %s, amount %d, points %d, stamps %d; want a visit of 1290 giving 12", kind, amount, points, stamps)
	}
	l.earn(l.card, beans, 150_00)
	// A purchase is a visit wherever visits count (segments, the dashboard).
	var visits int
	if err := l.raw.QueryRowContext(ctx, `SELECT visits FROM card_stats WHERE card_id = ?`, l.card.ID).Scan(&visits); err != nil || visits != 1 {
		t.Errorf("two purchases on one day made %d visits (%v), want 1", visits, err)
	}
	if b := l.balance(l.card, beans); b.Points != 162 || b.Stamps != 0 {
		t.Errorf("after 12.90 and 150.00: %d points, %d stamps; want 162 and none", b.Points, b.Stamps)
	}

	// A partial redemption spends the reward's price and leaves the rest.
	spent, err := l.s.SpendPoints(ctx, l.action(l.card, beans.ID), beans.RewardPoints)
	if err != nil || spent.Points != -100 {
		t.Fatalf("spend 100: %+v, %v", spent, err)
	}
	if b := l.balance(l.card, beans); b.Points != 62 || b.PointsSpent != 100 || b.Redeemed != 1 {
		t.Errorf("after spending 100: %+v", b)
	}
	// Undo voids the redemption: the points come back exactly.
	if _, err := l.s.Undo(ctx, l.undoAction(l.card), spent.EventID); err != nil {
		t.Fatal(err)
	}
	if b := l.balance(l.card, beans); b.Points != 162 || b.PointsSpent != 0 || b.Redeemed != 0 {
		t.Errorf("after undoing the redemption: %+v", b)
	}
	if _, err := l.s.SpendPoints(ctx, l.action(l.card, beans.ID), beans.RewardPoints); err != nil {
		t.Fatal(err)
	}
	// Never below zero: the store refuses and changes nothing.
	if _, err := l.s.SpendPoints(ctx, l.action(l.card, beans.ID), beans.RewardPoints); !errors.Is(err, loyalty.ErrNotEnoughPoints) {
		t.Errorf("spending 100 of 62: %v, want ErrNotEnoughPoints", err)
	}
	if b := l.balance(l.card, beans); b.Points != 62 {
		t.Errorf("a refused redemption changed the balance to %d", b.Points)
	}
	// And a purchase undone takes its points back.
	last := l.earn(l.card, beans, 40_00)
	if _, err := l.s.Undo(ctx, l.undoAction(l.card), last.EventID); err != nil {
		t.Fatal(err)
	}
	if b := l.balance(l.card, beans); b.Points != 62 {
		t.Errorf("after undoing a purchase of 40: %d points, want 62", b.Points)
	}

	// A correction carries its reason, and never goes below zero.
	adj, err := l.s.AdjustPoints(ctx, l.action(l.card, beans.ID), -500, "double-counted receipt")
	if err != nil || adj.Points != -62 {
		t.Fatalf("adjust -500 of 62: %+v, %v", adj, err)
	}
	if _, err := l.s.AdjustPoints(ctx, l.action(l.card, beans.ID), 5, " "); !errors.Is(err, loyalty.ErrAdjustReason) {
		t.Errorf("a correction without a reason: %v", err)
	}
	st, err := l.s.CardState(ctx, l.shopID, l.card.ID, l.now)
	if err != nil {
		t.Fatal(err)
	}
	if e := st.Ledger[0]; e.Kind != loyalty.KindAdjust || e.Points != -62 || e.Note != "double-counted receipt" {
		t.Errorf("the correction in the ledger: %+v", e)
	}
	l.checkRebuild()
}

func TestPointsRefusals(t *testing.T) {
	t.Parallel()
	l := newLedgerShop(t, "points-refused@example.com")
	ctx := context.Background()
	beans := l.pointsProgram()
	// Another shop in the same database, with its own card and program.
	otherShop, otherUser, otherCard, _ := shop(t, l.s, "points-other@example.com")
	otherAction := db.Action{ShopID: otherShop, CardID: otherCard.ID, ProgramID: beans.ID, UserID: otherUser, Key: "other", Now: l.now}
	cases := []struct {
		name string
		do   func() error
		want func(error) bool
	}{
		{"no amount", func() error { _, err := l.s.EarnPoints(ctx, l.action(l.card, beans.ID), 0, false); return err }, is(loyalty.ErrPointsAmount)},
		{"a negative amount", func() error { _, err := l.s.EarnPoints(ctx, l.action(l.card, beans.ID), -100, false); return err }, is(loyalty.ErrPointsAmount)},
		{"a huge amount", func() error {
			_, err := l.s.EarnPoints(ctx, l.action(l.card, beans.ID), loyalty.MaxAmount+1, false)
			return err
		}, is(loyalty.ErrPointsAmount)},
		{"more points than a visit may give", func() error {
			_, err := l.s.EarnPoints(ctx, l.action(l.card, beans.ID), 2000_00, false)
			return err
		}, func(err error) bool { var e *loyalty.TooManyPointsError; return errors.As(err, &e) }},
		{"stamps on a points program", func() error { _, err := l.s.Stamp(ctx, l.action(l.card, beans.ID), 1, false); return err }, is(loyalty.ErrStampCount)},
		{"points on a stamps program", func() error { _, err := l.s.EarnPoints(ctx, l.action(l.card, l.program.ID), 1000, false); return err }, is(loyalty.ErrNotPoints)},
		{"spending on a stamps program", func() error { _, err := l.s.SpendPoints(ctx, l.action(l.card, l.program.ID), 1); return err }, is(loyalty.ErrNotPoints)},
		{"another shop's program", func() error { _, err := l.s.EarnPoints(ctx, otherAction, 1000, false); return err }, is(db.ErrNotFound)},
		{"another shop's card", func() error { _, err := l.s.EarnPoints(ctx, l.action(otherCard, beans.ID), 1000, false); return err }, is(db.ErrNotFound)},
	}
	for _, c := range cases {
		if err := c.do(); !c.want(err) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if b := l.balance(l.card, beans); b.Points != 0 {
		t.Errorf("refused purchases gave %d points", b.Points)
	}

	// A replayed form gives nothing twice.
	a := l.action(l.card, beans.ID)
	if _, err := l.s.EarnPoints(ctx, a, 10_00, false); err != nil {
		t.Fatal(err)
	}
	var replay *db.ReplayedError
	if _, err := l.s.EarnPoints(ctx, a, 10_00, false); !errors.As(err, &replay) {
		t.Errorf("the same key again: %v, want a replay", err)
	}
	if b := l.balance(l.card, beans); b.Points != 10 {
		t.Errorf("after a replayed purchase of 10: %d points", b.Points)
	}
	l.checkRebuild()
}

func is(target error) func(error) bool { return func(err error) bool { return errors.Is(err, target) } }

// Two cashiers spend the same points at once: the balance covers one reward,
// exactly one of them gets it.
func TestTwoRedemptionsOfTheSamePoints(t *testing.T) {
	t.Parallel()
	l := newLedgerShop(t, "points-race@example.com")
	ctx := context.Background()
	beans := l.pointsProgram()
	l.earn(l.card, beans, 150_00)
	for round := range 5 {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		actions := []db.Action{l.action(l.card, beans.ID), l.action(l.card, beans.ID)}
		for i := range 2 {
			wg.Go(func() { _, errs[i] = l.s.SpendPoints(ctx, actions[i], beans.RewardPoints) })
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, loyalty.ErrNotEnoughPoints):
				t.Fatal(err)
			}
		}
		if ok != 1 {
			t.Fatalf("round %d: %d of two redemptions of the same 100 points succeeded (%v)", round, ok, errs)
		}
		if b := l.balance(l.card, beans); b.Points != 50 {
			t.Fatalf("round %d: %d points left, want 50", round, b.Points)
		}
		l.earn(l.card, beans, 100_00) // back to 150 for the next round
	}
	l.checkRebuild()
}

// Changing a points program's rules is a new version: purchases before it
// keep what they gave, those after follow the new rules, and a rebuild agrees.
func TestPointsRuleVersions(t *testing.T) {
	t.Parallel()
	l := newLedgerShop(t, "points-rules@example.com")
	ctx := context.Background()
	beans := l.pointsProgram()
	rich := l.enroll("rich")
	l.earn(l.card, beans, 80_00)
	l.earn(rich, beans, 120_00)

	cheaper := beans
	cheaper.RewardPoints = 75
	effect, err := l.s.RuleChange(ctx, cheaper, l.now)
	if err != nil {
		t.Fatal(err)
	}
	if effect != (db.RuleChangeEffect{RewardsNow: 1}) {
		t.Errorf("preview of a price 100 → 75: %+v, want one card that can have the reward now", effect)
	}
	dearer := beans
	dearer.RewardPoints = 200
	if effect, err = l.s.RuleChange(ctx, dearer, l.now); err != nil || effect != (db.RuleChangeEffect{FurtherAway: 2}) {
		t.Errorf("preview of a price 100 → 200: %+v (%v), want two cards further away", effect, err)
	}

	doubled := beans
	doubled.PointsPerUnit, doubled.PointsRounding, doubled.Kind = 2, loyalty.RoundNearest, db.ProgramStamps // the kind stays
	l.save(doubled)
	l.earn(l.card, beans, 10_50)
	if b := l.balance(l.card, beans); b.Points != 80+22 {
		t.Errorf("80 under 1 a unit, then 10.50 under 2 a unit to the nearest: %d points, want 102", b.Points)
	}
	saved, err := l.s.Program(ctx, l.shopID, beans.ID)
	if err != nil || !saved.IsPoints() {
		t.Errorf("the program after saving: %+v (%v)", saved, err)
	}
	var versions int
	if err := l.raw.QueryRowContext(ctx, `SELECT count(*) FROM program_rules WHERE program_id = ? AND kind = 'points'`, beans.ID).Scan(&versions); err != nil || versions != 2 {
		t.Errorf("%d points rules versions (%v), want 2", versions, err)
	}
	l.checkRebuild()
}

package db_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"regulars/db"
	"regulars/loyalty"
)

// ladder gives l's shop Bronze at 2 visits, Silver at 4 (×1.5), Gold at 6
// (×2) over 30 days, with grace days.
func (l *ledgerShop) ladder(grace int) loyalty.Ladder {
	l.t.Helper()
	ctx := context.Background()
	lad := loyalty.Ladder{Measure: loyalty.TierByVisits, PeriodDays: 30, GraceDays: grace, Tiers: []loyalty.Tier{
		{Name: "Bronze", Threshold: 2, Percent: 100}, {Name: "Silver", Threshold: 4, Percent: 150}, {Name: "Gold", Threshold: 6, Percent: 200},
	}}
	kept, err := l.s.Ladder(ctx, l.shopID)
	if err != nil {
		l.t.Fatal(err)
	}
	if err := l.s.SetLadder(ctx, l.shopID, lad, kept.Version, l.userID, l.now); err != nil {
		l.t.Fatal(err)
	}
	return lad
}

func (l *ledgerShop) tierOf(card db.Card) int {
	l.t.Helper()
	var rank int
	if err := l.raw.QueryRow(`SELECT tier FROM cards WHERE id = ?`, card.ID).Scan(&rank); err != nil {
		l.t.Fatal(err)
	}
	return rank
}

// TestTierUpWithVisitsVoidAndGrace: visits raise the card at once, each
// change recorded; an undo of the visit that raised it takes it back; a
// card below its tier keeps it through the grace, then the daily pass
// drops it; the rebuild finds the kept tiers right.
func TestTierUpWithVisitsVoidAndGrace(t *testing.T) {
	t.Parallel()
	l := newLedgerShop(t, "tiers@example.com")
	ctx := context.Background()
	l.stamp(l.card, l.program, 1)
	if got := l.tierOf(l.card); got != 0 {
		t.Fatalf("a card stamped before the shop had tiers is in tier %d", got)
	}
	l.ladder(3)
	l.stamp(l.card, l.program, 1) // 2 visits: Bronze
	if got := l.tierOf(l.card); got != 1 {
		t.Fatalf("2 visits: tier %d, want Bronze", got)
	}
	l.stamp(l.card, l.program, 1)
	out := l.stamp(l.card, l.program, 1) // 4: Silver
	if got := l.tierOf(l.card); got != 2 {
		t.Fatalf("4 visits: tier %d, want Silver", got)
	}
	// The cashier's slip: the undo of the visit that raised the card.
	a := l.undoAction(l.card)
	if _, err := l.s.Undo(ctx, a, out.EventID); err != nil {
		t.Fatal(err)
	}
	if got := l.tierOf(l.card); got != 1 {
		t.Fatalf("after the undo of the visit that reached Silver: tier %d, want Bronze", got)
	}
	l.stamp(l.card, l.program, 1)
	if got := l.tierOf(l.card); got != 2 {
		t.Fatalf("Silver again: tier %d", got)
	}
	changes, err := l.s.TierChanges(ctx, l.shopID, l.card.ID)
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	for _, c := range changes {
		seen = append(seen, c.FromName+">"+c.ToName+":"+c.Reason)
	}
	if want := "Bronze>Silver:earn,Silver>Bronze:void,Bronze>Silver:earn,>Bronze:earn"; strings.Join(seen, ",") != want {
		t.Errorf("tier changes %s, want %s", strings.Join(seen, ","), want)
	}
	l.checkRebuild()
	if n, err := l.s.RebuildTiers(ctx, l.shopID, l.now); err != nil || n != 0 {
		t.Errorf("the rebuild of the tiers changed %d cards (%v), want none", n, err)
	}

	// 31 days on, the visits have left the period: the grace starts, the
	// card keeps Silver for 3 days, then drops to none.
	later := l.now.Add(31 * 24 * time.Hour)
	if n, err := l.s.JudgeTiers(ctx, l.shopID, later); err != nil || n != 0 {
		t.Fatalf("the first pass below the tier changed %d cards (%v), want the grace", n, err)
	}
	if n, err := l.s.JudgeTiers(ctx, l.shopID, later.Add(2*24*time.Hour)); err != nil || n != 0 || l.tierOf(l.card) != 2 {
		t.Fatalf("in the grace: changed %d (%v), tier %d", n, err, l.tierOf(l.card))
	}
	if n, err := l.s.JudgeTiers(ctx, l.shopID, later.Add(3*24*time.Hour)); err != nil || n != 1 || l.tierOf(l.card) != 0 {
		t.Fatalf("after the grace: changed %d (%v), tier %d, want none", n, err, l.tierOf(l.card))
	}
	if changes, _ = l.s.TierChanges(ctx, l.shopID, l.card.ID); changes[0].Reason != "grace" || changes[0].To != 0 {
		t.Errorf("the downgrade was recorded as %+v", changes[0])
	}
}

// TestTierMultiplierOnPoints: a Silver card's purchase gives ×1.5 on top of
// the program's points, kept on its event so that the rebuild agrees.
func TestTierMultiplierOnPoints(t *testing.T) {
	t.Parallel()
	l := newLedgerShop(t, "tierpoints@example.com")
	beans := l.pointsProgram() // 1 point a unit
	l.ladder(0)
	for range 3 {
		l.earn(l.card, beans, 10_00) // 10 points each, Bronze from the 2nd
	}
	out := l.earn(l.card, beans, 10_00) // the 4th reaches Silver: given at Bronze's ×1
	if out.Points != 10 || out.TierPercent != 100 {
		t.Errorf("the purchase that reached Silver: %+v", out)
	}
	out = l.earn(l.card, beans, 10_00)
	if out.Points != 15 || out.TierPercent != 150 {
		t.Errorf("a Silver purchase of 10.00: %d points at %d%%, want 15 at 150", out.Points, out.TierPercent)
	}
	if got := l.balance(l.card, beans).Points; got != 55 {
		t.Errorf("balance %d, want 55", got)
	}
	// An undo re-folds the program's history from the ledger: the Silver
	// purchase keeps its ×1.5.
	spent, err := l.s.SpendPoints(context.Background(), l.action(l.card, beans.ID), 5)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.s.Undo(context.Background(), l.undoAction(l.card), spent.EventID); err != nil {
		t.Fatal(err)
	}
	if got := l.balance(l.card, beans).Points; got != 55 {
		t.Errorf("balance after the undo %d, want 55", got)
	}
	l.checkRebuild()
}

// TestLadderBadInput: the store refuses a ladder whose thresholds do not
// rise, and a save from a stale form; an emptied ladder drops every card.
func TestLadderBadInput(t *testing.T) {
	t.Parallel()
	l := newLedgerShop(t, "ladder@example.com")
	ctx := context.Background()
	lad := l.ladder(0)
	bad := lad
	bad.Tiers = []loyalty.Tier{{Name: "A", Threshold: 5, Percent: 100}, {Name: "B", Threshold: 5, Percent: 100}}
	kept, _ := l.s.Ladder(ctx, l.shopID)
	if err := l.s.SetLadder(ctx, l.shopID, bad, kept.Version, l.userID, l.now); !errors.Is(err, loyalty.ErrTierThreshold) {
		t.Errorf("equal thresholds: %v", err)
	}
	if err := l.s.SetLadder(ctx, l.shopID, lad, kept.Version-1, l.userID, l.now); !errors.Is(err, db.ErrLadderChanged) {
		t.Errorf("a stale form: %v, want ErrLadderChanged", err)
	}
	l.stamp(l.card, l.program, 1)
	l.stamp(l.card, l.program, 1)
	if l.tierOf(l.card) != 1 {
		t.Fatal("no Bronze")
	}
	if err := l.s.SetLadder(ctx, l.shopID, loyalty.Ladder{}, kept.Version, l.userID, l.now); err != nil {
		t.Fatal(err)
	}
	if l.tierOf(l.card) != 0 {
		t.Error("the card kept a tier the shop removed")
	}
	if kept, _ = l.s.Ladder(ctx, l.shopID); len(kept.Tiers) != 0 || kept.Version != 0 {
		t.Errorf("an emptied ladder reads %+v", kept)
	}
}

// TestTierReachedMessage: a move up queues "you reached Silver" to a card
// with an address and the service consent of e-mail, once per move; a card
// without the consent gets nothing; a move down tells nobody.
func TestTierReachedMessage(t *testing.T) {
	t.Parallel()
	l := newLedgerShop(t, "tiermail@example.com")
	quiet := l.enroll("quiet-card")
	if _, err := l.raw.Exec(`UPDATE cards SET email = 'fan@example.com' WHERE id IN (?, ?)`, l.card.ID, quiet.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := l.raw.Exec(`INSERT INTO consents (shop_id, card_id, channel, purpose, granted, source, created_at) VALUES (?, ?, 'email', 'service', 1, 'card', 0)`,
		l.shopID, l.card.ID); err != nil {
		t.Fatal(err)
	}
	l.ladder(0)
	for range 4 {
		l.stamp(l.card, l.program, 1)
		l.stamp(quiet, l.program, 1)
	}
	rows, err := l.raw.Query(`SELECT card_id, json_extract(payload, '$.tier') FROM outbox WHERE template = ? ORDER BY id`, db.MessageTierReached)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var card int64
		var tier string
		if err := rows.Scan(&card, &tier); err != nil {
			t.Fatal(err)
		}
		if card != l.card.ID {
			t.Errorf("a card without the service consent was told it reached %s", tier)
		}
		got = append(got, tier)
	}
	if strings.Join(got, ",") != "Bronze,Silver" {
		t.Errorf("messages queued for %v, want Bronze then Silver", got)
	}
}

package db_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"

	"regulars/db"
	"regulars/loyalty"
)

// cashback turns on l's shop's cashback.
func (l *ledgerShop) cashback(c loyalty.Cashback) {
	l.t.Helper()
	if err := l.s.SetCashback(context.Background(), l.shopID, c, l.userID, l.now); err != nil {
		l.t.Fatal(err)
	}
}

func (l *ledgerShop) credit(card db.Card) int {
	l.t.Helper()
	st, err := l.s.CardState(context.Background(), l.shopID, card.ID, l.now)
	if err != nil {
		l.t.Fatal(err)
	}
	return st.Credit
}

func TestCreditEarnSpendUndo(t *testing.T) {
	t.Parallel()
	l := newLedgerShop(t, "credit@example.com")
	ctx := context.Background()

	// Without cashback a purchase earns nothing and writes nothing.
	if _, err := l.s.EarnCredit(ctx, l.action(l.card, 0), 10_00); !errors.Is(err, loyalty.ErrNoCashback) {
		t.Fatalf("a purchase without cashback: %v, want ErrNoCashback", err)
	}
	l.cashback(loyalty.Cashback{Rate: 500, Min: 5_00}) // 5% from 5.00
	if _, err := l.s.EarnCredit(ctx, l.action(l.card, 0), 4_99); !errors.Is(err, loyalty.ErrNoCashback) {
		t.Errorf("a purchase below the minimum: %v, want ErrNoCashback", err)
	}
	for _, amount := range []int{0, -5, loyalty.MaxAmount + 1} {
		if _, err := l.s.EarnCredit(ctx, l.action(l.card, 0), amount); !errors.Is(err, loyalty.ErrCreditAmount) {
			t.Errorf("a purchase of %d: %v, want ErrCreditAmount", amount, err)
		}
	}
	out, err := l.s.EarnCredit(ctx, l.action(l.card, 0), 12_59)
	if err != nil || out.Credit != 62 { // 62.95 rounded down
		t.Fatalf("12.59 at 5%%: %+v, %v; want 0.62", out, err)
	}
	var kind string
	var amount, credit, stamps int
	if err := l.raw.QueryRowContext(ctx, `SELECT kind, amount, credit, stamps FROM events WHERE id = ?`, out.EventID).Scan(&kind, &amount, &credit, &stamps); err != nil {
		t.Fatal(err)
	}
	if kind != "stamp" || amount != 12_59 || credit != 62 || stamps != 0 {
		t.Errorf("the purchase's ledger row: %s, amount %d, credit %d, stamps %d", kind, amount, credit, stamps)
	}
	if _, err := l.s.EarnCredit(ctx, l.action(l.card, 0), 100_00); err != nil {
		t.Fatal(err)
	}
	if got := l.credit(l.card); got != 5_62 {
		t.Fatalf("after 12.59 and 100.00 at 5%%: %d, want 5.62", got)
	}

	// A replayed form changes nothing.
	a := l.action(l.card, 0)
	if _, err := l.s.SpendCredit(ctx, a, 1_00); err != nil {
		t.Fatal(err)
	}
	var replay *db.ReplayedError
	if _, err := l.s.SpendCredit(ctx, a, 1_00); !errors.As(err, &replay) {
		t.Errorf("the same spend again: %v, want a replay", err)
	}
	if got := l.credit(l.card); got != 4_62 {
		t.Fatalf("after spending 1.00 (twice the same form): %d, want 4.62", got)
	}
	// Never below zero; nothing or a negative is no spend.
	for _, n := range []int{4_63, 0, -1} {
		if _, err := l.s.SpendCredit(ctx, l.action(l.card, 0), n); err == nil {
			t.Errorf("spending %d of 4.62 was allowed", n)
		}
	}
	// Another shop's cashier cannot touch the card.
	other := newLedgerShop(t, "credit-other@example.com")
	foreign := other.action(l.card, 0)
	if _, err := other.s.SpendCredit(ctx, foreign, 1); err == nil {
		t.Error("a spend on another shop's card was allowed")
	}

	// Undo of a spend gives back exactly what it took; of a purchase, takes
	// back exactly what it gave.
	spent, err := l.s.SpendCredit(ctx, l.action(l.card, 0), 2_50)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.s.Undo(ctx, l.undoAction(l.card), spent.EventID); err != nil {
		t.Fatal(err)
	}
	if got := l.credit(l.card); got != 4_62 {
		t.Errorf("after undoing a spend of 2.50: %d, want 4.62", got)
	}
	earned, err := l.s.EarnCredit(ctx, l.action(l.card, 0), 20_00)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.s.Undo(ctx, l.undoAction(l.card), earned.EventID); err != nil {
		t.Fatal(err)
	}
	if got := l.credit(l.card); got != 4_62 {
		t.Errorf("after undoing a purchase of 20.00: %d, want 4.62", got)
	}
	l.checkRebuild()

	// What the shop owes: the credit its cards hold.
	if owed, err := l.s.CreditLiability(ctx, l.shopID); err != nil || owed != (db.Liability{Credit: 4_62, Cards: 1}) {
		t.Errorf("liability: %+v, %v; want 4.62 on one card", owed, err)
	}
}

// A points purchase earns the shop's cashback in the same event, and its
// undo takes both back.
func TestCreditWithPoints(t *testing.T) {
	t.Parallel()
	l := newLedgerShop(t, "credit-points@example.com")
	ctx := context.Background()
	beans := l.pointsProgram()
	l.cashback(loyalty.Cashback{Rate: 250}) // 2.5%
	out := l.earn(l.card, beans, 40_00)
	var credit int
	if err := l.raw.QueryRowContext(ctx, `SELECT credit FROM events WHERE id = ?`, out.EventID).Scan(&credit); err != nil || credit != 1_00 {
		t.Fatalf("the points purchase's credit: %d (%v), want 1.00", credit, err)
	}
	if got := l.credit(l.card); got != 1_00 {
		t.Fatalf("credit after a points purchase of 40.00 at 2.5%%: %d, want 1.00", got)
	}
	if _, err := l.s.Undo(ctx, l.undoAction(l.card), out.EventID); err != nil {
		t.Fatal(err)
	}
	if got, b := l.credit(l.card), l.balance(l.card, beans); got != 0 || b.Points != 0 {
		t.Errorf("after undoing the purchase: credit %d, points %d; want none", got, b.Points)
	}
	l.checkRebuild()
}

// Two cashiers spend the same credit at once: exactly one succeeds.
func TestTwoSpendsOfTheSameCredit(t *testing.T) {
	t.Parallel()
	l := newLedgerShop(t, "credit-race@example.com")
	ctx := context.Background()
	l.cashback(loyalty.Cashback{Rate: 5000})
	if _, err := l.s.EarnCredit(ctx, l.action(l.card, 0), 20_00); err != nil { // 10.00 of credit
		t.Fatal(err)
	}
	for round := range 5 {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		actions := []db.Action{l.action(l.card, 0), l.action(l.card, 0)}
		for i := range 2 {
			wg.Go(func() { _, errs[i] = l.s.SpendCredit(ctx, actions[i], 7_00) })
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, loyalty.ErrNotEnoughCredit):
				t.Fatal(err)
			}
		}
		if ok != 1 {
			t.Fatalf("round %d: %d of two spends of 7.00 from 10.00 succeeded (%v)", round, ok, errs)
		}
		if got := l.credit(l.card); got != 3_00 {
			t.Fatalf("round %d: %d left, want 3.00", round, got)
		}
		if _, err := l.s.EarnCredit(ctx, l.action(l.card, 0), 14_00); err != nil { // back to 10.00
			t.Fatal(err)
		}
	}
	l.checkRebuild()
}

// Random purchases (with and without points), spends, undos and rate
// changes: the kept credit always equals the fold of the ledger, and the
// rebuild finds nothing to correct. A kept row changed behind the ledger's
// back is found and corrected.
func TestCreditKeptEqualsRebuilt(t *testing.T) {
	t.Parallel()
	l := newLedgerShop(t, "credit-fold@example.com")
	ctx := context.Background()
	beans := l.pointsProgram()
	cards := []db.Card{l.card, l.enroll("second")}
	r := rand.New(rand.NewPCG(27, 19))
	var lastCard db.Card
	var lastID int64
	undone := 0
	for range 120 {
		card := cards[r.IntN(len(cards))]
		var id int64
		var err error
		switch r.IntN(6) {
		case 0:
			l.cashback(loyalty.Cashback{Rate: 50 + r.IntN(4951), Min: r.IntN(3) * 5_00})
			continue
		case 1, 2:
			var out db.CreditOutcome
			out, err = l.s.EarnCredit(ctx, l.action(card, 0), 1+r.IntN(200_00))
			id = out.EventID
		case 3:
			var out db.PointsOutcome
			out, err = l.s.EarnPoints(ctx, l.action(card, beans.ID), 1_00+r.IntN(200_00), false)
			id = out.EventID
		case 4:
			var out db.CreditOutcome
			out, err = l.s.SpendCredit(ctx, l.action(card, 0), 1+r.IntN(max(1, l.credit(card))))
			id = out.EventID
		case 5:
			// Undo the newest action, within undo's reach (a minute after it).
			if lastID != 0 {
				if _, err := l.s.Undo(ctx, l.undoAction(lastCard), lastID); err != nil {
					t.Fatal(err)
				}
				undone++
				lastID = 0
			}
			continue
		}
		switch {
		case err == nil:
			lastCard, lastID = card, id
		case errors.Is(err, loyalty.ErrNoCashback), errors.Is(err, loyalty.ErrNotEnoughCredit), errors.Is(err, loyalty.ErrPointsNone):
			lastID = 0 // the refused action's hour put the last one out of undo's reach
		default:
			lastID = 0
			var tooMany *loyalty.TooManyPointsError
			if !errors.As(err, &tooMany) {
				t.Fatal(err)
			}
		}
		if l.credit(card) < 0 {
			t.Fatal("credit below zero")
		}
	}
	if undone < 5 {
		t.Fatalf("only %d undos: the test exercised too little", undone)
	}
	l.checkRebuild()

	// A kept row that drifted from the ledger is found and put right.
	if _, err := l.raw.ExecContext(ctx, `UPDATE card_credit SET credit = credit + 1 WHERE card_id = ?`, l.card.ID); err != nil {
		t.Fatal(err)
	}
	want := l.credit(l.card) - 1
	if n, err := l.s.RebuildBalances(ctx, l.shopID); err != nil || n != 1 {
		t.Errorf("rebuild after a drift: %d corrected (%v), want 1", n, err)
	}
	if got := l.credit(l.card); got != want {
		t.Errorf("after the rebuild: %d, want %d", got, want)
	}
}

func TestSetCashbackRefusesOutOfRange(t *testing.T) {
	t.Parallel()
	l := newLedgerShop(t, "credit-rate@example.com")
	for _, c := range []loyalty.Cashback{{Rate: 49}, {Rate: 5001}, {Rate: 100, Min: -1}} {
		if err := l.s.SetCashback(context.Background(), l.shopID, c, l.userID, l.now); !errors.Is(err, loyalty.ErrCashbackRate) {
			t.Errorf("cashback %+v: %v, want ErrCashbackRate", c, err)
		}
	}
	if err := l.s.SetCashback(context.Background(), 999_999, loyalty.Cashback{Rate: 100}, l.userID, l.now); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("another shop's cashback: %v, want ErrNotFound", err)
	}
}

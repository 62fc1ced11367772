package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"regulars/loyalty"
)

// Store credit (cashback). A purchase keyed at the counter earns the shop's
// cashback: with a points program's purchase, in its event (insertFolded);
// in a shop without one, as a purchase event of its own (EarnCredit). A
// spend is a redemption event with the credit it took (SpendCredit). Each
// writes its signed change in the event's credit column and folds it into
// the card's kept row in card_credit in the same transaction; a void re-folds
// the card's credit from the ledger (refoldCredit), and a rebuild does the
// same for every card (rebuildCredit).

// CreditOutcome is what a credit action did: its ledger event and the credit
// it added (+) or spent (-).
type CreditOutcome struct {
	Outcome
	Credit int
}

// SetCashback saves the shop's cashback rule (loyalty.Cashback.Check), on
// behalf of userID. It applies to purchases from now on: credit already
// earned stays as it was written.
func (s *Store) SetCashback(ctx context.Context, shopID int64, c loyalty.Cashback, userID int64, now time.Time) error {
	if err := c.Check(); err != nil {
		return fmt.Errorf("cashback of shop %d: %w", shopID, err)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE shops SET cashback_bp = ?, cashback_min = ? WHERE id = ?`, c.Rate, c.Min, shopID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(err, ErrNotFound)
		}
		return recordAudit(ctx, tx, shopID, userID, AuditSettings, fmt.Sprintf("cashback %d bp from %d", c.Rate, c.Min), now)
	})
	if err != nil {
		return fmt.Errorf("cashback of shop %d: %w", shopID, err)
	}
	return nil
}

// EarnCredit records a purchase of amount (minor units) on the card that
// earns the shop's cashback, in a shop whose counter keys amounts for credit
// alone (no points program). It refuses loyalty.ErrCreditAmount for an
// amount out of range and loyalty.ErrNoCashback when the purchase earns
// nothing (cashback off, below the minimum). The purchase is not a visit
// (the stamp, if any, is the cashier's other tap): it changes no stamps.
func (s *Store) EarnCredit(ctx context.Context, a Action, amount int) (CreditOutcome, error) {
	var out CreditOutcome
	if amount < 1 || amount > loyalty.MaxAmount {
		return out, fmt.Errorf("earn credit on card %d: %w", a.CardID, loyalty.ErrCreditAmount)
	}
	err := s.creditAct(ctx, a, func(ctx context.Context, tx *sql.Tx, a Action, held int) error {
		credit := a.clock.cashback.For(amount)
		if credit <= 0 {
			return loyalty.ErrNoCashback
		}
		out.Credit = credit
		var err error
		out.EventID, err = insertCredit(ctx, tx, a, newEvent{kind: loyalty.KindStamp, amount: amount, credit: credit}, held)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("earn credit on card %d: %w", a.CardID, err)
	}
	return out, nil
}

// SpendCredit takes amount (minor units) off the card's store credit as money
// off a purchase, never below zero: of two cashiers spending the same credit
// at once, the second gets loyalty.ErrNotEnoughCredit (the counter's actions
// are serialised: the second reads the first's balance).
func (s *Store) SpendCredit(ctx context.Context, a Action, amount int) (CreditOutcome, error) {
	var out CreditOutcome
	err := s.creditAct(ctx, a, func(ctx context.Context, tx *sql.Tx, a Action, held int) error {
		if err := loyalty.CheckCreditSpend(held, amount); err != nil {
			return err
		}
		out.Credit = -amount
		var err error
		out.EventID, err = insertCredit(ctx, tx, a, newEvent{kind: loyalty.KindRedeem, credit: -amount}, held)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("spend %d credit of card %d: %w", amount, a.CardID, err)
	}
	return out, nil
}

// creditAct is act for a credit action, which names no program: in a
// transaction of the counter's, after checking the key was not used and that
// the card belongs to the shop, with the card's kept credit and the shop's clock.
func (s *Store) creditAct(ctx context.Context, a Action, fn func(ctx context.Context, tx *sql.Tx, a Action, held int) error) error {
	return s.inBatch(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var earlier sql.NullInt64
		var inShop bool
		var held int
		err := tx.QueryRowContext(ctx, `SELECT (SELECT id FROM events WHERE shop_id = ?1 AND idempotency_key = ?2),
			EXISTS (SELECT 1 FROM cards WHERE id = ?3 AND shop_id = ?1 AND erased_at IS NULL),
			coalesce((SELECT credit FROM card_credit WHERE card_id = ?3), 0)`,
			a.ShopID, nullString(a.Key), a.CardID).Scan(&earlier, &inShop, &held)
		switch {
		case err != nil:
			return fmt.Errorf("card %d: %w", a.CardID, err)
		case earlier.Valid:
			return &ReplayedError{ID: earlier.Int64}
		case !inShop:
			return ErrNotFound
		}
		clock, err := remembered(&s.cache, func(c *readCache) *memo[int64, shopClock] { return &c.clocks }, a.ShopID,
			func() (shopClock, error) { return loadShopClock(ctx, tx, a.ShopID) })
		if err != nil {
			return err
		}
		a.clock = &clock
		return fn(ctx, tx, a, held)
	})
}

// insertCredit writes a credit event of no program and folds its change into
// the card's kept credit held.
func insertCredit(ctx context.Context, tx *sql.Tx, a Action, ev newEvent, held int) (int64, error) {
	id, err := insertRow(ctx, tx, a, ev, 0)
	if err != nil {
		return 0, err
	}
	if err := saveCredit(ctx, tx, a.ShopID, a.CardID, loyalty.AddCredit(held, ev.credit)); err != nil {
		return 0, err
	}
	return id, afterInsert(ctx, tx, a, ev, 0, false)
}

// purchaseCashback is the credit a points purchase of amount earns under the
// shop's cashback.
func purchaseCashback(ctx context.Context, tx *sql.Tx, a Action, amount int) (int, error) {
	clock := a.clock
	if clock == nil {
		c, err := loadShopClock(ctx, tx, a.ShopID)
		if err != nil {
			return 0, err
		}
		clock = &c
	}
	return clock.cashback.For(amount), nil
}

// addCredit folds a change of credit into the card's kept credit.
func addCredit(ctx context.Context, tx *sql.Tx, a Action, change int) error {
	if change == 0 {
		return nil
	}
	held, err := cardCredit(ctx, tx, a.CardID)
	if err != nil {
		return err
	}
	return saveCredit(ctx, tx, a.ShopID, a.CardID, loyalty.AddCredit(held, change))
}

// cardCredit is the store credit the card holds, in minor units.
func cardCredit(ctx context.Context, q querier, cardID int64) (int, error) {
	var held int
	err := q.QueryRowContext(ctx, `SELECT credit FROM card_credit WHERE card_id = ?`, cardID).Scan(&held)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("credit of card %d: %w", cardID, err)
	}
	return held, nil
}

func saveCredit(ctx context.Context, tx *sql.Tx, shopID, cardID int64, held int) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO card_credit (card_id, shop_id, credit) VALUES (?, ?, ?)
		ON CONFLICT (card_id) DO UPDATE SET credit = excluded.credit`, cardID, shopID, held)
	if err != nil {
		return fmt.Errorf("credit of card %d: %w", cardID, err)
	}
	return nil
}

// creditEvents reads the card's credit events in ledger order.
func creditEvents(ctx context.Context, q querier, shopID, cardID int64) ([]loyalty.CreditEvent, error) {
	return collect(ctx, q, func(r scanner) (loyalty.CreditEvent, error) {
		var e loyalty.CreditEvent
		return e, r.Scan(&e.Credit, &e.Voided)
	}, `SELECT e.credit, EXISTS (SELECT 1 FROM events v WHERE v.void_of = e.id) FROM events e
		WHERE e.card_id = ? AND e.credit <> 0 AND e.shop_id = ? ORDER BY e.id`, cardID, shopID)
}

// refoldCredit recomputes the card's kept credit from its ledger.
func refoldCredit(ctx context.Context, tx *sql.Tx, shopID, cardID int64) error {
	es, err := creditEvents(ctx, tx, shopID, cardID)
	if err != nil {
		return fmt.Errorf("credit ledger of card %d: %w", cardID, err)
	}
	return saveCredit(ctx, tx, shopID, cardID, loyalty.FoldCredit(es))
}

// rebuildCredit recomputes the kept credit of every card of the shop from the
// ledger and returns how many rows it found different and corrected.
func rebuildCredit(ctx context.Context, tx *sql.Tx, shopID int64) (int, error) {
	kept := map[int64]int{}
	rows, err := collect(ctx, tx, func(r scanner) ([2]int64, error) {
		var row [2]int64
		return row, r.Scan(&row[0], &row[1])
	}, `SELECT card_id, credit FROM card_credit WHERE shop_id = ?`, shopID)
	if err != nil {
		return 0, fmt.Errorf("kept credit of shop %d: %w", shopID, err)
	}
	for _, r := range rows {
		kept[r[0]] = int(r[1])
	}
	cards, err := collect(ctx, tx, func(r scanner) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	}, `SELECT DISTINCT card_id FROM events WHERE shop_id = ? AND credit <> 0`, shopID)
	if err != nil {
		return 0, fmt.Errorf("credit cards of shop %d: %w", shopID, err)
	}
	changed := 0
	for _, id := range cards {
		es, err := creditEvents(ctx, tx, shopID, id)
		if err != nil {
			return 0, err
		}
		held, ok := kept[id]
		delete(kept, id)
		if want := loyalty.FoldCredit(es); !ok || held != want {
			changed++
			if err := saveCredit(ctx, tx, shopID, id, want); err != nil {
				return 0, err
			}
		}
	}
	for id, held := range kept { // a kept row with no ledger behind it
		if held != 0 {
			changed++
			if err := saveCredit(ctx, tx, shopID, id, 0); err != nil {
				return 0, err
			}
		}
	}
	return changed, nil
}

// Liability is what a shop owes its customers in store credit: the credit
// they hold, in minor units, and how many cards hold some.
type Liability struct {
	Credit int
	Cards  int
}

// CreditLiability sums the store credit the shop's cards hold. An erased
// card's credit is not owed any more: nobody can show the card (its link
// changed, the counter never finds it), so nobody can spend it.
func (s *Store) CreditLiability(ctx context.Context, shopID int64) (Liability, error) {
	return creditLiability(ctx, s.r, shopID)
}

func creditLiability(ctx context.Context, q querier, shopID int64) (Liability, error) {
	var l Liability
	err := q.QueryRowContext(ctx, `SELECT coalesce(sum(k.credit), 0), count(*) FROM card_credit k JOIN cards c ON c.id = k.card_id
		WHERE k.shop_id = ? AND k.credit > 0 AND c.erased_at IS NULL`, shopID).
		Scan(&l.Credit, &l.Cards)
	if err != nil {
		return l, fmt.Errorf("credit liability of shop %d: %w", shopID, err)
	}
	return l, nil
}

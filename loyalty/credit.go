package loyalty

import "errors"

// Store credit ("cashback"): a shop may credit a share of what a customer
// spends as money in its currency, which the customer spends at the counter
// as money off. Credit is kept in minor units per card (not per program) and
// every change is a ledger event that carries it (Event.Credit in the store:
// + earned by a purchase, - spent); a balance is the fold of those events.

// Cashback is a shop's cashback rule: Rate in basis points of the amount
// spent (100 = 1%; 0 = off), for a purchase of at least Min minor units.
type Cashback struct {
	Rate int
	Min  int
}

// Limits of the cashback rate, in basis points: 0.5% to 50%.
const (
	MinCashbackRate = 50
	MaxCashbackRate = 5000
)

// Errors of store credit; handlers show them in plain words.
var (
	// ErrCashbackRate: a rate outside 0.5%–50% (and not 0, off).
	ErrCashbackRate = errors.New("cashback rate out of range")
	// ErrCreditAmount: an amount to earn on or to spend that is not a
	// positive amount of at most MaxAmount.
	ErrCreditAmount = errors.New("credit amount out of range")
	// ErrNoCashback: a purchase keyed for cashback in a shop without it, or
	// one that earns nothing (below the minimum, or under one minor unit).
	ErrNoCashback = errors.New("the purchase earns no cashback")
	// ErrNotEnoughCredit: the card holds less credit than the amount to spend.
	ErrNotEnoughCredit = errors.New("not enough store credit")
)

// On reports whether the shop gives cashback.
func (c Cashback) On() bool { return c.Rate > 0 }

// Check refuses a rule a shop may not set.
func (c Cashback) Check() error {
	if c.Rate != 0 && (c.Rate < MinCashbackRate || c.Rate > MaxCashbackRate) || c.Min < 0 || c.Min > MaxAmount {
		return ErrCashbackRate
	}
	return nil
}

// For is the credit a purchase of amount (minor units) earns: the rate's
// share rounded down to a whole minor unit, so the shop never gives more
// than it promised; nothing below the minimum purchase or with cashback off.
func (c Cashback) For(amount int) int {
	if !c.On() || amount <= 0 || amount < c.Min {
		return 0
	}
	return amount * c.Rate / 10_000
}

// CheckCreditSpend decides whether amount (minor units) may be spent from a
// balance of held: a positive amount, never more than is held.
func CheckCreditSpend(held, amount int) error {
	switch {
	case amount < 1 || amount > MaxAmount:
		return ErrCreditAmount
	case amount > held:
		return ErrNotEnoughCredit
	}
	return nil
}

// CreditEvent is one ledger event that changed a card's credit.
type CreditEvent struct {
	Credit int  // + earned, - spent, as written
	Voided bool // a void cancelled it
}

// AddCredit is a balance after one more event's change: never below zero.
func AddCredit(held, change int) int {
	return max(0, held+change)
}

// FoldCredit is a card's credit after its events, in ledger order: the voided
// ones count for nothing, so an undo returns exactly what the event changed.
func FoldCredit(events []CreditEvent) int {
	held := 0
	for _, e := range events {
		if !e.Voided {
			held = AddCredit(held, e.Credit)
		}
	}
	return held
}

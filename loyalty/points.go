package loyalty

import (
	"errors"
	"fmt"
	"time"
)

// Points programs. A points program gives points for a purchase (per visit,
// per whole unit of money spent, or both) and the customer spends them on the
// reward, whose price is in points. A purchase is a ledger event of kind
// KindStamp with the amount paid (Event.Amount, in minor units); the points
// it gives follow from the amount and the rules in force for it (PointsFor),
// so that a rebuild judges each purchase as the counter did. Redemptions and
// corrections carry their points (Event.Points, signed).

// Rounding says how an amount becomes whole units of money.
type Rounding string

const (
	// RoundDown counts whole units only: 12.90 is 12.
	RoundDown Rounding = "down"
	// RoundNearest counts to the nearest unit, a half up: 12.50 is 13.
	RoundNearest Rounding = "nearest"
)

// MinorPerUnit is how many minor units make one unit of money: the shop's
// currencies are kept with two decimals (locale.Tr.Money, ParseAmount).
const MinorPerUnit = 100

// Limits of a points program's settings.
const (
	MaxPointsPerVisit = 10_000
	MaxPointsPerUnit  = 1_000
	MaxRewardPoints   = 1_000_000
	// MaxPointsEarned bounds a program's max points per visit: with the
	// largest amount and rate a purchase gives at most this, so no sum of
	// points in a balance overflows.
	MaxPointsEarned = 1_000_000
)

// Errors of the points at the counter; handlers show them in plain words.
var (
	// ErrPointsAmount: the program counts money and no amount (or one too
	// large) was given.
	ErrPointsAmount = errors.New("amount out of range")
	// ErrPointsNone: the purchase would give no points (an amount below one unit).
	ErrPointsNone = errors.New("the purchase gives no points")
	// ErrNotEnoughPoints: the balance does not cover the points to spend.
	ErrNotEnoughPoints = errors.New("not enough points")
	// ErrNotPoints: a points action on a stamps program, or the reverse.
	ErrNotPoints = errors.New("not a points program")
)

// TooManyPointsError refuses a purchase that would give more points than the
// program allows in one visit: most likely a mistyped amount.
type TooManyPointsError struct {
	Points, Max int
}

func (e *TooManyPointsError) Error() string {
	return fmt.Sprintf("%d points is more than the %d one visit may give", e.Points, e.Max)
}

// Units is amount (minor units) in whole units of money under the rounding.
func (r Rounding) Units(amount int) int {
	if r == RoundNearest {
		return (amount + MinorPerUnit/2) / MinorPerUnit
	}
	return amount / MinorPerUnit
}

// PointsFor is what a purchase of amount (minor units, ≥ 0) gives under r.
func PointsFor(r Rules, amount int) int {
	if !r.Points || amount < 0 {
		return 0
	}
	return r.PointsPerVisit + r.PointsRounding.Units(amount)*r.PointsPerUnit
}

// CheckEarn decides whether a purchase of amount may give its points now:
// a program that counts money needs an amount, one that counts visits only
// ignores it; the points stay within the program's per-visit limit; the
// cooldown is a stamp's (CheckStamp), and the cashier may override it.
func CheckEarn(r Rules, b Balance, amount int, now time.Time, override bool) (int, error) {
	if !r.Points {
		return 0, ErrNotPoints
	}
	if amount < 0 || amount > MaxAmount || r.PointsPerUnit > 0 && amount == 0 {
		return 0, ErrPointsAmount
	}
	points := PointsFor(r, amount)
	switch {
	case points <= 0:
		return 0, ErrPointsNone
	case r.MaxPerVisit > 0 && points > r.MaxPerVisit:
		return 0, &TooManyPointsError{Points: points, Max: r.MaxPerVisit}
	}
	// The cooldown between purchases is the stamps' rule.
	if err := CheckStamp(Rules{MaxPerVisit: 1, Cooldown: r.Cooldown}, b, 1, now, override); err != nil {
		return 0, err
	}
	return points, nil
}

// CheckSpend decides whether points (> 0) may be spent from b: never below zero.
func CheckSpend(r Rules, b Balance, points int) error {
	switch {
	case !r.Points:
		return ErrNotPoints
	case points < 1 || points > b.Points:
		return ErrNotEnoughPoints
	}
	return nil
}

// applyPoints folds one event of a points program; it earns no rewards:
// the reward is bought with points when the customer wants it.
func (s *State) applyPoints(r Rules, e Event) {
	switch e.Kind {
	case KindStamp:
		s.LastStampAt = e.At // the cooldown is between purchases
		p := PointsFor(r, e.Amount)
		s.Points += p
		s.PointsEarned += p
	case KindAdjust, KindBonus:
		if e.Points > 0 {
			s.PointsEarned += e.Points
		}
		s.Points = max(0, s.Points+e.Points)
	case KindRedeem:
		// A redemption was refused unless the balance covered it; after an
		// undo re-folds the history it takes at most what is there.
		spent := min(s.Points, max(0, -e.Points))
		s.Points -= spent
		s.PointsSpent += spent
		s.Redeemed++
	}
}

package loyalty

import (
	"errors"
	"fmt"
	"slices"
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

// basePoints is what a purchase of amount (minor units, ≥ 0) gives under r
// before any multiplier: what the per-visit limit is checked against.
func basePoints(r Rules, amount int) int {
	if !r.Points || amount < 0 {
		return 0
	}
	return r.PointsPerVisit + r.PointsRounding.Units(amount)*r.PointsPerUnit
}

// PointsFor is what a purchase of amount (minor units, ≥ 0) made at gives
// under r: its points times the multiplier in force at that moment.
func PointsFor(r Rules, amount int, at time.Time) int {
	return basePoints(r, amount) * r.MultiplierAt(at)
}

// Window is a multiplier's weekly window: the days (bit 1<<time.Weekday,
// Sunday is bit 0) and the minutes of the day from From up to To (From <
// To: a window ends before midnight), read in Zone (nil: UTC). The zone is
// the shop's when the rules were saved, kept with them, so that a purchase
// is judged the same at the counter and in every rebuild.
type Window struct {
	Days     int
	From, To int
	Zone     *time.Location
}

// Limits of a multiplier.
const (
	MaxMultiplier = 10
	AllDays       = 1<<7 - 1
	MinutesPerDay = 24 * 60
)

// Contains reports whether t falls in the window.
func (w Window) Contains(t time.Time) bool {
	if w.Zone != nil {
		t = t.In(w.Zone)
	} else {
		t = t.UTC()
	}
	m := t.Hour()*60 + t.Minute()
	return w.Days&(1<<t.Weekday()) != 0 && m >= w.From && m < w.To
}

// MultiplierAt is the multiplier of a purchase made at t: the program's in
// its window, 1 outside it or without one.
func (r Rules) MultiplierAt(t time.Time) int {
	if r.Multiplier > 1 && r.Window.Contains(t) {
		return r.Multiplier
	}
	return 1
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
	// The per-visit limit catches a mistyped amount: it is checked before
	// the multiplier, so that a busy ×2 hour does not refuse ordinary
	// purchases.
	points := basePoints(r, amount)
	switch {
	case points <= 0:
		return 0, ErrPointsNone
	case r.MaxPerVisit > 0 && points > r.MaxPerVisit:
		return 0, &TooManyPointsError{Points: points, Max: r.MaxPerVisit}
	}
	points *= r.MultiplierAt(now)
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
// the reward is bought with points when the customer wants it. The points
// due to expire by the event's time go first; each earning is a lot with
// its own expiry (the rules' of its time), spending takes the oldest points
// first and a correction down takes the newest, as for stamps.
func (s *State) applyPoints(r Rules, e Event) {
	s.expirePoints(e.At)
	switch e.Kind {
	case KindStamp:
		s.LastStampAt = e.At // the cooldown is between purchases
		s.earnPoints(r, TierPoints(PointsFor(r, e.Amount, e.At), e.TierPercent), e.At)
	case KindAdjust, KindBonus:
		if e.Points > 0 {
			s.earnPoints(r, e.Points, e.At)
			return
		}
		took := min(s.Points, -e.Points)
		s.PointLots = removeNewest(s.PointLots, took)
		s.Points -= took
	case KindRedeem:
		// A redemption was refused unless the balance covered it; after an
		// undo re-folds the history it takes at most what is there.
		spent := min(s.Points, max(0, -e.Points))
		s.PointLots = removeOldest(s.PointLots, spent)
		s.Points -= spent
		s.PointsSpent += spent
		s.Redeemed++
	}
}

// earnPoints adds n points given at as a lot, merged with the newest lot
// when they expire together (without expiry a card keeps one lot).
func (s *State) earnPoints(r Rules, n int, at time.Time) {
	if n <= 0 {
		return
	}
	s.Points += n
	s.PointsEarned += n
	lot := Lot{N: n}
	if r.PointsExpiry > 0 {
		lot.ExpiresAt = at.Add(r.PointsExpiry)
	}
	if k := len(s.PointLots); k > 0 && s.PointLots[k-1].ExpiresAt.Equal(lot.ExpiresAt) {
		s.PointLots[k-1].N += n
		return
	}
	s.PointLots = append(s.PointLots, lot)
}

// expirePoints removes the lots whose time has come by t. A lot keeps the
// expiry it was given with: a change of the rules never reaches it.
func (s *State) expirePoints(t time.Time) {
	due := func(l Lot) bool { return !l.ExpiresAt.IsZero() && !t.Before(l.ExpiresAt) }
	if !slices.ContainsFunc(s.PointLots, due) {
		return
	}
	var kept []Lot
	for _, l := range s.PointLots {
		if due(l) {
			s.PointsExpired += l.N
			s.Points -= l.N
			continue
		}
		kept = append(kept, l)
	}
	s.PointLots = kept
}

// NextPointsExpiry is the first day (in loc) on which some of the points
// held expire, and how many expire that day; zero and 0 when none will.
func (b Balance) NextPointsExpiry(loc *time.Location) (time.Time, int) {
	var first time.Time
	for _, l := range b.PointLots {
		if !l.ExpiresAt.IsZero() && (first.IsZero() || l.ExpiresAt.Before(first)) {
			first = l.ExpiresAt
		}
	}
	if first.IsZero() {
		return first, 0
	}
	y, m, d := first.In(loc).Date()
	n := 0
	for _, l := range b.PointLots {
		if ly, lm, ld := l.ExpiresAt.In(loc).Date(); !l.ExpiresAt.IsZero() && ly == y && lm == m && ld == d {
			n += l.N
		}
	}
	return first, n
}

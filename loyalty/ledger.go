// Package loyalty holds the rules of the punch-card program as plain functions:
// balances are folded from the append-only ledger, one event at a time
// (State.Apply) or a whole history (FoldVersions), and the store keeps the fold.
package loyalty

import (
	"errors"
	"fmt"
	"time"
)

// Kind is the kind of a ledger event.
type Kind string

const (
	// KindStamp adds Stamps (negative for an owner's correction).
	KindStamp Kind = "stamp"
	// KindRedeem consumes the reward numbered RewardSeq.
	KindRedeem Kind = "redeem"
	// KindVoid cancels the event VoidOf; history is never deleted.
	KindVoid Kind = "void"
	// KindCoupon redeems a coupon of a campaign.
	KindCoupon Kind = "coupon"
	// KindPrize hands a raffle winner their prize.
	KindPrize Kind = "prize"
	// KindAdjust is an owner's correction of Stamps (either sign), with a reason.
	KindAdjust Kind = "adjust"
	// KindBonus gives Stamps the shop grants without a purchase (welcome, referral).
	KindBonus Kind = "bonus"
)

// IsVisit reports whether a non-voided e makes its day a visit: a purchase was
// stamped. Adjustments and bonuses change a balance without anyone coming in.
func (e Event) IsVisit() bool {
	return e.Kind == KindStamp && e.Stamps > 0
}

// UndoWindow is how long a cashier can undo their last action.
const UndoWindow = 5 * time.Minute

// Rules are the parts of a program that decide balances.
type Rules struct {
	StampsRequired int
	MaxPerVisit    int
	Cooldown       time.Duration
	StampExpiry    time.Duration // 0: stamps never expire
	RewardExpiry   time.Duration // 0: rewards never expire
	// Points makes the program a points program (points.go): a purchase gives
	// PointsPerVisit plus PointsPerUnit for each whole unit of money spent,
	// rounded by PointsRounding, at most MaxPerVisit; the reward costs
	// RewardPoints. Stamps and their expiries play no part in it.
	Points         bool
	PointsPerVisit int
	PointsPerUnit  int
	PointsRounding Rounding
	RewardPoints   int
	// PointsExpiry is how long after it was given a point expires (0:
	// never); a multiplier (Multiplier > 1) multiplies a purchase's points
	// in its window (points.go, Window), read in the zone it names.
	PointsExpiry time.Duration
	Multiplier   int
	Window       Window
}

// Event is one ledger entry of one card in one program, as the fold needs it.
type Event struct {
	ID        int64
	Kind      Kind
	At        time.Time
	Stamps    int
	RewardSeq int
	VoidOf    int64
	// Amount is what a purchase in a points program cost, in minor units;
	// Points is the signed change of a redemption or correction of points.
	Amount int
	Points int
	// TierPercent is the tier multiplier a purchase was given with (0 or
	// 100: none), kept with the event (tiers.go).
	TierPercent int
}

// Reward is an earned reward; Seq numbers a card's rewards in a program from 1.
type Reward struct {
	Seq       int
	EarnedAt  time.Time
	ExpiresAt time.Time // zero: never
}

// Balance is what a card holds in one program at a moment.
type Balance struct {
	Stamps         int
	Available      []Reward // oldest first
	Earned         int
	Redeemed       int
	ExpiredStamps  int
	ExpiredRewards int
	LastStampAt    time.Time // zero when the card was never stamped
	NextExpiry     time.Time // when the next stamps expire; zero: never
	// In a points program: the points held, and all ever given and spent.
	Points       int
	PointsEarned int
	PointsSpent  int
	// PointsExpired counts the points gone by expiry; PointLots are the
	// points held, oldest first, each with its expiry (zero: never).
	PointsExpired int
	PointLots     []Lot
}

// Fold replays events (in ledger order) under one set of rules and returns
// the balance at now: FoldVersions for a program whose rules never changed.
func Fold(r Rules, events []Event, now time.Time) Balance {
	s, _ := FoldVersions([]RuleVersion{{Rules: r}}, events)
	return s.At(now)
}

// Voided lists the events that a void in events cancels.
func Voided(events []Event) map[int64]bool {
	voided := make(map[int64]bool)
	for _, e := range events {
		if e.Kind == KindVoid {
			voided[e.VoidOf] = true
		}
	}
	return voided
}

func removeOldest(lots []Lot, n int) []Lot {
	for n > 0 && len(lots) > 0 {
		if lots[0].N > n {
			lots[0].N -= n
			return lots
		}
		n -= lots[0].N
		lots = lots[1:]
	}
	return lots
}

func removeNewest(lots []Lot, n int) []Lot {
	for n > 0 && len(lots) > 0 {
		last := len(lots) - 1
		if lots[last].N > n {
			lots[last].N -= n
			return lots
		}
		n -= lots[last].N
		lots = lots[:last]
	}
	return lots
}

// Errors a cashier's action can meet; handlers show them in plain words.
var (
	ErrStampCount        = errors.New("stamp count out of range")
	ErrRewardUnavailable = errors.New("reward not available")
	ErrNothingToUndo     = errors.New("nothing to undo")
)

// CooldownError refuses a stamp given too soon after the previous one.
type CooldownError struct {
	Left time.Duration
}

func (e *CooldownError) Error() string {
	return fmt.Sprintf("in cooldown for another %s", e.Left)
}

// CheckStamp decides whether n stamps may be added now. The cooldown protects
// against a card being stamped twice for one purchase; the cashier may override it.
// A last stamp dated after now (written while the clock ran ahead) counts as
// given now: the wait is never longer than one cooldown, and the cashier's
// "stamp anyway" makes the next stamp the last one.
func CheckStamp(r Rules, b Balance, n int, now time.Time, override bool) error {
	if n < 1 || n > r.MaxPerVisit {
		return ErrStampCount
	}
	if override || r.Cooldown <= 0 || b.LastStampAt.IsZero() {
		return nil
	}
	if left := min(b.LastStampAt.Add(r.Cooldown).Sub(now), r.Cooldown); left > 0 {
		return &CooldownError{Left: left}
	}
	return nil
}

// CheckRedeem decides whether reward seq can be redeemed. Redeem forms name the
// reward they were rendered for, so two cashiers on the same reward cannot both win.
func CheckRedeem(b Balance, seq int) error {
	for _, rw := range b.Available {
		if rw.Seq == seq {
			return nil
		}
	}
	return ErrRewardUnavailable
}

// CanUndo reports whether e may still be voided at now: within UndoWindow
// of it either way, so that an event dated in the future (written while the
// clock ran ahead) is not undoable for as long as the clock was ahead.
func CanUndo(e Event, now time.Time) bool {
	return e.Kind != KindVoid && now.Sub(e.At).Abs() <= UndoWindow
}

// Limits of a program's settings, shared by validation and the forms.
const (
	MaxStampsRequired = 100
	MaxStampsPerVisit = 100
	MaxCooldown       = 24 * time.Hour
	MaxExpiry         = 10 * 365 * 24 * time.Hour
)

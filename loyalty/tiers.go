package loyalty

import (
	"errors"
	"time"
	"unicode/utf8"
)

// Tiers ("premium conditions"): a shop's ladder of steps, e.g. Bronze,
// Silver, Gold, reached by a measure over a trailing period — the visits,
// or the points purchases gave — with a points multiplier each. A customer
// moves up the moment the measure reaches a step; a customer whose measure
// falls below the step held keeps it for the grace period, then drops to
// the step the measure supports. A card's tier is kept (db/tiers.go),
// judged by these rules in the transaction of each visit and by a daily pass.

// TierMeasure is what a ladder counts over its period.
type TierMeasure string

const (
	// TierByVisits counts visits: stamp events (a purchase in a points
	// program is one too), whatever their number of stamps.
	TierByVisits TierMeasure = "visits"
	// TierByPoints counts the points purchases gave, multipliers included.
	TierByPoints TierMeasure = "points"
)

// Limits of a ladder.
const (
	MaxTiers         = 10
	MaxTierName      = 40
	MaxTierPeriod    = 3660 // days: ten years
	MaxTierGrace     = 366  // days
	MaxTierPercent   = 1000 // ×10
	MaxTierThreshold = 1_000_000_000
)

// Tier is one step of a ladder. Percent multiplies a purchase's points:
// 100 is none, 125 is ×1.25.
type Tier struct {
	Name      string
	Threshold int
	Percent   int
}

// Ladder is a shop's tiers, lowest first; ranks count from 1 (0: no tier).
type Ladder struct {
	Measure    TierMeasure
	PeriodDays int
	GraceDays  int
	Tiers      []Tier
}

// Errors of a ladder the owner sets.
var (
	ErrTierMeasure    = errors.New("tier measure is visits or points")
	ErrTierPeriod     = errors.New("tier period out of range")
	ErrTierGrace      = errors.New("tier grace out of range")
	ErrTierCount      = errors.New("too many tiers")
	ErrTierName       = errors.New("tier name missing or too long")
	ErrTierThreshold  = errors.New("tier thresholds must rise from one step to the next")
	ErrTierPercent    = errors.New("tier multiplier out of range")
	ErrTierNotReached = errors.New("the card is not in the tier this needs")
)

// Check refuses a ladder the counter could not apply. An empty ladder is
// valid: the shop has no tiers.
func (l Ladder) Check() error {
	if len(l.Tiers) == 0 {
		return nil
	}
	switch {
	case l.Measure != TierByVisits && l.Measure != TierByPoints:
		return ErrTierMeasure
	case l.PeriodDays < 1 || l.PeriodDays > MaxTierPeriod:
		return ErrTierPeriod
	case l.GraceDays < 0 || l.GraceDays > MaxTierGrace:
		return ErrTierGrace
	case len(l.Tiers) > MaxTiers:
		return ErrTierCount
	}
	for i, t := range l.Tiers {
		switch {
		case t.Name == "" || utf8.RuneCountInString(t.Name) > MaxTierName:
			return ErrTierName
		case t.Threshold < 1 || t.Threshold > MaxTierThreshold || i > 0 && t.Threshold <= l.Tiers[i-1].Threshold:
			return ErrTierThreshold
		case t.Percent < 100 || t.Percent > MaxTierPercent:
			return ErrTierPercent
		}
	}
	return nil
}

// Period is the trailing period the measure is counted over.
func (l Ladder) Period() time.Duration {
	return time.Duration(l.PeriodDays) * 24 * time.Hour
}

// RankFor is the highest step whose threshold the measure reaches (0: none).
func (l Ladder) RankFor(measure int) int {
	rank := 0
	for i, t := range l.Tiers {
		if measure >= t.Threshold {
			rank = i + 1
		}
	}
	return rank
}

// Tier is the step of rank (1-based); false for 0 or a rank the ladder no
// longer has.
func (l Ladder) Tier(rank int) (Tier, bool) {
	if rank < 1 || rank > len(l.Tiers) {
		return Tier{}, false
	}
	return l.Tiers[rank-1], true
}

// Percent is the multiplier of a card of rank, in percent (100: none).
func (l Ladder) Percent(rank int) int {
	if t, ok := l.Tier(rank); ok {
		return t.Percent
	}
	return 100
}

// ToNext is the next step above rank and how much more of the measure it
// needs: "3 more visits to Gold". ok is false at the top.
func (l Ladder) ToNext(rank, measure int) (next Tier, more int, ok bool) {
	if rank < 0 || rank >= len(l.Tiers) {
		return Tier{}, 0, false
	}
	next = l.Tiers[rank]
	return next, max(1, next.Threshold-measure), true
}

// TierState is a card's kept tier: its rank, and since when its measure is
// below that rank's threshold (zero: it is not).
type TierState struct {
	Rank       int
	BelowSince time.Time
}

// Judge is the card's tier at now with measure: up at once to the step the
// measure reaches; below the step held, the grace starts (or goes on), and
// once it has run out the card drops to the step the measure supports.
// Ranks above the ladder's top (the owner removed steps) drop at once.
func (l Ladder) Judge(st TierState, measure int, now time.Time) TierState {
	target := l.RankFor(measure)
	switch {
	case target >= st.Rank:
		return TierState{Rank: target}
	case st.Rank > len(l.Tiers):
		return TierState{Rank: target}
	case st.BelowSince.IsZero():
		st.BelowSince = now
		if l.GraceDays == 0 {
			return TierState{Rank: target}
		}
		return st
	case !now.Before(st.BelowSince.Add(time.Duration(l.GraceDays) * 24 * time.Hour)):
		return TierState{Rank: target}
	}
	return st
}

// TierPoints multiplies a purchase's points by a tier's percent, rounded
// down to whole points; 0 (no tier) and 100 leave them as they are. The
// tier's multiplier applies after the program's own (the day and hour
// window): a ×1.5 Gold customer in a ×2 hour gets ×3.
func TierPoints(points, percent int) int {
	if percent <= 100 {
		return points
	}
	return points * percent / 100
}

// CheckTier refuses a card of rank something open to minTier and above
// only (0: open to everyone).
func CheckTier(minTier, rank int) error {
	if minTier > 0 && rank < minTier {
		return ErrTierNotReached
	}
	return nil
}

package loyalty

import (
	"slices"
	"time"
)

// KindRules is written on a card when a program's new rules earn it rewards at
// the moment they are saved: lowering the target from 10 stamps to 8 gives a
// reward to a card that holds 8.
const KindRules Kind = "rules"

// RuleVersion is a program's rules in force for the ledger events whose id is
// greater than AfterEvent, up to the next version. Versions are kept by event
// id rather than by time, so that an event and a change saved in the same
// second are ordered exactly as they were written.
type RuleVersion struct {
	AfterEvent int64
	Rules
}

// RulesFor returns the rules in force for the event id among versions, which
// are in ascending AfterEvent order; the first version judges events before it.
func RulesFor(versions []RuleVersion, id int64) Rules {
	if len(versions) == 0 {
		return Rules{}
	}
	r := versions[0].Rules
	for _, v := range versions[1:] {
		if id <= v.AfterEvent {
			break
		}
		r = v.Rules
	}
	return r
}

// Lot is stamps given together and the moment they expire (zero: never),
// fixed by the rules in force when they were given.
type Lot struct {
	N         int
	ExpiresAt time.Time
}

// State is a card's fold in one program after its last event: what the store
// keeps per card and program, so that a stamp folds one event instead of the
// card's whole history. Expiries due since the last event are applied by At.
type State struct {
	Stamps         int // always the sum of Lots
	Lots           []Lot
	Available      []Reward // oldest first
	Earned         int
	Redeemed       int
	ExpiredStamps  int
	ExpiredRewards int
	LastStampAt    time.Time // the last purchase stamped; zero: never
	// In a points program (Rules.Points): the points held, and all ever
	// given and spent.
	Points       int
	PointsEarned int
	PointsSpent  int
	// PointLots are the points held (their sum), oldest first, each with
	// its expiry; PointsExpired counts those gone by it.
	PointLots     []Lot
	PointsExpired int
}

// Apply folds one event, judged by the rules r in force for it, and returns
// how many rewards it earned. Voids are not applied: undoing an event re-folds
// the history without it (FoldVersions), which keeps an undo exact.
func (s *State) Apply(r Rules, e Event) int {
	// A state's slices may be shared with a copy of it (a balance shown, the
	// state before): change only slices of its own.
	s.Lots, s.Available, s.PointLots = slices.Clone(s.Lots), slices.Clone(s.Available), slices.Clone(s.PointLots)
	if r.Points {
		s.applyPoints(r, e)
		return 0
	}
	s.expire(e.At)
	switch e.Kind {
	case KindStamp, KindAdjust, KindBonus:
		if e.Stamps > 0 {
			if e.Kind == KindStamp {
				s.LastStampAt = e.At // the cooldown is between purchases
			}
			lot := Lot{N: e.Stamps}
			if r.StampExpiry > 0 {
				lot.ExpiresAt = e.At.Add(r.StampExpiry)
			}
			s.addLot(lot)
			s.Stamps += e.Stamps
		} else {
			s.Lots = removeNewest(s.Lots, -e.Stamps)
			s.Stamps = max(0, s.Stamps+e.Stamps)
		}
		return s.earn(r, e.At)
	case KindRules:
		return s.earn(r, e.At)
	case KindRedeem:
		for i, rw := range s.Available {
			if rw.Seq == e.RewardSeq {
				s.Available = slices.Delete(s.Available, i, i+1)
				s.Redeemed++
				break
			}
		}
	}
	return 0
}

// addLot appends a lot, merged with the newest one when they expire together:
// without stamp expiry a card keeps one lot, whatever its history.
func (s *State) addLot(l Lot) {
	if n := len(s.Lots); n > 0 && s.Lots[n-1].ExpiresAt.Equal(l.ExpiresAt) {
		s.Lots[n-1].N += l.N
		return
	}
	s.Lots = append(s.Lots, l)
}

// earn turns stamps into rewards while the card holds enough for the target.
// Stamps beyond the target carry over; the oldest stamps are used first.
func (s *State) earn(r Rules, at time.Time) int {
	n := 0
	for r.StampsRequired > 0 && s.Stamps >= r.StampsRequired {
		s.Lots = removeOldest(s.Lots, r.StampsRequired)
		s.Stamps -= r.StampsRequired
		s.Earned++
		rw := Reward{Seq: s.Earned, EarnedAt: at}
		if r.RewardExpiry > 0 {
			rw.ExpiresAt = at.Add(r.RewardExpiry)
		}
		s.Available = append(s.Available, rw)
		n++
	}
	return n
}

// expire removes the stamps and rewards whose time has come by t. Each lot
// and reward carries its own moment, so a change of the expiry rules never
// reaches stamps or rewards already given.
func (s *State) expire(t time.Time) {
	due := func(at time.Time) bool { return !at.IsZero() && !t.Before(at) }
	if slices.ContainsFunc(s.Lots, func(l Lot) bool { return due(l.ExpiresAt) }) {
		var kept []Lot
		for _, l := range s.Lots {
			if due(l.ExpiresAt) {
				s.ExpiredStamps += l.N
				s.Stamps -= l.N
				continue
			}
			kept = append(kept, l)
		}
		s.Lots = kept
	}
	if slices.ContainsFunc(s.Available, func(rw Reward) bool { return due(rw.ExpiresAt) }) {
		var kept []Reward
		for _, rw := range s.Available {
			if due(rw.ExpiresAt) {
				s.ExpiredRewards++
				continue
			}
			kept = append(kept, rw)
		}
		s.Available = kept
	}
}

// At is the balance the state shows at now, after the expiries due by then.
func (s State) At(now time.Time) Balance {
	s.expire(now)
	s.expirePoints(now)
	b := Balance{
		Stamps: s.Stamps, Available: s.Available, Earned: s.Earned, Redeemed: s.Redeemed,
		ExpiredStamps: s.ExpiredStamps, ExpiredRewards: s.ExpiredRewards, LastStampAt: s.LastStampAt,
		Points: s.Points, PointsEarned: s.PointsEarned, PointsSpent: s.PointsSpent,
		PointsExpired: s.PointsExpired, PointLots: s.PointLots,
	}
	if len(b.Available) == 0 {
		b.Available = nil
	}
	if len(b.PointLots) == 0 {
		b.PointLots = nil
	}
	for _, l := range s.Lots {
		if !l.ExpiresAt.IsZero() && (b.NextExpiry.IsZero() || l.ExpiresAt.Before(b.NextExpiry)) {
			b.NextExpiry = l.ExpiresAt
		}
	}
	return b
}

// FoldVersions replays a card's events in one program (ledger order), each
// judged by the rules version in force for it, and returns the state after
// the last one with how many rewards each event earned (by event id; events
// that earned none are absent). Voided events and the voids are skipped, so
// an undo is exact. It is the rebuild that every kept state must equal.
func FoldVersions(versions []RuleVersion, events []Event) (State, map[int64]int) {
	voided := Voided(events)
	var s State
	earned := map[int64]int{}
	for _, e := range events {
		if e.Kind == KindVoid || voided[e.ID] {
			continue
		}
		if n := s.Apply(RulesFor(versions, e.ID), e); n > 0 {
			earned[e.ID] = n
		}
	}
	return s, earned
}

package loyalty

import (
	"math"
	"slices"
)

// Segment is the one group a card falls in by its visit history, for the owner's
// customer list. A visit is a calendar day, in the shop's time zone, on which the
// card got at least one non-voided stamp: three stamps in one day are one visit.
type Segment string

const (
	// SegmentNone is a card enrolled but never stamped: it has no history to judge,
	// and calling it lapsed would count sign-ups that never happened as lost customers.
	SegmentNone Segment = ""
	// SegmentNew has exactly one visit, within the last 90 days. Pages call
	// it "One visit": a new customer is a first visit (see kpi.go), and
	// someone who came twice this week is new without being in it. The value
	// stays "new" in stored segments, campaigns and URLs.
	SegmentNew Segment = "new"
	// SegmentOccasional is any other card with 2+ visits.
	SegmentOccasional Segment = "occasional"
	// SegmentRegular has 3+ visits in the last 90 days.
	SegmentRegular Segment = "regular"
	// SegmentVIP is in the shop's top decile of visits in the last 365 days.
	SegmentVIP Segment = "vip"
	// SegmentAtRisk is staying away much longer than its own habit.
	SegmentAtRisk Segment = "at_risk"
	// SegmentLapsed has no visit in the last 90 days.
	SegmentLapsed Segment = "lapsed"
)

// Segments lists the segments in display order; SegmentNone is not one of them.
var Segments = []Segment{SegmentNew, SegmentOccasional, SegmentRegular, SegmentVIP, SegmentAtRisk, SegmentLapsed}

// Valid reports whether s is one of Segments, e.g. for a segment filter in a URL.
func (s Segment) Valid() bool {
	return slices.Contains(Segments, s)
}

// The thresholds of Classify. "The last N days" are today and the N-1 days before
// it, so a visit exactly N days ago is outside them.
const (
	// LapsedDays is also the window a regular's visits are counted in.
	LapsedDays    = 90
	regularVisits = 3
	atRiskVisits  = 3  // fewer visits give no habit to judge a silence by
	atRiskMinDays = 14 // a daily customer missing a few days is not at risk
	// VIPDays is the window a VIP's visits are counted in.
	VIPDays      = 365
	vipMinVisits = 2 // one visit is never VIP, however small the shop
	// HabitGaps is how many of a card's last intervals between visits make
	// its usual interval: its habit now, not years ago, judges a silence, and
	// a stamp reads the same few days on a card of any age.
	HabitGaps = 20
)

// VIPThreshold is the smallest visit count in the top decile of counts, the
// visits of each of the shop's cards in the last 365 days (Summary.Visits365).
// Counts of 0 are ignored: the decile is of the cards seen in that period, not of
// every card ever enrolled. Ties at the threshold are all VIP, so more than 10% of
// cards can be. It is at least 2, and math.MaxInt when no card has a visit.
func VIPThreshold(counts []int) int {
	active := slices.DeleteFunc(slices.Clone(counts), func(c int) bool { return c < 1 })
	if len(active) == 0 {
		return math.MaxInt
	}
	slices.Sort(active)
	slices.Reverse(active)
	return max(active[(len(active)+9)/10-1], vipMinVisits)
}

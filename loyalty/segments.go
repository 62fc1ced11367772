package loyalty

import (
	"math"
	"slices"
	"time"
)

// Segment is the one group a card falls in by its visit history, for the owner's
// customer list. A visit is a calendar day, in the shop's time zone, on which the
// card got at least one non-voided stamp: three stamps in one day are one visit.
type Segment string

const (
	// SegmentNone is a card enrolled but never stamped: it has no history to judge,
	// and calling it lapsed would count sign-ups that never happened as lost customers.
	SegmentNone Segment = ""
	// SegmentNew has exactly one visit, within the last 90 days.
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
	lapsedDays    = 90 // also the window a regular's visits are counted in
	regularVisits = 3
	atRiskVisits  = 3  // fewer visits give no habit to judge a silence by
	atRiskMinDays = 14 // a daily customer missing a few days is not at risk
	vipDays       = 365
	vipMinVisits  = 2 // one visit is never VIP, however small the shop
)

// VisitDays turns the times of a card's non-voided stamps into its visit days:
// midnights in loc, sorted ascending, one per calendar day. The day is taken in
// loc, not UTC, so a late-evening stamp counts for the shop's own day.
func VisitDays(stamps []time.Time, loc *time.Location) []time.Time {
	days := make([]time.Time, 0, len(stamps))
	for _, t := range stamps {
		y, m, d := t.In(loc).Date()
		days = append(days, time.Date(y, m, d, 0, 0, 0, 0, loc))
	}
	slices.SortFunc(days, time.Time.Compare)
	return slices.CompactFunc(days, time.Time.Equal)
}

// VisitsSince counts the visit days (sorted ascending) that are not before since.
// Classify's window of the last N days starts at the local midnight N-1 days
// before today's, e.g. time.Date(y, m, d-364, 0, 0, 0, 0, loc) for 365 days.
func VisitsSince(days []time.Time, since time.Time) int {
	i, _ := slices.BinarySearchFunc(days, since, time.Time.Compare)
	return len(days) - i
}

// MedianIntervalDays is the median number of calendar days between consecutive
// visits (the mean of the middle two for an even count); 0 with fewer than 2 visits.
// The median, not the mean, so one long holiday does not redefine a habit.
func MedianIntervalDays(days []time.Time) float64 {
	if len(days) < 2 {
		return 0
	}
	gaps := make([]int, len(days)-1)
	for i := range gaps {
		gaps[i] = dayNumber(days[i+1]) - dayNumber(days[i])
	}
	slices.Sort(gaps)
	mid := len(gaps) / 2
	if len(gaps)%2 == 1 {
		return float64(gaps[mid])
	}
	return float64(gaps[mid-1]+gaps[mid]) / 2
}

// VIPThreshold is the smallest visit count in the top decile of counts, the
// visits of each of the shop's cards in the last 365 days (see VisitsSince).
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

// Classify puts a card with visit days (from VisitDays) in one segment at now,
// given the shop's vipThreshold (from VIPThreshold). The first rule that holds wins:
//
//  1. lapsed: 90 days or more since the last visit;
//  2. at_risk: 3+ visits, and the days since the last one exceed twice the median
//     interval and are at least 14;
//  3. vip: at least vipThreshold (and 2) visits in the last 365 days;
//  4. regular: 3+ visits in the last 90 days;
//  5. new: exactly one visit;
//  6. occasional: the rest.
//
// A card with no visits is SegmentNone. Days are counted as calendar days in the
// zone the visit days carry, and now is read in that zone too, so it may be given
// in any zone.
func Classify(days []time.Time, now time.Time, vipThreshold int) Segment {
	if len(days) == 0 {
		return SegmentNone
	}
	today := now.In(days[0].Location())
	away := dayNumber(today) - dayNumber(days[len(days)-1])
	switch {
	case away >= lapsedDays:
		return SegmentLapsed
	case len(days) >= atRiskVisits && float64(away) > 2*MedianIntervalDays(days) && away >= atRiskMinDays:
		return SegmentAtRisk
	case VisitsSince(days, windowStart(today, vipDays)) >= max(vipThreshold, vipMinVisits):
		return SegmentVIP
	case VisitsSince(days, windowStart(today, lapsedDays)) >= regularVisits:
		return SegmentRegular
	case len(days) == 1:
		return SegmentNew
	}
	return SegmentOccasional
}

// windowStart is the local midnight beginning the last n days up to today.
func windowStart(today time.Time, n int) time.Time {
	y, m, d := today.Date()
	return time.Date(y, m, d-n+1, 0, 0, 0, 0, today.Location())
}

// dayNumber numbers t's calendar date in t's zone. Differences of it count
// calendar days even across a DST change, when a day lasts 23 or 25 hours.
func dayNumber(t time.Time) int {
	y, m, d := t.Date()
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / (24 * 60 * 60))
}

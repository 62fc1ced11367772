package loyalty

import (
	"slices"
	"time"
)

// Day is a card's ledger activity on one calendar day of the shop: the unit the
// dashboard's figures are summed from.
type Day struct {
	Day     int // DayNumber of the local date
	Hour    int // local hour of the day's first stamp, else of its first event
	Visited bool
	// Gap is the number of days since the card's previous visit; 0 for a first
	// visit and for a day without one.
	Gap     int
	Stamps  int // stamped for purchases; adjustments and bonuses are not counted
	Rewards int // rewards earned
	Redeems int // rewards redeemed
}

// ProgramLedger is a card's events in one program and the program's rule
// versions.
type ProgramLedger struct {
	Versions []RuleVersion
	Events   []Event // ledger order
}

// CardDays turns a card's ledgers into its days of activity in loc, ascending.
// Voided events and the voids count for nothing, as in Fold.
func CardDays(ledgers []ProgramLedger, loc *time.Location) []Day {
	byDay := map[int]*Day{}
	first := map[int]time.Time{} // the moment that set a day's Hour
	touch := func(e Event) *Day {
		t := e.At.In(loc)
		n := DayNumber(t)
		d := byDay[n]
		if d == nil {
			d = &Day{Day: n, Hour: t.Hour()}
			byDay[n] = d
			first[n] = t
		}
		// The hour is the first stamp's; the first event's until there is one.
		switch {
		case e.IsVisit() && (!d.Visited || t.Before(first[n])):
			d.Visited = true
			d.Hour, first[n] = t.Hour(), t
		case !d.Visited && t.Before(first[n]):
			d.Hour, first[n] = t.Hour(), t
		}
		return d
	}
	for _, l := range ledgers {
		voided := Voided(l.Events)
		for _, e := range l.Events {
			if e.Kind == KindVoid || voided[e.ID] {
				continue
			}
			d := touch(e)
			switch {
			case e.IsVisit():
				d.Stamps += e.Stamps
			case e.Kind == KindRedeem:
				d.Redeems++
			}
		}
		_, earned := FoldVersions(l.Versions, l.Events)
		for _, e := range l.Events {
			if n := earned[e.ID]; n > 0 {
				touch(e).Rewards += n
			}
		}
	}
	days := make([]Day, 0, len(byDay))
	for _, d := range byDay {
		days = append(days, *d)
	}
	slices.SortFunc(days, func(a, b Day) int { return a.Day - b.Day })
	prev := 0
	for i := range days {
		if days[i].Visited {
			if prev != 0 {
				days[i].Gap = days[i].Day - prev
			}
			prev = days[i].Day
		}
	}
	return days
}

// Summary is what segments are decided by, as of one day: kept per card so
// the whole shop can be classified without reading its ledger.
type Summary struct {
	Visits    int
	FirstDay  int // DayNumber of the first visit; 0 without visits
	LastDay   int // DayNumber of the last visit; 0 without visits
	PrevDay   int // DayNumber of the visit before the last; 0 without one
	MedianGap float64
	Visits90  int // visits in the last 90 days up to today
	Visits365 int // visits in the last 365 days up to today
	Stamps    int
	Rewards   int
	Redeems   int
}

// Summarize sums a card's days (from CardDays) as of today (a DayNumber).
func Summarize(days []Day, today int) Summary {
	var s Summary
	var gaps []int
	for _, d := range days {
		s.Stamps += d.Stamps
		s.Rewards += d.Rewards
		s.Redeems += d.Redeems
		if !d.Visited {
			continue
		}
		s.Visits++
		if s.FirstDay == 0 {
			s.FirstDay = d.Day
		}
		s.PrevDay, s.LastDay = s.LastDay, d.Day
		if d.Gap > 0 {
			gaps = append(gaps, d.Gap)
		}
		if d.Day > today-LapsedDays && d.Day <= today {
			s.Visits90++
		}
		if d.Day > today-VIPDays && d.Day <= today {
			s.Visits365++
		}
	}
	s.MedianGap = Median(gaps[max(0, len(gaps)-HabitGaps):])
	return s
}

// Segment puts the card in one segment on day today (a DayNumber), given the
// shop's vipThreshold (from VIPThreshold). The first rule that holds wins:
//
//  1. lapsed: 90 days or more since the last visit;
//  2. at_risk: 3+ visits, and the days since the last one exceed twice the median
//     interval and are at least 14;
//  3. vip: at least vipThreshold (and 2) visits in the last 365 days;
//  4. regular: 3+ visits in the last 90 days;
//  5. new: exactly one visit;
//  6. occasional: the rest.
//
// A card with no visits is SegmentNone. "The last N days" are today and the N-1
// days before it, so a visit exactly N days ago is outside them.
func (s Summary) Segment(today, vipThreshold int) Segment {
	if s.Visits == 0 {
		return SegmentNone
	}
	away := today - s.LastDay
	switch {
	case away >= LapsedDays:
		return SegmentLapsed
	case s.Visits >= atRiskVisits && float64(away) > 2*s.MedianGap && away >= atRiskMinDays:
		return SegmentAtRisk
	case s.Visits365 >= max(vipThreshold, vipMinVisits):
		return SegmentVIP
	case s.Visits90 >= regularVisits:
		return SegmentRegular
	case s.Visits == 1:
		return SegmentNew
	}
	return SegmentOccasional
}

// DayNumber numbers t's calendar date in t's zone from 1970-01-01. Differences
// of it count calendar days even across a DST change, when a day lasts 23 or 25 hours.
func DayNumber(t time.Time) int {
	y, m, d := t.Date()
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / (24 * 60 * 60))
}

// DayStart is the midnight in loc that begins day n (a DayNumber).
func DayStart(n int, loc *time.Location) time.Time {
	y, m, d := time.Unix(int64(n)*24*60*60, 0).UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// MonthNumber numbers the calendar month of day n: year*12 + month - 1.
func MonthNumber(n int) int {
	y, m, _ := time.Unix(int64(n)*24*60*60, 0).UTC().Date()
	return y*12 + int(m) - 1
}

// Median is the middle of xs (the mean of the two middle ones for an even
// count), 0 for none.
func Median(xs []int) float64 {
	if len(xs) == 0 {
		return 0
	}
	xs = slices.Clone(xs)
	slices.Sort(xs)
	mid := len(xs) / 2
	if len(xs)%2 == 1 {
		return float64(xs[mid])
	}
	return float64(xs[mid-1]+xs[mid]) / 2
}

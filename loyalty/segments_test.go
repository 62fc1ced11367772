package loyalty

import (
	"math"
	"slices"
	"testing"
	"time"
	_ "time/tzdata" // the zone tests must not depend on the machine's zoneinfo
)

// segNow is the moment the classify table is judged at; ago builds visit days
// (UTC midnights) that many days before it, oldest first.
var segNow = time.Date(2026, 6, 1, 15, 0, 0, 0, time.UTC)

func ago(n ...int) []time.Time {
	days := make([]time.Time, len(n))
	for i, k := range n {
		days[i] = time.Date(2026, 6, 1-k, 0, 0, 0, 0, time.UTC)
	}
	return days
}

// stampsAt gives a card one 1-stamp visit at each moment.
func stampsAt(at []time.Time) []ProgramLedger {
	l := ProgramLedger{Versions: []RuleVersion{{Rules: Rules{StampsRequired: 10, MaxPerVisit: 1}}}}
	for i, t := range at {
		l.Events = append(l.Events, Event{ID: int64(i + 1), Kind: KindStamp, At: t, Stamps: 1})
	}
	return []ProgramLedger{l}
}

// classify runs the whole chain the store runs: ledger, days, summary, segment.
func classify(days []time.Time, now time.Time, vip int) Segment {
	loc := time.UTC
	if len(days) > 0 {
		loc = days[0].Location()
	}
	today := DayNumber(now.In(loc))
	return Summarize(CardDays(stampsAt(days), loc), today).Segment(today, vip)
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestSegmentValid(t *testing.T) {
	t.Parallel()
	for _, s := range Segments {
		if !s.Valid() {
			t.Errorf("%q not valid", s)
		}
	}
	if len(slices.Compact(slices.Sorted(slices.Values(Segments)))) != 6 {
		t.Errorf("Segments = %q, want 6 distinct", Segments)
	}
	for _, s := range []Segment{SegmentNone, "gold", "VIP"} {
		if s.Valid() {
			t.Errorf("%q valid", s)
		}
	}
}

func TestCardDaysVisits(t *testing.T) {
	t.Parallel()
	utc := time.UTC
	ist := mustZone(t, "Europe/Istanbul")
	buc := mustZone(t, "Europe/Bucharest")
	u := func(mo time.Month, d, h, mi int) time.Time { return time.Date(2026, mo, d, h, mi, 0, 0, utc) }
	type ymd struct {
		m time.Month
		d int
	}
	tests := []struct {
		name   string
		loc    *time.Location
		stamps []time.Time
		want   []ymd // in 2026
	}{
		{name: "no stamps", loc: utc},
		{
			name:   "unsorted, several stamps a day",
			loc:    utc,
			stamps: []time.Time{u(6, 1, 18, 0), u(5, 30, 9, 0), u(6, 1, 8, 0)},
			want:   []ymd{{5, 30}, {6, 1}},
		},
		{name: "late evening in UTC", loc: utc, stamps: []time.Time{u(1, 15, 21, 30)}, want: []ymd{{1, 15}}},
		{name: "late evening UTC is next day in Istanbul", loc: ist, stamps: []time.Time{u(1, 15, 21, 30)}, want: []ymd{{1, 16}}},
		{
			// Clocks go 03:00 EET -> 04:00 EEST on 29 March: that day has 23 hours.
			name:   "Bucharest spring DST day",
			loc:    buc,
			stamps: []time.Time{u(3, 28, 21, 59), u(3, 28, 22, 0), u(3, 29, 20, 59), u(3, 29, 21, 0)},
			want:   []ymd{{3, 28}, {3, 29}, {3, 30}},
		},
		{
			name:   "same stamps in UTC",
			loc:    utc,
			stamps: []time.Time{u(3, 28, 21, 59), u(3, 28, 22, 0), u(3, 29, 20, 59), u(3, 29, 21, 0)},
			want:   []ymd{{3, 28}, {3, 29}},
		},
		{
			// Clocks go 04:00 EEST -> 03:00 EET on 25 October: that day has 25 hours.
			name:   "Bucharest autumn DST day",
			loc:    buc,
			stamps: []time.Time{u(10, 24, 20, 59), u(10, 24, 21, 0), u(10, 25, 21, 59), u(10, 25, 22, 0)},
			want:   []ymd{{10, 24}, {10, 25}, {10, 26}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := CardDays(stampsAt(tt.stamps), tt.loc)
			ok := len(got) == len(tt.want)
			for i := 0; ok && i < len(got); i++ {
				want := DayNumber(time.Date(2026, tt.want[i].m, tt.want[i].d, 0, 0, 0, 0, tt.loc))
				ok = got[i].Day == want && got[i].Visited
			}
			if !ok {
				t.Errorf("got %v, want 2026 %v in %s", got, tt.want, tt.loc)
			}
		})
	}
}

func TestSummarizeWindows(t *testing.T) {
	t.Parallel()
	today := DayNumber(segNow)
	tests := []struct {
		name              string
		days              []time.Time
		visits, v90, v365 int
		firstAgo, lastAgo int
	}{
		{name: "no visits"},
		{name: "today", days: ago(0), visits: 1, v90: 1, v365: 1},
		{name: "edges of the windows", days: ago(365, 364, 90, 89, 0), visits: 5, v90: 2, v365: 4, firstAgo: 365},
		{name: "all long ago", days: ago(800, 700), visits: 2, firstAgo: 800, lastAgo: 700},
	}
	for _, tt := range tests {
		s := Summarize(CardDays(stampsAt(tt.days), time.UTC), today)
		if s.Visits != tt.visits || s.Visits90 != tt.v90 || s.Visits365 != tt.v365 {
			t.Errorf("%s: visits %d/%d/%d, want %d/%d/%d", tt.name, s.Visits, s.Visits90, s.Visits365, tt.visits, tt.v90, tt.v365)
		}
		if tt.visits > 0 && (s.FirstDay != today-tt.firstAgo || s.LastDay != today-tt.lastAgo) {
			t.Errorf("%s: first/last day %d/%d, want %d/%d", tt.name, s.FirstDay, s.LastDay, today-tt.firstAgo, today-tt.lastAgo)
		}
	}
}

func TestSummarizeMedianGap(t *testing.T) {
	t.Parallel()
	d := func(n ...int) []time.Time {
		days := make([]time.Time, len(n))
		for i, k := range n {
			days[i] = time.Date(2026, 1, 1+k, 0, 0, 0, 0, time.UTC)
		}
		return days
	}
	buc := mustZone(t, "Europe/Bucharest")
	tests := []struct {
		name string
		days []time.Time
		want float64
	}{
		{name: "no visits", want: 0},
		{name: "one visit", days: d(0), want: 0},
		{name: "one gap", days: d(0, 5), want: 5},
		{name: "odd gaps 10 1 3", days: d(0, 10, 11, 14), want: 3},
		{name: "even gaps 3 4", days: d(0, 3, 7), want: 3.5},
		{name: "even gaps 1 2 4 10", days: d(0, 1, 3, 7, 17), want: 3},
		{
			// 47 hours apart, but two calendar days.
			name: "across the spring DST change",
			days: []time.Time{time.Date(2026, 3, 28, 0, 0, 0, 0, buc), time.Date(2026, 3, 30, 0, 0, 0, 0, buc)},
			want: 2,
		},
	}
	for _, tt := range tests {
		loc := time.UTC
		if len(tt.days) > 0 {
			loc = tt.days[0].Location()
		}
		if got := Summarize(CardDays(stampsAt(tt.days), loc), 0).MedianGap; got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestVIPThreshold(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		counts []int
		want   int
	}{
		{name: "no cards", want: math.MaxInt},
		{name: "no card visited", counts: []int{0, 0}, want: math.MaxInt},
		{name: "one card", counts: []int{7}, want: 7},
		{name: "ten cards: top one", counts: []int{3, 1, 4, 10, 5, 9, 2, 6, 8, 7}, want: 10},
		{name: "eleven cards: top two", counts: []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, want: 10},
		{name: "twenty cards: top two", counts: []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}, want: 19},
		{name: "ties at the top are all in", counts: []int{5, 1, 5, 2, 1, 5, 3, 1, 1, 1}, want: 5},
		{name: "cards without visits are not ranked", counts: []int{9, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, want: 9},
		{name: "one visit is never enough", counts: []int{1, 1, 1}, want: 2},
	}
	for _, tt := range tests {
		in := slices.Clone(tt.counts)
		if got := VIPThreshold(in); got != tt.want {
			t.Errorf("%s: got %d, want %d", tt.name, got, tt.want)
		}
		if !slices.Equal(in, tt.counts) {
			t.Errorf("%s: counts changed to %v", tt.name, in)
		}
	}
}

func TestSegment(t *testing.T) {
	t.Parallel()
	const noVIP = math.MaxInt
	tests := []struct {
		name string
		days []time.Time
		vip  int
		want Segment
	}{
		{name: "zero visits", vip: noVIP, want: SegmentNone},
		{name: "one visit today", days: ago(0), vip: noVIP, want: SegmentNew},
		{name: "one visit 89 days ago", days: ago(89), vip: noVIP, want: SegmentNew},
		{name: "one visit exactly 90 days ago", days: ago(90), vip: noVIP, want: SegmentLapsed},
		{name: "one visit long ago", days: ago(400), vip: noVIP, want: SegmentLapsed},
		{name: "lapsed beats vip", days: ago(99, 98, 97, 96, 95, 94, 93, 92, 91, 90), vip: 2, want: SegmentLapsed},
		{name: "weekly customer gone 4 weeks", days: ago(42, 35, 28), vip: noVIP, want: SegmentAtRisk},
		{name: "exactly twice the median is not at risk", days: ago(40, 30, 20), vip: noVIP, want: SegmentRegular},
		{name: "a day past twice the median", days: ago(41, 31, 21), vip: noVIP, want: SegmentAtRisk},
		{name: "daily customer away 13 days", days: ago(16, 15, 14, 13), vip: noVIP, want: SegmentRegular},
		{name: "daily customer away 14 days", days: ago(17, 16, 15, 14), vip: noVIP, want: SegmentAtRisk},
		{name: "two visits give no habit to judge", days: ago(60, 50), vip: noVIP, want: SegmentOccasional},
		{name: "at risk beats vip", days: ago(41, 31, 21), vip: 2, want: SegmentAtRisk},
		{name: "above the vip threshold", days: ago(10, 8, 6, 4, 2, 0), vip: 5, want: SegmentVIP},
		{name: "at the vip threshold", days: ago(10, 8, 6, 4, 2, 0), vip: 6, want: SegmentVIP},
		{name: "below the vip threshold", days: ago(10, 8, 6, 4, 2, 0), vip: 7, want: SegmentRegular},
		{name: "vip year includes 364 days ago", days: ago(364, 363, 10), vip: 3, want: SegmentVIP},
		{name: "vip year excludes 365 days ago", days: ago(365, 364, 10), vip: 3, want: SegmentOccasional},
		{name: "only the last year counts for vip", days: ago(700, 600, 500, 400, 5), vip: 2, want: SegmentOccasional},
		{name: "one visit is never vip", days: ago(5), vip: 0, want: SegmentNew},
		{name: "two visits meet the vip floor", days: ago(30, 5), vip: 0, want: SegmentVIP},
		{name: "3 visits in 90 days", days: ago(89, 45, 1), vip: noVIP, want: SegmentRegular},
		{name: "third visit exactly 90 days ago", days: ago(90, 45, 1), vip: noVIP, want: SegmentOccasional},
		{name: "occasional", days: ago(60, 30), vip: noVIP, want: SegmentOccasional},
	}
	for _, tt := range tests {
		if got := classify(tt.days, segNow, tt.vip); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

// The 4 March visit is 90 calendar days before 2 June in Bucharest, but only
// 90 days less an hour, since the spring DST change lies in between; and 22:30
// UTC on 1 June is already 2 June in Bucharest.
func TestSegmentShopDay(t *testing.T) {
	t.Parallel()
	buc := mustZone(t, "Europe/Bucharest")
	days := []time.Time{time.Date(2026, 3, 4, 0, 0, 0, 0, buc)}
	tests := []struct {
		now  time.Time
		want Segment
	}{
		{now: time.Date(2026, 6, 1, 20, 59, 0, 0, time.UTC), want: SegmentNew},    // 23:59 on 1 June
		{now: time.Date(2026, 6, 1, 22, 30, 0, 0, time.UTC), want: SegmentLapsed}, // 01:30 on 2 June
		{now: time.Date(2026, 6, 2, 0, 0, 0, 0, buc), want: SegmentLapsed},
	}
	for _, tt := range tests {
		if got := classify(days, tt.now, math.MaxInt); got != tt.want {
			t.Errorf("at %v: got %q, want %q", tt.now, got, tt.want)
		}
	}
}

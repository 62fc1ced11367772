package loyalty

import (
	"reflect"
	"testing"
	"time"
)

// Points expire oldest first, each lot at the moment its rules gave it.
func TestPointsExpiry(t *testing.T) {
	t.Parallel()
	day := func(d int) time.Time { return time.Date(2026, 3, d, 10, 0, 0, 0, time.UTC) }
	month := Rules{Points: true, PointsPerUnit: 1, MaxPerVisit: 1000, PointsExpiry: 30 * 24 * time.Hour}
	week := month
	week.PointsExpiry = 7 * 24 * time.Hour
	never := month
	never.PointsExpiry = 0
	buy := func(id int64, d, amount int) Event {
		return Event{ID: id, Kind: KindStamp, Stamps: 1, Amount: amount, At: day(d)}
	}
	cases := []struct {
		name     string
		versions []RuleVersion
		events   []Event
		now      time.Time
		points   int
		expired  int
		lots     []Lot
	}{
		{"before the expiry everything is held", []RuleVersion{{Rules: month}}, []Event{buy(1, 1, 1000), buy(2, 5, 2000)},
			day(30), 30, 0, []Lot{{10, day(31)}, {20, day(35)}}},
		{"the first lot expires, the second stays", []RuleVersion{{Rules: month}}, []Event{buy(1, 1, 1000), buy(2, 5, 2000)},
			day(31), 20, 10, []Lot{{20, day(35)}}},
		{"a spend takes the oldest points first", []RuleVersion{{Rules: month}}, []Event{
			buy(1, 1, 1000), buy(2, 5, 2000), {ID: 3, Kind: KindRedeem, Points: -15, At: day(6)},
		}, day(31), 15, 0, []Lot{{15, day(35)}}},
		{"a correction down takes the newest", []RuleVersion{{Rules: month}}, []Event{
			buy(1, 1, 1000), buy(2, 5, 2000), {ID: 3, Kind: KindAdjust, Points: -15, At: day(6)},
		}, day(31), 5, 10, []Lot{{5, day(35)}}},
		{"a bonus and an adjustment up expire like a purchase", []RuleVersion{{Rules: month}}, []Event{
			{ID: 1, Kind: KindBonus, Points: 7, At: day(1)}, {ID: 2, Kind: KindAdjust, Points: 3, At: day(2)},
		}, day(31), 3, 7, []Lot{{3, day(32)}}},
		{"a shorter expiry saved later never reaches points given", []RuleVersion{{Rules: month}, {AfterEvent: 1, Rules: week}}, []Event{
			buy(1, 1, 1000), buy(2, 2, 2000),
		}, day(10), 10, 20, []Lot{{10, day(31)}}},
		{"points given without expiry never expire", []RuleVersion{{Rules: never}, {AfterEvent: 1, Rules: week}}, []Event{
			buy(1, 1, 1000), buy(2, 2, 2000),
		}, day(30).AddDate(1, 0, 0), 10, 20, []Lot{{10, time.Time{}}}},
		{"an undone purchase takes its lot with it", []RuleVersion{{Rules: month}}, []Event{
			buy(1, 1, 1000), buy(2, 5, 2000), {ID: 3, Kind: KindVoid, VoidOf: 2, At: day(5)},
		}, day(30), 10, 0, []Lot{{10, day(31)}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s, _ := FoldVersions(c.versions, c.events)
			b := s.At(c.now)
			if b.Points != c.points || b.PointsExpired != c.expired || !reflect.DeepEqual(b.PointLots, c.lots) {
				t.Errorf("got %d held, %d expired, lots %v; want %d, %d, %v", b.Points, b.PointsExpired, b.PointLots, c.points, c.expired, c.lots)
			}
		})
	}
}

// The card shows the first day some points expire and how many expire that
// day, whatever the hours of the lots.
func TestNextPointsExpiry(t *testing.T) {
	t.Parallel()
	tehran, err := time.LoadLocation("Asia/Tehran")
	if err != nil {
		t.Fatal(err)
	}
	at := func(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, time.UTC) }
	cases := []struct {
		name string
		lots []Lot
		loc  *time.Location
		when time.Time
		n    int
	}{
		{"none", nil, time.UTC, time.Time{}, 0},
		{"points that never expire", []Lot{{N: 5}}, time.UTC, time.Time{}, 0},
		{"two lots of one day add up", []Lot{{5, at(3, 9)}, {7, at(3, 18)}, {4, at(4, 9)}}, time.UTC, at(3, 9), 12},
		// 21:00 UTC on the 3rd is 00:30 on the 4th in Tehran: another day there.
		{"the day is the shop's", []Lot{{5, at(3, 9)}, {7, at(3, 21)}}, tehran, at(3, 9), 5},
		{"the earliest lot first whatever its place", []Lot{{N: 2}, {9, at(9, 9)}, {3, at(8, 9)}}, time.UTC, at(8, 9), 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			when, n := Balance{PointLots: c.lots}.NextPointsExpiry(c.loc)
			if !when.Equal(c.when) || n != c.n {
				t.Errorf("got %d on %v, want %d on %v", n, when, c.n, c.when)
			}
		})
	}
}

// A multiplier's window is read in the shop's zone at the purchase's time.
func TestMultiplier(t *testing.T) {
	t.Parallel()
	tehran, err := time.LoadLocation("Asia/Tehran")
	if err != nil {
		t.Fatal(err)
	}
	weekdays := 1<<time.Monday | 1<<time.Tuesday | 1<<time.Wednesday | 1<<time.Thursday | 1<<time.Friday
	r := Rules{Points: true, PointsPerUnit: 1, MaxPerVisit: 100, Multiplier: 2,
		Window: Window{Days: weekdays, From: 14 * 60, To: 17 * 60, Zone: tehran}}
	// 2026-03-02 is a Monday; Tehran is UTC+3:30.
	utc := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, time.UTC) }
	cases := []struct {
		name   string
		r      Rules
		at     time.Time
		amount int
		want   int
		err    error
	}{
		{"14:00 in Tehran is in the window", r, utc(2, 10, 30), 1000, 20, nil},
		{"16:59 in Tehran is in it", r, utc(2, 13, 29), 1000, 20, nil},
		{"17:00 in Tehran is past it", r, utc(2, 13, 30), 1000, 10, nil},
		{"14:00 UTC is 17:30 in Tehran: past it", r, utc(2, 14, 0), 1000, 10, nil},
		{"a Sunday is not a weekday", r, utc(1, 11, 0), 1000, 10, nil},
		{"the limit is checked before the multiplier", r, utc(2, 11, 0), 9000, 180, nil},
		{"a mistyped amount is refused in the window too", r, utc(2, 11, 0), 20000, 0, &TooManyPointsError{}},
		{"no multiplier: ×1", Rules{Points: true, PointsPerUnit: 1, Window: r.Window}, utc(2, 11, 0), 1000, 10, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := CheckEarn(c.r, Balance{}, c.amount, c.at, false)
			if got != c.want || !sameError(err, c.err) {
				t.Errorf("CheckEarn = %d, %v; want %d, %v", got, err, c.want, c.err)
			}
			if err == nil {
				s, _ := FoldVersions([]RuleVersion{{Rules: c.r}}, []Event{{ID: 1, Kind: KindStamp, Stamps: 1, Amount: c.amount, At: c.at}})
				if s.Points != got {
					t.Errorf("the fold gave %d, the counter %d", s.Points, got)
				}
			}
		})
	}
}

package loyalty

import (
	"slices"
	"testing"
	"time"
)

func TestBirthdayWindow(t *testing.T) {
	t.Parallel()
	tehran, _ := time.LoadLocation("Asia/Tehran") // UTC+3:30
	date := func(y int, m time.Month, d int, loc *time.Location) time.Time {
		return time.Date(y, m, d, 0, 0, 0, 0, loc)
	}
	noon := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }
	tests := []struct {
		name     string
		birthday string
		now      time.Time
		loc      *time.Location
		days     int
		from     time.Time // zero: not in a window
		year     int
	}{
		{name: "on the day", birthday: "06-15", now: noon(2026, 6, 15), days: 7, from: date(2026, 6, 8, time.UTC), year: 2026},
		{name: "first day of the window", birthday: "06-15", now: date(2026, 6, 8, time.UTC), days: 7, from: date(2026, 6, 8, time.UTC), year: 2026},
		{name: "last day of the window", birthday: "06-15", now: time.Date(2026, 6, 22, 23, 59, 59, 0, time.UTC), days: 7, from: date(2026, 6, 8, time.UTC), year: 2026},
		{name: "the day after the window", birthday: "06-15", now: date(2026, 6, 23, time.UTC), days: 7},
		{name: "the day before the window", birthday: "06-15", now: noon(2026, 6, 7), days: 7},
		{name: "zero days: the birthday only", birthday: "06-15", now: noon(2026, 6, 15), days: 0, from: date(2026, 6, 15, time.UTC), year: 2026},
		{name: "zero days, the day before", birthday: "06-15", now: noon(2026, 6, 14), days: 0},
		{name: "New Year's Eve, birthday in January", birthday: "01-03", now: noon(2026, 12, 30), days: 7, from: date(2026, 12, 27, time.UTC), year: 2027},
		{name: "New Year's Day, birthday in late December", birthday: "12-29", now: noon(2027, 1, 2), days: 7, from: date(2026, 12, 22, time.UTC), year: 2026},
		{name: "29 February in a leap year", birthday: "02-29", now: noon(2028, 2, 29), days: 0, from: date(2028, 2, 29, time.UTC), year: 2028},
		{name: "29 February on 28 February otherwise", birthday: "02-29", now: noon(2026, 2, 28), days: 0, from: date(2026, 2, 28, time.UTC), year: 2026},
		{name: "29 February: not 1 March otherwise", birthday: "02-29", now: noon(2026, 3, 1), days: 0},
		{name: "29 February window in a non-leap year", birthday: "02-29", now: noon(2026, 3, 7), days: 7, from: date(2026, 2, 21, time.UTC), year: 2026},
		{name: "2100 is not a leap year", birthday: "02-29", now: noon(2100, 2, 28), days: 0, from: date(2100, 2, 28, time.UTC), year: 2100},
		{name: "the shop's midnight, not UTC's", birthday: "06-15", now: time.Date(2026, 6, 22, 21, 0, 0, 0, time.UTC), loc: tehran, days: 7},
		{name: "the shop's day, still in", birthday: "06-15", now: time.Date(2026, 6, 22, 20, 0, 0, 0, time.UTC), loc: tehran, days: 7, from: date(2026, 6, 8, tehran), year: 2026},
		{name: "no birthday", birthday: "", now: noon(2026, 6, 15), days: 7},
		{name: "malformed", birthday: "13-01", now: noon(2026, 6, 15), days: 7},
		{name: "negative days", birthday: "06-15", now: noon(2026, 6, 15), days: -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			loc := tt.loc
			if loc == nil {
				loc = time.UTC
			}
			from, until, year, ok := BirthdayWindow(tt.birthday, tt.now, loc, tt.days)
			if ok != !tt.from.IsZero() {
				t.Fatalf("ok = %v (from %v), want %v", ok, from, !tt.from.IsZero())
			}
			if !ok {
				return
			}
			if !from.Equal(tt.from) || year != tt.year {
				t.Errorf("from %v year %d, want %v year %d", from, year, tt.from, tt.year)
			}
			if want := tt.from.AddDate(0, 0, 2*tt.days+1); !until.Equal(want) {
				t.Errorf("until %v, want %v", until, want)
			}
		})
	}
}

func TestBirthdaysNear(t *testing.T) {
	t.Parallel()
	noon := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }
	tests := []struct {
		name string
		now  time.Time
		days int
		want []string
	}{
		{name: "one day either side", now: noon(2026, 6, 15), days: 1, want: []string{"06-14", "06-15", "06-16"}},
		{name: "across New Year", now: noon(2026, 12, 31), days: 1, want: []string{"12-30", "12-31", "01-01"}},
		{name: "28 February of a common year takes 29 February in", now: noon(2026, 3, 1), days: 1, want: []string{"02-28", "02-29", "03-01", "03-02"}},
		{name: "leap year: 29 February is a day of its own", now: noon(2028, 3, 1), days: 1, want: []string{"02-29", "03-01", "03-02"}},
		{name: "negative", now: noon(2026, 6, 15), days: -1, want: nil},
	}
	for _, tt := range tests {
		if got := BirthdaysNear(tt.now, time.UTC, tt.days); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	// Every birthday BirthdaysNear leaves out is outside its window, and every
	// one it names is inside: checked for every day of a common and a leap year.
	for _, year := range []int{2026, 2028} {
		for d := time.Date(year, 1, 1, 12, 0, 0, 0, time.UTC); d.Year() == year; d = d.AddDate(0, 0, 1) {
			near := BirthdaysNear(d, time.UTC, 3)
			for m := 1; m <= 12; m++ {
				for day := 1; day <= daysInMonth[m-1]; day++ {
					b := Birthday{Month: m, Day: day}.String()
					_, _, _, in := BirthdayWindow(b, d, time.UTC, 3)
					if in != slices.Contains(near, b) {
						t.Fatalf("%s on %s: in window %v, listed %v", b, d.Format("2006-01-02"), in, !in)
					}
				}
			}
		}
	}
}

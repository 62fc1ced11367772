package locale

import (
	"testing"
	"time"
)

// TestDayMonth: a chart's date labels are a day and a month in the order of
// the language, in the shop's calendar and digits; Nowruz is 1 Farvardin.
func TestDayMonth(t *testing.T) {
	t.Parallel()
	nowruz := time.Date(2026, time.March, 21, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		lang     string
		calendar Calendar
		want     string
	}{
		{"en", Gregorian, "Mar 21"},
		{"tr", Gregorian, "21 Mar"},
		{"ro", Gregorian, "21 mar."},
		{"fa", Gregorian, "۲۱ مارس"},
		{"fa", Jalali, "۱ فروردین"},
		{"en", Jalali, "Farvardin 1"},
	} {
		tr := New(c.lang, time.UTC, DefaultDigits(c.lang)).WithCalendar(c.calendar)
		if got := tr.DayMonth(nowruz); got != c.want {
			t.Errorf("%s, %s: %q, want %q", c.lang, c.calendar, got, c.want)
		}
	}
}

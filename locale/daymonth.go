package locale

import (
	"strconv"
	"time"

	"github.com/jalaali/go-jalaali"
)

// DayMonth formats a day without its year, e.g. "Mar 5" or "5 Mar"; in the
// Solar Hijri calendar when the shop chose it, e.g. "۱۴ اسفند". It labels a
// chart's time axis, whose title says the period: a third of a phone's width
// holds it, which a date with its year does not.
func (t *Tr) DayMonth(tm time.Time) string {
	tm = tm.In(t.zone)
	month, d := t.T(monthKeys[tm.Month()-1]), tm.Day()
	if t.calendar == Jalali {
		if _, jm, jd, err := jalaali.ToJalaali(tm.Year(), tm.Month(), d); err == nil {
			month, d = t.T(jalaliMonthKeys[jm-1]), jd
		}
	}
	return t.T("FormatDayMonth", "Day", t.Numerals(strconv.Itoa(d)), "Month", month)
}

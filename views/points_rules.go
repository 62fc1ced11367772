package views

import (
	"strconv"
	"time"

	"github.com/a-h/templ"
)

// MultiplierDayField is the form field of a weekday (Sunday is 0) in a
// points program's multiplier window.
func MultiplierDayField(d int) string { return "multiplier_day_" + strconv.Itoa(d) }

// multiplierWeekdayKeys name the days, Sunday first.
var multiplierWeekdayKeys = [7]string{"Weekday0", "Weekday1", "Weekday2", "Weekday3", "Weekday4", "Weekday5", "Weekday6"}

// multiplierDays are the week's days in the order the shop's calendar
// starts its week (Saturday in Iran, Monday in Europe), with their fields.
func multiplierDays(p Page) [][2]string {
	var out [][2]string
	first := p.T.FirstWeekday()
	for i := range 7 {
		d := (int(first) + i) % 7
		out = append(out, [2]string{MultiplierDayField(d), p.T.T(multiplierWeekdayKeys[d])})
	}
	return out
}

// pointsExpiryText is the card's line about the next points to expire, in
// the shop's zone and calendar: "12 points expire on 3 March"; empty when
// none will.
func pointsExpiryText(p Page, pp *PointsProgress) string {
	if pp == nil || pp.Expiry == nil {
		return ""
	}
	at, n := pp.Expiry(zoneOf(p))
	if n == 0 {
		return ""
	}
	return p.T.N("PointsExpireOn", n, "Date", p.T.Date(at))
}

// zoneOf is the page's time zone (UTC when it has none).
func zoneOf(p Page) *time.Location {
	if z := p.T.Zone(); z != nil {
		return z
	}
	return time.UTC
}

// adjustAttrs are the owner's correction field's limits: a points program's
// balance goes far beyond a stamp card's.
func adjustAttrs(progress []Progress) templ.Attributes {
	limit := "1000"
	for _, pr := range progress {
		if pr.Points != nil {
			limit = "1000000"
		}
	}
	return templ.Attributes{"required": true, "min": "-" + limit, "max": limit, "step": "1"}
}

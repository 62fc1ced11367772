package loyalty

import "time"

// QuietHours are the hours of a shop's day in which no marketing message is
// sent: From to Until, in minutes after midnight in the shop's zone. A span
// that wraps midnight (21:00 to 09:00) is the usual one; From == Until is
// no quiet hours at all.
type QuietHours struct {
	From, Until int
}

// SendAt is when a marketing message queued at now may be sent: now, or the
// end of the quiet hours that now falls in. The end is the wall-clock time
// Until of the right day in loc, so a change to or from summer time in the
// night still ends the quiet hours at 09:00 local.
func (q QuietHours) SendAt(now time.Time, loc *time.Location) time.Time {
	if q.From == q.Until {
		return now
	}
	local := now.In(loc)
	y, m, d := local.Date()
	minute := local.Hour()*60 + local.Minute()
	at := func(day int) time.Time { return time.Date(y, m, day, q.Until/60, q.Until%60, 0, 0, loc) }
	if q.From < q.Until { // within one day: 13:00 to 15:00
		if minute >= q.From && minute < q.Until {
			return at(d)
		}
		return now
	}
	switch { // across midnight: 21:00 to 09:00
	case minute >= q.From:
		return at(d + 1)
	case minute < q.Until:
		return at(d)
	}
	return now
}

package loyalty

import "time"

// BirthdayWindow tells whether now lies within days days either side of the
// customer's birthday ("MM-DD") in loc: the window from the midnight that
// starts the day days before the birthday to the midnight that ends the day
// days after it, as [from, until). year is the birthday's year, which is the
// next year's or the last year's near New Year. A 29 February birthday falls
// on 28 February in other years. A malformed birthday or negative days is
// never in a window. Windows of adjacent years overlap only for days over
// 182; then the earlier birthday's wins.
func BirthdayWindow(birthday string, now time.Time, loc *time.Location, days int) (from, until time.Time, year int, ok bool) {
	b, err := ParseBirthday(birthday)
	if err != nil || days < 0 {
		return time.Time{}, time.Time{}, 0, false
	}
	this := now.In(loc).Year()
	for y := this - 1; y <= this+1; y++ {
		day := b.Day
		if b.Month == 2 && day == 29 && !isLeap(y) {
			day = 28
		}
		from = time.Date(y, time.Month(b.Month), day-days, 0, 0, 0, 0, loc)
		until = time.Date(y, time.Month(b.Month), day+days+1, 0, 0, 0, 0, loc)
		if !now.Before(from) && now.Before(until) {
			return from, until, y, true
		}
	}
	return time.Time{}, time.Time{}, 0, false
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// BirthdaysNear lists the birthdays ("MM-DD") whose window of days days
// holds now in loc: those of the days from days before today to days after.
// 29 February is among them when a non-leap year's 28 February is. The
// list narrows the daily search for birthdays to a few index look-ups;
// BirthdayWindow stays the judge.
func BirthdaysNear(now time.Time, loc *time.Location, days int) []string {
	if days < 0 {
		return nil
	}
	days = min(days, 366) // every day of the year already
	y, m, d := now.In(loc).Date()
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for i := -days; i <= days; i++ {
		t := time.Date(y, m, d+i, 12, 0, 0, 0, time.UTC)
		b := Birthday{Month: int(t.Month()), Day: t.Day()}
		add(b.String())
		if b.Month == 2 && b.Day == 28 && !isLeap(t.Year()) {
			add("02-29")
		}
	}
	return out
}

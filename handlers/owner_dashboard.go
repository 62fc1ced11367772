package handlers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"regulars/db"
	"regulars/locale"
	"regulars/loyalty"
	"regulars/views"
)

func (a *App) dashboard(c echo.Context) error {
	user, shop := staff(c)
	p := a.page(c, &shop, "DashboardTitle")
	return a.renderDashboard(c, p, user, shop, http.StatusOK, nil)
}

// renderDashboard reads the figures and shows them, with the economics form
// re-shown with its errors when f is given.
func (a *App) renderDashboard(c echo.Context, p views.Page, user db.User, shop db.Shop, status int, f *form) error {
	ctx := c.Request().Context()
	d, err := a.store.Dashboard(ctx, shop.ID, a.now())
	if err != nil {
		return err
	}
	ps, err := a.store.Programs(ctx, shop.ID, false)
	if err != nil {
		return err
	}
	recent, err := a.store.RecentActivity(ctx, shop.ID, 10)
	if err != nil {
		return err
	}
	v := dashboardView(p.T, d, shop.Currency, p.T.Dir() == "rtl")
	v.Economics.CanEdit = user.Role == db.RoleOwner
	v.Economics.Form = views.Form{Values: map[string]string{
		"average_ticket": amountText(d.AverageTicket), "reward_cost": amountText(d.RewardCost)}, Errors: map[string]string{}}
	if f != nil {
		v.Economics.Form = f.v
	}
	for _, pr := range ps {
		v.Programs = append(v.Programs, programView(pr))
	}
	for _, r := range recent {
		e := entryView(r.Entry)
		e.Card = r.CardName
		if e.Card == "" {
			e.Card = loyalty.FormatShortCode(r.CardShortCode)
		}
		v.Recent = append(v.Recent, e)
	}
	return render(c, status, views.DashboardPage(p, v))
}

func (a *App) saveEconomics(c echo.Context) error {
	user, shop := staff(c)
	p := a.page(c, &shop, "DashboardTitle")
	f := newForm(c, p.T)
	ticket := f.amount("average_ticket")
	cost := f.amount("reward_cost")
	if !f.ok() {
		return a.renderDashboard(c, p, user, shop, http.StatusUnprocessableEntity, f)
	}
	if err := a.store.SetEconomics(c.Request().Context(), shop.ID, user.ID, ticket, cost, a.now()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/dashboard#economics")
}

// amountText shows minor units as the economics form takes them back.
func amountText(minor int) string {
	if minor == 0 {
		return ""
	}
	return strconv.Itoa(minor/100) + "." + strconv.Itoa(minor%100/10) + strconv.Itoa(minor%10)
}

// dashboardView formats the figures in the reader's language.
func dashboardView(t *locale.Tr, d db.Dashboard, currency string, rtl bool) views.Dashboard {
	cur, prev := d.Current, d.Previous
	pct := func(x float64) string { return t.T("Percent", "Percent", t.Decimal(x*100, 0)) }
	v := views.Dashboard{StampsToday: d.StampsToday, RedeemsToday: d.RedeemsToday}

	// Tiles: the value now, and its change against the previous period.
	relative := func(now, before int) (string, string) {
		ch, ok := loyalty.Change(float64(now), float64(before))
		if !ok {
			return "", ""
		}
		return t.T("ChangeRelative", "Change", signed(t, pct(ch), ch)), trend(ch)
	}
	// points is a change in the figure's own unit, which say puts in words.
	points := func(now, before float64, okNow, okBefore bool, digits int, scale float64, say func(string) string) (string, string) {
		if !okNow || !okBefore {
			return "", ""
		}
		diff := (now - before) * scale
		return say(signed(t, t.Decimal(diff, digits), diff)), trend(diff)
	}
	add := func(testID, label, value, change, tr string) {
		v.Tiles = append(v.Tiles, views.Tile{TestID: testID, Label: label, Value: value, Change: change, Trend: tr})
	}

	ch, tr := relative(d.Customers, d.CustomersBefore)
	add("tile-customers", t.T("TileCustomers"), t.Num(d.Customers), ch, tr)
	ch, tr = relative(cur.Active, prev.Active)
	add("tile-active", t.T("TileActive"), t.Num(cur.Active), ch, tr)
	ch, tr = relative(d.NewThisMonth, d.NewLastMonth)
	add("tile-new", t.T("TileNewThisMonth"), t.Num(d.NewThisMonth), ch, tr)

	repeat, okRepeat := loyalty.Ratio(cur.Repeat, cur.Active)
	repeatBefore, okRepeatBefore := loyalty.Ratio(prev.Repeat, prev.Active)
	ch, tr = points(repeat, repeatBefore, okRepeat, okRepeatBefore, 0, 100, func(c string) string { return t.T("ChangePoints", "Change", c) })
	add("tile-repeat", t.T("TileRepeatRate"), orDash(okRepeat, pct(repeat)), ch, tr)

	gap, okGap := loyalty.Ratio(cur.GapSum, cur.Gaps)
	gapBefore, okGapBefore := loyalty.Ratio(prev.GapSum, prev.Gaps)
	ch, tr = points(gap, gapBefore, okGap, okGapBefore, 1, 1, func(c string) string { return t.T("ChangeDays", "Change", c) })
	add("tile-gap", t.T("TileDaysBetween"), orDash(okGap, t.N("DaysCount", int(gap+0.5), "Days", t.Decimal(gap, 1))), ch, tr)

	ch, tr = relative(cur.Redeems, prev.Redeems)
	add("tile-rewards", t.T("TileRewards"), t.T("RewardsEarnedRedeemed", "Earned", t.Num(cur.Rewards), "Redeemed", t.Num(cur.Redeems)), ch, tr)

	rating, okRating := loyalty.Ratio(cur.RatingSum, cur.Ratings)
	ratingBefore, okRatingBefore := loyalty.Ratio(prev.RatingSum, prev.Ratings)
	ch, tr = points(rating, ratingBefore, okRating, okRatingBefore, 1, 1, func(c string) string { return t.T("ChangeStars", "Change", c) })
	add("tile-rating", t.T("TileRating"), orDash(okRating, t.T("RatingValue", "Rating", t.Decimal(rating, 1), "Count", t.Num(cur.Ratings))), ch, tr)

	v.Daily, v.Weekly = visitCharts(t, d, rtl)
	v.Heat = hourHeatmap(t, d, rtl)
	for i, co := range d.Cohorts {
		if co.Size == 0 && len(v.Cohorts) == 0 && i < len(d.Cohorts)-1 {
			continue // months before the shop's first customer
		}
		row := views.CohortRow{Month: t.T("MonthYear", "Month", t.T(monthKey(co.Month)), "Year", t.Numerals(strconv.Itoa(co.Month/12))), Size: co.Size}
		for k := 1; k <= len(co.Returned); k++ {
			share, ok := co.Retention(k, loyalty.MonthNumber(d.Today))
			cell := views.CohortShare{}
			if ok {
				cell = views.CohortShare{Text: pct(share), Level: views.ShareLevel(share)}
			}
			row.Shares = append(row.Shares, cell)
		}
		v.Cohorts = append(v.Cohorts, row)
	}
	for _, s := range loyalty.Segments {
		v.Segments = append(v.Segments, views.SegmentCount{Segment: string(s), Count: d.Segments[s]})
	}

	counts := make([]loyalty.StaffCounts, len(d.Staff))
	for i, s := range d.Staff {
		counts[i] = s.StaffCounts
	}
	for i, unusual := range loyalty.Unusual(counts) {
		s := d.Staff[i]
		share, ok := loyalty.Ratio(s.Corrections(), s.Actions())
		v.Staff = append(v.Staff, views.StaffRow{Name: s.Name, Stamps: s.Stamps, Redeems: s.Redeems, Voids: s.Voids,
			Overrides: s.Overrides, Adjusts: s.Adjusts, Share: orDash(ok, pct(share)), Unusual: unusual})
	}

	e := loyalty.Economics{AverageTicket: d.AverageTicket, RewardCost: d.RewardCost, Visits: cur.Visits, Redeemed: cur.Redeems}
	v.Economics = views.Economics{
		Entered: d.AverageTicket > 0 && d.RewardCost > 0, Visits: e.Visits, Redeemed: e.Redeemed,
		AverageTicket: t.Money(e.AverageTicket, currency), RewardCost: t.Money(e.RewardCost, currency),
		Revenue: t.Money(e.Revenue(), currency), Cost: t.Money(e.Cost(), currency), Net: t.Money(e.Revenue()-e.Cost(), currency),
	}
	if r, ok := e.Return(); ok {
		v.Economics.Return = t.T("EconomicsReturnValue", "Return", t.Decimal(r, 1))
	}
	return v
}

// visitCharts draws the visits of the last 90 days, and the same visits by
// week, split into first visits and returning ones.
func visitCharts(t *locale.Tr, d db.Dashboard, rtl bool) (views.Chart, views.Chart) {
	zone := t.Zone()
	n := len(d.Daily)
	visits := make([]int, n)
	titles := make([]string, n)
	labels := make([]string, n)
	total := 0
	for i, day := range d.Daily {
		date := t.Date(loyalty.DayStart(day.Day, zone))
		visits[i], titles[i], labels[i] = day.Visits, t.N("ChartDayTitle", day.Visits, "Date", date), date
		total += day.Visits
	}
	daily := views.NewChart(t.T("ChartVisitsTitle"), t.N("ChartVisitsDesc", total, "Days", t.Num(n)),
		[]views.Series{{Class: "returning", Values: visits}}, titles, labels, 30, rtl, func(m int) string { return t.N("ChartScaleVisits", m) })

	// Whole weeks ending today, so the newest bar is not a partial week.
	weeks := n / 7
	first, returning := make([]int, weeks), make([]int, weeks)
	wTitles, wLabels := make([]string, weeks), make([]string, weeks)
	for w := range weeks {
		for _, day := range d.Daily[n-(weeks-w)*7 : n-(weeks-w-1)*7] {
			first[w] += day.NewVisits
			returning[w] += day.Visits - day.NewVisits
		}
		start := t.Date(loyalty.DayStart(d.Today-(weeks-w)*7+1, zone))
		wTitles[w] = t.T("ChartWeekTitle", "Week", start, "New", t.Num(first[w]), "Returning", t.Num(returning[w]))
		wLabels[w] = start
	}
	weekly := views.NewChart(t.T("ChartWeeklyTitle"), t.N("ChartWeeklyDesc", weeks),
		[]views.Series{{Class: "new", Values: first}, {Class: "returning", Values: returning}}, wTitles, wLabels, 4, rtl,
		func(m int) string { return t.N("ChartScaleVisits", m) })
	weekly.Legend = []views.LegendItem{{Class: "new", Text: t.T("ChartLegendNew")}, {Class: "returning", Text: t.T("ChartLegendReturning")}}
	return daily, weekly
}

// hourHeatmap lays the visits of the last 90 days out by weekday, Monday first, and hour.
func hourHeatmap(t *locale.Tr, d db.Dashboard, rtl bool) views.Heatmap {
	var days []string
	var counts [][24]int
	var titles [][24]string
	for i := range 7 {
		wd := time.Weekday((i + 1) % 7)
		name := t.T(weekdayKeys[wd])
		days = append(days, name)
		counts = append(counts, d.Hours[wd])
		var row [24]string
		for h := range 24 {
			row[h] = t.N("HeatCellTitle", d.Hours[wd][h], "Day", name, "Hour", t.Numerals(strconv.Itoa(h)))
		}
		titles = append(titles, row)
	}
	return views.NewHeatmap(t.T("HeatTitle"), t.T("HeatDesc"), days, counts, titles, rtl)
}

func signed(t *locale.Tr, text string, x float64) string {
	if x > 0 {
		return t.T("Plus", "Value", text)
	}
	return text
}

func trend(x float64) string {
	switch {
	case x > 0:
		return "up"
	case x < 0:
		return "down"
	}
	return "flat"
}

func orDash(ok bool, s string) string {
	if !ok {
		return "–"
	}
	return s
}

func monthKey(month int) string { return "Month" + strconv.Itoa(month%12+1) }

// weekdayKeys name the days, Sunday first as time.Weekday counts them.
var weekdayKeys = [7]string{"Weekday0", "Weekday1", "Weekday2", "Weekday3", "Weekday4", "Weekday5", "Weekday6"}

package handlers

import (
	"math"
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
	v.CanDismiss = user.Role == db.RoleOwner
	v.Economics.Saved = f == nil && c.QueryParam("saved") == "economics"
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
		e.Card = views.CardLabel(p, r.CardName, loyalty.FormatShortCode(r.CardShortCode))
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
	return c.Redirect(http.StatusSeeOther, "/dashboard?saved=economics#economics")
}

// dismissChecklist puts the getting-started list away for good.
func (a *App) dismissChecklist(c echo.Context) error {
	_, shop := staff(c)
	if err := a.store.MarkSetupStep(c.Request().Context(), shop.ID, db.StepDismissed, a.now()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/dashboard")
}

// markPosterOpened ticks the poster on the getting-started list once the
// poster page was served: opening it is as far as the server can see.
func (a *App) markPosterOpened(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := next(c); err != nil {
			return err
		}
		_, shop := staff(c)
		return a.store.MarkSetupStep(c.Request().Context(), shop.ID, db.StepPoster, a.now())
	}
}

// checklist is the getting-started list of a shop, nil once every item is
// done or the owner put it away.
func checklist(st db.Setup) []views.ChecklistItem {
	if st.Dismissed {
		return nil
	}
	// The set-up's reward step refuses once cards have stamps: the program's
	// page changes the reward then, and says what it does to the cards.
	reward := "/setup?step=reward"
	if st.Stamped {
		reward = "/programs"
	}
	items := []views.ChecklistItem{
		{Key: "reward", Href: reward, Done: st.RewardSet},
		{Key: "poster", Href: "/poster", Done: st.PosterOpened},
		{Key: "cashier", Href: "/staff", Done: st.Staff > 1},
		{Key: "stamp", Href: "/counter", Done: st.Stamped},
	}
	for _, it := range items {
		if !it.Done {
			return items
		}
	}
	return nil
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
	v := views.Dashboard{StampsToday: d.StampsToday, RedeemsToday: d.RedeemsToday, Empty: d.Visited == 0, Checklist: checklist(d.Setup)}

	// Tiles: the value now, and its change against the previous period. The
	// arrow follows the number; whether the change is good news depends on
	// the figure: a longer gap between visits is worse.
	type change struct{ text, trend, tone string }
	relative := func(now, before int, upIsGood bool, say func(string) string) change {
		ch, ok := loyalty.Change(float64(now), float64(before))
		if !ok {
			return change{}
		}
		ch = rounded(ch*100, 0) / 100 // as shown: a change shown as 0% has no arrow
		return change{say(signed(t, pct(ch), ch)), trend(ch), tone(ch, upIsGood)}
	}
	vsPrevious := func(c string) string { return t.T("ChangeRelative", "Change", c) }
	// points is a change in the figure's own unit, which say puts in words.
	points := func(now, before float64, okNow, okBefore bool, digits int, scale float64, upIsGood bool, say func(string) string) change {
		if !okNow || !okBefore {
			return change{}
		}
		diff := rounded((now-before)*scale, digits)
		return change{say(signed(t, t.Decimal(diff, digits), diff)), trend(diff), tone(diff, upIsGood)}
	}
	toneText := map[string]string{"good": t.T("ChangeBetter"), "bad": t.T("ChangeWorse")}
	add := func(testID, label, hint, value string, c change) {
		v.Tiles = append(v.Tiles, views.Tile{TestID: testID, Label: label, Hint: hint, Value: value,
			Change: c.text, Trend: c.trend, Tone: c.tone, ToneText: toneText[c.tone]})
	}

	add("tile-customers", t.T("TileCustomers"), t.T("TileCustomersHint"), t.Num(d.Customers), relative(d.Customers, d.CustomersBefore, true, vsPrevious))
	add("tile-active", t.T("TileActive"), "", t.Num(cur.Active), relative(cur.Active, prev.Active, true, vsPrevious))
	add("tile-new", t.T("TileNewCustomers"), t.T("TileNewCustomersHint"), t.Num(cur.NewCustomers), relative(cur.NewCustomers, prev.NewCustomers, true, vsPrevious))

	repeat, okRepeat := loyalty.Ratio(cur.Repeat, cur.Active)
	repeatBefore, okRepeatBefore := loyalty.Ratio(prev.Repeat, prev.Active)
	add("tile-repeat", t.T("TileRepeatRate"), "", orDash(okRepeat, pct(repeat)),
		points(repeat, repeatBefore, okRepeat, okRepeatBefore, 0, 100, true, func(c string) string { return t.T("ChangePoints", "Change", c) }))

	gap, okGap := loyalty.Ratio(cur.GapSum, cur.Gaps)
	gapBefore, okGapBefore := loyalty.Ratio(prev.GapSum, prev.Gaps)
	add("tile-gap", t.T("TileDaysBetween"), "", orDash(okGap, t.N("DaysCount", int(gap+0.5), "Days", t.Decimal(gap, 1))),
		points(gap, gapBefore, okGap, okGapBefore, 1, 1, false, func(c string) string { return t.T("ChangeDays", "Change", c) }))

	// Two numbers, one change: the redeemed rewards', and it says so.
	add("tile-rewards", t.T("TileRewards"), "", t.T("RewardsEarnedRedeemed", "Earned", t.Num(cur.Rewards), "Redeemed", t.Num(cur.Redeems)),
		relative(cur.Redeems, prev.Redeems, true, func(c string) string { return t.T("ChangeRedeemed", "Change", c) }))

	rating, okRating := loyalty.Ratio(cur.RatingSum, cur.Ratings)
	ratingBefore, okRatingBefore := loyalty.Ratio(prev.RatingSum, prev.Ratings)
	add("tile-rating", t.T("TileRating"), "", orDash(okRating, t.T("RatingValue", "Rating", t.Decimal(rating, 1), "Count", t.Num(cur.Ratings))),
		points(rating, ratingBefore, okRating, okRatingBefore, 1, 1, true, func(c string) string { return t.T("ChangeStars", "Change", c) }))

	days := shopDays(d)
	v.Daily, v.Weekly = visitCharts(t, d, days, rtl)
	v.Heat = hourHeatmap(t, d, len(days), rtl)
	thisMonth := loyalty.MonthNumber(d.Today)
	for i, co := range d.Cohorts {
		if co.Size == 0 && len(v.Cohorts) == 0 && i < len(d.Cohorts)-1 {
			continue // months before the shop's first customer
		}
		month := t.T("MonthYear", "Month", t.T(monthKey(co.Month)), "Year", t.Numerals(strconv.Itoa(co.Month/12)))
		row := views.CohortRow{Month: month, Size: co.Size, SoFar: co.SoFar(0, thisMonth)}
		if row.SoFar {
			row.Month = t.T("CohortMonthSoFar", "Month", month)
		}
		for k := 1; k <= len(co.Returned); k++ {
			share, ok := co.Retention(k, thisMonth)
			cell := views.CohortShare{}
			switch {
			case ok && co.SoFar(k, thisMonth):
				// Unshaded: its shade would set a few days beside whole months.
				cell = views.CohortShare{Text: t.T("CohortShareSoFar", "Share", pct(share)), SoFar: true}
			case ok:
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
	e := loyalty.Economics{AverageTicket: d.AverageTicket, RewardCost: d.RewardCost, Visits: cur.Visits, Redeemed: cur.Redeems, Gifts: d.Gifts}
	v.Economics = economicsView(t, e, currency)
	v.Economics.PointsOwed = pointsOwedLines(t, d.PointsOwed, d.RewardCost, currency)
	if d.Credit.Credit > 0 {
		v.Economics.CreditOwed = t.N("CreditOwed", d.Credit.Cards, "Money", t.Money(d.Credit.Credit, currency))
	}
	if d.GiftsOut > 0 {
		v.Economics.GiftsHandedOut = t.N("EconomicsGiftsHandedOut", d.GiftsOut, "Money", t.Money(d.GiftsCost, currency))
	}
	v.Holdouts, v.Economics.Measured = holdoutViews(t, d.Holdouts, e, currency)
	v.Clubs = clubReturnRows(t, d.Clubs)
	return v
}

// economicsView spells out the estimate, its inputs and what it assumes.
func economicsView(t *locale.Tr, e loyalty.Economics, currency string) views.Economics {
	money := func(minor int) string { return t.Money(minor, currency) }
	v := views.Economics{
		Entered: e.AverageTicket > 0 && e.RewardCost > 0, BonusStamps: e.BonusStamps,
		Revenue: money(e.Revenue()), Cost: money(e.Cost()), Net: money(e.Revenue() - e.Cost()),
		Formula: t.T("EconomicsFormula",
			"Visits", t.N("EconomicsVisits", e.Visits), "Ticket", money(e.AverageTicket),
			"Rewards", t.N("EconomicsRewards", e.Redeemed, "Cost", money(e.RewardCost)),
			"Coupons", t.N("EconomicsCoupons", e.Coupons, "Value", money(e.CouponCost())),
			"Prizes", t.N("EconomicsPrizes", e.Prizes, "Cost", money(e.RewardCost))),
	}
	if r, ok := e.Return(); ok {
		v.Return = t.T("EconomicsReturnValue", "Return", t.Decimal(r, 1))
	}
	return v
}

// shopDays are the days of d.Daily since the shop was created: a chart
// starts where the shop did, not with empty days before it existed.
func shopDays(d db.Dashboard) []db.DayActivity {
	if len(d.Daily) == 0 {
		return nil
	}
	skip := min(max(0, d.ShopFirstDay-d.Daily[0].Day), len(d.Daily)-1)
	return d.Daily[skip:]
}

// Slots the charts keep at least, so that a young shop's few bars are as wide
// as they will be later, from the start of the time axis.
const (
	dailySlots  = 30
	weeklySlots = db.ChartDays / 7
)

// visitCharts draws the visits of days, and the same visits by week, split
// into new customers' first visits and returning ones.
func visitCharts(t *locale.Tr, d db.Dashboard, days []db.DayActivity, rtl bool) (views.Chart, views.Chart) {
	zone := t.Zone()
	n := len(days)
	visits := make([]int, n)
	titles := make([]string, n)
	labels := make([]string, n)
	total := 0
	for i, day := range days {
		date := loyalty.DayStart(day.Day, zone)
		visits[i], titles[i], labels[i] = day.Visits, t.N("ChartDayTitle", day.Visits, "Date", t.Date(date)), t.DayMonth(date)
		total += day.Visits
	}
	daily := views.NewChart(t.N("ChartVisitsTitle", n), t.N("ChartVisitsDesc", total, "Days", t.Num(n)),
		[]views.Series{{Class: "returning", Values: visits}}, titles, labels, dailySlots, rtl, t.Num)

	// Weeks ending today, so the newest bar is a whole week; the oldest may
	// be shorter, when the shop is younger than the chart.
	weeks := min(weeklySlots, (n+6)/7)
	first, returning := make([]int, weeks), make([]int, weeks)
	wTitles, wLabels := make([]string, weeks), make([]string, weeks)
	for w := range weeks {
		end := n - (weeks-w-1)*7
		week := days[max(0, end-7):end]
		for _, day := range week {
			first[w] += day.NewCustomers
			returning[w] += day.Visits - day.NewCustomers
		}
		start := loyalty.DayStart(week[0].Day, zone)
		wTitles[w] = t.T("ChartWeekTitle", "Week", t.Date(start), "New", t.N("ChartWeekFirstVisits", first[w]), "Returning", t.N("ChartWeekReturning", returning[w]))
		wLabels[w] = t.DayMonth(start)
	}
	weekly := views.NewChart(t.T("ChartWeeklyTitle"), t.N("ChartWeeklyDesc", weeks),
		[]views.Series{{Class: "new", Name: t.T("ChartLegendNew"), Values: first}, {Class: "returning", Name: t.T("ChartLegendReturning"), Values: returning}},
		wTitles, wLabels, weeklySlots, rtl, t.Num)
	return daily, weekly
}

// hourHeatmap lays the visits of the last 90 days (the shop's n days, if
// fewer) out by weekday, from the first of the language's week, and hour.
func hourHeatmap(t *locale.Tr, d db.Dashboard, n int, rtl bool) views.Heatmap {
	var days []string
	var counts [][24]int
	var titles [][24]string
	for i := range 7 {
		wd := (t.FirstWeekday() + time.Weekday(i)) % 7
		name := t.T(weekdayKeys[wd])
		days = append(days, name)
		counts = append(counts, d.Hours[wd])
		var row [24]string
		for h := range 24 {
			row[h] = t.N("HeatCellTitle", d.Hours[wd][h], "Day", name, "Hour", t.Numerals(strconv.Itoa(h)))
		}
		titles = append(titles, row)
	}
	return views.NewHeatmap(t.T("HeatTitle"), t.N("HeatDesc", n), days, counts, titles, rtl)
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

// rounded is x with the given digits after the point, as the page shows it,
// and never -0.
func rounded(x float64, digits int) float64 {
	p := math.Pow10(digits)
	return math.Round(x*p)/p + 0
}

// tone says whether a change of x is good or bad news for a figure whose
// rise is good news (upIsGood) or bad; "" for no change.
func tone(x float64, upIsGood bool) string {
	switch {
	case x == 0:
		return ""
	case (x > 0) == upIsGood:
		return "good"
	}
	return "bad"
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

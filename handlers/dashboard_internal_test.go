package handlers

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"regulars/db"
	"regulars/locale"
	"regulars/loyalty"
	"regulars/views"
)

// The dashboard's view model is a pure function of one snapshot: these tests
// hand it snapshots whose every figure is known and read the page it makes.

// viewNow is the moment of the snapshots: 5 June, the fifth day of a month.
var viewNow = time.Date(2026, 6, 5, 12, 0, 0, 0, time.UTC)

// snapshot is a shop created long ago with no activity in the charts' days,
// as of viewNow; a customer visited once before, so its figures are shown.
func snapshot() db.Dashboard {
	today := loyalty.DayNumber(viewNow)
	d := db.Dashboard{Today: today, Daily: make([]db.DayActivity, db.ChartDays), Visited: 1}
	for i := range d.Daily {
		d.Daily[i].Day = today - db.ChartDays + 1 + i
	}
	return d
}

// renderView renders the dashboard of d in English, as an owner sees it.
func renderView(t *testing.T, d db.Dashboard) *goquery.Document {
	t.Helper()
	tr := locale.New("en", time.UTC, locale.LatinDigits)
	v := dashboardView(tr, d, "EUR", false)
	var buf bytes.Buffer
	p := views.Page{T: tr, Title: "Dashboard", Shop: &views.Brand{Name: "Café", Color: "#6b4423"},
		User: &views.Staff{Name: "O", Role: "owner", CanManage: true, IsOwner: true}}
	if err := views.DashboardPage(p, v).Render(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestDashboardFiguresKnowWhichWayIsBetter: a change is coloured by what it
// means for the shop, not by its sign: a longer gap between visits went up
// and is worse; a lower repeat rate went down and is worse; more active
// customers is better.
func TestDashboardFiguresKnowWhichWayIsBetter(t *testing.T) {
	t.Parallel()
	d := snapshot()
	d.Current = db.Period{Active: 12, Repeat: 3, GapSum: 100, Gaps: 10}
	d.Previous = db.Period{Active: 10, Repeat: 5, GapSum: 50, Gaps: 10}
	doc := renderView(t, d)
	tests := []struct {
		tile, arrow, tone string
	}{
		{"tile-gap", "trend-up", "tone-bad"},
		{"tile-repeat", "trend-down", "tone-bad"},
		{"tile-active", "trend-up", "tone-good"},
	}
	for _, tt := range tests {
		ch := doc.Find(`[data-testid="` + tt.tile + `"] .tile-change`)
		if !ch.HasClass(tt.arrow) || !ch.HasClass(tt.tone) {
			t.Errorf("%s change %q has classes %q, want %s and %s", tt.tile, ch.Text(), ch.AttrOr("class", ""), tt.arrow, tt.tone)
		}
	}
}

// TestDashboardRewardsChangeSaysWhich: the rewards tile shows two numbers;
// its change says which one it is about.
func TestDashboardRewardsChangeSaysWhich(t *testing.T) {
	t.Parallel()
	d := snapshot()
	d.Current = db.Period{Rewards: 6, Redeems: 4}
	d.Previous = db.Period{Rewards: 6, Redeems: 2}
	got := strings.TrimSpace(renderView(t, d).Find(`[data-testid="tile-rewards"] .tile-change`).Text())
	if !strings.Contains(got, "Redeemed") || !strings.Contains(got, "100") {
		t.Errorf("rewards change %q does not say it is the redeemed ones that doubled", got)
	}
}

// TestDashboardWeeklyChartSaysVisits: the weekly chart counts visits, and
// says so.
func TestDashboardWeeklyChartSaysVisits(t *testing.T) {
	t.Parallel()
	doc := renderView(t, snapshot())
	for _, sel := range []string{`[data-testid="chart-weekly"] svg > title`, `section:has([data-testid="chart-weekly"]) h2`} {
		got := doc.Find(sel).First().Text()
		if !strings.Contains(got, "isits") || strings.Contains(got, "ustomers") {
			t.Errorf("%s = %q: the chart counts visits", sel, got)
		}
	}
}

// TestDashboardMarksTheMonthSoFar: on 5 June, June is five days old: May's
// customers who came back "one month later" are counted over five days, and
// June's new customers too. Those cells say "so far", the finished ones don't.
func TestDashboardMarksTheMonthSoFar(t *testing.T) {
	t.Parallel()
	d := snapshot()
	june := loyalty.MonthNumber(d.Today)
	d.Cohorts = []loyalty.Cohort{
		{Month: june - 2, Size: 10, Returned: []int{7, 3, 0}},
		{Month: june - 1, Size: 10, Returned: []int{3, 0, 0}},
		{Month: june, Size: 2, Returned: []int{0, 0, 0}},
	}
	rows := renderView(t, d).Find(`[data-testid="cohorts"] tbody tr`)
	if rows.Length() != 3 {
		t.Fatalf("%d cohort rows, want 3", rows.Length())
	}
	cell := func(row, col int) *goquery.Selection { return rows.Eq(row).Find("td").Eq(col) }
	for _, tt := range []struct {
		name     string
		s        *goquery.Selection
		partial  bool
		contains string
	}{
		{"April, 1 month later (May)", cell(0, 1), false, "70%"},
		{"April, 2 months later (June)", cell(0, 2), true, "30%"},
		{"May, 1 month later (June)", cell(1, 1), true, "30%"},
		{"June's size", rows.Eq(2).Find("th"), true, "Jun"},
	} {
		text := strings.TrimSpace(tt.s.Text())
		if !strings.Contains(text, tt.contains) {
			t.Errorf("%s: %q, want %q in it", tt.name, text, tt.contains)
		}
		if got := strings.Contains(text, "so far"); got != tt.partial || tt.s.HasClass("partial") != tt.partial {
			t.Errorf("%s: %q (class %q) marked as unfinished: %v, want %v", tt.name, text, tt.s.AttrOr("class", ""), !tt.partial, tt.partial)
		}
	}
}

// TestTone: whether a change is good news follows the figure, not the sign.
func TestTone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		change   float64
		upIsGood bool
		want     string
	}{
		{0.2, true, "good"}, {-0.2, true, "bad"}, {2, false, "bad"}, {-2, false, "good"}, {0, true, ""}, {0, false, ""},
	}
	for _, tt := range tests {
		if got := tone(tt.change, tt.upIsGood); got != tt.want {
			t.Errorf("tone(%v, up is good: %v) = %q, want %q", tt.change, tt.upIsGood, got, tt.want)
		}
	}
}

// TestDashboardChartsSinceTheShop: the snapshot of a shop created 9 days ago
// charts its 10 days, in 2 weeks (the oldest of 3 days), and its heatmap
// says 10 days.
func TestDashboardChartsSinceTheShop(t *testing.T) {
	t.Parallel()
	d := snapshot()
	d.ShopFirstDay = d.Today - 9
	d.Daily[len(d.Daily)-10].Visits, d.Daily[len(d.Daily)-10].NewCustomers = 2, 2
	d.Daily[len(d.Daily)-1].Visits, d.Daily[len(d.Daily)-1].NewCustomers = 3, 1
	tr := locale.New("en", time.UTC, locale.LatinDigits)
	v := dashboardView(tr, d, "EUR", false)
	if got := len(v.Daily.Bars); got != 2 || v.Daily.Title != "Visits per day, last 10 days" || v.Daily.Desc != "5 visits in 10 days." {
		t.Errorf("daily chart %q, %q with %d bars", v.Daily.Title, v.Daily.Desc, got)
	}
	if n := len(v.Daily.Labels); n != 2 || v.Daily.Labels[0].Text != "May 27" {
		t.Errorf("daily labels %+v, want the shop's first day and today", v.Daily.Labels)
	}
	var weeks []string
	for _, b := range v.Weekly.Bars {
		weeks = append(weeks, b.Class+" "+b.Title)
	}
	want := []string{
		"new Week of May 27, 2026: 2 first visits, 0 returning",
		"new Week of May 30, 2026: 1 first visit, 2 returning",
		"returning Week of May 30, 2026: 1 first visit, 2 returning",
	}
	if strings.Join(weeks, "\n") != strings.Join(want, "\n") {
		t.Errorf("weekly bars:\n%s\nwant:\n%s", strings.Join(weeks, "\n"), strings.Join(want, "\n"))
	}
	if v.Heat.Desc != "Last 10 days; darker cells are busier hours." {
		t.Errorf("heatmap: %q", v.Heat.Desc)
	}
}

// TestDashboardChangeAsShown: a change too small to show is no change: a
// rating 0.02 lower reads "0.0", with no red arrow.
func TestDashboardChangeAsShown(t *testing.T) {
	t.Parallel()
	d := snapshot()
	d.Current = db.Period{RatingSum: 4180, Ratings: 1000, Active: 1000}
	d.Previous = db.Period{RatingSum: 4200, Ratings: 1000, Active: 998}
	doc := renderView(t, d)
	for _, tile := range []string{"tile-rating", "tile-active"} {
		ch := doc.Find(`[data-testid="` + tile + `"] .tile-change`)
		if text := strings.TrimSpace(ch.Text()); strings.HasPrefix(text, "-") || strings.HasPrefix(text, "+") || !ch.HasClass("trend-flat") || ch.HasClass("tone-bad") || ch.HasClass("tone-good") {
			t.Errorf("%s: %q with classes %q, want a change of 0 without arrow or tone", tile, text, ch.AttrOr("class", ""))
		}
	}
}

// TestHeatmapWeekStartsAsTheLanguage: a Persian shop's week starts on
// Saturday, the others' on Monday (issue 17).
func TestHeatmapWeekStartsAsTheLanguage(t *testing.T) {
	t.Parallel()
	for lang, first := range map[string]time.Weekday{"fa": time.Saturday, "tr": time.Monday, "en": time.Monday, "ro": time.Monday} {
		tr := locale.New(lang, time.UTC, locale.DefaultDigits(lang))
		h := hourHeatmap(tr, db.Dashboard{}, 90, lang == "fa")
		if len(h.Days) != 7 || h.Days[0] != tr.T(weekdayKeys[first]) || h.Days[6] != tr.T(weekdayKeys[(first+6)%7]) {
			t.Errorf("%s: the heatmap's days are %q, want %s first", lang, h.Days, first)
		}
	}
}

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"regulars/db"
	"regulars/demo"
)

// TestChartsOnAPhone: the owner reads the dashboard's charts on a phone
// (390×844, touch), in English and in Persian (right to left), for a shop
// opened today with one visit and for a café with three months of history;
// and the café's at 1366 px. Each chart shows its newest bar on the screen
// without scrolling, the heat map shows the hours with visits, a tap on a bar
// shows its value under the chart, the Tab key reaches the chart and arrow
// keys move along it, and axe finds nothing serious in the charts.
// Screenshots: charts-<shop>-<lang>-<width>.png.
func TestChartsOnAPhone(t *testing.T) {
	t.Parallel()
	for _, shop := range []string{"new", "demo"} {
		t.Run(shop, func(t *testing.T) {
			t.Parallel()
			srv, clk := startServer(t)
			ctx0 := context.Background()
			var who person
			switch shop {
			case "new":
				// The visit and the subtests' dashboard reads, minutes later, fall
				// on one day of the shop's calendar (the browser's zone, which is
				// this machine's): a run that starts near midnight opens the shop
				// just after it.
				now := clk.Now().In(time.Local)
				if untilMidnight := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.Local).Sub(now); untilMidnight < time.Hour {
					clk.Advance(untilMidnight + time.Minute)
				}
				// Signed up in a browser of its own, then one customer's first visit now.
				ctx := newBrowser(t, desktop)
				signUp(t, ctx, srv, owner)
				card, err := srv.Store.EnrollCard(ctx0, 1, db.NewCard{CreatedBy: 1, Key: "charts-enrol"}, clk.Now())
				if err != nil {
					t.Fatal(err)
				}
				if _, err := srv.Store.Stamp(ctx0, db.Action{ShopID: 1, CardID: card.ID, ProgramID: 1, UserID: 1, Key: "charts-stamp", Now: clk.Now()}, 1, false); err != nil {
					t.Fatal(err)
				}
				who = owner
			default:
				l, err := demo.Seed(ctx0, srv.Store, 60, clk.Now())
				if err != nil {
					t.Fatal(err)
				}
				who = person{Email: l.OwnerEmail, Password: l.OwnerPassword}
			}
			devices := []struct {
				width string
				opts  browserOptions
			}{{"390", phone}}
			if shop == "demo" {
				devices = append(devices, struct {
					width string
					opts  browserOptions
				}{"1366", browserOptions{Width: 1366, Height: 800}})
			}
			for _, lang := range []string{"en", "fa"} {
				for _, device := range devices {
					name := shop + "-" + lang + "-" + device.width
					t.Run(lang+"-"+device.width, func(t *testing.T) {
						t.Parallel()
						ctx := newBrowser(t, device.opts)
						run(t, ctx, network.SetCookie("lang", lang).WithURL(srv.URL))
						logIn(t, ctx, srv, who, `[data-testid=main-nav]`)
						run(t, ctx, chromedp.Navigate(srv.URL+"/dashboard"), chromedp.WaitVisible(`[data-testid=heatmap]`, chromedp.ByQuery), loaded)
						if got := attr(t, ctx, "html", "lang"); got != lang {
							t.Fatalf("the dashboard is in %q, want %q", got, lang)
						}
						checkChartsOnScreen(t, ctx, shop, lang)
						checkHeatmapHours(t, ctx)
						checkChartTap(t, ctx, shop)
						checkChartKeyboard(t, ctx, lang)
						checkChartsAxe(t, ctx)
						checkNoSidewaysScroll(t, ctx, "dashboard")
						screenshot(t, ctx, "charts-"+name)
						chartShots(t, ctx, "charts-"+name)
					})
				}
			}
		})
	}
}

// checkChartsOnScreen: each bar chart's newest point is within the screen's
// width with nothing scrolled, on the end of the chart where time ends
// (the right, or the left on a right-to-left page); a young shop's chart
// says its only value under the chart without a tap.
func checkChartsOnScreen(t *testing.T, ctx context.Context, shop, lang string) {
	t.Helper()
	for _, chart := range []string{"chart-daily", "chart-weekly"} {
		var geo struct {
			Bars               int
			Left, Right, Width float64
			OldestLeft         float64
			Scrolled           bool
		}
		// The bars in the order of time: the last is the newest with visits.
		run(t, ctx, chromedp.Evaluate(fmt.Sprintf(`(() => {
			const fig = document.querySelector('[data-testid=%s]');
			const bars = fig.querySelectorAll('rect.bar');
			const newest = bars[bars.length - 1].getBoundingClientRect();
			let scrolled = false;
			for (let el = fig; el; el = el.parentElement) if (el.scrollLeft !== 0 || el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible') scrolled = true;
			return {bars: bars.length, left: newest.left, right: newest.right, width: innerWidth, oldestLeft: bars[0].getBoundingClientRect().left, scrolled};
		})()`, chart), &geo))
		if geo.Bars == 0 {
			t.Fatalf("%s has no bars", chart)
		}
		if geo.Left < 0 || geo.Right > geo.Width || geo.Scrolled {
			t.Errorf("%s: the newest bar is at %.0f–%.0f px of a %.0f px screen (scrolling: %v), want it on the screen", chart, geo.Left, geo.Right, geo.Width, geo.Scrolled)
		}
		if geo.Bars > 1 && (lang == "fa") != (geo.Left < geo.OldestLeft) {
			t.Errorf("%s (%s): the newest bar at %.0f px, the oldest at %.0f px: time runs the wrong way", chart, lang, geo.Left, geo.OldestLeft)
		}
		if shop == "new" && geo.Bars != 1 {
			t.Errorf("%s of a shop opened today has %d bars", chart, geo.Bars)
		}
	}
	if shop == "new" {
		// The shop's digits are Latin: it signed up in English.
		want := map[string]string{"en": "1 visit", "fa": "1 مراجعه"}[lang]
		if got := text(t, ctx, `[data-testid=chart-daily-readout]`); !strings.Contains(got, want) {
			t.Errorf("under the daily chart %q, want today's %q", got, want)
		}
	}
}

// checkHeatmapHours: every hour with visits is on the screen without
// scrolling, and the map shows no more than a day's opening hours.
func checkHeatmapHours(t *testing.T, ctx context.Context) {
	t.Helper()
	var geo struct {
		Busy, Outside, Cols int
		Width               float64
	}
	run(t, ctx, chromedp.Evaluate(`(() => {
		const cells = [...document.querySelectorAll('[data-testid=heatmap] rect.heat-cell:not(.shade-0)')];
		const outside = cells.filter(c => { const r = c.getBoundingClientRect(); return r.left < 0 || r.right > innerWidth; }).length;
		const cols = new Set([...document.querySelectorAll('[data-testid=heatmap] rect.heat-cell')].map(c => c.getAttribute('x'))).size;
		return {busy: cells.length, outside, cols, width: innerWidth};
	})()`, &geo))
	if geo.Busy == 0 || geo.Outside > 0 {
		t.Errorf("heat map: %d of %d busy hours are off a %.0f px screen", geo.Outside, geo.Busy, geo.Width)
	}
	if geo.Cols >= 24 {
		t.Errorf("the heat map shows %d hours, want the opening hours", geo.Cols)
	}
}

// checkChartTap taps a bar of the daily chart (an older one, when there is
// more than one) and a busy hour of the heat map other than the busiest, and
// reads each one's value under its chart.
func checkChartTap(t *testing.T, ctx context.Context, shop string) {
	t.Helper()
	bar := `[data-testid=chart-daily] [data-point]:last-of-type`
	if shop == "demo" {
		bar = `[data-testid=chart-daily] [data-point]:nth-of-type(40)`
	}
	tap(t, ctx, bar, ".hit", `[data-testid=chart-daily-readout]`)
	if shop == "demo" {
		tap(t, ctx, `[data-testid=heatmap] rect.heat-cell.shade-2:not(.current)`, "", `[data-testid=heatmap-readout]`)
	}
}

// tap touches the point sel (at its part part, if given) with a finger and
// waits for its value, its accessible name, under its chart in readout.
func tap(t *testing.T, ctx context.Context, sel, part, readout string) {
	t.Helper()
	// Read before the tap: the tap makes it the chosen one, which sel may exclude.
	want := attr(t, ctx, sel, "aria-label")
	if want == "" {
		t.Fatalf("%s has no accessible name", sel)
	}
	run(t, ctx, chromedp.ScrollIntoView(sel, chromedp.ByQuery))
	var at struct{ X, Y float64 }
	run(t, ctx, chromedp.Evaluate(fmt.Sprintf(`(() => {
		let el = document.querySelector(%q);
		if (%q) el = el.querySelector(%q);
		const r = el.getBoundingClientRect();
		return {x: r.left + r.width / 2, y: r.bottom - Math.min(10, r.height / 2)};
	})()`, sel, part, part), &at))
	run(t, ctx,
		input.DispatchTouchEvent(input.TouchStart, []*input.TouchPoint{{X: at.X, Y: at.Y}}),
		input.DispatchTouchEvent(input.TouchEnd, []*input.TouchPoint{}),
	)
	// The browser turns the touches into a tap (focus, click) on its own time.
	waitJS(t, ctx, fmt.Sprintf(`document.querySelector(%q).textContent === %q`, readout, want), 5*time.Second)
}

// checkChartKeyboard: Tab from the top of the page reaches the daily chart,
// at its newest point, and the arrow pointing back in time (left, or right
// on a right-to-left page) moves to the day before and shows its value.
func checkChartKeyboard(t *testing.T, ctx context.Context, lang string) {
	t.Helper()
	// A fresh page: Tab starts from its top, not from the bar tapped before.
	reload(t, ctx, `[data-testid=heatmap]`)
	reached := false
	for range 120 {
		run(t, ctx, chromedp.KeyEvent("\t"))
		var in string
		run(t, ctx, chromedp.Evaluate(`(document.activeElement.closest('[data-chart]') || {dataset: {}}).dataset.testid || ""`, &in))
		if in != "" {
			if in != "chart-daily" {
				t.Fatalf("Tab reaches %s before the daily chart", in)
			}
			reached = true
			break
		}
	}
	if !reached {
		t.Fatal("Tab never reaches the daily chart")
	}
	var pos struct{ Index, Count int }
	probe := `(() => { const pts = [...document.querySelectorAll('[data-testid=chart-daily] [data-point]')]; return {index: pts.indexOf(document.activeElement), count: pts.length}; })()`
	run(t, ctx, chromedp.Evaluate(probe, &pos))
	if pos.Index != pos.Count-1 {
		var html string
		run(t, ctx, chromedp.Evaluate(`document.activeElement.outerHTML.slice(0, 200)`, &html))
		t.Errorf("Tab lands on point %d of %d, want the newest: %s", pos.Index, pos.Count, html)
	}
	if pos.Count < 2 {
		return
	}
	back := map[string]string{"en": kb.ArrowLeft, "fa": kb.ArrowRight}[lang]
	run(t, ctx, chromedp.KeyEvent(back))
	run(t, ctx, chromedp.Evaluate(probe, &pos))
	if pos.Index != pos.Count-2 {
		t.Errorf("the arrow back in time moves to point %d of %d, want the day before the newest", pos.Index, pos.Count)
	}
	want := attr(t, ctx, `[data-testid=chart-daily] [data-point][tabindex="0"]`, "aria-label")
	if got := text(t, ctx, `[data-testid=chart-daily-readout]`); got != want {
		t.Errorf("after the arrow, the chart says %q, want %q", got, want)
	}
	// The heat map's arrows move a day down and back up.
	cells := `(() => { const c = [...document.querySelectorAll('[data-testid=heatmap] [data-point]')]; return [c.indexOf(document.activeElement), Number(document.querySelector('[data-testid=heatmap]').dataset.cols)]; })()`
	var start, down []int
	run(t, ctx, chromedp.Focus(`[data-testid=heatmap] [data-point][tabindex="0"]`, chromedp.ByQuery), chromedp.Evaluate(cells, &start))
	key := kb.ArrowDown
	if start[0] >= 6*start[1] { // the busiest hour is on the last day
		key = kb.ArrowUp
	}
	run(t, ctx, chromedp.KeyEvent(key), chromedp.Evaluate(cells, &down))
	if d := down[0] - start[0]; d != start[1] && d != -start[1] {
		t.Errorf("an arrow down or up in the heat map moves from cell %d to %d, want a row of %d away", start[0], down[0], start[1])
	}
}

// checkChartsAxe has axe-core check the charts alone (the rest of the page
// is the owner pages' test's): no serious or critical violation.
func checkChartsAxe(t *testing.T, ctx context.Context) {
	t.Helper()
	var ready bool
	run(t, ctx, chromedp.Evaluate(`typeof axe === "object"`, &ready))
	if !ready {
		run(t, ctx, chromedp.Evaluate(axeSource+";true", &ready))
	}
	var out []axeViolation
	run(t, ctx, chromedp.Evaluate(`axe.run({include: [['[data-testid=chart-daily]'], ['[data-testid=chart-weekly]'], ['[data-testid=heatmap]']]}, {resultTypes: ["violations"]}).then(r => r.violations.map(v => ({
		id: v.id, impact: v.impact || "", help: v.help,
		targets: v.nodes.map(n => n.target.join(" ")),
	})))`, &out, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	for _, v := range out {
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Errorf("axe, %s (%s): %s: %q", v.ID, v.Impact, v.Help, v.Targets)
		} else {
			t.Logf("axe, %s (%s): %s: %q", v.ID, v.Impact, v.Help, v.Targets)
		}
	}
}

// chartShots saves what the screen shows with the daily chart at its top
// (<name>-screen.png) and the heat map alone (<name>-heatmap.png): the full
// page's screenshot is long on a phone.
func chartShots(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	var screen, heat []byte
	run(t, ctx,
		chromedp.Evaluate(`document.querySelector('[data-testid=chart-daily]').scrollIntoView({block: "start"})`, nil),
		chromedp.CaptureScreenshot(&screen),
		chromedp.Screenshot(`[data-testid=heatmap]`, &heat, chromedp.ByQuery),
	)
	for suffix, buf := range map[string][]byte{"-screen.png": screen, "-heatmap.png": heat} {
		path := filepath.Join(t.ArtifactDir(), name+suffix)
		if err := os.WriteFile(path, buf, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", path)
	}
}

package views

import (
	"slices"
	"strconv"

	"github.com/a-h/templ"
)

// Dashboard is the owner's overview, formatted for the page.
type Dashboard struct {
	Tiles       []Tile
	Daily       Chart
	Weekly      Chart
	Cohorts     []CohortRow
	Heat        Heatmap
	Segments    []SegmentCount
	Staff       []StaffRow
	Economics   Economics
	Programs    []Program
	Recent      []Entry
	StampsToday int
	// RedeemsToday counts the rewards redeemed today.
	RedeemsToday int
	// Empty: no customer has visited yet, so the figures would all be zeros;
	// the page says what will be there instead.
	Empty bool
	// Checklist is the getting-started list, nil once done or put away.
	Checklist []ChecklistItem
	// CanDismiss: the owner may put the list away.
	CanDismiss bool
	// Holdouts: per automation that chose anyone, did its messages bring
	// people back (holdout.go).
	Holdouts []Holdout
	// Clubs compares each club's members with the customers in no club.
	Clubs []ClubReturnRow
}

// ChecklistItem is a first thing to do: where to do it, and whether it is done.
type ChecklistItem struct {
	Key  string // reward, poster, cashier, stamp: names its test id and texts
	Href string
	Done bool
}

// ChecklistDone counts the items done.
func (d Dashboard) ChecklistDone() int {
	n := 0
	for _, it := range d.Checklist {
		if it.Done {
			n++
		}
	}
	return n
}

// Tile is one headline figure and how it moved against the previous period.
type Tile struct {
	TestID string
	Label  string
	Hint   string // what the figure counts, when the label cannot say it all
	Value  string
	Change string // empty when there is nothing to compare with
	Trend  string // "up", "down" or "flat": an arrow, not a judgement
	Tone   string // "good", "bad" or "": what the change means for the shop
	// ToneText says the tone in words, for those who do not see its colour.
	ToneText string
}

// StaffRow is one person's counter work in the period.
type StaffRow struct {
	Name                                       string
	Stamps, Redeems, Voids, Overrides, Adjusts int
	Share                                      string // corrections among actions
	Unusual                                    bool
}

// Economics is the program's estimated return, with its inputs.
type Economics struct {
	CanEdit            bool
	Entered            bool // both inputs are set
	Revenue, Cost, Net string
	Return             string // empty when nothing was handed over
	Formula            string // the computation with its numbers
	BonusStamps        int    // given in the period, counted when redeemed
	Form               Form
	Saved              bool // the inputs were just saved
	// Measured is the return the hold-outs measured, beside the estimate.
	Measured Measured
	// CreditOwed says the store credit customers hold: a liability ("" none).
	CreditOwed string
	// PointsOwed say the points customers hold, one line per points program.
	PointsOwed []string
	// GiftsHandedOut says the catalogue's gifts handed out in the period and
	// their cost ("" none).
	GiftsHandedOut string
}

// inputAttrs are an amount field's attributes; the first field in error
// takes the focus, so that the page opens at the form that needs fixing.
func (e Economics) inputAttrs(name string) templ.Attributes {
	a := templ.Attributes{"inputmode": "decimal", "maxlength": "20"}
	for _, n := range []string{"average_ticket", "reward_cost"} {
		if e.Form.Err(n) != "" {
			if n == name {
				a["autofocus"] = true
			}
			break
		}
	}
	return a
}

// CohortRow is a month's new customers and the share still visiting later.
type CohortRow struct {
	Month  string
	Size   int
	SoFar  bool // the month is not over: its new customers are counted so far
	Shares []CohortShare
}

// CohortShare is one cell of the retention table.
type CohortShare struct {
	Text  string // empty for a month still to come
	Level int    // 0..4, for the shade
	SoFar bool   // the month it counts is not over
}

// Chart is a bar chart drawn as inline SVG: its bars are already placed,
// mirrored for right-to-left pages, so the template only prints them. The
// bars stretch to the width of the page (a phone sees every bar, the newest
// among them, without scrolling); the labels keep their size.
type Chart struct {
	Title, Desc string
	Bars        []Bar
	Points      []Point
	Labels      []AxisLabel // dates under the time axis
	Ticks       []Tick      // values of the value axis: 0, half and the top
	Legend      []LegendItem
	Current     int // the point whose value shows under the chart: the newest
	Width       int // of the plot, in its own units; its height is plotHeight
}

// Point is one time of a chart: a column as tall as the plot, which takes
// taps and the keyboard's focus, and its stacked bars, Bars[From:To].
type Point struct {
	X, W     int
	Title    string // the value in words, shown under the chart when chosen
	From, To int
}

// Bar is one rectangle of a chart, with the text a screen reader or a hover shows.
type Bar struct {
	X, Y, W, H int
	Class      string
	Title      string
}

// AxisLabel is a date under the time axis, at X, a percentage of the width;
// the ones near the ends are anchored inwards so that they are not cut off.
type AxisLabel struct {
	X      string
	Text   string
	Anchor string // start, middle or end
}

// Tick is a value of the value axis, at Y in plot units from the top.
type Tick struct {
	Y    int
	Text string
}

// LegendItem names a bar class.
type LegendItem struct {
	Class, Text string
}

// Chart geometry: the plot's width is in its own units, stretched to the
// page; heights are CSS pixels, the same on every screen.
const (
	chartWidth = 720
	plotTop    = 12  // room above the plot for the top value
	plotHeight = 130 // the tallest bar
	// chartHeight is the drawing's height: the plot and the dates under it.
	chartHeight = plotTop + plotHeight + 26
)

// Series is one stacked part of a bar: its values, their class and, for
// the legend, their name.
type Series struct {
	Class, Name string
	Values      []int
}

// NewChart places stacked bars for len(titles) points, oldest first. On a
// right-to-left page the oldest is at the right, as time runs in that script.
// The width is shared by at least slots bars: fewer points keep that width and
// start where the time axis starts. A few of the labels go under the time
// axis, the newest always; num writes the values of the value axis. Two
// series or more get a legend.
func NewChart(title, desc string, series []Series, titles, labels []string, slots int, rtl bool, num func(int) string) Chart {
	n := len(titles)
	total := max(n, slots, 1)
	slot := chartWidth / total
	c := Chart{Title: title, Desc: desc, Width: slot * total, Current: n - 1}
	peak := 0
	for i := range n {
		sum := 0
		for _, s := range series {
			sum += s.Values[i]
		}
		peak = max(peak, sum)
	}
	top := scaleTop(peak)
	c.Ticks = append(c.Ticks, Tick{Y: 0, Text: num(top)})
	if top > 1 {
		c.Ticks = append(c.Ticks, Tick{Y: plotHeight / 2, Text: num(top / 2)})
	}
	c.Ticks = append(c.Ticks, Tick{Y: plotHeight, Text: num(0)})
	if len(series) > 1 {
		for _, s := range series {
			c.Legend = append(c.Legend, LegendItem{Class: s.Class, Text: s.Name})
		}
	}
	gap := max(1, slot/6)
	for i := range n {
		x := i * slot
		if rtl {
			x = c.Width - (i+1)*slot
		}
		p := Point{X: x, W: slot, Title: titles[i], From: len(c.Bars)}
		base := plotHeight
		for _, s := range series {
			h := s.Values[i] * plotHeight / top
			if s.Values[i] > 0 {
				h = max(h, 1) // a visit is never an empty day
				c.Bars = append(c.Bars, Bar{X: x + gap/2, Y: base - h, W: slot - gap, H: h, Class: s.Class, Title: titles[i]})
			}
			base -= h
		}
		p.To = len(c.Bars)
		c.Points = append(c.Points, p)
	}
	for _, i := range labelled(n, total) {
		if i >= len(labels) {
			continue
		}
		// Placed along the reading direction, then mirrored: SVG anchors
		// follow the text direction, "start" is the right on an rtl page.
		at, anchor := float64(i)+0.5, "middle"
		switch {
		case at < float64(total)/7:
			at, anchor = float64(i), "start"
		case at > float64(total)*6/7:
			at, anchor = float64(i+1), "end"
		}
		pct := at * 100 / float64(total)
		if rtl {
			pct = 100 - pct
		}
		c.Labels = append(c.Labels, AxisLabel{X: strconv.FormatFloat(pct, 'f', 2, 64) + "%", Text: labels[i], Anchor: anchor})
	}
	return c
}

// labelled picks the points of n (in total slots) whose dates go under the
// time axis, oldest first: the newest, then every third of the width back,
// and the oldest too when the label after it is far enough not to touch it.
// A date without its year takes a sixth of a phone's width at most.
func labelled(n, total int) []int {
	if n == 0 {
		return nil
	}
	step := (total + 2) / 3
	var picked []int
	for i := n - 1; i >= 0; i -= step {
		picked = append(picked, i)
	}
	// The oldest's label starts at the start of the axis; the next one is
	// centred on its bar, which must then be 3/10 of the way along.
	if last := picked[len(picked)-1]; last > 0 && (2*last+1)*10 >= total*6 {
		picked = append(picked, 0)
	}
	slices.Reverse(picked)
	return picked
}

// scaleTop is the value at the top of a chart's scale: a round number at or
// above peak, even, so that the middle of the scale is a whole number too
// (1 for a peak of 1 or less: then there is no middle).
func scaleTop(peak int) int {
	if peak <= 1 {
		return 1
	}
	half := (peak + 1) / 2
	for p := 1; ; p *= 10 {
		for _, m := range []int{10, 15, 20, 25, 30, 40, 50, 60, 80} {
			if v := m * p / 10; v >= half && m*p%10 == 0 {
				return 2 * v
			}
		}
	}
}

// Plot is the viewBox of the plot: the chart's width and the tallest bar.
func (c Chart) Plot() string { return "0 0 " + strconv.Itoa(c.Width) + " " + strconv.Itoa(plotHeight) }

// PointBars are the bars stacked in point i.
func (c Chart) PointBars(i int) []Bar { return c.Bars[c.Points[i].From:c.Points[i].To] }

// Readout is the value shown under the chart before anyone chooses a point.
func (c Chart) Readout() string {
	if c.Current < 0 {
		return ""
	}
	return c.Points[c.Current].Title
}

// tickX is where the value axis's labels end: just before the plot, on the
// reading side (the stylesheet keeps room there), tickDX away from it.
func tickX(rtl bool) string {
	if rtl {
		return "100%"
	}
	return "0"
}

func tickDX(rtl bool) string {
	if rtl {
		return "6"
	}
	return "-6"
}

// tickY is a value label's baseline: beside its grid line, in the drawing.
func tickY(t Tick) string { return strconv.Itoa(plotTop + t.Y + 4) }

// Heatmap is visits by weekday (rows, from the first day of the language's
// week) and hour (columns), over the shop's opening hours.
type Heatmap struct {
	Title, Desc string
	Days        []string // row labels
	Hours       []HeatLabel
	Cells       []HeatCell // row by row, each in the order of the hours
	Cols        int        // hours shown
	Current     int        // the cell whose value shows under the map: the busiest
	Width       int
	Height      int
}

// HeatLabel is an hour's label above its column.
type HeatLabel struct {
	X    int
	Text string
}

// HeatCell is one weekday and hour.
type HeatCell struct {
	X, Y  int
	Level int // 0..4
	Title string
}

// Heat geometry: a label column, then a cell an hour.
const (
	heatLabel = 64 // a Persian weekday name, "چهارشنبه", is the longest
	heatCell  = 26
	heatRow   = 24
	heatTop   = 18
	// heatMinHours is the narrowest window of hours: a shop whose visits
	// all came at 10 still sees the morning around them.
	heatMinHours = 8
)

// OpeningHours is the window of hours the heatmap shows: from an hour before
// the first hour with visits to an hour after the last, at least
// heatMinHours wide; 8 to 19 when nobody visited yet.
func OpeningHours(counts [][24]int) (from, to int) {
	from, to = 24, -1
	for _, row := range counts {
		for h, v := range row {
			if v > 0 {
				from, to = min(from, h), max(to, h)
			}
		}
	}
	if to < 0 {
		return 8, 19
	}
	from, to = max(0, from-1), min(23, to+1)
	for to-from+1 < heatMinHours {
		if from > 0 {
			from--
		}
		if to < 23 && to-from+1 < heatMinHours {
			to++
		}
	}
	return from, to
}

// NewHeatmap lays out counts[row][hour] (rows in display order) with cell
// titles, over the opening hours; hours run right to left on a right-to-left
// page.
func NewHeatmap(title, desc string, days []string, counts [][24]int, titles [][24]string, rtl bool) Heatmap {
	from, to := OpeningHours(counts)
	cols := to - from + 1
	h := Heatmap{Title: title, Desc: desc, Days: days, Cols: cols, Width: heatLabel + cols*heatCell, Height: heatTop + len(days)*heatRow}
	top := 0
	for _, row := range counts {
		for _, v := range row[from : to+1] {
			top = max(top, v)
		}
	}
	col := func(hour int) int {
		if rtl {
			return (to - hour) * heatCell
		}
		return heatLabel + (hour-from)*heatCell
	}
	// An hour in two or three, on the hour a clock would show.
	every := 1 + (cols-1)/heatMinHours
	for hour := from; hour <= to; hour++ {
		if hour%every == 0 {
			h.Hours = append(h.Hours, HeatLabel{X: col(hour) + heatCell/2, Text: strconv.Itoa(hour)})
		}
	}
	busiest := -1
	for r, row := range counts {
		for hour := from; hour <= to; hour++ {
			if busiest < 0 || row[hour] > counts[busiest/cols][from+busiest%cols] {
				busiest = len(h.Cells)
			}
			h.Cells = append(h.Cells, HeatCell{X: col(hour), Y: heatTop + r*heatRow, Level: level(row[hour], top), Title: titles[r][hour]})
		}
	}
	h.Current = busiest
	return h
}

// Readout is the value shown under the map before anyone chooses a cell.
func (h Heatmap) Readout() string {
	if h.Current < 0 {
		return ""
	}
	return h.Cells[h.Current].Title
}

// Size keeps the map's labels readable: three quarters of their size at
// least (when many hours do not fit a phone, the map then scrolls), and
// five quarters at most (a few hours on a laptop).
func (h Heatmap) Size() templ.SafeCSS {
	return templ.SafeCSS("min-inline-size:" + strconv.Itoa(h.Width*3/4) + "px;max-inline-size:" + strconv.Itoa(h.Width*5/4) + "px")
}

// HeatDayX is where the weekday labels go: before the cells, on the reading side.
func (h Heatmap) HeatDayX(rtl bool) int {
	if rtl {
		return h.Width - 4
	}
	return 0
}

// level buckets v of top into five shades; any visit is at least level 1.
func level(v, top int) int {
	if v <= 0 || top <= 0 {
		return 0
	}
	return 1 + min(3, v*4/(top+1))
}

// ShareLevel buckets a share (0..1) into the five shades of the cohort table.
func ShareLevel(share float64) int {
	return level(int(share*100), 100)
}

func chartRowY(r int) string { return strconv.Itoa(heatTop + r*heatRow + heatRow/2 + 4) }

func segmentLink(s string) templ.SafeURL {
	return templ.SafeURL("/customers?segment=" + s)
}

func checklistLabel(p Page, key string) string {
	switch key {
	case "reward":
		return p.T.T("ChecklistReward")
	case "poster":
		return p.T.T("ChecklistPoster")
	case "cashier":
		return p.T.T("ChecklistCashier")
	}
	return p.T.T("ChecklistStamp")
}

func checklistHint(p Page, key string) string {
	switch key {
	case "reward":
		return p.T.T("ChecklistRewardHint")
	case "poster":
		return p.T.T("ChecklistPosterHint")
	case "cashier":
		return p.T.T("ChecklistCashierHint")
	}
	return p.T.T("ChecklistStampHint")
}

// rovingIndex is a chart point's tabindex: a chart is one stop of the Tab
// key, at its chosen point; arrow keys move between the points.
func rovingIndex(current bool) string {
	if current {
		return "0"
	}
	return "-1"
}

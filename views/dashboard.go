package views

import (
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

// Chart is a bar chart drawn as inline SVG; its bars are already placed, mirrored
// for right-to-left pages, so the template only prints them.
type Chart struct {
	Title, Desc   string
	Bars          []Bar
	Labels        []AxisLabel
	Max           string // the value at the top of the scale
	Legend        []LegendItem
	Width, Height int
}

// Bar is one rectangle of a chart, with the text a screen reader or a hover shows.
type Bar struct {
	X, Y, W, H int
	Class      string
	Title      string
}

// AxisLabel is a label under the time axis; the ones at the ends are anchored
// inwards so that they are not cut off.
type AxisLabel struct {
	X      int
	Text   string
	Anchor string // start, middle or end
}

// LegendItem names a bar class.
type LegendItem struct {
	Class, Text string
}

// Chart geometry, in SVG user units.
const (
	chartWidth  = 720
	chartHeight = 180
	plotTop     = 16
	plotBottom  = 150
)

// Series is one stacked part of a bar: its values and their class.
type Series struct {
	Class  string
	Values []int
}

// NewChart places stacked bars for len(titles) points, oldest first. On a
// right-to-left page the oldest is at the right, as time runs in that script.
// labelEvery puts a label under every so many bars (and the newest). The
// width is shared by at least slots bars: fewer points keep that width and
// start where the time axis starts.
func NewChart(title, desc string, series []Series, titles, labels []string, labelEvery, slots int, rtl bool, fmtMax func(int) string) Chart {
	n := len(titles)
	c := Chart{Title: title, Desc: desc, Width: chartWidth, Height: chartHeight}
	top := 0
	for i := range n {
		sum := 0
		for _, s := range series {
			sum += s.Values[i]
		}
		top = max(top, sum)
	}
	c.Max = fmtMax(top)
	if n == 0 {
		return c
	}
	slot := chartWidth / max(n, slots)
	gap := max(1, slot/6)
	for i := range n {
		x := i * slot
		if rtl {
			x = chartWidth - (i+1)*slot
		}
		base := plotBottom
		for _, s := range series {
			h := 0
			if top > 0 {
				h = s.Values[i] * (plotBottom - plotTop) / top
			}
			if h > 0 {
				c.Bars = append(c.Bars, Bar{X: x + gap/2, Y: base - h, W: slot - gap, H: h, Class: s.Class, Title: titles[i]})
			}
			base -= h
		}
		if labelEvery > 0 && (i%labelEvery == 0 || i == n-1) && i < len(labels) {
			l := AxisLabel{X: x + slot/2, Text: labels[i], Anchor: "middle"}
			// SVG anchors follow the text direction: "start" is the right on an rtl page.
			switch i {
			case 0:
				l.X, l.Anchor = x, "start"
				if rtl {
					l.X = x + slot
				}
			case n - 1:
				l.X, l.Anchor = x+slot, "end"
				if rtl {
					l.X = x
				}
			}
			c.Labels = append(c.Labels, l)
		}
	}
	return c
}

// Heatmap is visits by weekday (rows, Monday first) and hour (columns).
type Heatmap struct {
	Title, Desc string
	Days        []string // row labels
	Hours       []HeatLabel
	Cells       []HeatCell
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

// Heat geometry: a label column, then 24 cells.
const (
	heatLabel = 48
	heatCell  = 26
	heatRow   = 24
	heatTop   = 18
)

// NewHeatmap lays out counts[row][hour] (rows in display order) with cell
// titles; hours run right to left on a right-to-left page.
func NewHeatmap(title, desc string, days []string, counts [][24]int, titles [][24]string, rtl bool) Heatmap {
	h := Heatmap{Title: title, Desc: desc, Days: days, Width: heatLabel + 24*heatCell, Height: heatTop + len(days)*heatRow}
	top := 0
	for _, row := range counts {
		for _, v := range row {
			top = max(top, v)
		}
	}
	col := func(hour int) int {
		if rtl {
			return (23 - hour) * heatCell
		}
		return heatLabel + hour*heatCell
	}
	for hour := 0; hour < 24; hour += 3 {
		h.Hours = append(h.Hours, HeatLabel{X: col(hour) + heatCell/2, Text: strconv.Itoa(hour)})
	}
	for r, row := range counts {
		for hour, v := range row {
			h.Cells = append(h.Cells, HeatCell{X: col(hour), Y: heatTop + r*heatRow, Level: level(v, top), Title: titles[r][hour]})
		}
	}
	return h
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

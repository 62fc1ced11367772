package views

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestChartFollowsTheReadingDirection: the oldest bar is at the start of the
// line, the left in English and the right in Persian, and bars stack.
func TestChartFollowsTheReadingDirection(t *testing.T) {
	t.Parallel()
	series := []Series{{Class: "new", Values: []int{1, 0, 2}}, {Class: "returning", Values: []int{1, 3, 0}}}
	titles := []string{"a", "b", "c"}
	ltr := NewChart("t", "d", series, titles, titles, 0, false, strconv.Itoa)
	rtl := NewChart("t", "d", series, titles, titles, 0, true, strconv.Itoa)
	if len(ltr.Bars) != 4 || len(rtl.Bars) != 4 {
		t.Fatalf("%d and %d bars, want 4 (empty parts are not drawn)", len(ltr.Bars), len(rtl.Bars))
	}
	first, firstRTL := ltr.Bars[0], rtl.Bars[0] // the oldest point's "new" part
	if first.X >= ltr.Width/3 || firstRTL.X < rtl.Width*2/3 {
		t.Errorf("oldest bar at x=%d (ltr) and x=%d (rtl)", first.X, firstRTL.X)
	}
	if stacked := ltr.Bars[1]; stacked.Title != "a" || stacked.Y+stacked.H != first.Y {
		t.Errorf("the returning part %+v does not sit on the new part %+v", stacked, first)
	}
	if got := ltr.PointBars(1); len(got) != 1 || got[0].Class != "returning" || got[0].Title != "b" {
		t.Errorf("the second point's bars: %+v", got)
	}
	if rtl.Labels[0].X <= rtl.Labels[len(rtl.Labels)-1].X {
		t.Errorf("rtl labels run left to right: %+v", rtl.Labels)
	}
}

// TestChartOpensAtNow: on a phone the chart is as wide as the screen, so
// every point is within its width, the newest among them; the newest is the
// point chosen first, whose value is written under the chart without a tap
// (the time axis ends at the newest bar of a chart whose every slot is
// taken, at either end of the line).
func TestChartOpensAtNow(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ n, slots int }{{1, 30}, {10, 30}, {90, 30}, {13, 12}} {
		for _, rtl := range []bool{false, true} {
			values, titles := make([]int, c.n), make([]string, c.n)
			for i := range c.n {
				values[i], titles[i] = i%7, "day "+strconv.Itoa(i)
			}
			ch := NewChart("t", "d", []Series{{Class: "returning", Values: values}}, titles, titles, c.slots, rtl, strconv.Itoa)
			name := fmt.Sprintf("%d points in %d slots, rtl %v", c.n, c.slots, rtl)
			if len(ch.Points) != c.n || ch.Width > chartWidth {
				t.Fatalf("%s: %d points %d wide", name, len(ch.Points), ch.Width)
			}
			for _, p := range ch.Points {
				if p.X < 0 || p.X+p.W > ch.Width {
					t.Errorf("%s: point %q at %d–%d, outside 0–%d", name, p.Title, p.X, p.X+p.W, ch.Width)
				}
			}
			newest := ch.Points[c.n-1]
			if ch.Current != c.n-1 || ch.Readout() != titles[c.n-1] {
				t.Errorf("%s: point %d chosen first, saying %q; want the newest", name, ch.Current, ch.Readout())
			}
			atEnd := newest.X+newest.W == ch.Width
			if rtl {
				atEnd = newest.X == 0
			}
			if c.n >= c.slots && !atEnd {
				t.Errorf("%s: the newest point at %d, not at the end of the axis", name, newest.X)
			}
		}
	}
}

// TestChartValueAxis: the value axis says 0, the middle and the top, round
// numbers at or above the busiest point, which the top grid line matches.
func TestChartValueAxis(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		peak int
		want []string
	}{
		{0, []string{"1", "0"}},
		{1, []string{"1", "0"}},
		{2, []string{"2", "1", "0"}},
		{3, []string{"4", "2", "0"}},
		{5, []string{"6", "3", "0"}},
		{8, []string{"8", "4", "0"}},
		{37, []string{"40", "20", "0"}},
		{89, []string{"100", "50", "0"}},
		{120, []string{"120", "60", "0"}},
		{1234, []string{"1600", "800", "0"}},
	} {
		ch := NewChart("t", "d", []Series{{Class: "returning", Values: []int{c.peak / 2, c.peak}}}, []string{"a", "b"}, nil, 0, false, strconv.Itoa)
		var got []string
		for _, tk := range ch.Ticks {
			got = append(got, tk.Text)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("peak %d: value axis %q, want %q", c.peak, got, c.want)
		}
		if ch.Ticks[0].Y != 0 || ch.Ticks[len(ch.Ticks)-1].Y != plotHeight {
			t.Errorf("peak %d: ticks at %+v, want the top and the bottom of the plot", c.peak, ch.Ticks)
		}
		if c.peak == 0 {
			continue
		}
		top, _ := strconv.Atoi(c.want[0])
		if b := ch.Bars[len(ch.Bars)-1]; b.Y+b.H != plotHeight || b.H != max(1, c.peak*plotHeight/top) {
			t.Errorf("peak %d: its bar %+v, want %d of %d units high from the baseline", c.peak, b, c.peak*plotHeight/top, plotHeight)
		}
	}
}

// TestChartTimeLabels: a few dates under the time axis, the newest always,
// far enough apart (a third of the width) that dates do not run into each
// other on a phone, the ones at the ends anchored inwards.
func TestChartTimeLabels(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		n, slots int
		want     []int // the points labelled
	}{
		{1, 30, []int{0}},
		{2, 30, []int{1}},
		{7, 30, []int{6}},
		{10, 30, []int{0, 9}},
		{90, 30, []int{0, 29, 59, 89}},
		{13, 12, []int{2, 7, 12}},
	} {
		for _, rtl := range []bool{false, true} {
			titles := make([]string, c.n)
			for i := range titles {
				titles[i] = strconv.Itoa(i)
			}
			ch := NewChart("t", "d", []Series{{Class: "returning", Values: make([]int, c.n)}}, titles, titles, c.slots, rtl, strconv.Itoa)
			var got []int
			var at []float64
			for _, l := range ch.Labels {
				i, _ := strconv.Atoi(l.Text)
				got = append(got, i)
				x, err := strconv.ParseFloat(strings.TrimSuffix(l.X, "%"), 64)
				if err != nil || x < 0 || x > 100 {
					t.Fatalf("label %+v is not at a percentage of the width", l)
				}
				if rtl {
					x = 100 - x
				}
				at = append(at, x)
			}
			name := fmt.Sprintf("%d points in %d slots, rtl %v", c.n, c.slots, rtl)
			if !slices.Equal(got, c.want) {
				t.Errorf("%s: labels under points %v, want %v", name, got, c.want)
				continue
			}
			for i := 1; i < len(at); i++ {
				if at[i]-at[i-1] < 30 {
					t.Errorf("%s: labels at %.1f%% and %.1f%% of the width run into each other", name, at[i-1], at[i])
				}
			}
			if first := ch.Labels[0]; first.Anchor != "start" && at[0] < 100.0/7 {
				t.Errorf("%s: the label at %.1f%% is anchored %q, want start", name, at[0], first.Anchor)
			}
			if c.n == 90 && ch.Labels[3].Anchor != "end" {
				t.Errorf("%s: the newest label is anchored %q, want end", name, ch.Labels[3].Anchor)
			}
		}
	}
}

// TestChartLegend: a chart of two series names them; a chart of one does not.
func TestChartLegend(t *testing.T) {
	t.Parallel()
	one := NewChart("t", "d", []Series{{Class: "returning", Name: "Visits", Values: []int{1}}}, []string{"a"}, nil, 0, false, strconv.Itoa)
	two := NewChart("t", "d", []Series{{Class: "new", Name: "First", Values: []int{1}}, {Class: "returning", Name: "Returning", Values: []int{2}}}, []string{"a"}, nil, 0, false, strconv.Itoa)
	if len(one.Legend) != 0 {
		t.Errorf("one series, legend %+v", one.Legend)
	}
	if want := []LegendItem{{"new", "First"}, {"returning", "Returning"}}; !slices.Equal(two.Legend, want) {
		t.Errorf("two series, legend %+v, want %+v", two.Legend, want)
	}
}

// TestHeatmapOpeningHours: the heat map shows the hours with visits, an hour
// either side and at least eight hours, not midnight to midnight.
func TestHeatmapOpeningHours(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		busy     []int
		from, to int
	}{
		{nil, 8, 19},
		{[]int{10}, 6, 13},
		{[]int{7, 12, 21}, 6, 22},
		{[]int{1}, 0, 7},
		{[]int{23}, 16, 23},
		{[]int{0, 23}, 0, 23},
	} {
		counts := [][24]int{{}, {}}
		for _, h := range c.busy {
			counts[1][h] = 3
		}
		if from, to := OpeningHours(counts); from != c.from || to != c.to {
			t.Errorf("visits at %v: hours %d–%d, want %d–%d", c.busy, from, to, c.from, c.to)
		}
	}
	// A café's day, 7:00 to 18:59: the map is 7 rows of 14 hours, with the
	// busiest chosen first, and labels on its hours only.
	counts := make([][24]int, 7)
	titles := make([][24]string, 7)
	for d := range counts {
		for h := 7; h <= 18; h++ {
			counts[d][h] = 1 + (d+h)%5
		}
		for h := range 24 {
			titles[d][h] = fmt.Sprintf("%d@%d", d, h)
		}
	}
	counts[4][13] = 40
	h := NewHeatmap("t", "d", make([]string, 7), counts, titles, false)
	if h.Cols != 14 || len(h.Cells) != 7*14 || h.Width != heatLabel+14*heatCell {
		t.Fatalf("%d hours, %d cells, %d wide; want 6:00 to 19:00", h.Cols, len(h.Cells), h.Width)
	}
	if h.Readout() != "4@13" || h.Cells[h.Current].Level != 4 {
		t.Errorf("chosen first: %q, want the busiest hour, 4@13", h.Readout())
	}
	for _, l := range h.Hours {
		if hour, _ := strconv.Atoi(l.Text); hour < 6 || hour > 19 || l.X < heatLabel || l.X > h.Width {
			t.Errorf("hour label %+v outside the hours shown", l)
		}
	}
}

// TestHeatmapFollowsTheReadingDirection: hours run left to right in English
// and right to left in Persian.
func TestHeatmapFollowsTheReadingDirection(t *testing.T) {
	t.Parallel()
	counts := [][24]int{{9: 5, 17: 1}}
	titles := [][24]string{{}}
	ltr := NewHeatmap("t", "d", []string{"Mon"}, counts, titles, false)
	rtl := NewHeatmap("t", "d", []string{"Mon"}, counts, titles, true)
	nine, five := 9-8, 17-8 // the map starts at 8:00
	if ltr.Cells[nine].X >= ltr.Cells[five].X || rtl.Cells[nine].X <= rtl.Cells[five].X {
		t.Errorf("9:00 at x=%d/%d, 17:00 at x=%d/%d", ltr.Cells[nine].X, rtl.Cells[nine].X, ltr.Cells[five].X, rtl.Cells[five].X)
	}
	if ltr.Cells[nine].Level != 4 || ltr.Cells[nine+1].Level != 0 {
		t.Errorf("levels %d and %d, want the busiest hour darkest and an empty one blank", ltr.Cells[nine].Level, ltr.Cells[nine+1].Level)
	}
	for _, c := range rtl.Cells {
		if c.X < 0 || c.X+heatCell > rtl.Width-heatLabel {
			t.Errorf("rtl cell at x=%d, in the day labels' column or outside", c.X)
		}
	}
}

// TestChartColoursIgnoreTheBrand: chart series and shades use a fixed
// palette, so a brown café gets two colours anyone can tell apart, whatever
// its brand colour; the brand colour stays an accent of the page.
func TestChartColoursIgnoreTheBrand(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../static/css/*.css")
	if err != nil || len(files) == 0 {
		t.Fatalf("no stylesheet: %v", err)
	}
	chartParts := []string{".bar", ".swatch", ".heat-cell", "td.shade-"}
	seen := 0
	for _, f := range files {
		css, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, rule := range strings.Split(string(css), "}") {
			selector, body, ok := strings.Cut(rule, "{")
			if !ok || !slices.ContainsFunc(chartParts, func(p string) bool { return strings.Contains(selector, p) }) {
				continue
			}
			seen++
			if strings.Contains(body, "--brand") {
				t.Errorf("%s: %s takes the brand colour: %s", filepath.Base(f), strings.TrimSpace(selector), strings.TrimSpace(body))
			}
		}
	}
	if seen == 0 {
		t.Error("no rule colours the charts")
	}
}

// TestYoungChartKeepsItsBarWidth: a shop's first two days are two bars as
// wide as a full chart's, at the start of the time axis (the right, on a
// right-to-left page), not two bars filling the width.
func TestYoungChartKeepsItsBarWidth(t *testing.T) {
	t.Parallel()
	series := []Series{{Class: "returning", Values: []int{3, 5}}}
	titles := []string{"a", "b"}
	for _, rtl := range []bool{false, true} {
		c := NewChart("t", "d", series, titles, titles, 30, rtl, strconv.Itoa)
		if len(c.Bars) != 2 {
			t.Fatalf("rtl %v: %d bars, want 2", rtl, len(c.Bars))
		}
		slot := chartWidth / 30
		oldest, newest := c.Bars[0], c.Bars[1]
		if oldest.W != slot-max(1, slot/6) {
			t.Errorf("rtl %v: bars %d wide, want a thirtieth of the chart", rtl, oldest.W)
		}
		start := oldest.X < slot && newest.X < 2*slot
		if rtl {
			start = oldest.X >= c.Width-slot && newest.X >= c.Width-2*slot
		}
		if !start {
			t.Errorf("rtl %v: bars at x=%d and x=%d, want them at the start of the axis", rtl, oldest.X, newest.X)
		}
	}
}

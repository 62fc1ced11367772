package views

import (
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
	fmtMax := strconv.Itoa
	ltr := NewChart("t", "d", series, titles, titles, 1, 0, false, fmtMax)
	rtl := NewChart("t", "d", series, titles, titles, 1, 0, true, fmtMax)
	if ltr.Max != "3" {
		t.Errorf("scale %q, want the tallest stack, 3", ltr.Max)
	}
	if len(ltr.Bars) != 4 || len(rtl.Bars) != 4 {
		t.Fatalf("%d and %d bars, want 4 (empty parts are not drawn)", len(ltr.Bars), len(rtl.Bars))
	}
	first, firstRTL := ltr.Bars[0], rtl.Bars[0] // the oldest point's "new" part
	if first.X >= chartWidth/3 || firstRTL.X < chartWidth*2/3 {
		t.Errorf("oldest bar at x=%d (ltr) and x=%d (rtl)", first.X, firstRTL.X)
	}
	if stacked := ltr.Bars[1]; stacked.Title != "a" || stacked.Y+stacked.H != first.Y {
		t.Errorf("the returning part %+v does not sit on the new part %+v", stacked, first)
	}
	if ltr.Labels[0].Anchor != "start" || ltr.Labels[len(ltr.Labels)-1].Anchor != "end" {
		t.Errorf("end labels anchored %q and %q", ltr.Labels[0].Anchor, ltr.Labels[len(ltr.Labels)-1].Anchor)
	}
	if rtl.Labels[0].X <= rtl.Labels[len(rtl.Labels)-1].X {
		t.Errorf("rtl labels run left to right: %+v", rtl.Labels)
	}
}

func TestHeatmapFollowsTheReadingDirection(t *testing.T) {
	t.Parallel()
	counts := [][24]int{{0: 5}}
	titles := [][24]string{{}}
	ltr := NewHeatmap("t", "d", []string{"Mon"}, counts, titles, false)
	rtl := NewHeatmap("t", "d", []string{"Mon"}, counts, titles, true)
	if ltr.Cells[0].X >= ltr.Cells[23].X || rtl.Cells[0].X <= rtl.Cells[23].X {
		t.Errorf("midnight at x=%d/%d, 23:00 at x=%d/%d", ltr.Cells[0].X, rtl.Cells[0].X, ltr.Cells[23].X, rtl.Cells[23].X)
	}
	if ltr.Cells[0].Level != 4 || ltr.Cells[1].Level != 0 {
		t.Errorf("levels %d and %d, want the busiest hour darkest and an empty one blank", ltr.Cells[0].Level, ltr.Cells[1].Level)
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
		c := NewChart("t", "d", series, titles, titles, 1, 30, rtl, strconv.Itoa)
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
			start = oldest.X >= chartWidth-slot && newest.X >= chartWidth-2*slot
		}
		if !start {
			t.Errorf("rtl %v: bars at x=%d and x=%d, want them at the start of the axis", rtl, oldest.X, newest.X)
		}
	}
}

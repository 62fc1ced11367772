package views

import (
	"testing"
	"time"
)

// TestTrendChartFollowsTheReadingDirection: time runs left to right in
// English and right to left in right-to-left languages; weeks without
// ratings break the line instead of dropping it to zero.
func TestTrendChartFollowsTheReadingDirection(t *testing.T) {
	t.Parallel()
	week := func(avg float64, n int) RatingWeek {
		return RatingWeek{Start: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), RatingStats: RatingStats{Average: avg, Count: n}}
	}
	weeks := make([]RatingWeek, 12)
	weeks[0], weeks[1], weeks[3], weeks[11] = week(5, 2), week(1, 1), week(3, 4), week(4.5, 2)
	tests := []struct {
		rtl          bool
		first, last  string // x of the oldest and the newest week
		firstAnchor  string
		ratingAnchor string
	}{
		{rtl: false, first: "40", last: "620", firstAnchor: "start", ratingAnchor: "end"},
		{rtl: true, first: "600", last: "20", firstAnchor: "end", ratingAnchor: "start"},
	}
	for _, tt := range tests {
		ch := newTrendChart(weeks, tt.rtl)
		if len(ch.Dots) != 4 || ch.Dots[0].X != tt.first || ch.Dots[3].X != tt.last {
			t.Errorf("rtl=%v: dots %+v", tt.rtl, ch.Dots)
		}
		if ch.Dots[0].Y != "16" || ch.Dots[1].Y != "200" || ch.Dots[2].Y != "108" {
			t.Errorf("rtl=%v: ratings 5, 1, 3 at y %s, %s, %s", tt.rtl, ch.Dots[0].Y, ch.Dots[1].Y, ch.Dots[2].Y)
		}
		// Weeks 0–1 are one line; 3 and 11 stand alone (a polyline of one point draws nothing, the dot shows it).
		if len(ch.Lines) != 3 || ch.Lines[0] != tt.first+",16 "+ch.Dots[1].X+",200" {
			t.Errorf("rtl=%v: lines %q", tt.rtl, ch.Lines)
		}
		if len(ch.Grid) != 5 || ch.Grid[0].Anchor != tt.ratingAnchor || ch.Labels[0].X != tt.first || ch.Labels[0].Anchor != tt.firstAnchor {
			t.Errorf("rtl=%v: grid %+v labels %+v", tt.rtl, ch.Grid, ch.Labels)
		}
	}
	if ch := newTrendChart(nil, false); len(ch.Dots)+len(ch.Lines)+len(ch.Labels) != 0 {
		t.Errorf("an empty trend draws %+v", ch)
	}
}

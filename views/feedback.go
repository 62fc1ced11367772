package views

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Feedback is the card page's "How was your visit?" block.
type Feedback struct {
	Day   int       // the visit to rate, a day number; 0: nothing to ask
	Visit time.Time // the midnight that starts it, for the question
	// Answered: the visit was rated; the thank-you shows when the page is
	// opened at #thanks, where the answer's redirect lands.
	Answered bool
	Form     Form   // a refused answer as it was typed
	Problem  string // why an answer was refused, translated
}

// FeedbackSummary is the owner's page of ratings.
type FeedbackSummary struct {
	Recent, Previous RatingStats  // the last 30 days and the 30 before
	Weeks            []RatingWeek // oldest first
	Comments         []FeedbackComment
}

// RatingStats is an average of Count ratings.
type RatingStats struct {
	Average float64
	Count   int
}

// RatingWeek is one point of the trend.
type RatingWeek struct {
	Start, End time.Time // its first and last day
	RatingStats
}

// FeedbackComment is a customer's comment with their rating.
type FeedbackComment struct {
	CardID   int64
	Customer string // name, or short code
	Rating   int
	Comment  string
	At       time.Time
}

func ratingValues() []int { return []int{1, 2, 3, 4, 5} }

// Geometry of the trend chart, in its viewBox units.
const (
	trendWidth  = 640
	trendHeight = 240
	trendInset  = 40 // room for the rating labels on one side and the margin on the other
	trendTop    = 16
	trendBottom = 200 // the x axis; the week labels go under it
)

// trendChart is the weekly average as an SVG line chart with the time axis
// running in the reading direction: to the left in right-to-left languages.
type trendChart struct {
	Lines  []string // polyline points, one per run of weeks with ratings
	Dots   []trendDot
	Grid   []trendTick
	Labels []trendLabel
}

type trendDot struct {
	X, Y string
	Week RatingWeek
}

type trendTick struct {
	Rating     int
	Y          string
	X1, X2, LX string
	Anchor     string
}

type trendLabel struct {
	X      string
	Anchor string
	At     time.Time
}

func coord(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }

func newTrendChart(weeks []RatingWeek, rtl bool) trendChart {
	var ch trendChart
	if len(weeks) == 0 {
		return ch
	}
	left, right := float64(trendInset), float64(trendWidth-trendInset/2)
	x := func(i int) float64 {
		step := 0.0
		if len(weeks) > 1 {
			step = (right - left) / float64(len(weeks)-1)
		}
		v := left + float64(i)*step
		if rtl {
			v = trendWidth - v
		}
		return v
	}
	y := func(avg float64) float64 {
		return trendBottom - (avg-1)/4*(trendBottom-trendTop)
	}
	labelX, anchor := left-8, "end"
	x1, x2 := left, right
	if rtl {
		labelX, anchor = trendWidth-labelX, "start"
		x1, x2 = trendWidth-right, trendWidth-left
	}
	for r := 1; r <= 5; r++ {
		ch.Grid = append(ch.Grid, trendTick{Rating: r, Y: coord(y(float64(r))), X1: coord(x1), X2: coord(x2), LX: coord(labelX), Anchor: anchor})
	}
	var run []string
	for i, w := range weeks {
		if w.Count == 0 {
			if len(run) > 0 {
				ch.Lines = append(ch.Lines, strings.Join(run, " "))
			}
			run = nil
			continue
		}
		pt := coord(x(i)) + "," + coord(y(w.Average))
		run = append(run, pt)
		ch.Dots = append(ch.Dots, trendDot{X: coord(x(i)), Y: coord(y(w.Average)), Week: w})
	}
	if len(run) > 0 {
		ch.Lines = append(ch.Lines, strings.Join(run, " "))
	}
	first, last := "start", "end"
	if rtl {
		first, last = "end", "start"
	}
	ch.Labels = []trendLabel{
		{X: coord(x(0)), Anchor: first, At: weeks[0].Start},
		{X: coord(x(len(weeks) - 1)), Anchor: last, At: weeks[len(weeks)-1].End},
	}
	return ch
}

package loyalty

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Feedback limits: a rating from 1 to 5, an optional short comment, asked
// about a visit for a week after it.
const (
	MinRating          = 1
	MaxRating          = 5
	MaxFeedbackComment = 500 // characters
	// FeedbackDays is how many days after a visit it can still be rated: a
	// Monday's visit until the end of the next Monday.
	FeedbackDays = 7
	// TrendWeeks is how many weeks the owner's rating trend shows.
	TrendWeeks = 12
	// RatingPeriod is the span, in days, of "recent" ratings and of the period
	// they are compared with.
	RatingPeriod = 30
)

// Reasons an answer is refused.
var (
	ErrRatingMissing  = errors.New("no rating given")
	ErrRatingInvalid  = errors.New("rating is not a whole number from 1 to 5")
	ErrCommentLong    = errors.New("comment too long")
	ErrCommentInvalid = errors.New("comment has characters that are not text")
)

// ParseRating reads the rating a customer tapped: exactly one digit 1–5.
func ParseRating(s string) (int, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return 0, ErrRatingMissing
	case len(s) != 1 || s[0] < '0'+MinRating || s[0] > '0'+MaxRating:
		return 0, ErrRatingInvalid
	}
	return int(s[0] - '0'), nil
}

// CleanComment trims a comment and makes its line breaks "\n". It may be
// empty; it must be valid text (no control characters but line breaks and
// tabs) of at most MaxFeedbackComment characters.
func CleanComment(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", ErrCommentInvalid
	}
	s = strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n"))
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return "", ErrCommentInvalid
		}
	}
	if utf8.RuneCountInString(s) > MaxFeedbackComment {
		return "", ErrCommentLong
	}
	return s, nil
}

// FeedbackOpen reports whether a visit on day (a DayNumber) may still be rated today.
func FeedbackOpen(day, today int) bool {
	return day > 0 && day <= today && today-day <= FeedbackDays
}

// RatingStats is a count of ratings and their sum.
type RatingStats struct {
	Count int
	Sum   int
}

// Add counts more ratings.
func (s *RatingStats) Add(o RatingStats) {
	s.Count += o.Count
	s.Sum += o.Sum
}

// Average is the mean rating, 0 without ratings.
func (s RatingStats) Average() float64 {
	if s.Count == 0 {
		return 0
	}
	return float64(s.Sum) / float64(s.Count)
}

// RatingDay is the ratings of the visits of one day.
type RatingDay struct {
	Day int // DayNumber of the visit
	RatingStats
}

// RatingSummary is what the owner reads about ratings at a day.
type RatingSummary struct {
	Recent   RatingStats // visits of the last RatingPeriod days, today included
	Previous RatingStats // the RatingPeriod days before those
	// Weeks are the last TrendWeeks spans of 7 days, the oldest first; the
	// last one ends today.
	Weeks [TrendWeeks]RatingStats
}

// SummarizeRatings sums the ratings of visit days into the owner's periods;
// days outside every period count for nothing.
func SummarizeRatings(days []RatingDay, today int) RatingSummary {
	var s RatingSummary
	for _, d := range days {
		ago := today - d.Day
		if ago < 0 {
			continue
		}
		switch {
		case ago < RatingPeriod:
			s.Recent.Add(d.RatingStats)
		case ago < 2*RatingPeriod:
			s.Previous.Add(d.RatingStats)
		}
		if w := ago / 7; w < TrendWeeks {
			s.Weeks[TrendWeeks-1-w].Add(d.RatingStats)
		}
	}
	return s
}

// RatingsSince is the first visit day SummarizeRatings looks at.
func RatingsSince(today int) int {
	return today - max(2*RatingPeriod, 7*TrendWeeks) + 1
}

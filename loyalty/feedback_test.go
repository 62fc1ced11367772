package loyalty

import (
	"errors"
	"math"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseRating(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int
		err  error
	}{
		{"1", 1, nil}, {"5", 5, nil}, {" 3 ", 3, nil},
		{"", 0, ErrRatingMissing}, {"  ", 0, ErrRatingMissing},
		{"0", 0, ErrRatingInvalid}, {"6", 0, ErrRatingInvalid}, {"x", 0, ErrRatingInvalid},
		{"-1", 0, ErrRatingInvalid}, {"05", 0, ErrRatingInvalid}, {"4.5", 0, ErrRatingInvalid},
		{"\uff15", 0, ErrRatingInvalid}, {"٥", 0, ErrRatingInvalid},
	}
	for _, tt := range tests {
		got, err := ParseRating(tt.in)
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("ParseRating(%q) = %d, %v; want %d, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func FuzzParseRating(f *testing.F) {
	for _, s := range []string{"1", "5", "0", "", "55"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseRating(s)
		if err == nil && (n < MinRating || n > MaxRating) {
			t.Fatalf("ParseRating(%q) = %d", s, n)
		}
		if err != nil && n != 0 {
			t.Fatalf("ParseRating(%q) = %d with %v", s, n, err)
		}
	})
}

func TestCleanComment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
		err            error
	}{
		{name: "empty", in: "", want: ""},
		{name: "trimmed", in: "  Lovely croissants \n", want: "Lovely croissants"},
		{name: "line breaks unified", in: "a\r\nb\rc", want: "a\nb\nc"},
		{name: "tab kept", in: "a\tb", want: "a\tb"},
		{name: "turkish", in: "Çok güzeldi, teşekkürler!", want: "Çok güzeldi, teşekkürler!"},
		{name: "exactly the limit", in: strings.Repeat("ş", MaxFeedbackComment), want: strings.Repeat("ş", MaxFeedbackComment)},
		{name: "limit after trimming", in: " " + strings.Repeat("a", MaxFeedbackComment) + " ", want: strings.Repeat("a", MaxFeedbackComment)},
		{name: "one over", in: strings.Repeat("ş", MaxFeedbackComment+1), err: ErrCommentLong},
		{name: "nul", in: "a\x00b", err: ErrCommentInvalid},
		{name: "escape", in: "a\x1b[31mb", err: ErrCommentInvalid},
		{name: "not utf-8", in: "a\xffb", err: ErrCommentInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := CleanComment(tt.in)
			if got != tt.want || !errors.Is(err, tt.err) {
				t.Errorf("CleanComment(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.err)
			}
		})
	}
}

func FuzzCleanComment(f *testing.F) {
	for _, s := range []string{"Good", " \r\n ", "\x00", strings.Repeat("é", 501)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := CleanComment(s)
		if err != nil {
			if got != "" {
				t.Fatalf("refused %q but returned %q", s, got)
			}
			return
		}
		if !utf8.ValidString(got) || utf8.RuneCountInString(got) > MaxFeedbackComment || strings.TrimSpace(got) != got || strings.Contains(got, "\r") {
			t.Fatalf("CleanComment(%q) = %q", s, got)
		}
		if again, err := CleanComment(got); err != nil || again != got {
			t.Fatalf("not idempotent: %q → %q, %v", got, again, err)
		}
	})
}

func TestFeedbackOpen(t *testing.T) {
	t.Parallel()
	const today = 20_500
	tests := []struct {
		day  int
		want bool
	}{
		{today, true}, {today - 1, true}, {today - FeedbackDays, true},
		{today - FeedbackDays - 1, false}, {today + 1, false}, {0, false},
	}
	for _, tt := range tests {
		if got := FeedbackOpen(tt.day, today); got != tt.want {
			t.Errorf("FeedbackOpen(today-%d) = %v", today-tt.day, got)
		}
	}
}

func TestSummarizeRatings(t *testing.T) {
	t.Parallel()
	const today = 20_500
	r := func(ago, count, sum int) RatingDay {
		return RatingDay{Day: today - ago, RatingStats: RatingStats{Count: count, Sum: sum}}
	}
	days := []RatingDay{
		r(0, 2, 9),   // 5 and 4 today
		r(29, 1, 1),  // a 1 on the last day of the recent period
		r(30, 1, 2),  // the first day of the previous one
		r(59, 1, 4),  // its last
		r(60, 1, 5),  // before both, still in the trend
		r(83, 1, 3),  // the trend's first day
		r(84, 1, 1),  // outside everything
		r(-1, 1, 5),  // tomorrow (a clock change): ignored
		r(6, 2, 10),  // still this week
		r(7, 1, 2),   // last week
		r(13, 1, 4),  // last week too
		r(14, 0, 0),  // a day without ratings changes nothing
		r(45, 3, 12), // previous period
	}
	s := SummarizeRatings(days, today)
	if s.Recent != (RatingStats{Count: 7, Sum: 26}) {
		t.Errorf("recent = %+v", s.Recent)
	}
	if s.Previous != (RatingStats{Count: 5, Sum: 18}) {
		t.Errorf("previous = %+v", s.Previous)
	}
	want := [TrendWeeks]RatingStats{
		0: {1, 3}, 3: {2, 9}, 5: {3, 12}, 7: {2, 3}, 10: {2, 6}, 11: {4, 19},
	}
	if s.Weeks != want {
		t.Errorf("weeks =\n%+v\nwant\n%+v", s.Weeks, want)
	}
	if got := (RatingStats{Count: 3, Sum: 10}).Average(); math.Abs(got-10.0/3) > 1e-9 {
		t.Errorf("average of 5, 4, 1 = %v", got)
	}
	if got := (RatingStats{}).Average(); got != 0 {
		t.Errorf("average of nothing = %v", got)
	}
	if since := RatingsSince(today); since != today-83 {
		t.Errorf("RatingsSince = today-%d", today-since)
	}
}

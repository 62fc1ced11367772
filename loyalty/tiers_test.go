package loyalty

import (
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"strings"
	"testing"
	"time"
)

func goldLadder() Ladder {
	return Ladder{Measure: TierByVisits, PeriodDays: 365, GraceDays: 30, Tiers: []Tier{
		{Name: "Bronze", Threshold: 3, Percent: 100},
		{Name: "Silver", Threshold: 10, Percent: 125},
		{Name: "Gold", Threshold: 25, Percent: 150},
	}}
}

func TestLadderCheck(t *testing.T) {
	t.Parallel()
	with := func(f func(*Ladder)) Ladder {
		l := goldLadder()
		l.Tiers = append([]Tier(nil), l.Tiers...)
		f(&l)
		return l
	}
	tests := []struct {
		name   string
		ladder Ladder
		want   error
	}{
		{"Bronze, Silver, Gold", goldLadder(), nil},
		{"no tiers at all", Ladder{}, nil},
		{"a measure of nothing", with(func(l *Ladder) { l.Measure = "money" }), ErrTierMeasure},
		{"no period", with(func(l *Ladder) { l.PeriodDays = 0 }), ErrTierPeriod},
		{"a period of a century", with(func(l *Ladder) { l.PeriodDays = 36500 }), ErrTierPeriod},
		{"a negative grace", with(func(l *Ladder) { l.GraceDays = -1 }), ErrTierGrace},
		{"a grace over a year", with(func(l *Ladder) { l.GraceDays = 400 }), ErrTierGrace},
		{"a nameless step", with(func(l *Ladder) { l.Tiers[1].Name = "" }), ErrTierName},
		{"a name too long", with(func(l *Ladder) { l.Tiers[1].Name = strings.Repeat("ب", MaxTierName+1) }), ErrTierName},
		{"thresholds not rising", with(func(l *Ladder) { l.Tiers[2].Threshold = 10 }), ErrTierThreshold},
		{"thresholds falling", with(func(l *Ladder) { l.Tiers[1].Threshold = 2 }), ErrTierThreshold},
		{"a zero threshold", with(func(l *Ladder) { l.Tiers[0].Threshold = 0 }), ErrTierThreshold},
		{"a multiplier below ×1", with(func(l *Ladder) { l.Tiers[0].Percent = 50 }), ErrTierPercent},
		{"a multiplier above ×10", with(func(l *Ladder) { l.Tiers[2].Percent = 1100 }), ErrTierPercent},
		{"eleven steps", with(func(l *Ladder) {
			l.Tiers = nil
			for i := range MaxTiers + 1 {
				l.Tiers = append(l.Tiers, Tier{Name: fmt.Sprint(i), Threshold: i + 1, Percent: 100})
			}
		}), ErrTierCount},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := tt.ladder.Check(); !errors.Is(err, tt.want) {
				t.Errorf("Check() = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestLadderRankAndProgress(t *testing.T) {
	t.Parallel()
	l := goldLadder()
	tests := []struct {
		measure, rank int
		next          string
		more          int
	}{
		{0, 0, "Bronze", 3}, {2, 0, "Bronze", 1}, {3, 1, "Silver", 7}, {9, 1, "Silver", 1},
		{10, 2, "Gold", 15}, {24, 2, "Gold", 1}, {25, 3, "", 0}, {1000, 3, "", 0},
	}
	for _, tt := range tests {
		if got := l.RankFor(tt.measure); got != tt.rank {
			t.Errorf("RankFor(%d) = %d, want %d", tt.measure, got, tt.rank)
		}
		next, more, ok := l.ToNext(tt.rank, tt.measure)
		if ok != (tt.next != "") || next.Name != tt.next || more != tt.more {
			t.Errorf("ToNext(%d, %d) = %q %d %v, want %q %d", tt.rank, tt.measure, next.Name, more, ok, tt.next, tt.more)
		}
	}
	if l.Percent(2) != 125 || l.Percent(0) != 100 || l.Percent(9) != 100 {
		t.Errorf("Percent: %d %d %d", l.Percent(2), l.Percent(0), l.Percent(9))
	}
}

func TestLadderJudgeGrace(t *testing.T) {
	t.Parallel()
	day := func(n int) time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC).AddDate(0, 0, n) }
	l := goldLadder()
	noGrace := goldLadder()
	noGrace.GraceDays = 0
	tests := []struct {
		name    string
		ladder  Ladder
		st      TierState
		measure int
		now     time.Time
		want    TierState
	}{
		{"up at once", l, TierState{Rank: 1}, 10, day(0), TierState{Rank: 2}},
		{"up two steps at once", l, TierState{}, 30, day(0), TierState{Rank: 3}},
		{"up clears a grace", l, TierState{Rank: 2, BelowSince: day(-3)}, 12, day(0), TierState{Rank: 2}},
		{"below: the grace starts", l, TierState{Rank: 2}, 9, day(0), TierState{Rank: 2, BelowSince: day(0)}},
		{"in the grace: kept", l, TierState{Rank: 2, BelowSince: day(0)}, 9, day(29), TierState{Rank: 2, BelowSince: day(0)}},
		{"grace over: down to what the measure holds", l, TierState{Rank: 3, BelowSince: day(0)}, 4, day(30), TierState{Rank: 1}},
		{"grace over, nothing left", l, TierState{Rank: 1, BelowSince: day(0)}, 0, day(31), TierState{}},
		{"no grace: down at once", noGrace, TierState{Rank: 2}, 3, day(0), TierState{Rank: 1}},
		{"a step the owner removed: down at once", l, TierState{Rank: 5}, 12, day(0), TierState{Rank: 2}},
		{"the ladder emptied", Ladder{}, TierState{Rank: 2}, 50, day(0), TierState{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := tt.ladder.Judge(tt.st, tt.measure, tt.now)
			if got.Rank != tt.want.Rank || !got.BelowSince.Equal(tt.want.BelowSince) {
				t.Errorf("Judge = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestLadderJudgeProperties: whatever happens, a card is never above the
// step its measure reaches once the grace has run out, never below it, and
// keeps a higher step only while its grace runs.
func TestLadderJudgeProperties(t *testing.T) {
	t.Parallel()
	for seed := range uint64(200) {
		rng := mrand.New(mrand.NewPCG(seed, 24))
		l := goldLadder()
		l.GraceDays = rng.IntN(40)
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		var st TierState
		for step := range 200 {
			now = now.Add(time.Duration(rng.IntN(96)) * time.Hour)
			m := rng.IntN(40)
			st = l.Judge(st, m, now)
			target := l.RankFor(m)
			switch {
			case st.Rank < target:
				t.Fatalf("seed %d step %d: rank %d below the %d its measure %d reaches", seed, step, st.Rank, target, m)
			case st.Rank > target && st.BelowSince.IsZero():
				t.Fatalf("seed %d step %d: rank %d above %d with no grace running", seed, step, st.Rank, target)
			case st.Rank > target && now.Sub(st.BelowSince) >= time.Duration(l.GraceDays)*24*time.Hour:
				t.Fatalf("seed %d step %d: rank %d kept past its grace", seed, step, st.Rank)
			case st.Rank == target && !st.BelowSince.IsZero():
				t.Fatalf("seed %d step %d: a grace runs at the rank the measure reaches", seed, step)
			}
		}
	}
}

func TestTierPoints(t *testing.T) {
	t.Parallel()
	tests := []struct{ points, percent, want int }{
		{10, 0, 10}, {10, 100, 10}, {10, 125, 12}, {10, 150, 15}, {1, 125, 1}, {7, 200, 14}, {0, 300, 0},
	}
	for _, tt := range tests {
		if got := TierPoints(tt.points, tt.percent); got != tt.want {
			t.Errorf("TierPoints(%d, %d) = %d, want %d", tt.points, tt.percent, got, tt.want)
		}
	}
	// The tier's multiplier rides on the program's window: ×2 then ×1.5.
	r := Rules{Points: true, PointsPerUnit: 1, PointsRounding: RoundDown, Multiplier: 2,
		Window: Window{Days: AllDays, From: 0, To: MinutesPerDay}}
	var s State
	s.Apply(r, Event{Kind: KindStamp, Stamps: 1, Amount: 10_00, At: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC), TierPercent: 150})
	if s.Points != 30 {
		t.Errorf("10.00 at ×2 by a ×1.5 tier gave %d points, want 30", s.Points)
	}
	if err := CheckTier(2, 1); !errors.Is(err, ErrTierNotReached) {
		t.Errorf("CheckTier(2, 1) = %v", err)
	}
	if CheckTier(2, 3) != nil || CheckTier(0, 0) != nil {
		t.Error("CheckTier refused a card in the tier or an open item")
	}
}

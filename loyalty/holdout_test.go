package loyalty

import (
	"math"
	"testing"
)

// near compares to the four decimals the published tables print.
func near(got, want float64) bool { return math.Abs(got-want) < 0.00005 }

// TestWilson: the intervals published by Newcombe (1998, "Two-sided
// confidence intervals for the single proportion", table I, method 3) and by
// Wilson's own example.
func TestWilson(t *testing.T) {
	t.Parallel()
	tests := []struct {
		x, n      int
		low, high float64
	}{
		{81, 263, 0.2553, 0.3662},
		{15, 148, 0.0624, 0.1605},
		{0, 20, 0, 0.1611},
		{1, 29, 0.0061, 0.1718},
		{0, 10, 0, 0.2775},
		{5, 10, 0.2366, 0.7634},
		{10, 10, 0.7225, 1},
	}
	for _, tt := range tests {
		ci, ok := Wilson(tt.x, tt.n)
		if !ok || !near(ci.Low, tt.low) || !near(ci.High, tt.high) {
			t.Errorf("Wilson(%d of %d) = %.4f to %.4f (%v), want %.4f to %.4f", tt.x, tt.n, ci.Low, ci.High, ok, tt.low, tt.high)
		}
	}
	for _, bad := range [][2]int{{0, 0}, {1, 0}, {-1, 5}, {6, 5}} {
		if _, ok := Wilson(bad[0], bad[1]); ok {
			t.Errorf("Wilson(%d of %d) gives an interval", bad[0], bad[1])
		}
	}
}

// TestDifference: Newcombe's worked examples (1998, "Interval estimation for
// the difference between independent proportions", table II, method 10).
func TestDifference(t *testing.T) {
	t.Parallel()
	tests := []struct {
		x1, n1, x2, n2 int
		d, low, high   float64
	}{
		{56, 70, 48, 80, 0.2, 0.0524, 0.3339},
		{9, 10, 3, 10, 0.6, 0.1705, 0.8090},
		{0, 10, 0, 20, 0, -0.1611, 0.2775},
		{0, 10, 0, 10, 0, -0.2775, 0.2775},
		{10, 10, 0, 20, 1, 0.6791, 1},
		{10, 10, 0, 10, 1, 0.6075, 1},
	}
	for _, tt := range tests {
		d, ci, ok := Difference(tt.x1, tt.n1, tt.x2, tt.n2)
		if !ok || !near(d, tt.d) || !near(ci.Low, tt.low) || !near(ci.High, tt.high) {
			t.Errorf("%d/%d − %d/%d = %.4f, %.4f to %.4f (%v); want %.4f, %.4f to %.4f",
				tt.x1, tt.n1, tt.x2, tt.n2, d, ci.Low, ci.High, ok, tt.d, tt.low, tt.high)
		}
	}
	if _, _, ok := Difference(3, 10, 0, 0); ok {
		t.Error("a difference against an empty hold-out")
	}
}

// TestHoldoutVerdict: the plain-words verdict follows the interval of the
// difference, and says "too early" while the hold-out is small or most of
// those chosen are still within their 30 days.
func TestHoldoutVerdict(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		h    Holdout
		want Verdict
	}{
		{"nobody yet", Holdout{}, VerdictTooEarly},
		{"no hold-out", Holdout{Messaged: 200, MessagedReturned: 80}, VerdictTooEarly},
		{"hold-out too small", Holdout{Messaged: 90, MessagedReturned: 60, HeldOut: MinHeldOut - 1, HeldOutReturned: 0}, VerdictTooEarly},
		{"most still counting", Holdout{Messaged: 56, MessagedReturned: 56, HeldOut: 48, Pending: 105}, VerdictTooEarly},
		{"brought back", Holdout{Messaged: 70, MessagedReturned: 56, HeldOut: 80, HeldOutReturned: 48, Pending: 20}, VerdictBroughtBack},
		{"chance could explain it", Holdout{Messaged: 120, MessagedReturned: 37, HeldOut: 14, HeldOutReturned: 2}, VerdictNoEffect},
		{"keeps away", Holdout{Messaged: 80, MessagedReturned: 48, HeldOut: 70, HeldOutReturned: 56}, VerdictKeepsAway},
	}
	for _, tt := range tests {
		if got := tt.h.Result().Verdict; got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
	// The visits it caused are the difference for everyone messaged.
	r := Holdout{Messaged: 70, MessagedReturned: 56, HeldOut: 80, HeldOutReturned: 48}.Result()
	if !near(r.Caused, 0.2*70) || !near(r.CausedCI.Low, r.DifferenceCI.Low*70) || !near(r.CausedCI.High, r.DifferenceCI.High*70) {
		t.Errorf("caused %.4f (%.4f to %.4f)", r.Caused, r.CausedCI.Low, r.CausedCI.High)
	}
	if !near(r.Messaged, 0.8) || !near(r.HeldOut, 0.6) || !r.HasRates || !r.HasDifference {
		t.Errorf("rates %+v", r)
	}
}

// FuzzHoldoutIntervals: whatever the counts, the rates' intervals stay in
// [0, 1], the difference's in [−1, 1], and each holds its estimate.
func FuzzHoldoutIntervals(f *testing.F) {
	f.Add(uint16(56), uint16(70), uint16(48), uint16(80))
	f.Add(uint16(0), uint16(1), uint16(1), uint16(1))
	f.Add(uint16(1000), uint16(1000), uint16(0), uint16(3))
	f.Fuzz(func(t *testing.T, a, b, c, d uint16) {
		n1, n2 := int(b)+1, int(d)+1
		x1, x2 := int(a)%(n1+1), int(c)%(n2+1)
		for _, g := range [][2]int{{x1, n1}, {x2, n2}} {
			ci, ok := Wilson(g[0], g[1])
			p := float64(g[0]) / float64(g[1])
			if !ok || ci.Low < 0 || ci.High > 1 || !ci.Contains(p) {
				t.Fatalf("Wilson(%d of %d) = %+v, %v", g[0], g[1], ci, ok)
			}
		}
		diff, ci, ok := Difference(x1, n1, x2, n2)
		if !ok || ci.Low < -1 || ci.High > 1 || !ci.Contains(diff) || math.IsNaN(ci.Low) || math.IsNaN(ci.High) {
			t.Fatalf("%d/%d − %d/%d = %v, %+v, %v", x1, n1, x2, n2, diff, ci, ok)
		}
		r := Holdout{Messaged: n1, MessagedReturned: x1, HeldOut: n2, HeldOutReturned: x2}.Result()
		if !r.CausedCI.Contains(r.Caused) {
			t.Fatalf("caused %v outside %+v", r.Caused, r.CausedCI)
		}
	})
}

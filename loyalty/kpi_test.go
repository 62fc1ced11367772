package loyalty

import (
	"math"
	"slices"
	"testing"
)

func TestRatioAndChange(t *testing.T) {
	t.Parallel()
	tests := []struct {
		num, den int
		want     float64
		ok       bool
	}{
		{1, 4, 0.25, true}, {0, 5, 0, true}, {3, 0, 0, false}, {7, 7, 1, true},
	}
	for _, tt := range tests {
		if got, ok := Ratio(tt.num, tt.den); got != tt.want || ok != tt.ok {
			t.Errorf("Ratio(%d, %d) = %v, %v; want %v, %v", tt.num, tt.den, got, ok, tt.want, tt.ok)
		}
	}
	changes := []struct {
		now, before, want float64
		ok                bool
	}{
		{150, 100, 0.5, true}, {50, 100, -0.5, true}, {100, 100, 0, true}, {10, 0, 0, false},
	}
	for _, tt := range changes {
		if got, ok := Change(tt.now, tt.before); math.Abs(got-tt.want) > 1e-9 || ok != tt.ok {
			t.Errorf("Change(%v, %v) = %v, %v; want %v, %v", tt.now, tt.before, got, ok, tt.want, tt.ok)
		}
	}
}

func TestEconomics(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		e             Economics
		cost, revenue int
		ret           float64
		ok            bool
	}{
		{
			// 200 visits at 4.50 and 12 rewards costing 1.80: revenue 900.00,
			// cost 21.60, return (900 - 21.60) / 21.60 = 40.67 for every 1 spent.
			name: "punch-card rewards only",
			e:    Economics{AverageTicket: 450, RewardCost: 180, Visits: 200, Redeemed: 12},
			cost: 2160, revenue: 90000, ret: 40.6667, ok: true,
		},
		{
			// The same, with 3 coupons of 2.00 off, 2 of 10% and 25% off (45%
			// of 4.50 = 2.02), 4 free items or birthday gifts and a raffle
			// prize at 1.80 each: 21.60 + 6.00 + 2.02 + 7.20 + 1.80 = 38.62.
			// Bonus stamps given cost nothing until their reward is redeemed.
			name: "coupons, gifts and a prize",
			e: Economics{AverageTicket: 450, RewardCost: 180, Visits: 200, Redeemed: 12,
				Gifts: Gifts{BonusStamps: 40, Coupons: 9, AmountOff: 600, PercentOff: 45, FreeItems: 4, Prizes: 1}},
			cost: 3862, revenue: 90000, ret: 22.3044, ok: true,
		},
		{
			name: "a welcome gift alone costs nothing yet",
			e:    Economics{AverageTicket: 450, RewardCost: 180, Visits: 10, Gifts: Gifts{BonusStamps: 30}},
			cost: 0, revenue: 4500, ok: false,
		},
	}
	for _, tt := range tests {
		if got := tt.e.Cost(); got != tt.cost {
			t.Errorf("%s: cost %d, want %d", tt.name, got, tt.cost)
		}
		if got := tt.e.Revenue(); got != tt.revenue {
			t.Errorf("%s: revenue %d, want %d", tt.name, got, tt.revenue)
		}
		if r, ok := tt.e.Return(); ok != tt.ok || math.Abs(r-tt.ret) > 1e-3 {
			t.Errorf("%s: return %v, %v; want %v, %v", tt.name, r, ok, tt.ret, tt.ok)
		}
	}
}

func TestUnusual(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		staff []StaffCounts
		want  []bool
	}{
		{name: "nobody", want: []bool{}},
		{
			name:  "one cashier voids a fifth of their work",
			staff: []StaffCounts{{Stamps: 100, Voids: 2}, {Stamps: 40, Voids: 10}, {Stamps: 80, Redeems: 10, Voids: 3}},
			want:  []bool{false, true, false},
		},
		{
			name:  "overrides count as corrections",
			staff: []StaffCounts{{Stamps: 50, Overrides: 20}, {Stamps: 200, Overrides: 2}},
			want:  []bool{true, false},
		},
		{
			name:  "too few actions to judge",
			staff: []StaffCounts{{Stamps: 5, Voids: 4}, {Stamps: 300}},
			want:  []bool{false, false},
		},
		{
			name:  "everyone corrects a lot: nobody stands out",
			staff: []StaffCounts{{Stamps: 50, Voids: 10}, {Stamps: 50, Voids: 12}},
			want:  []bool{false, false},
		},
		{
			name:  "a tiny share is never unusual",
			staff: []StaffCounts{{Stamps: 1000, Voids: 3}, {Stamps: 5000}},
			want:  []bool{false, false},
		},
	}
	for _, tt := range tests {
		if got := Unusual(tt.staff); !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestCohortRetention(t *testing.T) {
	t.Parallel()
	c := Cohort{Month: 100, Size: 40, Returned: []int{20, 10, 0}}
	tests := []struct {
		k, thisMonth int
		want         float64
		ok           bool
	}{
		{1, 103, 0.5, true},
		{2, 103, 0.25, true},
		{3, 103, 0, true},
		{3, 102, 0, false}, // three months later has not come yet
		{0, 103, 0, false},
		{4, 110, 0, false},
	}
	for _, tt := range tests {
		if got, ok := c.Retention(tt.k, tt.thisMonth); got != tt.want || ok != tt.ok {
			t.Errorf("Retention(%d, %d) = %v, %v; want %v, %v", tt.k, tt.thisMonth, got, ok, tt.want, tt.ok)
		}
	}
	if _, ok := (Cohort{Month: 100, Returned: []int{0}}).Retention(1, 105); ok {
		t.Error("an empty cohort has a retention")
	}
}

// TestCohortSoFar: in month 102, the cohort of 100's figure two months later
// and the cohort of 102 itself count a month that is not over.
func TestCohortSoFar(t *testing.T) {
	t.Parallel()
	tests := []struct {
		month, k int
		want     bool
	}{
		{100, 1, false}, {100, 2, true}, {100, 3, false}, {101, 1, true}, {102, 0, true}, {101, 0, false},
	}
	for _, tt := range tests {
		if got := (Cohort{Month: tt.month}).SoFar(tt.k, 102); got != tt.want {
			t.Errorf("cohort %d, %d months later: so far %v, want %v", tt.month, tt.k, got, tt.want)
		}
	}
}

package loyalty

// The dashboard's formulas. Each takes plain counts, so that a hand-made ledger
// with a known answer can check it, and the store only has to sum.

// Ratio is num/den, and false when den is 0: "no data" is not 0%.
func Ratio(num, den int) (float64, bool) {
	if den == 0 {
		return 0, false
	}
	return float64(num) / float64(den), true
}

// Change is how much a figure moved from the previous period to this one, as
// a fraction of the previous value; false when there is no previous value to
// compare with.
func Change(now, before float64) (float64, bool) {
	if before == 0 {
		return 0, false
	}
	return (now - before) / before, true
}

// Economics estimates what the program earns against what its rewards cost.
// Money is in the currency's minor unit.
type Economics struct {
	AverageTicket int // what a visit spends, entered by the owner
	RewardCost    int // what one redeemed reward costs the shop
	Visits        int // program visits in the period
	Redeemed      int // rewards redeemed in the period
}

// Cost is the rewards redeemed times their cost.
func (e Economics) Cost() int { return e.Redeemed * e.RewardCost }

// Revenue is the program's visits times the average ticket.
func (e Economics) Revenue() int { return e.Visits * e.AverageTicket }

// Return is (revenue − cost) ÷ cost: what each unit spent on rewards brought
// back beyond itself; false when nothing was spent.
func (e Economics) Return() (float64, bool) {
	return Ratio(e.Revenue()-e.Cost(), e.Cost())
}

// StaffCounts is what one person did at the counter in a period.
type StaffCounts struct {
	Stamps, Redeems, Voids, Overrides, Adjusts int
}

// Actions counts everything the person did.
func (s StaffCounts) Actions() int {
	return s.Stamps + s.Redeems + s.Voids + s.Adjusts
}

// Corrections are the actions that bypass or undo the rules: voids and
// cooldown overrides. A few are normal; many can mean mistakes or favours.
func (s StaffCounts) Corrections() int { return s.Voids + s.Overrides }

// Thresholds of Unusual.
const (
	unusualMinActions = 10   // too few actions say nothing
	unusualMinShare   = 0.05 // one void in twenty actions is ordinary
)

// Unusual flags the people whose share of corrections is more than twice the
// shop's share, when they did enough to judge and the share is not tiny.
func Unusual(staff []StaffCounts) []bool {
	var total StaffCounts
	for _, s := range staff {
		total.Stamps += s.Stamps
		total.Redeems += s.Redeems
		total.Voids += s.Voids
		total.Overrides += s.Overrides
		total.Adjusts += s.Adjusts
	}
	shop, _ := Ratio(total.Corrections(), total.Actions())
	flags := make([]bool, len(staff))
	for i, s := range staff {
		share, ok := Ratio(s.Corrections(), s.Actions())
		flags[i] = ok && s.Actions() >= unusualMinActions && share >= unusualMinShare && share > 2*shop
	}
	return flags
}

// Cohort is the customers of one month (by first visit) and how many of them
// visited in each later month: Returned[k-1] is k months later.
type Cohort struct {
	Month    int // MonthNumber
	Size     int
	Returned []int
}

// Retention is the share of the cohort that visited k months later
// (k = 1..len(Returned)); false for months that have not happened yet.
func (c Cohort) Retention(k, thisMonth int) (float64, bool) {
	if k < 1 || k > len(c.Returned) || c.Month+k > thisMonth {
		return 0, false
	}
	return Ratio(c.Returned[k-1], c.Size)
}

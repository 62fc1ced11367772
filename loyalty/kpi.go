package loyalty

// The dashboard's formulas. Each takes plain counts, so that a hand-made ledger
// with a known answer can check it, and the store only has to sum.
//
// One definition of a new customer serves every figure (the tile, the weekly
// chart, retention): a customer is new on their first visit ever, the first
// day a cashier stamped their card for a purchase. Joining without a
// purchase is no visit, and a customer imported from paper cards is never
// new: they were a customer before the shop used Regulars, so their first
// stamp here is a returning visit.

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

// Economics estimates what the program earns against what its rewards and
// gifts cost. Money is in the currency's minor unit.
//
// Revenue credits the program with every visit of a card holder: an upper
// bound, since many would have come anyway (the page says so). The cost
// counts everything handed over in the period, once, when handed over:
// punch-card rewards redeemed (those filled with welcome or referral bonus
// stamps too: a bonus stamp costs nothing until its reward is redeemed, and
// counting it when given as well would count it twice), coupons at their
// value, and raffle prizes.
type Economics struct {
	AverageTicket int // what a visit spends, entered by the owner
	RewardCost    int // what one redeemed reward costs the shop, entered by the owner
	Visits        int // program visits in the period
	Redeemed      int // punch-card rewards redeemed in the period
	Gifts
}

// Gifts is what the shop gave away in a period besides punch-card rewards.
type Gifts struct {
	// BonusStamps are the welcome and referral stamps given: shown, not
	// costed (see Economics).
	BonusStamps int
	Coupons     int // coupons redeemed, of every kind
	AmountOff   int // the amounts of the "amount off" coupons among them, summed
	PercentOff  int // the percentages of the "percent off" ones, summed
	// FreeItems are the coupons for a free item or a gift in words (the
	// birthday gift): each costs what a reward costs, the one price of a
	// gift the owner gives us.
	FreeItems int
	Prizes    int // raffle prizes handed over, each at the cost of a reward
}

// Cost is everything handed over in the period.
func (e Economics) Cost() int {
	return e.Redeemed*e.RewardCost + e.CouponCost() + e.Prizes*e.RewardCost
}

// CouponCost is the coupons redeemed at their value: an amount off at its
// amount, a percentage off at that share of the average ticket, a free item
// at the cost of a reward.
func (e Economics) CouponCost() int {
	return e.AmountOff + e.PercentOff*e.AverageTicket/100 + e.FreeItems*e.RewardCost
}

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

// SoFar reports whether the figure of the cohort k months later (k = 0: the
// cohort's own size) counts a month that is not over yet, thisMonth: a share
// of a few days, not to be read beside whole months.
func (c Cohort) SoFar(k, thisMonth int) bool {
	return c.Month+k == thisMonth
}

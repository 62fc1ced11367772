package handlers

import (
	"math"

	"regulars/db"
	"regulars/locale"
	"regulars/loyalty"
	"regulars/views"
)

// holdoutViews says, per automation that chose anyone, whether its messages
// brought people back, and sums what the automations with a verdict brought
// back into the measured return shown beside the estimate. e is the
// estimate's inputs: a coupon is valued as the estimate values it.
func holdoutViews(t *locale.Tr, hs []db.AutomationHoldout, e loyalty.Economics, currency string) ([]views.Holdout, views.Measured) {
	pct := func(x float64) string { return t.T("Percent", "Percent", t.Decimal(x*100, 0)) }
	points := func(x float64) int { return int(math.Round(x * 100)) }
	whole := func(x float64) int { return int(math.Round(x)) }
	var list []views.Holdout
	var m views.Measured
	var caused, low, high float64
	var couponCost int
	// Without the owner's figures a free item would be valued at nothing.
	entered := e.AverageTicket > 0 && e.RewardCost > 0
	for _, h := range hs {
		r := h.Result()
		name := views.AutomationName(t, h.Kind)
		v := views.Holdout{Kind: h.Kind, Name: name, Verdict: string(r.Verdict)}
		if h.Messaged > 0 {
			messaged := t.N("HoldoutMessaged", h.Messaged, "Name", name, "Rate", pct(r.Messaged))
			if h.HeldOut > 0 {
				v.Summary = t.T("HoldoutSummary", "Messaged", messaged, "HeldOut", t.N("HoldoutHeldOut", h.HeldOut, "Rate", pct(r.HeldOut)))
			} else {
				v.Summary = t.T("HoldoutNobodyHeldOut", "Messaged", messaged)
			}
		}
		ci := r.DifferenceCI
		switch r.Verdict {
		case loyalty.VerdictBroughtBack:
			v.Finding = t.N("HoldoutBroughtBack", max(0, whole(r.Caused)), "Low", t.Num(points(ci.Low)), "High", t.Num(points(ci.High)),
				"CausedLow", t.Num(whole(r.CausedCI.Low)), "CausedHigh", t.Num(whole(r.CausedCI.High)))
		case loyalty.VerdictKeepsAway:
			v.Finding = t.T("HoldoutKeepsAway", "Low", t.Num(-points(ci.High)), "High", t.Num(-points(ci.Low)))
		case loyalty.VerdictNoEffect:
			v.Finding = t.T("HoldoutNoEffect", "Low", signed(t, t.Num(points(ci.Low)), ci.Low), "High", signed(t, t.Num(points(ci.High)), ci.High))
		case loyalty.VerdictTooEarly:
			if h.Pending > h.Messaged+h.HeldOut {
				v.Finding = t.T("HoldoutTooRecent")
			} else {
				v.Finding = t.N("HoldoutTooFew", h.HeldOut, "Min", t.Num(loyalty.MinHeldOut))
			}
		}
		cost := loyalty.Economics{AverageTicket: e.AverageTicket, RewardCost: e.RewardCost, Gifts: h.Coupons}.CouponCost()
		if r.Verdict != loyalty.VerdictTooEarly {
			m.Counted = true
			caused, low, high, couponCost = caused+r.Caused, low+r.CausedCI.Low, high+r.CausedCI.High, couponCost+cost
		}
		switch {
		case h.Coupons.Coupons > 0 && entered:
			v.Coupons = t.N("HoldoutCoupons", h.Coupons.Coupons, "Cost", t.Money(cost, currency))
		case h.Coupons.Coupons > 0:
			v.Coupons = t.N("HoldoutCouponsUsed", h.Coupons.Coupons)
		}
		if h.KeptBack > 0 {
			v.KeptBack = t.N("HoldoutKeptBack", h.KeptBack)
		}
		if h.Pending > 0 {
			v.Pending = t.N("HoldoutPending", h.Pending)
		}
		list = append(list, v)
	}
	if len(list) == 0 {
		return nil, m
	}
	m.Shown = true
	if !m.Counted {
		m.Text = t.T("EconomicsMeasuredNotYet")
		return list, m
	}
	// The sum of the ends is wider than the sum's own interval: it errs on
	// the side of saying less.
	m.Text = t.T("EconomicsMeasured", "Likely", t.Num(max(0, whole(caused))), "Low", t.Num(whole(low)), "High", t.Num(whole(high)))
	if entered {
		m.Worth = t.T("EconomicsMeasuredWorth", "Revenue", t.Money(max(0, whole(caused))*e.AverageTicket, currency), "Cost", t.Money(couponCost, currency))
	}
	return list, m
}

package loyalty

import "math"

// "Did the messages bring people back?" A marketing automation leaves a
// random share of the customers it chose without its message: the hold-out.
// Both groups were drawn the same way, so the difference between their
// return rates within ReturnDays is what the message did, up to chance; the
// intervals below say how far chance could reach.
//
// The draw is made among the customers the message can reach: those with
// an address and the consent, under the monthly cap. Those it cannot reach
// are chosen too, and recorded, but belong to neither group: no one like
// them was held out, and counting them with the messaged would dilute the
// effect with people the message never touched.

// ReturnDays is how long after being chosen a customer's visit counts as
// having come back.
const ReturnDays = 30

// MinHeldOut is the fewest held-out customers whose ReturnDays have passed
// before the comparison says anything: with fewer, one customer is several
// points of the rate, and every interval spans most of the scale.
const MinHeldOut = 10

// z95 is the standard normal quantile of a two-sided 95% interval.
const z95 = 1.959963984540054

// Interval is a confidence interval, Low ≤ High.
type Interval struct{ Low, High float64 }

// Contains reports whether x lies in the interval, ends included.
func (i Interval) Contains(x float64) bool { return i.Low <= x && x <= i.High }

// Scale multiplies both ends by k ≥ 0.
func (i Interval) Scale(k float64) Interval { return Interval{i.Low * k, i.High * k} }

// Wilson is the 95% Wilson score interval of x successes in n trials: unlike
// the textbook p ± 1.96·se it stays inside [0, 1] and is honest at 0 of 10 or
// 10 of 10, the small counts a café's hold-out has. False when n is 0.
func Wilson(x, n int) (Interval, bool) {
	if n <= 0 || x < 0 || x > n {
		return Interval{}, false
	}
	p, nf, z2 := float64(x)/float64(n), float64(n), z95*z95
	denom := 1 + z2/nf
	centre := (p + z2/(2*nf)) / denom
	half := z95 / denom * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf))
	// The ends are exact at x = 0 and x = n; rounding must not move them
	// past the estimate.
	low, high := max(0, centre-half), min(1, centre+half)
	if x == 0 {
		low = 0
	}
	if x == n {
		high = 1
	}
	return Interval{low, high}, true
}

// Difference is p1 − p2 of x1 of n1 against x2 of n2, with its 95% interval
// by Newcombe's hybrid score method (his method 10, 1998), built from the
// two Wilson intervals: it stays inside [−1, 1] and keeps its coverage at the
// small counts where the textbook interval fails. False when a group is empty.
func Difference(x1, n1, x2, n2 int) (float64, Interval, bool) {
	w1, ok1 := Wilson(x1, n1)
	w2, ok2 := Wilson(x2, n2)
	if !ok1 || !ok2 {
		return 0, Interval{}, false
	}
	p1, p2 := float64(x1)/float64(n1), float64(x2)/float64(n2)
	d := p1 - p2
	low := d - math.Hypot(p1-w1.Low, w2.High-p2)
	high := d + math.Hypot(w1.High-p1, p2-w2.Low)
	return d, Interval{max(-1, min(d, low)), min(1, max(d, high))}, true
}

// Verdict is the comparison in plain words, as a code the page translates.
type Verdict string

// The verdicts.
const (
	// VerdictTooEarly: too few held out, or most of those chosen still
	// within their ReturnDays.
	VerdictTooEarly Verdict = "too_early"
	// VerdictBroughtBack: the whole interval of the difference is above 0.
	VerdictBroughtBack Verdict = "brought_back"
	// VerdictNoEffect: the interval contains 0: no difference chance could
	// not explain.
	VerdictNoEffect Verdict = "no_effect"
	// VerdictKeepsAway: the whole interval is below 0: the messaged came
	// back less often.
	VerdictKeepsAway Verdict = "keeps_away"
)

// Holdout is one automation's audience whose ReturnDays have passed, split
// by the draw, and how many of each group came back.
type Holdout struct {
	Messaged, MessagedReturned int // chosen and not held out
	HeldOut, HeldOutReturned   int
	// Pending are those chosen within the last ReturnDays: not counted yet.
	Pending int
}

// HoldoutResult is what the comparison shows.
type HoldoutResult struct {
	Verdict Verdict
	// The return rates and their intervals; zero when a group is empty.
	Messaged, HeldOut       float64
	MessagedCI, HeldOutCI   Interval
	Difference              float64 // Messaged − HeldOut
	DifferenceCI            Interval
	Caused                  float64 // customers who came back because of the message: Difference × messaged
	CausedCI                Interval
	HasRates, HasDifference bool
}

// Result compares the groups. The rates are shown as soon as a group has
// anyone, the verdict only once the hold-out is big enough and most of those
// chosen had their ReturnDays.
func (h Holdout) Result() HoldoutResult {
	var r HoldoutResult
	r.MessagedCI, r.HasRates = Wilson(h.MessagedReturned, h.Messaged)
	if r.HasRates {
		r.Messaged = float64(h.MessagedReturned) / float64(h.Messaged)
	}
	if ci, ok := Wilson(h.HeldOutReturned, h.HeldOut); ok {
		r.HeldOutCI, r.HeldOut = ci, float64(h.HeldOutReturned)/float64(h.HeldOut)
	}
	r.Difference, r.DifferenceCI, r.HasDifference = Difference(h.MessagedReturned, h.Messaged, h.HeldOutReturned, h.HeldOut)
	if r.HasDifference {
		r.Caused = r.Difference * float64(h.Messaged)
		r.CausedCI = r.DifferenceCI.Scale(float64(h.Messaged))
	}
	switch {
	case !r.HasDifference || h.HeldOut < MinHeldOut || h.Pending > h.Messaged+h.HeldOut:
		r.Verdict = VerdictTooEarly
	case r.DifferenceCI.Low > 0:
		r.Verdict = VerdictBroughtBack
	case r.DifferenceCI.High < 0:
		r.Verdict = VerdictKeepsAway
	default:
		r.Verdict = VerdictNoEffect
	}
	return r
}

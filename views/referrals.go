package views

import "time"

// Referral states, as the owner's list shows them.
const (
	ReferralWaiting      = "waiting"       // the friend has had no stamp yet
	ReferralPaid         = "paid"          // both got the bonus
	ReferralCapped       = "capped"        // the friend got it; the referrer had reached the month's limit
	ReferralReferrerGone = "referrer-gone" // the friend got it; the referrer's card was erased
	ReferralNoBonus      = "no-bonus"      // settled without a bonus: off then, or the customer's own card
)

// Referral is one friend who joined by a card's invite link.
type Referral struct {
	ReferrerID, FriendID int64
	Referrer, Friend     string // first name, or the short code
	JoinedAt             time.Time
	PaidAt               time.Time // zero while waiting
	Bonus                int
	State                string
}

// ReferralTotals sums up a shop's referrals.
type ReferralTotals struct {
	Joined, Stamped, BonusStamps int
}

// couponTitle names a coupon in one line: a birthday gift by that name, as
// its title is the gift itself.
func couponTitle(p Page, c Coupon) string {
	if c.Birthday {
		return p.T.T("CouponBirthday")
	}
	return c.Title
}

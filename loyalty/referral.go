package loyalty

import (
	"strings"
	"time"
)

// Referral is what decides the referral bonuses when a cashier stamps a card
// that joined by another card's invite link.
type Referral struct {
	// Bonus is the stamps the owner gives the friend and the referrer each; 0: off.
	Bonus int
	// FirstStamp: this is the friend's first stamp from a cashier. Bonuses
	// reward bringing a customer who buys, not one who merely signs up.
	FirstStamp bool
	// Paid: the referral was settled at an earlier stamp.
	Paid bool
	// SameCard: the invite link was the friend's own card's.
	SameCard bool
	// SamePerson: the two cards share a phone number or an email address (see
	// SamePerson): one customer with two cards is not a friend brought in.
	SamePerson bool
	// ReferrerErased: the referrer's card was erased; nobody is left to thank.
	ReferrerErased bool
	// ReferrerPaidThisMonth counts the bonuses the referrer has earned in the
	// calendar month of the stamp, in the shop's time zone.
	ReferrerPaidThisMonth int
	// Cap is how many bonuses one referrer may earn per calendar month; 0 or
	// less: none, only friends get theirs.
	Cap int
}

// ReferralBonus is the stamps each side gets.
type ReferralBonus struct {
	Friend, Referrer int
}

// Bonuses decides the referral bonuses: both sides get Bonus stamps at the
// friend's first cashier stamp, once per friend's card. A card or a person
// referring themselves gets nothing on either side. A referrer past the
// month's cap, or erased, gets nothing, but the friend still gets theirs: the
// friend did nothing wrong and was promised the bonus by the link.
func (r Referral) Bonuses() ReferralBonus {
	if r.Bonus <= 0 || !r.FirstStamp || r.Paid || r.SameCard || r.SamePerson {
		return ReferralBonus{}
	}
	b := ReferralBonus{Friend: r.Bonus}
	if !r.ReferrerErased && r.ReferrerPaidThisMonth < r.Cap {
		b.Referrer = r.Bonus
	}
	return b
}

// SamePerson reports whether two cards' contact details name one person: the
// same non-empty phone number (normalized) or email address (in any case).
func SamePerson(phoneA, emailA, phoneB, emailB string) bool {
	if pa := NormalizePhone(phoneA); pa != "" && pa == NormalizePhone(phoneB) {
		return true
	}
	ea, eb := strings.TrimSpace(emailA), strings.TrimSpace(emailB)
	return ea != "" && strings.EqualFold(ea, eb)
}

// CalendarMonth is the month of now in loc, as [start, end): the period of a
// referrer's cap.
func CalendarMonth(now time.Time, loc *time.Location) (start, end time.Time) {
	y, m, _ := now.In(loc).Date()
	start = time.Date(y, m, 1, 0, 0, 0, 0, loc)
	return start, start.AddDate(0, 1, 0)
}

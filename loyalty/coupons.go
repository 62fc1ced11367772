package loyalty

import (
	"errors"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Campaign is what decides whether a coupon can be redeemed.
type Campaign struct {
	ValidFrom, ValidUntil time.Time // [from, until)
	Paused, Ended         bool
	TotalLimit            int // 0: no limit
	PerCardLimit          int
}

// Reasons a coupon is refused at the counter; each is shown in plain words.
var (
	ErrCouponNotStarted = errors.New("coupon not valid yet")
	ErrCouponExpired    = errors.New("coupon expired")
	ErrCouponPaused     = errors.New("campaign paused")
	ErrCouponEnded      = errors.New("campaign ended")
	ErrCouponUsedUp     = errors.New("campaign used up")
	ErrCouponUsedByCard = errors.New("coupon already used by this card")
	ErrCouponNotForCard = errors.New("coupon not issued to this card")
	ErrCouponUnknown    = errors.New("no such coupon")
)

func (c Campaign) check(now time.Time) error {
	switch {
	case c.Ended:
		return ErrCouponEnded
	case c.Paused:
		return ErrCouponPaused
	case now.Before(c.ValidFrom):
		return ErrCouponNotStarted
	case !now.Before(c.ValidUntil):
		return ErrCouponExpired
	}
	return nil
}

// CheckCoupon decides whether a card may redeem the campaign's coupon now,
// given the campaign's redemptions so far in all and by this card.
func CheckCoupon(c Campaign, now time.Time, redeemed, redeemedByCard int) error {
	if err := c.check(now); err != nil {
		return err
	}
	if c.TotalLimit > 0 && redeemed >= c.TotalLimit {
		return ErrCouponUsedUp
	}
	if redeemedByCard >= c.PerCardLimit {
		return ErrCouponUsedByCard
	}
	return nil
}

// Limits of what an owner types into a campaign.
const (
	MaxCouponLimit = 1_000_000
	minCodeLen     = 3
	maxCodeLen     = 20
)

var ErrBadCouponCode = errors.New("malformed coupon code")

// ParseCouponCode normalizes a public code as typed ("welcome10 " → "WELCOME10"):
// letters A–Z, digits and dashes, 3 to 20 characters.
func ParseCouponCode(s string) (string, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) < minCodeLen || len(s) > maxCodeLen {
		return "", ErrBadCouponCode
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return "", ErrBadCouponCode
		}
	}
	return s, nil
}

// MaxAmount bounds an amount off, in minor units (a million in major units).
const MaxAmount = 100_000_000

var ErrBadAmount = errors.New("malformed amount")

// ParseAmount reads an amount as people type it in Turkey, Romania or England
// ("2.50", "2,50", "12", "4,50 €", "TL 12"; "1 500,00" is refused: no
// thousands separators) and returns it in minor units (cents, kuruş). At
// most two decimals.
func ParseAmount(s string) (int, error) {
	s = trimCurrency(s)
	whole, frac, hasFrac := strings.Cut(strings.Replace(s, ",", ".", 1), ".")
	if whole == "" || len(whole) > 7 || hasFrac && (len(frac) < 1 || len(frac) > 2) {
		return 0, ErrBadAmount
	}
	n := 0
	for _, part := range []string{whole, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return 0, ErrBadAmount
			}
		}
	}
	for i := 0; i < len(whole); i++ {
		n = n*10 + int(whole[i]-'0')
	}
	cents := 0
	for i := 0; i < 2; i++ {
		cents *= 10
		if i < len(frac) {
			cents += int(frac[i] - '0')
		}
	}
	n = n*100 + cents
	if n < 1 || n > MaxAmount {
		return 0, ErrBadAmount
	}
	return n, nil
}

// currencyNames are the codes and names people type beside an amount, in
// lower case; a currency sign (€, ₺, $, ﷼) is recognised by its Unicode category.
var currencyNames = []string{"eur", "euro", "usd", "gbp", "try", "tl", "ron", "lei", "leu", "irr", "irt", "rial", "toman", "تومان", "ریال", "ريال"}

// trimCurrency drops the currency a person typed before or after an amount,
// with the spaces around it; anything else is left for the parser to refuse.
func trimCurrency(s string) string {
	s = strings.TrimSpace(s)
	isWordOrSign := func(r rune) bool { return unicode.In(r, unicode.L, unicode.Sc) }
	if i := strings.IndexFunc(s, func(r rune) bool { return !isWordOrSign(r) }); i > 0 && isCurrency(s[:i]) {
		s = strings.TrimSpace(s[i:])
	}
	if i := strings.LastIndexFunc(s, func(r rune) bool { return !isWordOrSign(r) }); i >= 0 {
		_, size := utf8.DecodeRuneInString(s[i:])
		if tail := s[i+size:]; tail != "" && isCurrency(tail) {
			s = strings.TrimSpace(s[:i+size])
		}
	}
	return s
}

func isCurrency(w string) bool {
	if r, size := utf8.DecodeRuneInString(w); size == len(w) {
		return unicode.Is(unicode.Sc, r)
	}
	return slices.Contains(currencyNames, strings.ToLower(w))
}

// Campaign statuses, as the owner's list shows them.
const (
	CampaignScheduled = "scheduled"
	CampaignRunning   = "running"
	CampaignPaused    = "paused"
	CampaignEnded     = "ended"
	CampaignExpired   = "expired"
)

// Status says where a campaign stands at now.
func (c Campaign) Status(now time.Time) string {
	switch c.check(now) {
	case ErrCouponEnded:
		return CampaignEnded
	case ErrCouponPaused:
		return CampaignPaused
	case ErrCouponNotStarted:
		return CampaignScheduled
	case ErrCouponExpired:
		return CampaignExpired
	}
	return CampaignRunning
}

package views

import (
	"time"

	"regulars/locale"
)

// GiftItem is an item of the gift catalogue as a page shows it.
type GiftItem struct {
	ID                  int64
	Name, Description   string
	Image               string // URL, "" without a picture
	Program             string
	Points              int
	PartialPoints       int    // 0: points only
	PartialMoney        string // the money part, in the shop's currency
	Cost                string // what one costs the shop, for the owner
	Limited             bool
	Stock               int
	StartsAt, LastDay   time.Time // zero: no bound
	PerCustomer         int
	Archived, Available bool
	// On a card: the points the card lacks for it (0: enough now), and
	// for the points and money price.
	Short, PartialShort int
	// TierOnly names the lowest tier that may redeem it; "": everyone.
	TierOnly string
}

// GiftOrderItem is a redemption of a gift on its way to the customer.
type GiftOrderItem struct {
	ID                  int64
	Gift                string
	Points              int
	Money               string // "" when paid in points only
	State               string
	Moves               []string // the states the owner may move it to
	Carrier, Tracking   string
	TrackingURL         string // Tracking when it is a web address
	At, UpdatedAt       time.Time
	Customer, ShortCode string
	CardID              int64
	FromCounter         bool
}

// CardCatalogue is the catalogue on a card page or at the counter: the
// items the card may redeem now and its redemptions.
type CardCatalogue struct {
	Gifts  []GiftItem
	Orders []GiftOrderItem
	// Key starts the idempotency keys of the page's redemption forms.
	Key string
	// Problem says why a redemption was refused; Requested names the gift
	// just requested.
	Problem, Requested string
}

// GiftStateText is a redemption's state in t's language, as the pages and
// the customer's notice of each step say it.
func GiftStateText(t *locale.Tr, state string) string {
	switch state {
	case "":
		return "" // not a gift's message
	case "requested":
		return t.T("GiftStateRequested")
	case "ready":
		return t.T("GiftStateReady")
	case "handed_over":
		return t.T("GiftStateHandedOver")
	case "shipped":
		return t.T("GiftStateShipped")
	case "delivered":
		return t.T("GiftStateDelivered")
	}
	return t.T("GiftStateCancelled")
}

// giftMoveText is the button that moves a redemption to state.
func giftMoveText(p Page, state string) string {
	switch state {
	case "ready":
		return p.T.T("GiftMoveReady")
	case "handed_over":
		return p.T.T("GiftMoveHandedOver")
	case "shipped":
		return p.T.T("GiftMoveShipped")
	case "delivered":
		return p.T.T("GiftMoveDelivered")
	}
	return p.T.T("GiftMoveCancel")
}

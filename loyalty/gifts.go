package loyalty

import (
	"errors"
	"time"
)

// The gift catalogue: items a customer buys with the points of one points
// program, and the way each redemption goes from the request to the customer.

// Limits of a catalogue item's settings: a price or a stock beyond them is a
// typing slip, and sums of them never overflow.
const (
	MaxGiftPoints = MaxRewardPoints
	MaxGiftStock  = 1_000_000
	MaxGiftLimit  = 1_000
)

// Errors of a redemption; handlers show them in plain words.
var (
	// ErrGiftUnavailable: the item is archived, or outside its window.
	ErrGiftUnavailable = errors.New("gift not available now")
	// ErrGiftOutOfStock: none left (another redemption took the last one).
	ErrGiftOutOfStock = errors.New("gift out of stock")
	// ErrGiftLimit: the card has redeemed the item as often as it may.
	ErrGiftLimit = errors.New("gift limit per customer reached")
	// ErrGiftNoPartial: points and money asked of an item sold for points only.
	ErrGiftNoPartial = errors.New("gift has no points and money price")
	// ErrGiftMove: the redemption cannot move to that state from its own.
	ErrGiftMove = errors.New("gift redemption cannot move to that state")
)

// GiftState is where a redemption stands.
type GiftState string

// A redemption's states.
const (
	GiftRequested  GiftState = "requested"
	GiftReady      GiftState = "ready"
	GiftHandedOver GiftState = "handed_over"
	GiftShipped    GiftState = "shipped"
	GiftDelivered  GiftState = "delivered"
	GiftCancelled  GiftState = "cancelled"
)

// giftMoves are the steps a redemption may take: forward only, along pickup
// (ready, handed over) or shipping (shipped, delivered); a gift in hand at
// the counter is handed over at once; cancelled until it reached the
// customer (a shipped parcel may come back).
var giftMoves = map[GiftState][]GiftState{
	GiftRequested: {GiftReady, GiftHandedOver, GiftShipped, GiftCancelled},
	GiftReady:     {GiftHandedOver, GiftShipped, GiftCancelled},
	GiftShipped:   {GiftDelivered, GiftCancelled},
}

// Moves are the states a redemption in s may move to, in the order the owner's
// queue offers them.
func (s GiftState) Moves() []GiftState { return giftMoves[s] }

// CanMove reports whether a redemption in s may move to to.
func (s GiftState) CanMove(to GiftState) bool {
	for _, m := range giftMoves[s] {
		if m == to {
			return true
		}
	}
	return false
}

// Open reports whether the redemption is still on its way to the customer.
func (s GiftState) Open() bool { return len(giftMoves[s]) > 0 }

// GiftOffer is what decides whether a card may redeem an item now.
type GiftOffer struct {
	Archived         bool
	StartsAt, EndsAt time.Time // zero: no bound; EndsAt is the first moment it is gone
	Limited          bool      // Stock counts; otherwise unlimited
	Stock            int
	PerCustomer      int // 0: no limit
}

// Open reports whether the item is offered at now, whatever its stock.
func (g GiftOffer) Open(now time.Time) bool {
	return !g.Archived && (g.StartsAt.IsZero() || !now.Before(g.StartsAt)) && (g.EndsAt.IsZero() || now.Before(g.EndsAt))
}

// CheckGift decides whether a card that has redeemed the item taken times
// (cancelled ones not counted) and holds held points may redeem it for price
// points now.
func CheckGift(g GiftOffer, now time.Time, taken, held, price int) error {
	switch {
	case !g.Open(now):
		return ErrGiftUnavailable
	case g.Limited && g.Stock < 1:
		return ErrGiftOutOfStock
	case g.PerCustomer > 0 && taken >= g.PerCustomer:
		return ErrGiftLimit
	case price < 1 || held < price:
		return ErrNotEnoughPoints
	}
	return nil
}

package db

import (
	"context"
	"fmt"
)

// cardVersionQuery reads the newest event of a card in ledger order (by time,
// by id within a second): one step down the card's events_card_time index,
// whatever the length of its history. The card must be the shop's.
const cardVersionQuery = `SELECT coalesce((SELECT e.id FROM events e WHERE e.card_id = c.id AND +e.shop_id = c.shop_id
	ORDER BY e.created_at DESC, e.id DESC LIMIT 1), 0) FROM cards c WHERE c.id = ? AND c.shop_id = ? AND c.erased_at IS NULL`

// CardVersion is the id of the newest event of the card's ledger, 0 before
// any. Every stamp, redemption, coupon, prize, adjustment and undo appends
// an event, so it changes with everything a cashier does to the card: an
// open card page asks for it every few seconds to know when to show the card
// anew. It equals CardState.Version of a state read at the same moment.
// ErrNotFound when the card is not the shop's or was erased.
func (s *Store) CardVersion(ctx context.Context, shopID, cardID int64) (int64, error) {
	var v int64
	if err := s.r.QueryRowContext(ctx, cardVersionQuery, cardID, shopID).Scan(&v); err != nil {
		return 0, fmt.Errorf("version of card %d: %w", cardID, notFound(err))
	}
	return v, nil
}

// Version is the card's version (CardVersion) as the state read it: the id
// of the newest entry of its ledger, 0 before any.
func (st CardState) Version() int64 {
	if len(st.Ledger) == 0 {
		return 0
	}
	return st.Ledger[0].ID
}

package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"regulars/loyalty"
)

// CounterCard is what the counter's view of a card shows, read in one
// snapshot: the card's state with its RecentEntries newest events, the
// shop's catalogue with the card's redemptions, and the shop's tiers.
type CounterCard struct {
	State CardState
	// Ladder is the shop's tiers (none: no tiers); the card's is State.Card.Tier.
	Ladder loyalty.Ladder
	// Gifts is the shop's catalogue (not archived), GiftOrders the card's
	// redemptions, newest first (catalogue.go).
	Gifts      []Gift
	GiftOrders []GiftOrder
}

// CounterCard reads the counter's view of the card at now: ErrNotFound for
// a card of another shop, or erased (only the owner's records keep it). The
// late campaign and birthday coupons the card is owed are given to it first,
// in one write, and only when the read found some; the view is then read
// again to show them.
func (s *Store) CounterCard(ctx context.Context, shopID, cardID int64, now time.Time) (CounterCard, error) {
	var (
		v CounterCard
		w cardPageWrites
	)
	read := func() error {
		gen := s.cache.generation()
		return s.readTx(ctx, func(tx *sql.Tx) error {
			var err error
			v, w, err = s.readCounterCard(ctx, tx, gen, shopID, cardID, now)
			return err
		})
	}
	err := read()
	if err == nil && (w.late || w.birthday) {
		err = s.inTx(ctx, func(tx *sql.Tx) error { return issueOwedCoupons(ctx, tx, shopID, cardID, w, now) })
		if err == nil {
			err = read()
		}
	}
	if err != nil {
		return v, fmt.Errorf("counter's view of card %d: %w", cardID, err)
	}
	return v, nil
}

// readCounterCard reads the counter's view of the card, and what it is owed.
// gen is the cache's generation from before q's snapshot began.
func (s *Store) readCounterCard(ctx context.Context, q querier, gen uint64, shopID, cardID int64, now time.Time) (CounterCard, cardPageWrites, error) {
	var v CounterCard
	c, err := card(ctx, q, shopID, cardID)
	if err != nil {
		return v, cardPageWrites{}, notFound(err)
	}
	if c.Erased {
		return v, cardPageWrites{}, ErrNotFound
	}
	parts, err := rememberedSince(&s.cache, gen, func(c *readCache) *memo[int64, shopParts] { return &c.parts }, shopID,
		func() (shopParts, error) { return readShopParts(ctx, q, shopID, now) })
	if err != nil {
		return v, cardPageWrites{}, err
	}
	es, err := cardEntries(ctx, q, shopID, cardID, RecentEntries)
	if err != nil {
		return v, cardPageWrites{}, err
	}
	if v.State, err = cardStateOf(ctx, q, c, parts, now, es); err != nil {
		return v, cardPageWrites{}, err
	}
	v.Gifts, v.Ladder = parts.gifts, parts.ladder.Ladder
	if parts.giftOrders { // a shop nobody redeemed a gift in reads nothing more
		if v.GiftOrders, err = cardGiftOrders(ctx, q, shopID, cardID); err != nil {
			return v, cardPageWrites{}, err
		}
	}
	w, err := owedCoupons(ctx, q, parts, cardID, now)
	return v, w, err
}

package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"regulars/db"
	"regulars/db/dbtest"
)

// TestCardVersionFollowsTheLedger: a card's version changes with each event
// the counter writes (a stamp, its undo), is what a card page read at the
// same moment says, and tells nothing of a card of another shop or of an
// erased one.
func TestCardVersionFollowsTheLedger(t *testing.T) {
	t.Parallel()
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	shopID, userID, card, prog := shop(t, s, "version@example.com")
	otherShop, _, otherCard, _ := shop(t, s, "version-other@example.com")
	check := func(when string, now time.Time, want int64) {
		t.Helper()
		v, err := s.CardVersion(ctx, shopID, card.ID)
		if err != nil || v != want {
			t.Errorf("%s: version %d, %v; want %d", when, v, err, want)
		}
		page, err := s.CardPage(ctx, shopID, card.ID, now)
		if err != nil || page.State.Version() != want {
			t.Errorf("%s: the card page read version %d, %v; want %d", when, page.State.Version(), err, want)
		}
	}
	check("no event yet", t0, 0)
	stamp := visit(t, s, shopID, userID, prog.ID, card.ID, t0.Add(time.Minute))
	check("after a stamp", t0.Add(time.Minute), stamp.EventID)
	undo, err := s.Undo(ctx, db.Action{ShopID: shopID, CardID: card.ID, UserID: userID, Key: "undo", Now: t0.Add(2 * time.Minute)}, stamp.EventID)
	if err != nil {
		t.Fatal(err)
	}
	check("after its undo", t0.Add(2*time.Minute), undo.EventID)

	if v, err := s.CardVersion(ctx, shopID, otherCard.ID); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("another shop's card: version %d, %v; want ErrNotFound", v, err)
	}
	if v, err := s.CardVersion(ctx, otherShop, card.ID); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("the card from another shop: version %d, %v; want ErrNotFound", v, err)
	}
	if err := s.EraseCustomer(ctx, shopID, userID, card.ID, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if v, err := s.CardVersion(ctx, shopID, card.ID); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("an erased card: version %d, %v; want ErrNotFound", v, err)
	}
}

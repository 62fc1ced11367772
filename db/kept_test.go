package db_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"regulars/db"
	"regulars/db/dbtest"
)

// TestKeptCardsMatchARebuild: the counter's actions take what the previous
// action left of their card (db/kept.go). Tablets stamp a few cards at once,
// so that batches hold several actions on one card, across days, between
// redemptions and undos (which are written outside the batches); the
// balances, kept lists and rollups then equal those rebuilt from the ledger.
func TestKeptCardsMatchARebuild(t *testing.T) {
	t.Parallel()
	s, path := dbtest.Open(t)
	ctx := context.Background()
	shopID, userID, first, program := shop(t, s, "kept-rebuild@example.com")
	cards := []int64{first.ID}
	for i := range 2 {
		c, err := s.EnrollCard(ctx, shopID, db.NewCard{CreatedBy: userID, Key: fmt.Sprintf("kept-%d", i)}, t0)
		if err != nil {
			t.Fatal(err)
		}
		cards = append(cards, c.ID)
	}
	rng := rand.New(rand.NewPCG(13, 2026))
	at, keys := t0, 0
	action := func(card int64) db.Action {
		keys++
		return db.Action{ShopID: shopID, CardID: card, ProgramID: program.ID, UserID: userID, Key: fmt.Sprintf("kept-rebuild-%d", keys), Now: at}
	}
	for round := range 40 {
		// Times within the second too, as the counter's are.
		at = at.Add(time.Duration(rng.IntN(10))*time.Hour + time.Duration(rng.IntN(1e9)))
		var wg sync.WaitGroup
		errs := make([]error, 6)
		for i := range errs {
			a := action(cards[rng.IntN(len(cards))])
			wg.Go(func() { _, errs[i] = s.Stamp(ctx, a, 1, true) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d, stamp %d: %v", round, i, err)
			}
		}
		card := cards[rng.IntN(len(cards))]
		st, err := s.CardState(ctx, shopID, card, at)
		if err != nil {
			t.Fatal(err)
		}
		switch rng.IntN(3) {
		case 0:
			if len(st.Programs[0].Available) > 0 {
				if _, err := s.Redeem(ctx, action(card), st.Programs[0].Available[0].Seq); err != nil {
					t.Fatalf("round %d, redeem: %v", round, err)
				}
			}
		case 1:
			if st.Undoable != nil {
				if _, err := s.Undo(ctx, action(card), st.Undoable.ID); err != nil {
					t.Fatalf("round %d, undo: %v", round, err)
				}
			}
		}
	}
	if s.KeptServed() == 0 {
		t.Error("no action took what the previous one left of its card: the test drove nothing kept")
	}
	kept := dbtest.Rollups(t, path)
	if err := s.RebuildRollups(ctx, shopID, at); err != nil {
		t.Fatal(err)
	}
	if rebuilt := dbtest.Rollups(t, path); !slices.Equal(kept, rebuilt) {
		t.Errorf("kept rollups differ from rebuilt ones:\nkept:    %s\nrebuilt: %s", diff(kept, rebuilt), diff(rebuilt, kept))
	}
	if changed, err := s.RebuildBalances(ctx, shopID); err != nil || changed != 0 {
		t.Errorf("the rebuild corrected %d kept rows (%v), want none", changed, err)
	}
}

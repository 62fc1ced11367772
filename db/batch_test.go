package db_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"regulars/db"
	"regulars/db/dbtest"
	"regulars/loyalty"
)

// TestActionsWrittenTogether: actions that wait for the writer together are
// written in one transaction, and one refused among them (a cooldown, a key
// used twice) leaves the others written; every action is answered with what
// became of it.
func TestActionsWrittenTogether(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, path := dbtest.Open(t)
	shopID, userID, first, p := shop(t, s, "batch@example.com")
	p.CooldownMinutes = 60
	if _, err := s.SaveProgram(ctx, p, userID, t0); err != nil {
		t.Fatal(err)
	}
	cards := []db.Card{first}
	for i := range 3 {
		c, err := s.EnrollCard(ctx, shopID, db.NewCard{CreatedBy: userID, Key: fmt.Sprint("batch-", i)}, t0)
		if err != nil {
			t.Fatal(err)
		}
		cards = append(cards, c)
	}
	stamp := func(card db.Card, key string, at time.Time) error {
		_, err := s.Stamp(ctx, db.Action{ShopID: shopID, CardID: card.ID, ProgramID: p.ID, UserID: userID, Key: key, Now: at}, 1, false)
		return err
	}
	at := t0.Add(time.Hour)
	if err := stamp(cards[0], "earlier", at.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	// Another process holds the writer: the actions below queue, and go in
	// together once it lets go.
	lock := pinned(t, path)
	if _, err := lock.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	before := s.Batches()
	type attempt struct {
		card db.Card
		key  string
	}
	attempts := []attempt{
		{cards[1], "first"},  // goes in alone while the lock is held
		{cards[0], "cooled"}, // refused: stamped a minute ago
		{cards[2], "a"},
		{cards[3], "b"},
		{cards[2], "a"}, // the same key again: a replay, not a second stamp
	}
	errs := make([]error, len(attempts))
	var wg sync.WaitGroup
	for i, a := range attempts {
		wg.Go(func() { errs[i] = stamp(a.card, a.key, at) })
		// The first is taken alone; the others wait for the writer.
		waitQueued(t, s, int64(i+1))
	}
	if _, err := lock.ExecContext(ctx, `ROLLBACK`); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	var cooldown *loyalty.CooldownError
	var replay *db.ReplayedError
	if errs[0] != nil || !errors.As(errs[1], &cooldown) || errs[2] != nil && errs[4] != nil || errs[3] != nil {
		t.Fatalf("answers: %v", errs)
	}
	if !errors.As(errs[2], &replay) && !errors.As(errs[4], &replay) {
		t.Errorf("a key used twice was not answered as a replay: %v, %v", errs[2], errs[4])
	}
	for i, want := range []int{1, 1, 1, 1} {
		st, err := s.CardState(ctx, shopID, cards[i].ID, at)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Programs[0].Stamps; got != want {
			t.Errorf("card %d holds %d stamps, want %d", i, got, want)
		}
	}
	// Two transactions: the first action's, and the other four's together.
	if got := s.Batches() - before; got != 2 {
		t.Errorf("%d transactions for the five actions, want 2", got)
	}
}

// waitQueued waits until n actions wait for the writer: the batcher has taken
// the first into a transaction that waits for the lock, and the others wait
// to be taken.
func waitQueued(t *testing.T, s *db.Store, n int64) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); s.Queued() < n; {
		if time.Now().After(deadline) {
			t.Fatalf("%d actions wait, want %d", s.Queued(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

package db

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"regulars/loyalty"
)

// TestBatchSumsOfRefusedActionsAreDropped: the shop-wide rollups an action
// adds to are written once at its batch's end; an action refused after it
// added to them (its savepoint rolled back) must leave them as if it never
// ran, and the others' sums are all written.
func TestBatchSumsOfRefusedActionsAreDropped(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := planStore(t)
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	shopID, owner := planShop(t, s, "batch@example.com", now)
	day := loyalty.DayNumber(now)
	refused := errors.New("refused after adding to the rollups")
	action := func(err error) *batchJob {
		return &batchJob{ctx: ctx, err: make(chan error, 1), fn: func(ctx context.Context, tx *sql.Tx) error {
			a := Action{ShopID: shopID, UserID: owner, Now: now}
			if e := staffEvent(ctx, tx, a, newEvent{kind: loyalty.KindStamp, stamps: 1}, time.UTC); e != nil {
				return e
			}
			visit := shopDeltas{}
			visit.add(loyalty.Day{Day: day, Hour: 10, Visited: true, Stamps: 1}, 1)
			if e := writeShopDeltas(ctx, tx, shopID, visit); e != nil {
				return e
			}
			return err
		}}
	}
	batch := []*batchJob{action(nil), action(refused), action(nil)}
	s.runBatch(batch)
	for i, want := range []error{nil, refused, nil} {
		if got := <-batch[i].err; !errors.Is(got, want) {
			t.Fatalf("action %d answered %v, want %v", i, got, want)
		}
	}
	var staffStamps, shopStamps, shopVisits int
	if err := s.r.QueryRowContext(ctx, `SELECT (SELECT stamps FROM staff_days WHERE shop_id = ?1 AND day = ?2 AND user_id = ?3),
		(SELECT stamps FROM shop_days WHERE shop_id = ?1 AND day = ?2 AND hour = 10), (SELECT visits FROM shop_days WHERE shop_id = ?1 AND day = ?2 AND hour = 10)`,
		shopID, day, owner).Scan(&staffStamps, &shopStamps, &shopVisits); err != nil {
		t.Fatal(err)
	}
	if staffStamps != 2 || shopStamps != 2 || shopVisits != 2 {
		t.Errorf("after two actions written and one refused: staff stamps %d, shop stamps %d, shop visits %d; want 2 each", staffStamps, shopStamps, shopVisits)
	}
}

package db

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"regulars/loyalty"
)

// TestActionsRollupReadServesItsFirstEventOnly: an action reads its card's
// stats and row of the day before it writes (act), and its first event's
// rollups start from them. A second event of the same action on the same
// card starts from what the first wrote: were it to start from the action's
// read too, the first event's stamps would be lost from the card's sums.
func TestActionsRollupReadServesItsFirstEventOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := planStore(t)
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	shopID, owner := planShop(t, s, "rollup-read@example.com", now)
	card, err := s.EnrollCard(ctx, shopID, NewCard{CreatedBy: owner, Key: "enrol"}, now)
	if err != nil {
		t.Fatal(err)
	}
	var program int64
	if err := s.r.QueryRowContext(ctx, `SELECT id FROM programs WHERE shop_id = ? AND is_default`, shopID).Scan(&program); err != nil {
		t.Fatal(err)
	}
	a := Action{ShopID: shopID, CardID: card.ID, ProgramID: program, UserID: owner, Key: "two-events", Now: now}
	err = s.act(ctx, a, func(ctx context.Context, tx *sql.Tx, a Action, p Program, st loyalty.State) error {
		for range 2 {
			if _, err := insertFolded(ctx, tx, a, newEvent{kind: loyalty.KindStamp, programID: p.ID, stamps: 1}, p.Rules(), st); err != nil {
				return err
			}
			a.Key = "" // the second event of the action carries no key of its own
			if st, err = cardBalance(ctx, tx, a.CardID, p.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var statsStamps, dayStamps int
	if err := s.r.QueryRowContext(ctx, `SELECT (SELECT stamps FROM card_stats WHERE card_id = ?1), (SELECT stamps FROM card_days WHERE card_id = ?1 AND day = ?2)`,
		card.ID, loyalty.DayNumber(now)).Scan(&statsStamps, &dayStamps); err != nil {
		t.Fatal(err)
	}
	if statsStamps != 2 || dayStamps != 2 {
		t.Errorf("after an action of two stamps: the card's sums hold %d stamps, its day %d; want 2 and 2", statsStamps, dayStamps)
	}
}

package db

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
)

// Setup is how far a shop has come in setting itself up: what the set-up
// pages propose and the getting-started list ticks off.
type Setup struct {
	Program Program // the default program, whose reward the first step asks
	Stamped bool    // a card of the shop has had a stamp
	Staff   int     // staff who can sign in, the owner included
	Cards   int
}

// Setup reads the shop's set-up in one snapshot.
func (s *Store) Setup(ctx context.Context, shopID int64) (Setup, error) {
	var st Setup
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		ps, err := programs(ctx, tx, shopID, false)
		if err != nil {
			return err
		}
		if i := slices.IndexFunc(ps, func(p Program) bool { return p.IsDefault }); i >= 0 {
			st.Program = ps[i]
		}
		return tx.QueryRowContext(ctx, `SELECT
			EXISTS (SELECT 1 FROM events WHERE shop_id = ? AND kind = 'stamp'),
			(SELECT count(*) FROM users WHERE shop_id = ? AND disabled_at IS NULL),
			(SELECT count(*) FROM cards WHERE shop_id = ?)`, shopID, shopID, shopID).Scan(&st.Stamped, &st.Staff, &st.Cards)
	})
	if err != nil {
		return st, fmt.Errorf("set-up of shop %d: %w", shopID, err)
	}
	return st, nil
}

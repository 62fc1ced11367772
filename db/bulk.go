package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"regulars/loyalty"
)

// HistoryCard is a customer of a generated history and their ledger.
type HistoryCard struct {
	FirstName, Phone string
	CreatedAt        time.Time
	Events           []HistoryEvent // in time order
}

// HistoryEvent is one stamp or redemption of a generated history.
type HistoryEvent struct {
	ProgramID int64
	Kind      loyalty.Kind // stamp or redeem
	Stamps    int
	RewardSeq int
	At        time.Time
}

// LoadHistory writes n generated customers (next(i) makes the i-th) straight
// into the ledger, a thousand cards a transaction, then rebuilds the rollups.
// It skips the counter's checks, so next must obey the programs' rules: it is
// for benchmarks and demonstrations of a big shop, never for real customers.
func (s *Store) LoadHistory(ctx context.Context, shopID, userID int64, n int, next func(i int) HistoryCard, now time.Time) error {
	const batch = 1000
	for from := 0; from < n; from += batch {
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			card, err := tx.PrepareContext(ctx, `INSERT INTO cards (shop_id, token, short_code, first_name, phone, name_key, phone_key, created_by, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`)
			if err != nil {
				return err
			}
			defer card.Close()
			event, err := tx.PrepareContext(ctx, `INSERT INTO events (shop_id, card_id, program_id, user_id, kind, stamps, reward_seq, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
			if err != nil {
				return err
			}
			defer event.Close()
			for i := from; i < min(from+batch, n); i++ {
				h := next(i)
				var id int64
				// Short codes are random; retry the rare collision.
				for range 5 {
					err = card.QueryRowContext(ctx, shopID, loyalty.NewCardToken(), loyalty.NewShortCode(), h.FirstName, h.Phone,
						loyalty.NameKey(h.FirstName), loyalty.PhoneKey(h.Phone), userID, unix(h.CreatedAt)).Scan(&id)
					if !isUnique(err) {
						break
					}
				}
				if err != nil {
					return err
				}
				for _, e := range h.Events {
					if _, err := event.ExecContext(ctx, shopID, id, e.ProgramID, userID, e.Kind, e.Stamps, e.RewardSeq, unix(e.At)); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("load history of shop %d: %w", shopID, err)
		}
	}
	if _, err := s.RebuildBalances(ctx, shopID); err != nil {
		return err
	}
	return s.RebuildRollups(ctx, shopID, now)
}

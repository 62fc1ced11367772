package db

import (
	"context"
	"database/sql"
	"io/fs"
	"time"
)

// What the store's tests of db_test reach inside the package.

// OpenOwing is Open without paying what is owed: a test pays it step by step
// and stops where a process killed between two steps would have.
func OpenOwing(ctx context.Context, path string, migrationsFS fs.FS) (*Store, error) {
	return open(ctx, path, migrationsFS)
}

// RollupsStep is one step of the shop's owed rebuild of rollups at the
// smallest budget: one card, or one day of the staff's activity.
func (s *Store) RollupsStep(ctx context.Context, shopID int64, now time.Time) (bool, error) {
	return s.rollupsStep(ctx, shopID, now, 0)
}

// MoveShopOwing moves the shop to zone and owes the rebuild of its rollups,
// as UpdateShop does before it pays.
func (s *Store) MoveShopOwing(ctx context.Context, shopID int64, zone string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE shops SET timezone = ? WHERE id = ?`, zone, shopID); err != nil {
			return err
		}
		return oweRollups(ctx, tx, shopID)
	})
}

// Batches is how many transactions the counter's actions were written in.
func (s *Store) Batches() int64 { return s.batch.written.Load() }

// Queued is how many actions wait for the writer or their batch's commit.
func (s *Store) Queued() int64 { return s.batch.queued.Load() }

// KeptServed is how many counter actions took what the previous action left
// of their card (kept.go).
func (s *Store) KeptServed() int64 {
	return s.kept.served.Load()
}

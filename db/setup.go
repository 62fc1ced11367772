package db

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"
)

// Setup is how far a shop has come in setting itself up: what the set-up
// pages propose and the getting-started list ticks off.
type Setup struct {
	Program Program // the default program, whose reward the first step asks
	Stamped bool    // a card of the shop has had a stamp
	Staff   int     // staff who can sign in, the owner included
	Cards   int
	// RewardSet: a program was saved or made the default since sign-up
	// (sign-up's own program is a proposal the owner has not looked at).
	RewardSet bool
	// PosterOpened: someone opened the poster to print it.
	PosterOpened bool
	// Dismissed: the owner put the getting-started list away.
	Dismissed bool
}

// SetupStep is a step of the getting-started list that leaves no other trace
// in the shop's data (see migration 0015).
type SetupStep string

const (
	StepPoster    SetupStep = "poster"
	StepDismissed SetupStep = "dismissed"
)

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
		if err := tx.QueryRowContext(ctx, `SELECT
			EXISTS (SELECT 1 FROM events WHERE shop_id = ? AND kind = 'stamp'),
			(SELECT count(*) FROM cards WHERE shop_id = ?)`, shopID, shopID).Scan(&st.Stamped, &st.Cards); err != nil {
			return err
		}
		return readSetupSteps(ctx, tx, shopID, &st)
	})
	if err != nil {
		return st, fmt.Errorf("set-up of shop %d: %w", shopID, err)
	}
	return st, nil
}

// readSetupSteps reads the steps kept in setup_steps and the staff count.
func readSetupSteps(ctx context.Context, tx *sql.Tx, shopID int64, st *Setup) error {
	err := tx.QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM users WHERE shop_id = ?1 AND disabled_at IS NULL),
			EXISTS (SELECT 1 FROM setup_steps WHERE shop_id = ?1 AND step = 'reward'),
			EXISTS (SELECT 1 FROM setup_steps WHERE shop_id = ?1 AND step = 'poster'),
			EXISTS (SELECT 1 FROM setup_steps WHERE shop_id = ?1 AND step = 'dismissed')`, shopID).
		Scan(&st.Staff, &st.RewardSet, &st.PosterOpened, &st.Dismissed)
	if err != nil {
		return fmt.Errorf("set-up steps: %w", err)
	}
	return nil
}

// MarkSetupStep records that the shop has done step; again is no change.
func (s *Store) MarkSetupStep(ctx context.Context, shopID int64, step SetupStep, now time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO setup_steps (shop_id, step, done_at) VALUES (?, ?, ?)`, shopID, step, unix(now))
		return err
	})
	if err != nil {
		return fmt.Errorf("set-up step %s of shop %d: %w", step, shopID, err)
	}
	return nil
}

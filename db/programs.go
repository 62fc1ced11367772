package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"regulars/loyalty"
)

// Program is a punch rule of a shop.
type Program struct {
	ID               int64
	ShopID           int64
	Name             string
	RewardText       string
	StampsRequired   int
	MaxPerVisit      int
	CooldownMinutes  int
	StampExpiryDays  int
	RewardExpiryDays int
	IsDefault        bool
	Archived         bool
}

// Rules returns the program's rules for package loyalty.
func (p Program) Rules() loyalty.Rules {
	return loyalty.Rules{
		StampsRequired: p.StampsRequired,
		MaxPerVisit:    p.MaxPerVisit,
		Cooldown:       time.Duration(p.CooldownMinutes) * time.Minute,
		StampExpiry:    time.Duration(p.StampExpiryDays) * 24 * time.Hour,
		RewardExpiry:   time.Duration(p.RewardExpiryDays) * 24 * time.Hour,
	}
}

const programColumns = `id, shop_id, name, reward_text, stamps_required, max_per_visit, cooldown_minutes,
	stamp_expiry_days, reward_expiry_days, is_default, archived_at IS NOT NULL`

func scanProgram(row scanner) (Program, error) {
	var p Program
	err := row.Scan(&p.ID, &p.ShopID, &p.Name, &p.RewardText, &p.StampsRequired, &p.MaxPerVisit, &p.CooldownMinutes,
		&p.StampExpiryDays, &p.RewardExpiryDays, &p.IsDefault, &p.Archived)
	return p, notFound(err)
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Programs lists a shop's programs, the default first; archived ones only when asked.
func (s *Store) Programs(ctx context.Context, shopID int64, withArchived bool) ([]Program, error) {
	return programs(ctx, s.r, shopID, withArchived)
}

func programs(ctx context.Context, q querier, shopID int64, withArchived bool) ([]Program, error) {
	list, err := collect(ctx, q, scanProgram, `SELECT `+programColumns+` FROM programs
		WHERE shop_id = ? AND (? OR archived_at IS NULL) ORDER BY archived_at IS NOT NULL, is_default DESC, id`, shopID, withArchived)
	if err != nil {
		return nil, fmt.Errorf("programs of shop %d: %w", shopID, err)
	}
	return list, nil
}

// Program returns one program of the shop.
func (s *Store) Program(ctx context.Context, shopID, id int64) (Program, error) {
	return program(ctx, s.r, shopID, id)
}

func program(ctx context.Context, q querier, shopID, id int64) (Program, error) {
	p, err := scanProgram(q.QueryRowContext(ctx, `SELECT `+programColumns+` FROM programs WHERE id = ? AND shop_id = ?`, id, shopID))
	if err != nil {
		return p, fmt.Errorf("program %d: %w", id, err)
	}
	return p, nil
}

// SaveProgram creates (p.ID == 0) or updates a program of the shop on behalf of
// userID and returns its id. Changed rules apply to balances from now on, as
// the fold reads the current rules.
func (s *Store) SaveProgram(ctx context.Context, p Program, userID int64, now time.Time) (int64, error) {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if p.ID == 0 {
			res, err := tx.ExecContext(ctx, `INSERT INTO programs (shop_id, name, reward_text, stamps_required, max_per_visit, cooldown_minutes,
				stamp_expiry_days, reward_expiry_days, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				p.ShopID, p.Name, p.RewardText, p.StampsRequired, p.MaxPerVisit, p.CooldownMinutes, p.StampExpiryDays, p.RewardExpiryDays, unix(now))
			if err != nil {
				return err
			}
			p.ID, _ = res.LastInsertId()
			return recordAudit(ctx, tx, p.ShopID, userID, AuditProgramSave, p.Name, now)
		}
		res, err := tx.ExecContext(ctx, `UPDATE programs SET name = ?, reward_text = ?, stamps_required = ?, max_per_visit = ?, cooldown_minutes = ?,
			stamp_expiry_days = ?, reward_expiry_days = ? WHERE id = ? AND shop_id = ? AND archived_at IS NULL`,
			p.Name, p.RewardText, p.StampsRequired, p.MaxPerVisit, p.CooldownMinutes, p.StampExpiryDays, p.RewardExpiryDays, p.ID, p.ShopID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return recordAudit(ctx, tx, p.ShopID, userID, AuditProgramSave, p.Name, now)
	})
	if err != nil {
		return 0, fmt.Errorf("save program %d: %w", p.ID, err)
	}
	return p.ID, nil
}

// ErrDefaultProgram: the default program cannot be archived.
var ErrDefaultProgram = errors.New("the default program cannot be archived")

// ArchiveProgram hides a program from the counter and card pages on behalf of
// userID; its ledger stays.
func (s *Store) ArchiveProgram(ctx context.Context, shopID, id, userID int64, now time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		p, err := program(ctx, tx, shopID, id)
		if err != nil {
			return err
		}
		if p.IsDefault {
			return fmt.Errorf("archive program %d: %w", id, ErrDefaultProgram)
		}
		res, err := tx.ExecContext(ctx, `UPDATE programs SET archived_at = ? WHERE id = ? AND shop_id = ? AND archived_at IS NULL`, unix(now), id, shopID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // archived already
		}
		return recordAudit(ctx, tx, shopID, userID, AuditProgramArchive, p.Name, now)
	})
}

// SetDefaultProgram makes an active program the shop's default, on behalf of userID.
func (s *Store) SetDefaultProgram(ctx context.Context, shopID, id, userID int64, now time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		p, err := program(ctx, tx, shopID, id)
		if err != nil {
			return err
		}
		if p.Archived {
			return fmt.Errorf("default program %d: %w", id, ErrNotFound)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE programs SET is_default = 0 WHERE shop_id = ? AND is_default = 1`, shopID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE programs SET is_default = 1 WHERE id = ? AND shop_id = ?`, id, shopID); err != nil {
			return err
		}
		return recordAudit(ctx, tx, shopID, userID, AuditProgramDefault, p.Name, now)
	})
}

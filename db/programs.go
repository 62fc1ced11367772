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
	// Kind is ProgramStamps or ProgramPoints, set when the program is created.
	Kind           string
	PointsPerVisit int
	PointsPerUnit  int
	PointsRounding loyalty.Rounding
	RewardPoints   int
	// PointsExpiryDays: points expire this long after they were given (0:
	// never). A multiplier above 1 multiplies a purchase's points on
	// MultiplierDays (bit 1<<weekday) from MultiplierFrom to MultiplierTo
	// (minutes of the day) in MultiplierZone, the shop's zone (points.go).
	PointsExpiryDays int
	Multiplier       int
	MultiplierDays   int
	MultiplierFrom   int
	MultiplierTo     int
	MultiplierZone   string
}

// Kinds of program.
const (
	ProgramStamps = "stamps"
	ProgramPoints = "points"
)

// IsPoints reports whether p is a points program.
func (p Program) IsPoints() bool { return p.Kind == ProgramPoints }

// Rules returns the program's rules for package loyalty.
func (p Program) Rules() loyalty.Rules {
	return loyalty.Rules{
		StampsRequired: p.StampsRequired,
		MaxPerVisit:    p.MaxPerVisit,
		Cooldown:       time.Duration(p.CooldownMinutes) * time.Minute,
		StampExpiry:    time.Duration(p.StampExpiryDays) * 24 * time.Hour,
		RewardExpiry:   time.Duration(p.RewardExpiryDays) * 24 * time.Hour,
		Points:         p.IsPoints(),
		PointsPerVisit: p.PointsPerVisit,
		PointsPerUnit:  p.PointsPerUnit,
		PointsRounding: p.PointsRounding,
		RewardPoints:   p.RewardPoints,
		PointsExpiry:   time.Duration(p.PointsExpiryDays) * 24 * time.Hour,
		Multiplier:     p.Multiplier,
		Window:         p.window(),
	}
}

const programColumns = `id, shop_id, name, reward_text, stamps_required, max_per_visit, cooldown_minutes,
	stamp_expiry_days, reward_expiry_days, is_default, archived_at IS NOT NULL, kind, points_per_visit, points_per_unit,
	points_rounding, reward_points, points_expiry_days, multiplier, multiplier_days, multiplier_from, multiplier_to, multiplier_zone`

func scanProgram(row scanner) (Program, error) {
	var p Program
	err := row.Scan(&p.ID, &p.ShopID, &p.Name, &p.RewardText, &p.StampsRequired, &p.MaxPerVisit, &p.CooldownMinutes,
		&p.StampExpiryDays, &p.RewardExpiryDays, &p.IsDefault, &p.Archived, &p.Kind, &p.PointsPerVisit, &p.PointsPerUnit,
		&p.PointsRounding, &p.RewardPoints, &p.PointsExpiryDays, &p.Multiplier, &p.MultiplierDays, &p.MultiplierFrom, &p.MultiplierTo, &p.MultiplierZone)
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

// insertProgram adds a program and its first rules version.
func insertProgram(ctx context.Context, tx *sql.Tx, p Program, now time.Time) (int64, error) {
	p = p.normal()
	if err := multiplierZone(ctx, tx, &p); err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO programs (shop_id, name, reward_text, stamps_required, max_per_visit, cooldown_minutes,
		stamp_expiry_days, reward_expiry_days, is_default, created_at, kind, points_per_visit, points_per_unit, points_rounding, reward_points,
		points_expiry_days, multiplier, multiplier_days, multiplier_from, multiplier_to, multiplier_zone)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ShopID, p.Name, p.RewardText, p.StampsRequired, p.MaxPerVisit, p.CooldownMinutes, p.StampExpiryDays, p.RewardExpiryDays, p.IsDefault, unix(now),
		p.Kind, p.PointsPerVisit, p.PointsPerUnit, p.PointsRounding, p.RewardPoints,
		p.PointsExpiryDays, p.Multiplier, p.MultiplierDays, p.MultiplierFrom, p.MultiplierTo, p.MultiplierZone)
	if err != nil {
		return 0, fmt.Errorf("insert program: %w", err)
	}
	if p.ID, err = res.LastInsertId(); err != nil {
		return 0, err
	}
	return p.ID, addVersion(ctx, tx, p, now)
}

// SaveProgram creates (p.ID == 0) or updates a program of the shop on behalf of
// userID and returns its id. Changed rules are a new version, in force for the
// events written after it: stamps collected count toward a new target, rewards
// earned stay earned, and stamps and rewards keep the expiry they were given
// with. A lowered target earns rewards at once, on the cards that hold enough
// stamps for it (a rules event on each).
func (s *Store) SaveProgram(ctx context.Context, p Program, userID int64, now time.Time) (int64, error) {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if p.ID == 0 {
			var err error
			if p.ID, err = insertProgram(ctx, tx, p, now); err != nil {
				return err
			}
			return recordAudit(ctx, tx, p.ShopID, userID, AuditProgramSave, p.Name, now)
		}
		old, err := program(ctx, tx, p.ShopID, p.ID)
		if err != nil {
			return err
		}
		p.Kind = old.Kind // a program's kind is for good: its ledger counts in it
		p = p.normal()
		if err := multiplierZone(ctx, tx, &p); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE programs SET name = ?, reward_text = ?, stamps_required = ?, max_per_visit = ?, cooldown_minutes = ?,
			stamp_expiry_days = ?, reward_expiry_days = ?, points_per_visit = ?, points_per_unit = ?, points_rounding = ?, reward_points = ?,
			points_expiry_days = ?, multiplier = ?, multiplier_days = ?, multiplier_from = ?, multiplier_to = ?, multiplier_zone = ?
			WHERE id = ? AND shop_id = ? AND archived_at IS NULL`,
			p.Name, p.RewardText, p.StampsRequired, p.MaxPerVisit, p.CooldownMinutes, p.StampExpiryDays, p.RewardExpiryDays,
			p.PointsPerVisit, p.PointsPerUnit, p.PointsRounding, p.RewardPoints,
			p.PointsExpiryDays, p.Multiplier, p.MultiplierDays, p.MultiplierFrom, p.MultiplierTo, p.MultiplierZone, p.ID, p.ShopID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		if err := recordAudit(ctx, tx, p.ShopID, userID, AuditProgramSave, programChange(old, p), now); err != nil {
			return err
		}
		if old.Rules() == p.Rules() {
			return nil
		}
		if err := addVersion(ctx, tx, p, now); err != nil {
			return err
		}
		if p.IsPoints() || p.StampsRequired >= old.StampsRequired {
			return nil // points are a balance: a new price needs no event
		}
		cards, err := cardsReaching(ctx, tx, p, now)
		if err != nil {
			return err
		}
		for _, cardID := range cards {
			a := Action{ShopID: p.ShopID, CardID: cardID, ProgramID: p.ID, UserID: userID, Now: now}
			if _, err := insertEvent(ctx, tx, a, newEvent{kind: loyalty.KindRules, programID: p.ID, stamps: p.StampsRequired}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("save program %d: %w", p.ID, err)
	}
	return p.ID, nil
}

// cardsReaching lists the cards of the program holding at least its target
// of stamps at now: those a lowered target gives a reward.
func cardsReaching(ctx context.Context, q querier, p Program, now time.Time) ([]int64, error) {
	type held struct {
		card  int64
		state string
	}
	// The kept stamps are before the expiries due since the last event: a
	// superset, narrowed by folding the expiries in.
	rows, err := collect(ctx, q, func(r scanner) (held, error) {
		var h held
		return h, r.Scan(&h.card, &h.state)
	}, `SELECT b.card_id, b.state FROM card_balances b JOIN cards c ON c.id = b.card_id
		WHERE b.program_id = ? AND b.shop_id = ? AND b.stamps >= ? AND c.erased_at IS NULL ORDER BY b.card_id`, p.ID, p.ShopID, p.StampsRequired)
	if err != nil {
		return nil, fmt.Errorf("cards reaching %d stamps: %w", p.StampsRequired, err)
	}
	var out []int64
	for _, h := range rows {
		s, err := decodeState(h.state)
		if err != nil {
			return nil, err
		}
		if s.At(now).Stamps >= p.StampsRequired {
			out = append(out, h.card)
		}
	}
	return out, nil
}

// RuleChangeEffect is what saving new rules would do to the cards at once.
type RuleChangeEffect struct {
	// RewardsNow is the number of cards a lowered target gives a reward now.
	RewardsNow int
	// FurtherAway is the number of cards holding stamps that a raised
	// target puts further from their reward.
	FurtherAway int
}

// RuleChange tells, before saving, what new rules of a program would do to
// its cards at now.
func (s *Store) RuleChange(ctx context.Context, p Program, now time.Time) (RuleChangeEffect, error) {
	var e RuleChangeEffect
	old, err := program(ctx, s.r, p.ShopID, p.ID)
	if err != nil {
		return e, err
	}
	if old.IsPoints() {
		return pointsPriceChange(ctx, s.r, old, p.RewardPoints)
	}
	switch {
	case p.StampsRequired < old.StampsRequired:
		cards, err := cardsReaching(ctx, s.r, p, now)
		e.RewardsNow = len(cards)
		return e, err
	case p.StampsRequired > old.StampsRequired:
		err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM card_balances b JOIN cards c ON c.id = b.card_id
			WHERE b.program_id = ? AND b.shop_id = ? AND b.stamps > 0 AND c.erased_at IS NULL`, p.ID, p.ShopID).Scan(&e.FurtherAway)
		return e, err
	}
	return e, nil
}

// pointsPriceChange is RuleChange for a points program whose reward's price
// becomes price: a lower price lets the cards holding enough points for it
// (and not for the old one) have the reward now; a higher one puts the cards
// holding points further from it. Points themselves never change.
func pointsPriceChange(ctx context.Context, q querier, old Program, price int) (RuleChangeEffect, error) {
	var e RuleChangeEffect
	var err error
	const count = `SELECT count(*) FROM card_balances b JOIN cards c ON c.id = b.card_id
		WHERE b.program_id = ? AND b.shop_id = ? AND c.erased_at IS NULL AND b.points >= ? AND b.points < ?`
	switch {
	case price < old.RewardPoints:
		err = q.QueryRowContext(ctx, count, old.ID, old.ShopID, price, old.RewardPoints).Scan(&e.RewardsNow)
	case price > old.RewardPoints:
		err = q.QueryRowContext(ctx, count, old.ID, old.ShopID, 1, price).Scan(&e.FurtherAway)
	}
	if err != nil {
		return e, fmt.Errorf("cards holding points of program %d: %w", old.ID, err)
	}
	return e, nil
}

// programChange describes a saved program for the audit log: its name and
// each rule that changed, old → new.
func programChange(old, p Program) string {
	s := p.Name
	add := func(name string, a, b any) {
		if a != b {
			s += fmt.Sprintf("; %s %v → %v", name, a, b)
		}
	}
	add("name", old.Name, p.Name)
	add("reward", old.RewardText, p.RewardText)
	add("stamps", old.StampsRequired, p.StampsRequired)
	add("per visit", old.MaxPerVisit, p.MaxPerVisit)
	add("cooldown min", old.CooldownMinutes, p.CooldownMinutes)
	add("stamp expiry days", old.StampExpiryDays, p.StampExpiryDays)
	add("reward expiry days", old.RewardExpiryDays, p.RewardExpiryDays)
	add("points per visit", old.PointsPerVisit, p.PointsPerVisit)
	add("points per unit", old.PointsPerUnit, p.PointsPerUnit)
	add("rounding", old.PointsRounding, p.PointsRounding)
	add("reward points", old.RewardPoints, p.RewardPoints)
	add("points expiry days", old.PointsExpiryDays, p.PointsExpiryDays)
	add("multiplier", old.multiplierText(), p.multiplierText())
	return s
}

// normal is p as stored: a stamps program has no points rules; a points
// program no stamp target or expiries (its points do not expire yet) and
// a rounding rule.
func (p Program) normal() Program {
	if !p.IsPoints() {
		p.Kind, p.PointsPerVisit, p.PointsPerUnit, p.PointsRounding, p.RewardPoints = ProgramStamps, 0, 0, loyalty.RoundDown, 0
		p.PointsExpiryDays = 0
		p.noMultiplier()
		return p
	}
	p.normalMultiplier()
	p.StampsRequired, p.StampExpiryDays, p.RewardExpiryDays = 0, 0, 0
	if p.PointsRounding != loyalty.RoundNearest {
		p.PointsRounding = loyalty.RoundDown
	}
	return p
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

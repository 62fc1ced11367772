package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"regulars/loyalty"
)

// Points programs at the counter: a purchase with its amount, a redemption
// that spends points, a correction with its reason. Each is a counter action
// (act): idempotent by its key, in the group commit, folded into the card's
// kept balance in its transaction, and undone by a void like a stamp.

// PointsOutcome is what a points action did: its ledger event and the
// points it added or spent.
type PointsOutcome struct {
	Outcome
	Points int
	// Multiplier is what multiplied a purchase's points (1: none), and
	// TierPercent the card's tier multiplier on top (0: none).
	Multiplier  int
	TierPercent int
	// Had is what a correction found on the card.
	Had int
}

// EarnPoints records a purchase of amount (minor units) on the card in a
// points program and gives the points the program's rules say, unless they
// refuse it (loyalty.ErrPointsAmount, loyalty.ErrPointsNone,
// *loyalty.TooManyPointsError, *loyalty.CooldownError without override).
// The purchase is one visit (a stamp event of one).
func (s *Store) EarnPoints(ctx context.Context, a Action, amount int, override bool) (PointsOutcome, error) {
	var out PointsOutcome
	err := s.act(ctx, a, func(ctx context.Context, tx *sql.Tx, a Action, p Program, st loyalty.State) error {
		points, err := loyalty.CheckEarn(p.Rules(), st.At(a.Now), amount, a.Now, override)
		if err != nil {
			return err
		}
		// The card's tier multiplies the points too (tiers.go), kept on the event.
		pct := 0
		if a.clock.tiered {
			if pct, err = tierPercent(ctx, tx, a.ShopID, a.CardID); err != nil {
				return err
			}
		}
		out.Points, out.Multiplier, out.TierPercent = loyalty.TierPoints(points, pct), p.Rules().MultiplierAt(a.Now), pct
		out.EventID, err = insertFolded(ctx, tx, a, newEvent{kind: loyalty.KindStamp, programID: p.ID, stamps: 1, amount: amount, override: override,
			tierPercent: pct}, p.Rules(), st)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("earn points on card %d: %w", a.CardID, err)
	}
	return out, nil
}

// SpendPoints redeems points of the card in a points program: the reward's
// price, or part of the balance. The balance never goes below zero: of two
// cashiers spending the same points at once, the second gets
// loyalty.ErrNotEnoughPoints.
func (s *Store) SpendPoints(ctx context.Context, a Action, points int) (PointsOutcome, error) {
	var out PointsOutcome
	err := s.act(ctx, a, func(ctx context.Context, tx *sql.Tx, a Action, p Program, st loyalty.State) error {
		if err := loyalty.CheckSpend(p.Rules(), st.At(a.Now), points); err != nil {
			return err
		}
		out.Points = -points
		var err error
		out.EventID, err = insertFolded(ctx, tx, a, newEvent{kind: loyalty.KindRedeem, programID: p.ID, points: -points}, p.Rules(), st)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("spend %d points of card %d: %w", points, a.CardID, err)
	}
	return out, nil
}

// AdjustPoints corrects the card's points in a points program by n (either
// sign, never below zero) with the reason the owner gives.
func (s *Store) AdjustPoints(ctx context.Context, a Action, n int, reason string) (PointsOutcome, error) {
	var out PointsOutcome
	reason = strings.TrimSpace(reason)
	if n < -loyalty.MaxPointsEarned || n > loyalty.MaxPointsEarned {
		return out, fmt.Errorf("adjust points of card %d: %w", a.CardID, loyalty.ErrAdjustCount)
	}
	// The reason's rules are the stamps'; the count's are the points' own.
	if err := loyalty.CheckAdjust(min(max(n, -1), 1), reason); err != nil {
		return out, fmt.Errorf("adjust points of card %d: %w", a.CardID, err)
	}
	err := s.act(ctx, a, func(ctx context.Context, tx *sql.Tx, a Action, p Program, st loyalty.State) error {
		if !p.IsPoints() {
			return loyalty.ErrNotPoints
		}
		out.Had = st.At(a.Now).Points
		out.Points = max(n, -out.Had)
		if out.Points == 0 {
			return nil
		}
		var err error
		out.EventID, err = insertFolded(ctx, tx, a, newEvent{kind: loyalty.KindAdjust, programID: p.ID, points: out.Points, note: reason}, p.Rules(), st)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("adjust points of card %d: %w", a.CardID, err)
	}
	return out, nil
}

// window is the program's multiplier window for package loyalty, in its zone.
func (p Program) window() loyalty.Window {
	w := loyalty.Window{Days: p.MultiplierDays, From: p.MultiplierFrom, To: p.MultiplierTo}
	if p.MultiplierZone != "" {
		// Location caches each zone: the same name gives the same pointer,
		// so that two reads of unchanged rules compare equal.
		if loc, err := Location(p.MultiplierZone); err == nil {
			w.Zone = loc
		}
	}
	return w
}

// noMultiplier clears the multiplier's settings: a program without one
// keeps none, so that its rules compare equal whatever the form sent.
func (p *Program) noMultiplier() {
	p.Multiplier, p.MultiplierDays, p.MultiplierFrom, p.MultiplierTo, p.MultiplierZone = 0, 0, 0, 0, ""
}

// normalMultiplier keeps a points program's multiplier only when it can
// ever apply: above ×1, on some day, in a window that is not empty.
func (p *Program) normalMultiplier() {
	if p.Multiplier < 2 || p.MultiplierDays&loyalty.AllDays == 0 || p.MultiplierFrom >= p.MultiplierTo {
		p.noMultiplier()
	}
}

// multiplierText is the multiplier as the audit log shows it.
func (p Program) multiplierText() string {
	if p.Multiplier < 2 {
		return "none"
	}
	var days []string
	for d := time.Sunday; d <= time.Saturday; d++ {
		if p.MultiplierDays&(1<<d) != 0 {
			days = append(days, d.String()[:3])
		}
	}
	return fmt.Sprintf("×%d %s %02d:%02d–%02d:%02d", p.Multiplier, strings.Join(days, ","),
		p.MultiplierFrom/60, p.MultiplierFrom%60, p.MultiplierTo/60, p.MultiplierTo%60)
}

// multiplierZone gives a multiplier the shop's time zone of now: the window
// is read in it at the counter and in every rebuild.
func multiplierZone(ctx context.Context, tx *sql.Tx, p *Program) error {
	if p.Multiplier < 2 {
		return nil
	}
	if err := tx.QueryRowContext(ctx, `SELECT timezone FROM shops WHERE id = ?`, p.ShopID).Scan(&p.MultiplierZone); err != nil {
		return fmt.Errorf("time zone of shop %d: %w", p.ShopID, notFound(err))
	}
	return nil
}

// rezoneMultipliers moves the multipliers of a shop's points programs to its
// new time zone: a new rules version each, so that the purchases made
// before stay judged in the zone they were made in.
func rezoneMultipliers(ctx context.Context, tx *sql.Tx, shopID int64, zone string, now time.Time) error {
	list, err := collect(ctx, tx, scanProgram, `SELECT `+programColumns+` FROM programs
		WHERE shop_id = ? AND multiplier > 1 AND multiplier_zone <> ?`, shopID, zone)
	if err != nil {
		return fmt.Errorf("multipliers of shop %d: %w", shopID, err)
	}
	for _, p := range list {
		p.MultiplierZone = zone
		if _, err := tx.ExecContext(ctx, `UPDATE programs SET multiplier_zone = ? WHERE id = ? AND shop_id = ?`, zone, p.ID, shopID); err != nil {
			return fmt.Errorf("multiplier of program %d: %w", p.ID, err)
		}
		if err := addVersion(ctx, tx, p, now); err != nil {
			return err
		}
	}
	return nil
}

// firstPointsExpiry is when the first points s holds expire, in Unix
// seconds (0: never), as card_balances keeps it.
func firstPointsExpiry(s loyalty.State) int64 {
	var first int64
	for _, l := range s.PointLots {
		if at := unixOrZero(l.ExpiresAt); at != 0 && (first == 0 || at < first) {
			first = at
		}
	}
	return first
}

// expiringPoints are the cards holding points of an active points program
// that expire within the automation's days: one message per card, program
// and moment of expiry. The kept first expiry is as of the card's last
// event: lots gone since then move the next one later, so the rows whose
// kept expiry falls before the horizon are folded to now and judged again.
func (s *Store) expiringPoints(ctx context.Context, r marketingRun, now time.Time) ([]chosen, error) {
	horizon := now.Add(time.Duration(r.daysBefore) * 24 * time.Hour)
	type held struct {
		card, program int64
		state         string
	}
	rows, err := collect(ctx, s.r, func(row scanner) (held, error) {
		var h held
		return h, row.Scan(&h.card, &h.program, &h.state)
	}, `SELECT b.card_id, b.program_id, b.state FROM card_balances b
		JOIN programs p ON p.id = b.program_id AND p.archived_at IS NULL
		JOIN cards cd ON cd.id = b.card_id AND cd.erased_at IS NULL
		WHERE b.shop_id = ? AND b.points > 0 AND b.points_expire_at BETWEEN 1 AND ?
		ORDER BY b.card_id, b.program_id`, r.shopID, unix(horizon))
	if err != nil {
		return nil, fmt.Errorf("points expiring by %v: %w", horizon, err)
	}
	var out []chosen
	for _, h := range rows {
		st, err := decodeState(h.state)
		if err != nil {
			return nil, err
		}
		at, n := st.At(now).NextPointsExpiry(r.loc)
		if n == 0 || at.After(horizon) {
			continue
		}
		out = append(out, chosen{cardID: h.card, programID: h.program, points: n, expires: at,
			occasion: fmt.Sprintf("points:%d:%d", h.program, at.Unix())})
	}
	return out, nil
}

// PointsOwed is what the customers hold of one active points program: a
// liability, worth its share of the reward's cost.
type PointsOwed struct {
	Program      string
	RewardPoints int
	Points       int
	Cards        int
}

// pointsLiability sums, per active points program of the shop, the points
// its cards hold at now: one aggregate over the kept balances (the partial
// index card_balances_points), less the lots expired since a card's last
// event, read from the kept state only for the rows whose first expiry has
// passed.
func pointsLiability(ctx context.Context, q querier, shopID int64, now time.Time) ([]PointsOwed, error) {
	list, err := collect(ctx, q, func(r scanner) (PointsOwed, error) {
		var o PointsOwed
		return o, r.Scan(&o.Program, &o.RewardPoints, &o.Points, &o.Cards)
	}, `SELECT p.name, p.reward_points, sum(h.held), count(*) FROM (
			SELECT b.program_id, b.points - CASE WHEN b.points_expire_at BETWEEN 1 AND ?2 THEN coalesce((SELECT sum(json_extract(l.value, '$[0]'))
				FROM json_each(b.state, '$.point_lots') l WHERE json_extract(l.value, '$[1]') BETWEEN 1 AND ?2), 0) ELSE 0 END AS held
			FROM card_balances b JOIN cards c ON c.id = b.card_id AND c.erased_at IS NULL
			WHERE b.shop_id = ?1 AND b.points > 0) h
		JOIN programs p ON p.id = h.program_id AND p.archived_at IS NULL
		WHERE h.held > 0
		GROUP BY p.id ORDER BY p.is_default DESC, p.id`, shopID, unix(now))
	if err != nil {
		return nil, fmt.Errorf("points owed by shop %d: %w", shopID, err)
	}
	return list, nil
}

package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

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
		out.Points = points
		out.EventID, err = insertFolded(ctx, tx, a, newEvent{kind: loyalty.KindStamp, programID: p.ID, stamps: 1, amount: amount, override: override}, p.Rules(), st)
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
		out.Points = max(n, -st.At(a.Now).Points)
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

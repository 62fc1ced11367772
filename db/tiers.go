package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"regulars/loyalty"
)

// Tiers (loyalty/tiers.go): the shop's ladder, each card's kept tier and
// every change of it. A card's tier is judged in the transaction of each of
// its visits (a stamp or a points purchase) and of each void of one, and by
// a daily pass that ends the graces run out; pages read it kept, never
// recomputed.
//
// The measure is an indexed count bounded by the period: the card's visits
// (or the points its purchases gave) since period days ago, read through
// events_card_time (card_id, created_at). It touches at most the events of
// the period — a daily regular's 365 in a year — never the card's whole
// history, and it needs no kept state of its own that a rebuild would have
// to recompute: the ledger is its source, the kept tier is checked against it.

// ErrLadderChanged refuses a ladder saved from a form older than the ladder
// now kept: another person (or another tab) saved in between.
var ErrLadderChanged = errors.New("the tiers were changed meanwhile")

// KeptLadder is a shop's ladder with the moment it was saved (0: never),
// which the owner's form carries back.
type KeptLadder struct {
	loyalty.Ladder
	Version int64
}

// ladderOf reads the shop's ladder: no tiers when it has none.
func ladderOf(ctx context.Context, q querier, shopID int64) (KeptLadder, error) {
	var l KeptLadder
	err := q.QueryRowContext(ctx, `SELECT measure, period_days, grace_days, updated_at FROM tier_ladders WHERE shop_id = ?`, shopID).
		Scan(&l.Measure, &l.PeriodDays, &l.GraceDays, &l.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return l, nil
	}
	if err != nil {
		return l, fmt.Errorf("tiers of shop %d: %w", shopID, err)
	}
	l.Tiers, err = collect(ctx, q, func(r scanner) (loyalty.Tier, error) {
		var t loyalty.Tier
		return t, r.Scan(&t.Name, &t.Threshold, &t.Percent)
	}, `SELECT name, threshold, percent FROM tiers WHERE shop_id = ? ORDER BY rank`, shopID)
	if err != nil {
		return l, fmt.Errorf("tiers of shop %d: %w", shopID, err)
	}
	return l, nil
}

// Ladder is the shop's ladder as the owner's form and the pages show it,
// from the cache: the counter reads it for every card it shows.
func (s *Store) Ladder(ctx context.Context, shopID int64) (KeptLadder, error) {
	return remembered(&s.cache, func(c *readCache) *memo[int64, KeptLadder] { return &c.ladders }, shopID,
		func() (KeptLadder, error) { return ladderOf(ctx, s.r, shopID) })
}

// ladderText is a ladder as the audit log shows it.
func ladderText(l loyalty.Ladder) string {
	if len(l.Tiers) == 0 {
		return "none"
	}
	steps := make([]string, len(l.Tiers))
	for i, t := range l.Tiers {
		steps[i] = fmt.Sprintf("%s %d ×%d.%02d", t.Name, t.Threshold, t.Percent/100, t.Percent%100)
	}
	return fmt.Sprintf("%s in %d days, grace %d: %s", l.Measure, l.PeriodDays, l.GraceDays, strings.Join(steps, ", "))
}

// SetLadder replaces the shop's ladder (an empty one removes its tiers),
// unless it changed since version, the one the owner's form was read at
// (ErrLadderChanged). Cards above the new top step drop to it at once.
// The audit log keeps the ladder before and after.
func (s *Store) SetLadder(ctx context.Context, shopID int64, l loyalty.Ladder, version int64, userID int64, now time.Time) error {
	if err := l.Check(); err != nil {
		return fmt.Errorf("tiers of shop %d: %w", shopID, err)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		old, err := ladderOf(ctx, tx, shopID)
		if err != nil {
			return err
		}
		if old.Version != version {
			return ErrLadderChanged
		}
		// A save of the same second as the last one still moves the version.
		stamp := max(unix(now), old.Version+1)
		if _, err := tx.ExecContext(ctx, `DELETE FROM tiers WHERE shop_id = ?`, shopID); err != nil {
			return err
		}
		if len(l.Tiers) == 0 {
			if _, err := tx.ExecContext(ctx, `DELETE FROM tier_ladders WHERE shop_id = ?`, shopID); err != nil {
				return err
			}
		} else if _, err := tx.ExecContext(ctx, `INSERT INTO tier_ladders (shop_id, measure, period_days, grace_days, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (shop_id) DO UPDATE SET measure = excluded.measure, period_days = excluded.period_days,
			grace_days = excluded.grace_days, updated_at = excluded.updated_at`, shopID, l.Measure, l.PeriodDays, l.GraceDays, stamp); err != nil {
			return err
		}
		for i, t := range l.Tiers {
			if _, err := tx.ExecContext(ctx, `INSERT INTO tiers (shop_id, rank, name, threshold, percent) VALUES (?, ?, ?, ?, ?)`,
				shopID, i+1, t.Name, t.Threshold, t.Percent); err != nil {
				return err
			}
		}
		top := len(l.Tiers)
		if _, err := tx.ExecContext(ctx, `INSERT INTO tier_changes (shop_id, card_id, from_tier, to_tier, reason, created_at)
			SELECT shop_id, id, tier, ?2, 'ladder', ?3 FROM cards WHERE shop_id = ?1 AND tier > ?2`, shopID, top, unix(now)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cards SET tier = ?2, tier_below_since = NULL WHERE shop_id = ?1 AND tier > ?2`, shopID, top); err != nil {
			return err
		}
		return recordAudit(ctx, tx, shopID, userID, AuditSettings, "tiers: "+ladderText(old.Ladder)+" → "+ladderText(l), now)
	})
	if err != nil {
		return fmt.Errorf("tiers of shop %d: %w", shopID, err)
	}
	return nil
}

// tierMeasure is the card's measure over the ladder's period ending at now:
// its visits (stamp events of a program, not voided), or the points they
// gave. An indexed range of the card's events of the period (events_card_time).
func tierMeasure(ctx context.Context, q querier, l loyalty.Ladder, cardID int64, now time.Time) (int, error) {
	what := `count(*)`
	if l.Measure == loyalty.TierByPoints {
		what = `coalesce(sum(e.points), 0)`
	}
	var n int
	err := q.QueryRowContext(ctx, `SELECT `+what+` FROM events e WHERE e.card_id = ? AND e.created_at > ? AND e.kind = 'stamp'
		AND e.program_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM events v WHERE v.void_of = e.id)`,
		cardID, unix(now.Add(-l.Period()))).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("tier measure of card %d: %w", cardID, err)
	}
	return n, nil
}

// cardTier is a card's kept tier and its grace.
func cardTier(ctx context.Context, q querier, shopID, cardID int64) (loyalty.TierState, error) {
	var st loyalty.TierState
	var below sql.NullInt64
	if err := q.QueryRowContext(ctx, `SELECT tier, tier_below_since FROM cards WHERE id = ? AND shop_id = ?`, cardID, shopID).Scan(&st.Rank, &below); err != nil {
		return st, fmt.Errorf("tier of card %d: %w", cardID, notFound(err))
	}
	if below.Valid {
		st.BelowSince = fromUnix(below.Int64)
	}
	return st, nil
}

// tierPercent is the multiplier (percent) of the card's tier for a purchase
// now: 0 in a shop without tiers or for a card in none.
func tierPercent(ctx context.Context, tx *sql.Tx, shopID, cardID int64) (int, error) {
	var pct int
	err := tx.QueryRowContext(ctx, `SELECT t.percent FROM cards c JOIN tiers t ON t.shop_id = c.shop_id AND t.rank = c.tier
		WHERE c.id = ? AND c.shop_id = ?`, cardID, shopID).Scan(&pct)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("tier multiplier of card %d: %w", cardID, err)
	}
	return pct, nil
}

// setTier keeps the card's new tier state and records the change of rank,
// if any, with its reason and cause; an upgrade queues its message.
func setTier(ctx context.Context, tx *sql.Tx, a Action, old, st loyalty.TierState, reason string, cause int64) error {
	if old.Rank == st.Rank && old.BelowSince.Equal(st.BelowSince) {
		return nil
	}
	var below any
	if !st.BelowSince.IsZero() {
		below = unix(st.BelowSince)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cards SET tier = ?, tier_below_since = ? WHERE id = ? AND shop_id = ?`, st.Rank, below, a.CardID, a.ShopID); err != nil {
		return fmt.Errorf("tier of card %d: %w", a.CardID, err)
	}
	if old.Rank == st.Rank {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO tier_changes (shop_id, card_id, from_tier, to_tier, reason, event_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		a.ShopID, a.CardID, old.Rank, st.Rank, reason, null(cause), unix(a.Now)); err != nil {
		return fmt.Errorf("tier change of card %d: %w", a.CardID, err)
	}
	if st.Rank > old.Rank {
		return queueTierReached(ctx, tx, a, st.Rank)
	}
	return nil
}

// judgeTier judges the card's tier after its event eventID, in the event's
// transaction: a visit may raise it, a void may start its grace. A void of
// the very event that raised the card (the cashier's slip) takes that
// change back at once. A shop without tiers pays one lookup of its ladder.
func judgeTier(ctx context.Context, tx *sql.Tx, a Action, eventID, voidOf int64) error {
	if a.clock != nil && !a.clock.tiered {
		return nil // the action read the shop's clock: a shop without tiers reads nothing more
	}
	l, err := ladderOf(ctx, tx, a.ShopID)
	if err != nil || len(l.Tiers) == 0 {
		return err
	}
	old, err := cardTier(ctx, tx, a.ShopID, a.CardID)
	if err != nil {
		return err
	}
	if voidOf != 0 {
		var from int
		err := tx.QueryRowContext(ctx, `SELECT from_tier FROM tier_changes WHERE card_id = ? AND event_id = ? AND reason = 'earn'
			AND id = (SELECT max(id) FROM tier_changes WHERE card_id = ?1)`, a.CardID, voidOf).Scan(&from)
		switch {
		case err == nil:
			return setTier(ctx, tx, a, old, loyalty.TierState{Rank: from}, "void", eventID)
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("tier change by event %d: %w", voidOf, err)
		}
	}
	m, err := tierMeasure(ctx, tx, l.Ladder, a.CardID, a.Now)
	if err != nil {
		return err
	}
	reason := "earn"
	if voidOf != 0 {
		reason = "void"
	}
	return setTier(ctx, tx, a, old, l.Judge(old, m, a.Now), reason, eventID)
}

// JudgeTiers is the daily pass of a shop's tiers: the cards whose measure
// fell below their tier start their grace, those whose grace ran out drop
// to the tier their measure holds. It returns how many cards changed tier.
func (s *Store) JudgeTiers(ctx context.Context, shopID int64, now time.Time) (int, error) {
	n, err := s.judgeTiers(ctx, shopID, now, `tier > 0`)
	if err != nil {
		return 0, fmt.Errorf("daily tiers of shop %d: %w", shopID, err)
	}
	return n, nil
}

// RebuildTiers judges every card of the shop against the ledger, as
// `regulars rebuild` does: a card the visits should have raised (a change
// lost, a ledger imported) moves up, one above its measure starts its
// grace. It returns how many cards changed tier: 0 when all were right.
func (s *Store) RebuildTiers(ctx context.Context, shopID int64, now time.Time) (int, error) {
	n, err := s.judgeTiers(ctx, shopID, now, `1`)
	if err != nil {
		return 0, fmt.Errorf("rebuild tiers of shop %d: %w", shopID, err)
	}
	return n, nil
}

// judgeTiers judges the shop's active cards that match which (SQL) at now.
// The measures are read on the reader, so that a shop of thousands of
// cards in tiers does not hold the writer; only the cards whose tier or
// grace changes are judged again and written, in one write transaction.
func (s *Store) judgeTiers(ctx context.Context, shopID int64, now time.Time, which string) (int, error) {
	l, err := ladderOf(ctx, s.r, shopID)
	if err != nil || len(l.Tiers) == 0 {
		return 0, err
	}
	type held struct {
		card int64
		st   loyalty.TierState
	}
	cards, err := collect(ctx, s.r, func(r scanner) (held, error) {
		var h held
		var below sql.NullInt64
		err := r.Scan(&h.card, &h.st.Rank, &below)
		if below.Valid {
			h.st.BelowSince = fromUnix(below.Int64)
		}
		return h, err
	}, `SELECT id, tier, tier_below_since FROM cards WHERE shop_id = ? AND erased_at IS NULL AND `+which+` ORDER BY id`, shopID)
	if err != nil {
		return 0, fmt.Errorf("cards in tiers: %w", err)
	}
	var due []int64
	for _, h := range cards {
		m, err := tierMeasure(ctx, s.r, l.Ladder, h.card, now)
		if err != nil {
			return 0, err
		}
		if st := l.Judge(h.st, m, now); st.Rank != h.st.Rank || !st.BelowSince.Equal(h.st.BelowSince) {
			due = append(due, h.card)
		}
	}
	if len(due) == 0 {
		return 0, nil
	}
	changed := 0
	err = s.write(ctx, func(tx *sql.Tx) error {
		l, err := ladderOf(ctx, tx, shopID) // as it is now
		if err != nil || len(l.Tiers) == 0 {
			return err
		}
		for _, card := range due {
			// Judged again: a visit since the read may have changed it.
			old, err := cardTier(ctx, tx, shopID, card)
			if err != nil {
				return err
			}
			m, err := tierMeasure(ctx, tx, l.Ladder, card, now)
			if err != nil {
				return err
			}
			st := l.Judge(old, m, now)
			reason := "grace"
			if st.Rank > old.Rank {
				reason = "earn"
			}
			if st.Rank != old.Rank {
				changed++
			}
			if err := setTier(ctx, tx, Action{ShopID: shopID, CardID: card, Now: now}, old, st, reason, 0); err != nil {
				return err
			}
		}
		return nil
	})
	return changed, err
}

// JudgeAllTiers is JudgeTiers of every shop with tiers: the background
// work's, every few minutes (main.go), so that a grace ends on its day.
// One shop's failure does not keep the others back.
func (s *Store) JudgeAllTiers(ctx context.Context, now time.Time) error {
	ids, err := collect(ctx, s.r, func(r scanner) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	}, `SELECT shop_id FROM tier_ladders ORDER BY shop_id`)
	if err != nil {
		return fmt.Errorf("shops with tiers: %w", err)
	}
	var errs []error
	for _, id := range ids {
		if _, err := s.JudgeTiers(ctx, id, now); err != nil {
			if ctx.Err() != nil {
				return err
			}
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// TierChange is one change of a card's tier, with the names of the steps
// as the ladder names them now ("" for none, or a step since removed).
type TierChange struct {
	From, To         int
	FromName, ToName string
	Reason           string
	At               time.Time
}

// TierChanges are the card's tier changes, newest first: the owner's record.
func (s *Store) TierChanges(ctx context.Context, shopID, cardID int64) ([]TierChange, error) {
	list, err := collect(ctx, s.r, func(r scanner) (TierChange, error) {
		var c TierChange
		var at int64
		err := r.Scan(&c.From, &c.To, &c.FromName, &c.ToName, &c.Reason, &at)
		c.At = fromUnix(at)
		return c, err
	}, `SELECT x.from_tier, x.to_tier, coalesce(f.name, ''), coalesce(t.name, ''), x.reason, x.created_at FROM tier_changes x
		LEFT JOIN tiers f ON f.shop_id = x.shop_id AND f.rank = x.from_tier
		LEFT JOIN tiers t ON t.shop_id = x.shop_id AND t.rank = x.to_tier
		WHERE x.card_id = ? AND x.shop_id = ? ORDER BY x.id DESC LIMIT 50`, cardID, shopID)
	if err != nil {
		return nil, fmt.Errorf("tier changes of card %d: %w", cardID, err)
	}
	return list, nil
}

// CardTier is a card's tier as its page and the counter show it: the
// step's name (none: ""), and the next step with what it still needs.
type CardTier struct {
	Rank    int
	Name    string
	Measure loyalty.TierMeasure
	Next    string
	More    int
}

// cardTierView is the card's tier under the ladder l, with its progress to
// the next step: the one query of the measure, in a shop with tiers only.
func cardTierView(ctx context.Context, q querier, l loyalty.Ladder, cardID int64, rank int, now time.Time) (*CardTier, error) {
	if len(l.Tiers) == 0 {
		return nil, nil
	}
	v := &CardTier{Rank: min(rank, len(l.Tiers)), Measure: l.Measure}
	if t, ok := l.Tier(v.Rank); ok {
		v.Name = t.Name
	}
	m, err := tierMeasure(ctx, q, l, cardID, now)
	if err != nil {
		return nil, err
	}
	if next, more, ok := l.ToNext(max(v.Rank, l.RankFor(m)), m); ok {
		v.Next, v.More = next.Name, more
	}
	return v, nil
}

// checkCardTier is loyalty.CheckTier with the card's kept rank read
// in tx: what a tier-only gift or coupon asks before it is given.
func checkCardTier(ctx context.Context, tx *sql.Tx, shopID, cardID int64, minTier int) error {
	if minTier == 0 {
		return nil
	}
	st, err := cardTier(ctx, tx, shopID, cardID)
	if err != nil {
		return err
	}
	return loyalty.CheckTier(minTier, st.Rank)
}

// MessageTierReached is the outbox's template of a card's move up to a
// tier: a service message ("You reached Silver").
const MessageTierReached = "tier_reached"

// queueTierReached queues "you reached tier rank" to the card, as
// queueGiftUpdate does a gift's step: by e-mail with an address and the
// service consent of e-mail, by push to each live subscription with the
// service consent of push. Its key names the card, the tier and the moment,
// so a card that drops and climbs again is told again.
func queueTierReached(ctx context.Context, tx *sql.Tx, a Action, rank int) error {
	key := fmt.Sprintf("%s:%d:%d:%d", MessageTierReached, a.CardID, rank, unix(a.Now))
	_, err := tx.ExecContext(ctx, `INSERT INTO outbox (shop_id, card_id, channel, template, purpose, language, payload, next_at, idempotency_key, created_at)
		SELECT s.id, c.id, 'email', ?3, 'service', s.language, json_object('tier', t.name), ?5, ?6, ?5
		FROM shops s JOIN cards c ON c.id = ?2 AND c.shop_id = s.id AND c.email != '' AND c.erased_at IS NULL
		JOIN tiers t ON t.shop_id = s.id AND t.rank = ?4
		WHERE s.id = ?1 AND coalesce((SELECT granted FROM consents WHERE card_id = ?2 AND channel = 'email' AND purpose = 'service'
			ORDER BY id DESC LIMIT 1), 0) = 1
		ON CONFLICT DO NOTHING`, a.ShopID, a.CardID, MessageTierReached, rank, unix(a.Now), key)
	if err != nil {
		return fmt.Errorf("queue tier reached: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO outbox (shop_id, card_id, channel, template, purpose, language, payload, next_at, idempotency_key, created_at)
		SELECT s.id, c.id, 'push', ?3, 'service', ps.language, json_object('tier', t.name, 'sub', ps.id), ?5, ?6 || ':push:' || ps.id, ?5
		FROM shops s JOIN cards c ON c.id = ?2 AND c.shop_id = s.id AND c.erased_at IS NULL
		JOIN tiers t ON t.shop_id = s.id AND t.rank = ?4
		JOIN push_subscriptions ps ON ps.card_id = c.id AND ps.shop_id = s.id AND ps.gone_at IS NULL
		WHERE s.id = ?1 AND coalesce((SELECT granted FROM consents WHERE card_id = ?2 AND channel = 'push' AND purpose = 'service'
			ORDER BY id DESC LIMIT 1), 0) = 1
		ON CONFLICT DO NOTHING`, a.ShopID, a.CardID, MessageTierReached, rank, unix(a.Now), key)
	if err != nil {
		return fmt.Errorf("queue tier reached by push: %w", err)
	}
	return nil
}

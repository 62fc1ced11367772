package db

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"regulars/loyalty"
)

// HoldoutWindowDays is how far back the dashboard's "did it work?" reads an
// automation's audience: a year, so that a message written long ago and
// since changed does not speak for today's.
const HoldoutWindowDays = 365

// AutomationHoldout is one automation's audience of the last
// HoldoutWindowDays, for the comparison of messaged and held-out customers.
type AutomationHoldout struct {
	Kind string
	loyalty.Holdout
	// KeptBack are the customers chosen whom the cap or a missing address
	// or consent kept from the message before the draw: in neither group
	// (see loyalty.Holdout).
	KeptBack int
	// Coupons are the coupons the messaged redeemed within their
	// loyalty.ReturnDays of being chosen, summed as the estimate sums them.
	Coupons loyalty.Gifts
}

// readHoldouts reads, per automation kind that chose anyone in the window,
// how many of each group came back: a customer came back when a stamp of a
// purchase (not voided) followed being chosen within loyalty.ReturnDays.
//
// Those chosen before the cutoff (loyalty.ReturnDays ago, rounded down to a
// UTC midnight) had their days: their counts no longer change, and are
// kept for the day (holdoutMemo), since they cost an index seek into the
// card's events per customer chosen, and a newsletter chooses thousands.
// Those chosen after it are only counted, as pending, at every read.
func (s *Store) readHoldouts(ctx context.Context, tx *sql.Tx, shopID int64, now time.Time) ([]AutomationHoldout, error) {
	cutoff := now.AddDate(0, 0, -loyalty.ReturnDays).UTC().Truncate(24 * time.Hour)
	due, gen, ok := s.holdouts.get(shopID, cutoff)
	if !ok {
		var err error
		if due, err = readDueHoldouts(ctx, tx, shopID, cutoff); err != nil {
			return nil, err
		}
		s.holdouts.keep(shopID, cutoff, due, gen)
	}
	list := make([]AutomationHoldout, 0, len(AutomationKinds))
	index := map[string]int{}
	for _, h := range due {
		index[h.Kind] = len(list)
		list = append(list, h)
	}
	rows, err := tx.QueryContext(ctx, `SELECT kind, count(*) FROM automation_audience
		WHERE shop_id = ? AND kind IN `+kindList+` AND chosen_at > ? GROUP BY kind`, shopID, unix(cutoff))
	if err != nil {
		return nil, fmt.Errorf("hold-outs pending: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind string
		var pending int
		if err := rows.Scan(&kind, &pending); err != nil {
			return nil, fmt.Errorf("hold-outs pending: %w", err)
		}
		i, ok := index[kind]
		if !ok {
			i, index[kind] = len(list), len(list)
			list = append(list, AutomationHoldout{Kind: kind})
		}
		list[i].Pending = pending
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("hold-outs pending: %w", err)
	}
	if len(list) == 0 {
		return nil, nil
	}
	slices.SortFunc(list, func(a, b AutomationHoldout) int {
		return slices.Index(AutomationKinds, a.Kind) - slices.Index(AutomationKinds, b.Kind)
	})
	return list, nil
}

// kindList is AutomationKinds as an SQL list: "kind IN" it lets the index
// automation_audience_kind (shop_id, kind, chosen_at) seek each kind's range
// of dates instead of reading the shop's whole audience.
var kindList = "('" + strings.Join(AutomationKinds, "', '") + "')"

// readDueHoldouts counts the audience chosen in the year up to cutoff, and
// the coupons its messaged customers redeemed in their days.
func readDueHoldouts(ctx context.Context, tx *sql.Tx, shopID int64, cutoff time.Time) ([]AutomationHoldout, error) {
	since := cutoff.AddDate(0, 0, loyalty.ReturnDays-HoldoutWindowDays)
	window := int64(loyalty.ReturnDays * 24 * 60 * 60)
	rows, err := tx.QueryContext(ctx, `SELECT a.kind, a.held_out, count(*) FILTER (WHERE a.skipped = ''),
			count(*) FILTER (WHERE a.skipped = '' AND EXISTS (SELECT 1 FROM events e
				WHERE e.card_id = a.card_id AND e.shop_id = a.shop_id AND e.created_at > a.chosen_at AND e.created_at <= a.chosen_at + ?4
					AND e.kind = 'stamp' AND e.stamps > 0 AND NOT EXISTS (SELECT 1 FROM events v WHERE v.void_of = e.id))),
			count(*) FILTER (WHERE a.skipped <> '')
		FROM automation_audience a WHERE a.shop_id = ?1 AND a.kind IN `+kindList+` AND a.chosen_at > ?2 AND a.chosen_at <= ?3
		GROUP BY a.kind, a.held_out`, shopID, unix(since), unix(cutoff), window)
	if err != nil {
		return nil, fmt.Errorf("hold-outs: %w", err)
	}
	defer rows.Close()
	var list []AutomationHoldout
	index := map[string]int{}
	for rows.Next() {
		var kind string
		var heldOut bool
		var chosen, returned, keptBack int
		if err := rows.Scan(&kind, &heldOut, &chosen, &returned, &keptBack); err != nil {
			return nil, fmt.Errorf("hold-outs: %w", err)
		}
		i, ok := index[kind]
		if !ok {
			i, index[kind] = len(list), len(list)
			list = append(list, AutomationHoldout{Kind: kind})
		}
		h := &list[i]
		if heldOut {
			h.HeldOut, h.HeldOutReturned = chosen, returned
		} else {
			h.Messaged, h.MessagedReturned, h.KeptBack = chosen, returned, keptBack
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("hold-outs: %w", err)
	}
	if len(list) == 0 {
		return nil, nil
	}
	// The coupons the messaged redeemed in their days, valued as the
	// estimate values them (loyalty.Economics.CouponCost). A coupon within
	// the days of two automations counts for each.
	rows, err = tx.QueryContext(ctx, `SELECT a.kind, count(*),
			coalesce(sum(k.value_number) FILTER (WHERE k.value_kind = 'amount'), 0),
			coalesce(sum(k.value_number) FILTER (WHERE k.value_kind = 'percent'), 0),
			count(*) FILTER (WHERE k.value_kind IN ('item', 'text'))
		FROM automation_audience a
			JOIN events e ON e.card_id = a.card_id AND e.shop_id = a.shop_id AND e.created_at > a.chosen_at AND e.created_at <= a.chosen_at + ?4
			LEFT JOIN campaigns k ON k.id = e.campaign_id
		WHERE a.shop_id = ?1 AND a.kind IN `+kindList+` AND a.chosen_at > ?2 AND a.chosen_at <= ?3 AND a.held_out = 0 AND a.skipped = '' AND e.kind = 'coupon'
			AND NOT EXISTS (SELECT 1 FROM events v WHERE v.void_of = e.id)
		GROUP BY a.kind`, shopID, unix(since), unix(cutoff), window)
	if err != nil {
		return nil, fmt.Errorf("hold-out coupons: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind string
		var g loyalty.Gifts
		if err := rows.Scan(&kind, &g.Coupons, &g.AmountOff, &g.PercentOff, &g.FreeItems); err != nil {
			return nil, fmt.Errorf("hold-out coupons: %w", err)
		}
		if i, ok := index[kind]; ok {
			list[i].Coupons = g
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("hold-out coupons: %w", err)
	}
	return list, nil
}

// holdoutMemo keeps each shop's counts of the audience whose days are over,
// by the cutoff they were read at: the next day's read, or a backdated
// audience (AddAudience), reads them again. Unlike readCache it outlives
// writes: no write of the present changes what happened in a closed window
// (a void is refused after loyalty.UndoWindow).
type holdoutMemo struct {
	mu    sync.Mutex
	gen   uint64 // counts the forgettings: a read that began before one is not kept
	shops map[int64]holdoutEntry
}

type holdoutEntry struct {
	cutoff time.Time
	due    []AutomationHoldout
}

// get returns the shop's counts at cutoff, if kept, and the generation a
// read of them must be kept with.
func (m *holdoutMemo) get(shopID int64, cutoff time.Time) ([]AutomationHoldout, uint64, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.shops[shopID]
	return e.due, m.gen, ok && e.cutoff.Equal(cutoff)
}

func (m *holdoutMemo) keep(shopID int64, cutoff time.Time, due []AutomationHoldout, gen uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if gen != m.gen {
		return
	}
	if m.shops == nil || len(m.shops) >= cacheMax {
		m.shops = map[int64]holdoutEntry{}
	}
	m.shops[shopID] = holdoutEntry{cutoff, due}
}

func (m *holdoutMemo) forget(shopID int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gen++
	delete(m.shops, shopID)
}

// AudienceMember is one customer an automation chose on an occasion.
type AudienceMember struct {
	CardID   int64
	ChosenAt time.Time
	HeldOut  bool
	Occasion string
}

// AddAudience records customers an automation chose, as the automations'
// runs do, without a message: for the demo café's history and for tests.
// A member already chosen on that occasion is left as it was.
func (s *Store) AddAudience(ctx context.Context, shopID int64, kind string, members []AudienceMember) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, m := range members {
			if _, err := tx.ExecContext(ctx, `INSERT INTO automation_audience (shop_id, kind, card_id, chosen_at, held_out, occasion)
				SELECT ?, ?, id, ?, ?, ? FROM cards WHERE id = ? AND shop_id = ?
				ON CONFLICT (shop_id, kind, card_id, occasion) DO NOTHING`,
				shopID, kind, unix(m.ChosenAt), m.HeldOut, m.Occasion, m.CardID, shopID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("audience of %s in shop %d: %w", kind, shopID, err)
	}
	s.holdouts.forget(shopID)
	return nil
}

package db

import (
	"context"
	"fmt"
	"time"
)

// Overview is the dashboard's first glance.
type Overview struct {
	Customers     int
	NewSince      int
	StampsToday   int
	RedeemedToday int
	Recent        []RecentEntry
}

// RecentEntry is a ledger entry with the card it belongs to.
type RecentEntry struct {
	Entry
	CardName      string
	CardShortCode string
}

// Overview counts the shop's customers and today's activity; newSince and
// today are instants in the shop's time zone, computed by the caller.
func (s *Store) Overview(ctx context.Context, shopID int64, newSince, today time.Time) (Overview, error) {
	var o Overview
	err := s.r.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM cards WHERE shop_id = ?1),
		(SELECT count(*) FROM cards WHERE shop_id = ?1 AND created_at >= ?2),
		(SELECT coalesce(sum(stamps), 0) FROM events e WHERE shop_id = ?1 AND created_at >= ?3 AND kind = 'stamp'
			AND NOT EXISTS (SELECT 1 FROM events v WHERE v.void_of = e.id)),
		(SELECT count(*) FROM events e WHERE shop_id = ?1 AND created_at >= ?3 AND kind = 'redeem'
			AND NOT EXISTS (SELECT 1 FROM events v WHERE v.void_of = e.id))`,
		shopID, unix(newSince), unix(today)).Scan(&o.Customers, &o.NewSince, &o.StampsToday, &o.RedeemedToday)
	if err != nil {
		return o, fmt.Errorf("overview of shop %d: %w", shopID, err)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+entryColumns+`, c.first_name, c.short_code`+entryFrom+`JOIN cards c ON c.id = e.card_id
		WHERE e.shop_id = ? ORDER BY e.id DESC LIMIT 20`, shopID)
	if err != nil {
		return o, fmt.Errorf("recent activity of shop %d: %w", shopID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var r RecentEntry
		var err error
		if r.Entry, err = scanEntry(rows, &r.CardName, &r.CardShortCode); err != nil {
			return o, fmt.Errorf("recent activity of shop %d: %w", shopID, err)
		}
		o.Recent = append(o.Recent, r)
	}
	return o, rows.Err()
}

package db

import (
	"context"
	"fmt"
)

// RecentEntry is a ledger entry with the card it belongs to.
type RecentEntry struct {
	Entry
	CardName      string
	CardShortCode string
}

// RecentActivity lists the shop's newest n ledger entries.
func (s *Store) RecentActivity(ctx context.Context, shopID int64, n int) ([]RecentEntry, error) {
	list, err := collect(ctx, s.r, func(r scanner) (RecentEntry, error) {
		var e RecentEntry
		var err error
		e.Entry, err = scanEntry(r, &e.CardName, &e.CardShortCode)
		return e, err
	}, `SELECT `+entryColumns+`, c.first_name, c.short_code`+entryFrom+`JOIN cards c ON c.id = e.card_id
		WHERE e.shop_id = ? ORDER BY e.created_at DESC, e.id DESC LIMIT ?`, shopID, n)
	if err != nil {
		return nil, fmt.Errorf("recent activity of shop %d: %w", shopID, err)
	}
	return list, nil
}

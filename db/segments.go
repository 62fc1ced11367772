package db

import (
	"context"
	"fmt"
	"time"

	"regulars/loyalty"
)

// SegmentCards lists the cards of the shop in segment as of now.
func (s *Store) SegmentCards(ctx context.Context, shopID int64, segment loyalty.Segment, now time.Time) ([]int64, error) {
	if err := s.EnsureSegments(ctx, shopID, now); err != nil {
		return nil, err
	}
	ids, err := collect(ctx, s.r, func(r scanner) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	}, `SELECT card_id FROM card_stats WHERE shop_id = ? AND segment = ? ORDER BY card_id`, shopID, segment)
	if err != nil {
		return nil, fmt.Errorf("cards of segment %s in shop %d: %w", segment, shopID, err)
	}
	return ids, nil
}

// IssueLateCoupons gives the card the running campaigns for everyone, or for
// its segment, that it does not hold yet.
func (s *Store) IssueLateCoupons(ctx context.Context, shopID, cardID int64, now time.Time) error {
	late, err := s.LateCampaigns(ctx, shopID, cardID, now)
	if err != nil || len(late) == 0 {
		return err
	}
	if err := s.EnsureSegments(ctx, shopID, now); err != nil {
		return err
	}
	var segment loyalty.Segment
	if err := s.r.QueryRowContext(ctx, `SELECT segment FROM card_stats WHERE card_id = ? AND shop_id = ?`, cardID, shopID).Scan(&segment); err != nil {
		return fmt.Errorf("segment of card %d: %w", cardID, notFound(err))
	}
	var ids []int64
	for _, c := range late {
		if c.Audience == AudienceAll || c.Segment == segment && segment != loyalty.SegmentNone {
			ids = append(ids, c.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	return s.IssueCoupons(ctx, shopID, cardID, ids, now)
}

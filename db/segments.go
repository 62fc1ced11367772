package db

import (
	"context"
	"database/sql"
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

// owedCampaigns returns the late campaigns (lateCampaigns) owed to the card:
// those for everyone, and those for its segment. When one is for a segment
// and the shop's segments were classified before its today, the card's
// segment is not known yet: stale says so, and no campaign is returned.
func owedCampaigns(ctx context.Context, q querier, shopID, cardID int64, now time.Time) (ids []int64, stale bool, err error) {
	late, err := lateCampaigns(ctx, q, shopID, cardID, now)
	if err != nil {
		return nil, false, err
	}
	var segment loyalty.Segment
	for _, c := range late {
		if c.Audience != AudienceSegment {
			continue
		}
		if stale, err = segmentsStale(ctx, q, shopID, now); err != nil || stale {
			return nil, stale, err
		}
		if err := q.QueryRowContext(ctx, `SELECT segment FROM card_stats WHERE card_id = ? AND shop_id = ?`, cardID, shopID).Scan(&segment); err != nil {
			return nil, false, fmt.Errorf("segment of card %d: %w", cardID, notFound(err))
		}
		break
	}
	for _, c := range late {
		if c.Audience == AudienceAll || c.Audience == AudienceClub || c.Segment == segment && segment != loyalty.SegmentNone {
			ids = append(ids, c.ID)
		}
	}
	return ids, false, nil
}

// issueLateCoupons gives the card the campaigns owed to it, reading them
// again in the transaction, after classifying the shop's cards if that
// waits for today.
func issueLateCoupons(ctx context.Context, tx *sql.Tx, shopID, cardID int64, now time.Time) error {
	ids, stale, err := owedCampaigns(ctx, tx, shopID, cardID, now)
	if err == nil && stale {
		if err = refreshSegments(ctx, tx, shopID, now); err == nil {
			ids, _, err = owedCampaigns(ctx, tx, shopID, cardID, now)
		}
	}
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := issue(ctx, tx, shopID, id, []int64{cardID}, now); err != nil {
			return err
		}
	}
	return nil
}

package db

import (
	"context"
	"fmt"
	"time"

	"regulars/loyalty"
)

// Segments classifies the shop's cards at now from their stamps; visits are
// days in the shop's time zone loc. Cards never stamped are absent (SegmentNone).
func (s *Store) Segments(ctx context.Context, shopID int64, now time.Time, loc *time.Location) (map[int64]loyalty.Segment, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT e.card_id, e.created_at FROM events e
		WHERE e.shop_id = ? AND e.kind = 'stamp' AND e.stamps > 0 AND NOT EXISTS (SELECT 1 FROM events v WHERE v.void_of = e.id)
		ORDER BY e.card_id, e.created_at`, shopID)
	if err != nil {
		return nil, fmt.Errorf("segments of shop %d: %w", shopID, err)
	}
	defer rows.Close()
	stamps := map[int64][]time.Time{}
	for rows.Next() {
		var card, at int64
		if err := rows.Scan(&card, &at); err != nil {
			return nil, fmt.Errorf("segments of shop %d: %w", shopID, err)
		}
		stamps[card] = append(stamps[card], fromUnix(at))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("segments of shop %d: %w", shopID, err)
	}
	days := make(map[int64][]time.Time, len(stamps))
	var counts []int
	// The same 365-day window Classify uses: today and the 364 days before it.
	today := now.In(loc)
	yearAgo := time.Date(today.Year(), today.Month(), today.Day()-364, 0, 0, 0, 0, loc)
	for card, ts := range stamps {
		days[card] = loyalty.VisitDays(ts, loc)
		if n := loyalty.VisitsSince(days[card], yearAgo); n > 0 {
			counts = append(counts, n)
		}
	}
	vip := loyalty.VIPThreshold(counts)
	segs := make(map[int64]loyalty.Segment, len(days))
	for card, d := range days {
		segs[card] = loyalty.Classify(d, now, vip)
	}
	return segs, nil
}

// IssueLateCoupons gives the card the running campaigns for everyone, or for
// its segment, that it does not hold yet.
func (s *Store) IssueLateCoupons(ctx context.Context, shopID, cardID int64, now time.Time, loc *time.Location) error {
	late, err := s.LateCampaigns(ctx, shopID, cardID, now)
	if err != nil || len(late) == 0 {
		return err
	}
	var segment loyalty.Segment
	for _, c := range late {
		if c.Audience == AudienceSegment {
			segs, err := s.Segments(ctx, shopID, now, loc)
			if err != nil {
				return err
			}
			segment = segs[cardID]
			break
		}
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

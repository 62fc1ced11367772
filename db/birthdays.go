package db

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"regulars/loyalty"
)

// dueBirthday is a birthday coupon a card should hold and does not yet.
type dueBirthday struct {
	cardID      int64
	year        int
	from, until time.Time
}

// dueBirthdays lists the coupons due now to the shop's cards (to cardID's
// only, unless 0) whose birthday window holds now: one per card and
// birthday year.
func dueBirthdays(ctx context.Context, q querier, shopID, cardID int64, days int, loc *time.Location, now time.Time) ([]dueBirthday, error) {
	near := loyalty.BirthdaysNear(now, loc, days)
	if len(near) == 0 {
		return nil, nil
	}
	args := []any{now.In(loc).Year() - 1, shopID}
	cond := ""
	if cardID != 0 {
		cond, args = " AND cd.id = ?", append(args, cardID)
	}
	for _, b := range near {
		args = append(args, b)
	}
	type card struct {
		id       int64
		birthday string
		years    string // the birthday years it holds coupons of, "2026,2027"
	}
	cards, err := collect(ctx, q, func(r scanner) (card, error) {
		var c card
		return c, r.Scan(&c.id, &c.birthday, &c.years)
	}, `SELECT cd.id, cd.birthday, coalesce((SELECT group_concat(k.birthday_year) FROM coupons c JOIN campaigns k ON k.id = c.campaign_id
			WHERE c.card_id = cd.id AND k.birthday_year >= ?), '')
		FROM cards cd WHERE cd.shop_id = ? AND cd.erased_at IS NULL`+cond+` AND cd.birthday IN (?`+strings.Repeat(", ?", len(near)-1)+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("birthdays in shop %d: %w", shopID, err)
	}
	var due []dueBirthday
	for _, c := range cards {
		from, until, year, ok := loyalty.BirthdayWindow(c.birthday, now, loc, days)
		if ok && !strings.Contains(","+c.years+",", ","+strconv.Itoa(year)+",") {
			due = append(due, dueBirthday{cardID: c.id, year: year, from: from, until: until})
		}
	}
	return due, nil
}

// IssueBirthdayCoupon gives the card the shop's birthday gift if the shop
// has one and today is in the card's birthday window, once per birthday. The
// counter calls it, and CardPage does the same, so a gift is there on the day
// even before the daily pass.
func (s *Store) IssueBirthdayCoupon(ctx context.Context, shopID, cardID int64, now time.Time) error {
	if err := s.issueBirthdays(ctx, shopID, cardID, now); err != nil {
		return fmt.Errorf("birthday coupon of card %d: %w", cardID, err)
	}
	return nil
}

// IssueAllBirthdayCoupons gives the birthday coupons due today to the cards
// of every shop that has a birthday gift: the daily pass, so customers who do
// not open their card see the gift at the counter too.
func (s *Store) IssueAllBirthdayCoupons(ctx context.Context, now time.Time) error {
	shops, err := collect(ctx, s.r, func(r scanner) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	}, `SELECT id FROM shops WHERE birthday_gift <> '' ORDER BY id`)
	if err != nil {
		return fmt.Errorf("shops with a birthday gift: %w", err)
	}
	for _, id := range shops {
		if err := s.issueBirthdays(ctx, id, 0, now); err != nil {
			return fmt.Errorf("birthday coupons of shop %d: %w", id, err)
		}
	}
	return nil
}

// issueBirthdays issues the shop's due birthday coupons (cardID's only,
// unless 0). It looks on the reader first: on most days and most page views
// nothing is due, and then nothing is written.
func (s *Store) issueBirthdays(ctx context.Context, shopID, cardID int64, now time.Time) error {
	g, err := growth(ctx, s.r, shopID)
	if err != nil || g.BirthdayGift == "" {
		return err
	}
	clock, err := loadShopClock(ctx, s.r, shopID)
	if err != nil {
		return err
	}
	due, err := dueBirthdays(ctx, s.r, shopID, cardID, g.BirthdayDays, clock.loc, now)
	if err != nil || len(due) == 0 {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error { return issueDueBirthdays(ctx, tx, shopID, cardID, clock.loc, now) })
}

// issueDueBirthdays issues the due birthday coupons (cardID's only, unless
// 0) of the shop in zone loc. It reads them again in the transaction: the
// gift may have been turned off, or another request issued the coupons,
// since the caller looked.
func issueDueBirthdays(ctx context.Context, tx *sql.Tx, shopID, cardID int64, loc *time.Location, now time.Time) error {
	g, err := growth(ctx, tx, shopID)
	if err != nil || g.BirthdayGift == "" {
		return err
	}
	due, err := dueBirthdays(ctx, tx, shopID, cardID, g.BirthdayDays, loc, now)
	if err != nil {
		return err
	}
	campaigns := map[int]int64{} // birthday year → campaign, 0 when ended
	for _, d := range due {
		id, ok := campaigns[d.year]
		if !ok {
			if id, err = birthdayCampaign(ctx, tx, shopID, g, loc, d.year, now); err != nil {
				return err
			}
			campaigns[d.year] = id
		}
		if id == 0 {
			continue
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO coupons (shop_id, campaign_id, card_id, issued_at, valid_from, valid_until)
			SELECT ?, ?, id, ?, ?, ? FROM cards WHERE id = ? AND shop_id = ? AND erased_at IS NULL ON CONFLICT DO NOTHING`,
			shopID, id, unix(now), unix(d.from), unix(d.until), d.cardID, shopID)
		if err != nil {
			return fmt.Errorf("issue birthday coupon to card %d: %w", d.cardID, err)
		}
	}
	return nil
}

// birthdayCampaign returns the shop's birthday campaign of the year, made
// when first needed and valid over every window of that year's birthdays. It
// carries the gift as the owner words it now, so a changed gift shows on the
// coupons of the year not yet used too. An ended one is 0: the owner stopped
// the year's birthday gifts.
func birthdayCampaign(ctx context.Context, tx *sql.Tx, shopID int64, g Growth, loc *time.Location, year int, now time.Time) (int64, error) {
	from := time.Date(year, 1, 1-g.BirthdayDays, 0, 0, 0, 0, loc)
	until := time.Date(year+1, 1, 1+g.BirthdayDays, 0, 0, 0, 0, loc)
	var id int64
	var ended bool
	err := tx.QueryRowContext(ctx, `INSERT INTO campaigns (shop_id, title, value_kind, value_text, valid_from, valid_until, audience, per_card_limit, birthday_year, created_at)
		VALUES (?, ?, 'text', ?, ?, ?, 'chosen', 1, ?, ?)
		ON CONFLICT (shop_id, birthday_year) WHERE birthday_year IS NOT NULL DO UPDATE SET title = excluded.title, value_text = excluded.value_text,
			valid_from = min(valid_from, excluded.valid_from), valid_until = max(valid_until, excluded.valid_until)
		RETURNING id, ended_at IS NOT NULL`,
		shopID, g.BirthdayGift, g.BirthdayGift, unix(from), unix(until), year, unix(now)).Scan(&id, &ended)
	if err != nil {
		return 0, fmt.Errorf("birthday campaign %d of shop %d: %w", year, shopID, err)
	}
	if ended {
		return 0, nil
	}
	return id, nil
}

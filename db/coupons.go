package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"regulars/loyalty"
)

// Audiences of a campaign.
const (
	AudienceAll     = "all"
	AudienceSegment = "segment"
	AudienceChosen  = "chosen"
	AudienceCode    = "code"
	// AudienceClub is a club's members (ClubID): stored as audience
	// 'segment' with no segment and the club in campaigns.club_id, since
	// SQLite cannot widen the CHECK on campaigns.audience (migration 0028).
	AudienceClub = "club"
)

// Campaign is a coupon campaign with its counts.
type Campaign struct {
	ID           int64
	ShopID       int64
	Title        string
	Description  string
	ValueKind    string // percent, amount, item, text
	ValueNumber  int
	ValueText    string
	ValidFrom    time.Time
	ValidUntil   time.Time
	Audience     string
	Segment      loyalty.Segment
	Code         string
	TotalLimit   int
	PerCardLimit int
	Paused       bool
	Ended        bool
	CreatedAt    time.Time
	// BirthdayYear is the year of the birthdays whose gift the campaign is;
	// 0 for a campaign the owner made.
	BirthdayYear int
	// ClubID is the club of an AudienceClub campaign, else 0; ClubName its name.
	ClubID   int64
	ClubName string
	// MinTier is the lowest tier (rank) whose members may use it; 0: all (tiers.go).
	MinTier int
	// Counts, for the owner's pages.
	Issued   int
	Viewed   int
	Redeemed int
}

// Rules returns what package loyalty needs to judge a redemption.
func (c Campaign) Rules() loyalty.Campaign {
	return loyalty.Campaign{ValidFrom: c.ValidFrom, ValidUntil: c.ValidUntil, Paused: c.Paused, Ended: c.Ended,
		TotalLimit: c.TotalLimit, PerCardLimit: c.PerCardLimit}
}

const campaignColumns = `k.id, k.shop_id, k.title, k.description, k.value_kind, k.value_number, k.value_text, k.valid_from, k.valid_until,
	k.audience, k.segment, coalesce(k.code, ''), k.total_limit, k.per_card_limit, k.paused_at IS NOT NULL, k.ended_at IS NOT NULL, k.created_at, coalesce(k.birthday_year, 0), coalesce(k.club_id, 0), coalesce((SELECT name FROM clubs WHERE id = k.club_id), ''), k.min_tier,
	(SELECT count(*) FROM coupons WHERE campaign_id = k.id),
	(SELECT count(*) FROM coupons WHERE campaign_id = k.id AND viewed_at IS NOT NULL),
	(SELECT count(*) FROM events e WHERE e.campaign_id = k.id AND e.kind = 'coupon' AND NOT EXISTS (SELECT 1 FROM events v WHERE v.void_of = e.id))`

func scanCampaign(row scanner) (Campaign, error) {
	var c Campaign
	var from, until, created int64
	err := row.Scan(&c.ID, &c.ShopID, &c.Title, &c.Description, &c.ValueKind, &c.ValueNumber, &c.ValueText, &from, &until,
		&c.Audience, &c.Segment, &c.Code, &c.TotalLimit, &c.PerCardLimit, &c.Paused, &c.Ended, &created, &c.BirthdayYear, &c.ClubID, &c.ClubName, &c.MinTier, &c.Issued, &c.Viewed, &c.Redeemed)
	c.ValidFrom, c.ValidUntil, c.CreatedAt = fromUnix(from), fromUnix(until), fromUnix(created)
	if c.ClubID != 0 {
		c.Audience = AudienceClub
	}
	return c, notFound(err)
}

// CreateCampaign saves a campaign and issues it: to every card of the shop
// for audience all, else to the cards given (a segment's or hand-picked ones).
// Later joiners get it when the counter or their card page shows their card
// (owedCoupons).
func (s *Store) CreateCampaign(ctx context.Context, c Campaign, issueTo []int64, userID int64, now time.Time) (int64, error) {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var code, club any
		if c.Code != "" {
			code = c.Code
		}
		audience := c.Audience
		if audience == AudienceClub {
			if err := liveClub(ctx, tx, c.ShopID, c.ClubID); err != nil {
				return err
			}
			audience, c.Segment, club = AudienceSegment, "", c.ClubID
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO campaigns (shop_id, title, description, value_kind, value_number, value_text, valid_from, valid_until,
			audience, segment, code, total_limit, per_card_limit, created_by, created_at, club_id, min_tier) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ShopID, c.Title, c.Description, c.ValueKind, c.ValueNumber, c.ValueText, unix(c.ValidFrom), unix(c.ValidUntil),
			audience, c.Segment, code, c.TotalLimit, c.PerCardLimit, userID, unix(now), club, c.MinTier)
		if isUnique(err) {
			return ErrDuplicate
		}
		if err != nil {
			return err
		}
		c.ID, _ = res.LastInsertId()
		if err := recordAudit(ctx, tx, c.ShopID, userID, AuditCampaignCreate, c.Title, now); err != nil {
			return err
		}
		if c.Audience == AudienceAll { // every card that still has a customer
			_, err := tx.ExecContext(ctx, `INSERT INTO coupons (shop_id, campaign_id, card_id, issued_at) SELECT shop_id, ?, id, ? FROM cards WHERE shop_id = ? AND erased_at IS NULL`,
				c.ID, unix(now), c.ShopID)
			return err
		}
		if club != nil { // the club's members at this moment; later ones from JoinClub and lateCampaigns
			_, err := tx.ExecContext(ctx, `INSERT INTO coupons (shop_id, campaign_id, card_id, issued_at) SELECT m.shop_id, ?, m.card_id, ?
				FROM club_members m JOIN cards c ON c.id = m.card_id WHERE m.club_id = ? AND m.shop_id = ? AND m.left_at IS NULL AND c.erased_at IS NULL`,
				c.ID, unix(now), c.ClubID, c.ShopID)
			return err
		}
		return issue(ctx, tx, c.ShopID, c.ID, issueTo, now)
	})
	if err != nil {
		return 0, fmt.Errorf("create campaign %q: %w", c.Title, err)
	}
	return c.ID, nil
}

// issue gives the campaign to the cards, skipping those of other shops, those
// that have it already, and erased ones: nobody is left to use it.
func issue(ctx context.Context, tx *sql.Tx, shopID, campaignID int64, cardIDs []int64, now time.Time) error {
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO coupons (shop_id, campaign_id, card_id, issued_at)
		SELECT ?, ?, id, ? FROM cards WHERE id = ? AND shop_id = ? AND erased_at IS NULL ON CONFLICT DO NOTHING`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, id := range cardIDs {
		if _, err := stmt.ExecContext(ctx, shopID, campaignID, unix(now), id, shopID); err != nil {
			return fmt.Errorf("issue campaign %d to card %d: %w", campaignID, id, err)
		}
	}
	return nil
}

// Campaigns lists the shop's campaigns, newest first.
func (s *Store) Campaigns(ctx context.Context, shopID int64) ([]Campaign, error) {
	list, err := collect(ctx, s.r, scanCampaign, `SELECT `+campaignColumns+` FROM campaigns k WHERE k.shop_id = ? ORDER BY k.id DESC`, shopID)
	if err != nil {
		return nil, fmt.Errorf("campaigns of shop %d: %w", shopID, err)
	}
	return list, nil
}

// Campaign returns one campaign of the shop.
func (s *Store) Campaign(ctx context.Context, shopID, id int64) (Campaign, error) {
	return campaign(ctx, s.r, shopID, id)
}

func campaign(ctx context.Context, q querier, shopID, id int64) (Campaign, error) {
	c, err := scanCampaign(q.QueryRowContext(ctx, `SELECT `+campaignColumns+` FROM campaigns k WHERE k.id = ? AND k.shop_id = ?`, id, shopID))
	if err != nil {
		return c, fmt.Errorf("campaign %d: %w", id, err)
	}
	return c, nil
}

// Campaign states an owner can set.
const (
	CampaignPause  = "pause"
	CampaignResume = "resume"
	CampaignEnd    = "end"
)

// SetCampaignState pauses, resumes or ends a campaign on behalf of userID; an
// ended one stays ended.
func (s *Store) SetCampaignState(ctx context.Context, shopID, id int64, state string, userID int64, now time.Time) error {
	var (
		set    string
		when   any
		action AuditAction
	)
	switch state {
	case CampaignPause:
		set, when, action = "paused_at", unix(now), AuditCampaignPause
	case CampaignResume:
		set, when, action = "paused_at", nil, AuditCampaignResume
	case CampaignEnd:
		set, when, action = "ended_at", unix(now), AuditCampaignEnd
	default:
		return fmt.Errorf("campaign state %q: %w", state, ErrNotFound)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var title string
		err := tx.QueryRowContext(ctx, `UPDATE campaigns SET `+set+` = ? WHERE id = ? AND shop_id = ? AND ended_at IS NULL RETURNING title`, when, id, shopID).Scan(&title)
		if err != nil {
			return fmt.Errorf("%s campaign %d: %w", state, id, notFound(err))
		}
		return recordAudit(ctx, tx, shopID, userID, action, title, now)
	})
}

// CardCoupon is a campaign as one card holds it.
type CardCoupon struct {
	Campaign
	Seen           bool // the card page has shown it
	RedeemedByCard int
	Usable         error // nil when it can be redeemed now, else the reason
}

// cardCoupons lists the coupons issued to the card, with whether each can be
// used now. A coupon with a window of its own (a birthday gift) is valid in
// that window, and shows its dates.
func cardCoupons(ctx context.Context, q querier, shopID, cardID int64, now time.Time) ([]CardCoupon, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+campaignColumns+`,
		(SELECT count(*) FROM events e WHERE e.campaign_id = k.id AND e.card_id = ? AND e.kind = 'coupon' AND NOT EXISTS (SELECT 1 FROM events v WHERE v.void_of = e.id)),
		c.viewed_at IS NOT NULL, coalesce(c.valid_from, k.valid_from), coalesce(c.valid_until, k.valid_until),
		(SELECT tier FROM cards WHERE id = c.card_id)
		FROM coupons c JOIN campaigns k ON k.id = c.campaign_id WHERE c.card_id = ? AND c.shop_id = ? ORDER BY coalesce(c.valid_until, k.valid_until), k.id`, cardID, cardID, shopID)
	if err != nil {
		return nil, fmt.Errorf("coupons of card %d: %w", cardID, err)
	}
	defer rows.Close()
	var cs []CardCoupon
	for rows.Next() {
		var cc CardCoupon
		var from, until, created, ownFrom, ownUntil int64
		var rank int
		err := rows.Scan(&cc.ID, &cc.ShopID, &cc.Title, &cc.Description, &cc.ValueKind, &cc.ValueNumber, &cc.ValueText, &from, &until,
			&cc.Audience, &cc.Segment, &cc.Code, &cc.TotalLimit, &cc.PerCardLimit, &cc.Paused, &cc.Ended, &created, &cc.BirthdayYear, &cc.ClubID, &cc.ClubName,
			&cc.MinTier, &cc.Issued, &cc.Viewed, &cc.Redeemed, &cc.RedeemedByCard, &cc.Seen, &ownFrom, &ownUntil, &rank)
		if err != nil {
			return nil, fmt.Errorf("coupons of card %d: %w", cardID, err)
		}
		cc.ValidFrom, cc.ValidUntil, cc.CreatedAt = fromUnix(ownFrom), fromUnix(ownUntil), fromUnix(created)
		if cc.ClubID != 0 {
			cc.Audience = AudienceClub
		}
		cc.Usable = loyalty.CheckCoupon(cc.Rules(), now, cc.Redeemed, cc.RedeemedByCard)
		if cc.Usable == nil {
			cc.Usable = loyalty.CheckTier(cc.MinTier, rank) // a coupon for a higher tier waits for it
		}
		cs = append(cs, cc)
	}
	return cs, rows.Err()
}

// lateCampaigns returns the running campaigns for everyone, for a segment or
// for a club the card is a member of, that the card has not been given yet: a
// customer who joins a segment or a club while a campaign runs gets it too.
func lateCampaigns(ctx context.Context, q querier, shopID, cardID int64, now time.Time) ([]Campaign, error) {
	list, err := collect(ctx, q, scanCampaign, `SELECT `+campaignColumns+` FROM campaigns k
		WHERE k.shop_id = ? AND k.audience IN ('all', 'segment') AND k.ended_at IS NULL AND k.valid_from <= ? AND k.valid_until > ?
		AND NOT EXISTS (SELECT 1 FROM coupons c WHERE c.campaign_id = k.id AND c.card_id = ?4)
		AND (k.club_id IS NULL OR EXISTS (SELECT 1 FROM club_members m WHERE m.card_id = ?4 AND m.club_id = k.club_id AND m.left_at IS NULL))`,
		shopID, unix(now), unix(now), cardID)
	if err != nil {
		return nil, fmt.Errorf("late campaigns for card %d: %w", cardID, err)
	}
	return list, nil
}

// markCouponsViewed records the first time the card page showed the card's
// coupons, and returns the campaigns of those it showed for the first time.
func markCouponsViewed(ctx context.Context, tx *sql.Tx, shopID, cardID int64, now time.Time) ([]int64, error) {
	ids, err := collect(ctx, tx, func(r scanner) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	}, `UPDATE coupons SET viewed_at = ? WHERE card_id = ? AND shop_id = ? AND viewed_at IS NULL RETURNING campaign_id`, unix(now), cardID, shopID)
	if err != nil {
		return nil, fmt.Errorf("mark coupons of card %d viewed: %w", cardID, err)
	}
	return ids, nil
}

// RedeemCoupon redeems the card's coupon of the campaign. Targeted campaigns
// need the coupon issued to the card; two cashiers taking the last redemption
// at once: one succeeds, the other gets loyalty.ErrCouponUsedUp.
func (s *Store) RedeemCoupon(ctx context.Context, a Action, campaignID int64) (Outcome, error) {
	var out Outcome
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		c, err := campaign(ctx, tx, a.ShopID, campaignID)
		if errors.Is(err, ErrNotFound) {
			return loyalty.ErrCouponUnknown
		}
		if err != nil {
			return err
		}
		out.EventID, err = redeemCoupon(ctx, tx, a, c)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("redeem campaign %d for card %d: %w", campaignID, a.CardID, err)
	}
	return out, nil
}

// RedeemCode redeems a public coupon code typed at the counter.
func (s *Store) RedeemCode(ctx context.Context, a Action, code string) (Outcome, error) {
	var out Outcome
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		c, err := scanCampaign(tx.QueryRowContext(ctx, `SELECT `+campaignColumns+` FROM campaigns k WHERE k.shop_id = ? AND k.code = ?`, a.ShopID, code))
		if errors.Is(err, ErrNotFound) {
			return loyalty.ErrCouponUnknown
		}
		if err != nil {
			return err
		}
		out.EventID, err = redeemCoupon(ctx, tx, a, c)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("redeem code %q for card %d: %w", code, a.CardID, err)
	}
	return out, nil
}

func redeemCoupon(ctx context.Context, tx *sql.Tx, a Action, c Campaign) (int64, error) {
	if err := checkReplay(ctx, tx, a); err != nil {
		return 0, err
	}
	if err := cardInShop(ctx, tx, a); err != nil {
		return 0, err
	}
	var (
		issued, byCard  int
		ownFrom, ownTil sql.NullInt64
	)
	err := tx.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM coupons WHERE campaign_id = ?1 AND card_id = ?2),
		(SELECT count(*) FROM events e WHERE e.campaign_id = ?1 AND e.card_id = ?2 AND e.kind = 'coupon' AND NOT EXISTS (SELECT 1 FROM events v WHERE v.void_of = e.id)),
		(SELECT valid_from FROM coupons WHERE campaign_id = ?1 AND card_id = ?2),
		(SELECT valid_until FROM coupons WHERE campaign_id = ?1 AND card_id = ?2)`,
		c.ID, a.CardID).Scan(&issued, &byCard, &ownFrom, &ownTil)
	if err != nil {
		return 0, err
	}
	if c.Audience != AudienceCode && issued == 0 {
		return 0, loyalty.ErrCouponNotForCard
	}
	// A coupon with a window of its own (a birthday gift) is valid only then.
	if ownFrom.Valid {
		c.ValidFrom = fromUnix(ownFrom.Int64)
	}
	if ownTil.Valid {
		c.ValidUntil = fromUnix(ownTil.Int64)
	}
	if err := loyalty.CheckCoupon(c.Rules(), a.Now, c.Redeemed, byCard); err != nil {
		return 0, err
	}
	// A coupon for a tier and above: the card's kept tier, in this transaction.
	if err := checkCardTier(ctx, tx, a.ShopID, a.CardID, c.MinTier); err != nil {
		return 0, err
	}
	return insertEvent(ctx, tx, a, newEvent{kind: loyalty.KindCoupon, campaignID: c.ID})
}

// DailyCount is a number per day.
type DailyCount struct {
	Day   string // YYYY-MM-DD in the shop's time zone
	Count int
}

// CampaignRedemptionsByDay counts the campaign's redemptions per day;
// offsetSeconds is the shop's offset from UTC, so days end at local midnight.
func (s *Store) CampaignRedemptionsByDay(ctx context.Context, shopID, id int64, offsetSeconds int) ([]DailyCount, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT date(e.created_at + ?, 'unixepoch') AS day, count(*) FROM events e
		WHERE e.shop_id = ? AND e.campaign_id = ? AND e.kind = 'coupon' AND NOT EXISTS (SELECT 1 FROM events v WHERE v.void_of = e.id)
		GROUP BY day ORDER BY day`, offsetSeconds, shopID, id)
	if err != nil {
		return nil, fmt.Errorf("redemptions of campaign %d: %w", id, err)
	}
	defer rows.Close()
	var ds []DailyCount
	for rows.Next() {
		var d DailyCount
		if err := rows.Scan(&d.Day, &d.Count); err != nil {
			return nil, fmt.Errorf("redemptions of campaign %d: %w", id, err)
		}
		ds = append(ds, d)
	}
	return ds, rows.Err()
}

// AudienceSize counts the cards a new campaign for audience would be issued
// to now, as CreateCampaign issues it: every card that still has a customer,
// those of the segment, or those of cardIDs that belong to the shop. A
// campaign for a public code is issued to nobody: it counts 0.
func (s *Store) AudienceSize(ctx context.Context, shopID int64, audience string, segment loyalty.Segment, cardIDs []int64, now time.Time) (int, error) {
	var (
		n   int
		err error
	)
	switch audience {
	case AudienceAll:
		err = s.r.QueryRowContext(ctx, `SELECT count(*) FROM cards WHERE shop_id = ? AND erased_at IS NULL`, shopID).Scan(&n)
	case AudienceSegment:
		if err = s.EnsureSegments(ctx, shopID, now); err == nil {
			err = s.r.QueryRowContext(ctx, `SELECT count(*) FROM card_stats t JOIN cards c ON c.id = t.card_id
				WHERE t.shop_id = ? AND t.segment = ? AND c.shop_id = t.shop_id AND c.erased_at IS NULL`, shopID, segment).Scan(&n)
		}
	case AudienceChosen:
		ids, jerr := json.Marshal(cardIDs)
		if jerr != nil {
			return 0, jerr
		}
		err = s.r.QueryRowContext(ctx, `SELECT count(*) FROM cards WHERE shop_id = ? AND erased_at IS NULL
			AND id IN (SELECT value FROM json_each(?))`, shopID, string(ids)).Scan(&n)
	}
	if err != nil {
		return 0, fmt.Errorf("audience %s of shop %d: %w", audience, shopID, err)
	}
	return n, nil
}

// Recipient is a card that was given a campaign, or used its public code.
type Recipient struct {
	CardID    int64
	Name      string
	ShortCode string
	Erased    bool
	Viewed    bool // its card page has shown the coupon
	Redeemed  int
}

// CampaignRecipients lists the first limit cards that got the campaign (or
// used its code), in the order they got it and by name, and how many in all.
func (s *Store) CampaignRecipients(ctx context.Context, shopID, id int64, limit int) ([]Recipient, int, error) {
	rows, err := s.r.QueryContext(ctx, `WITH used AS (
			SELECT card_id, count(*) AS n FROM events e WHERE e.shop_id = ?1 AND e.campaign_id = ?2 AND e.kind = 'coupon'
			AND NOT EXISTS (SELECT 1 FROM events v WHERE v.void_of = e.id) GROUP BY card_id),
		got AS (
			SELECT card_id, issued_at AS at, viewed_at IS NOT NULL AS viewed FROM coupons WHERE shop_id = ?1 AND campaign_id = ?2
			UNION ALL
			SELECT card_id, 0, 0 FROM used WHERE card_id NOT IN (SELECT card_id FROM coupons WHERE campaign_id = ?2))
		SELECT c.id, c.first_name, c.short_code, c.erased_at IS NOT NULL, g.viewed, coalesce(u.n, 0), count(*) OVER ()
		FROM got g JOIN cards c ON c.id = g.card_id AND c.shop_id = ?1 LEFT JOIN used u ON u.card_id = g.card_id
		ORDER BY g.at, c.first_name COLLATE NOCASE, c.id LIMIT ?3`, shopID, id, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("recipients of campaign %d: %w", id, err)
	}
	defer rows.Close()
	var (
		list  []Recipient
		total int
	)
	for rows.Next() {
		var r Recipient
		if err := rows.Scan(&r.CardID, &r.Name, &r.ShortCode, &r.Erased, &r.Viewed, &r.Redeemed, &total); err != nil {
			return nil, 0, fmt.Errorf("recipients of campaign %d: %w", id, err)
		}
		list = append(list, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("recipients of campaign %d: %w", id, err)
	}
	return list, total, nil
}

package db

import (
	"context"
	crand "crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"regulars/loyalty"
)

// The automations beyond "reward ready" (issue 18): who each marketing one
// chooses, whom it holds out, and the messages it queues. "One visit to go"
// chooses in the stamp's transaction; "we miss you", "birthday" and "coupon
// expiring" in a daily run per shop (RunAutomations), in short batches, and
// the newsletter in the same runs, as soon as news is published. Every
// chosen customer gets a row of automation_audience, whose UNIQUE occasion
// makes choosing twice harmless: a run cut off by a crash is simply run
// again. "Raffle result", a service message, is queued in the draw's
// transaction (queueRaffleResult).

// audienceBatch is how many customers one write transaction of a run
// chooses: a few milliseconds of the writer, so that stamps at the counter
// never wait behind a run of a 100,000-card shop.
const audienceBatch = 200

// Why a chosen customer got no message although not held out.
const (
	SkippedNoAddress = "no_address"
	SkippedNoConsent = "no_consent"
	SkippedCap       = "cap"
)

// capWindow is the period the cap on marketing messages counts.
const capWindow = 30 * 24 * time.Hour

// marketingRun is what choosing customers for one automation of one shop
// needs to know, read once.
type marketingRun struct {
	shopID int64
	kind   string
	loc    *time.Location
	quiet  loyalty.QuietHours
	// campaignID is a coupon to give each messaged customer ("we miss you").
	campaignID int64
	daysBefore int
	ranDay     int
}

// chosen is a customer an automation chose on an occasion, with what their
// message says.
type chosen struct {
	cardID   int64
	occasion string
	// coupon is the title of the coupon the message names; "": none.
	coupon string
	// news is the text of the news a newsletter carries.
	news string
	// programID and eventID tie "one visit to go" to its program and stamp:
	// the message is dropped when the stamp is undone.
	programID, eventID int64
	// campaignID is the campaign of the coupon "coupon expiring" reminds
	// of: nothing is queued, and a queued message is dropped, once the
	// customer used it.
	campaignID int64
	// points is how many points "points expiring" reminds of, and expires
	// when the first of them expire: the message says both.
	points  int
	expires time.Time
}

// choose records that the automation chose c and, unless c is held out or
// kept back, gives the run's coupon and queues the message. Whether c may
// be messaged (an address, the marketing consent, under the cap) is judged
// before the draw, so that the hold-out is drawn from the same customers
// as those who get the message and the two can be compared. draw is a
// uniform number in [0, 100): held out when below the hold-out share. It
// writes nothing when the automation is off or c was chosen on this
// occasion before.
func choose(ctx context.Context, tx *sql.Tx, r marketingRun, c chosen, draw int, now time.Time) error {
	if c.campaignID != 0 {
		// The run read its customers before this transaction: a coupon used
		// since is no longer an occasion.
		var used bool
		if err := tx.QueryRowContext(ctx, couponUsed, c.cardID, c.campaignID, r.shopID).Scan(&used); err != nil {
			return fmt.Errorf("coupon %d of card %d used: %w", c.campaignID, c.cardID, err)
		}
		if used {
			return nil
		}
	}
	var audienceID int64
	var held bool
	var skipped string
	err := tx.QueryRowContext(ctx, `INSERT INTO automation_audience (shop_id, kind, card_id, chosen_at, held_out, skipped, occasion)
		SELECT c.shop_id, au.kind, c.id, ?1, c.skip = '' AND ?2 < au.holdout_pct, c.skip, ?3
		FROM (SELECT cd.id, cd.shop_id, CASE
				WHEN cd.email = '' THEN 'no_address'
				WHEN coalesce((SELECT granted FROM consents WHERE card_id = cd.id AND channel = 'email' AND purpose = 'marketing'
					ORDER BY id DESC LIMIT 1), 0) = 0 THEN 'no_consent'
				WHEN (SELECT count(*) FROM outbox WHERE card_id = cd.id AND purpose = 'marketing' AND created_at > ?4) >= s.marketing_cap THEN 'cap'
				ELSE '' END AS skip
			FROM cards cd JOIN shops s ON s.id = cd.shop_id
			WHERE cd.id = ?5 AND cd.shop_id = ?6 AND cd.erased_at IS NULL) c
		JOIN automations au ON au.shop_id = c.shop_id AND au.kind = ?7 AND au.enabled
		WHERE true
		ON CONFLICT DO NOTHING
		RETURNING id, held_out, skipped`,
		unix(now), draw, c.occasion, unix(now.Add(-capWindow)), c.cardID, r.shopID, r.kind).Scan(&audienceID, &held, &skipped)
	if errors.Is(err, sql.ErrNoRows) || err == nil && (held || skipped != "") {
		return nil
	}
	if err != nil {
		return fmt.Errorf("choose card %d for %s: %w", c.cardID, r.kind, err)
	}
	if r.campaignID != 0 {
		_, err := tx.ExecContext(ctx, `INSERT INTO coupons (shop_id, campaign_id, card_id, issued_at)
			SELECT shop_id, id, ?, ? FROM campaigns WHERE id = ? AND shop_id = ? AND ended_at IS NULL ON CONFLICT DO NOTHING`,
			c.cardID, unix(now), r.campaignID, r.shopID)
		if err != nil {
			return fmt.Errorf("give coupon %d to card %d: %w", r.campaignID, c.cardID, err)
		}
	}
	var outboxID int64
	err = tx.QueryRowContext(ctx, `INSERT INTO outbox (shop_id, card_id, channel, template, purpose, language, payload, next_at, idempotency_key, created_at)
		SELECT id, ?, 'email', ?, 'marketing', language, json_object('program', ?, 'event', ?, 'coupon', ?, 'news', ?, 'campaign', ?, 'points', ?, 'expires', ?), ?, ?, ? FROM shops WHERE id = ?
		ON CONFLICT DO NOTHING RETURNING id`,
		c.cardID, r.kind, c.programID, c.eventID, c.coupon, c.news, c.campaignID, c.points, unixOrZero(c.expires), unix(r.quiet.SendAt(now, r.loc)),
		r.kind+":"+strconv.FormatInt(c.cardID, 10)+":"+c.occasion, unix(now), r.shopID).Scan(&outboxID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // queued before, under the same key
	}
	if err != nil {
		return fmt.Errorf("queue %s for card %d: %w", r.kind, c.cardID, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE automation_audience SET outbox_id = ? WHERE id = ?`, outboxID, audienceID); err != nil {
		return fmt.Errorf("audience %d: %w", audienceID, err)
	}
	return nil
}

// readMarketingRun reads the settings of the shop's automation of kind; ok
// is false when it is off.
func readMarketingRun(ctx context.Context, q querier, shopID int64, kind string) (r marketingRun, ok bool, err error) {
	var zone string
	r = marketingRun{shopID: shopID, kind: kind}
	err = q.QueryRowContext(ctx, `SELECT coalesce(au.campaign_id, 0), au.days_before, au.ran_day, s.timezone, s.quiet_from, s.quiet_until
		FROM automations au JOIN shops s ON s.id = au.shop_id WHERE au.shop_id = ? AND au.kind = ? AND au.enabled`, shopID, kind).
		Scan(&r.campaignID, &r.daysBefore, &r.ranDay, &zone, &r.quiet.From, &r.quiet.Until)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("automation %s of shop %d: %w", kind, shopID, err)
	}
	if r.loc, err = Location(zone); err != nil {
		return r, false, err
	}
	return r, true, nil
}

// queueOneVisitLeft chooses the card for "one visit to go" when a stamp
// left it one stamp short of a reward, in the stamp's transaction. With the
// automation off it is one read that finds nothing. The occasion is the
// reward approached (the program and the number of rewards the card has
// earned in it), so a stamp undone and given again writes once.
func queueOneVisitLeft(ctx context.Context, tx *sql.Tx, a Action, programID, eventID int64, earnedSoFar int) error {
	r, ok, err := readMarketingRun(ctx, tx, a.ShopID, AutomationOneVisitLeft)
	if err != nil || !ok {
		return err
	}
	c := chosen{cardID: a.CardID, occasion: strconv.FormatInt(programID, 10) + ":" + strconv.Itoa(earnedSoFar+1), programID: programID, eventID: eventID}
	// The top-level functions of math/rand/v2 are seeded from the system's
	// randomness at start: the draw is random, and nobody can predict it.
	return choose(ctx, tx, r, c, rand.IntN(100), a.Now)
}

// scheduledKinds are the automations a run chooses for: daily, except
// the newsletter, which looks for fresh news every time.
var scheduledKinds = []string{AutomationWeMissYou, AutomationBirthday, AutomationCouponExpiring, AutomationNewsletter, AutomationPointsExpiring}

// RunAutomations runs, for every shop, each scheduled automation that is on
// and has not run on the shop's today: it chooses the customers, draws the
// hold-out and queues the messages, in batches. The server calls it every
// few minutes; a run cut off is run again and chooses nobody twice. rng
// draws the hold-out: nil for a generator seeded from crypto/rand for this
// run (tests pass a fixed seed to know the split).
func (s *Store) RunAutomations(ctx context.Context, now time.Time, rng *rand.Rand) error {
	if rng == nil {
		var seed [32]byte
		if _, err := crand.Read(seed[:]); err != nil {
			return fmt.Errorf("seed the hold-out draw: %w", err)
		}
		rng = rand.New(rand.NewChaCha8(seed))
	}
	type due struct {
		shopID int64
		kind   string
	}
	list, err := collect(ctx, s.r, func(r scanner) (due, error) {
		var d due
		return d, r.Scan(&d.shopID, &d.kind)
	}, `SELECT shop_id, kind FROM automations WHERE enabled AND kind IN (?, ?, ?, ?, ?) ORDER BY shop_id, kind`,
		scheduledKinds[0], scheduledKinds[1], scheduledKinds[2], scheduledKinds[3], scheduledKinds[4])
	if err != nil {
		return fmt.Errorf("automations to run: %w", err)
	}
	// One shop's failure does not keep the others' messages back.
	var errs []error
	for _, d := range list {
		if err := s.runAutomation(ctx, d.shopID, d.kind, now, rng); err != nil {
			if ctx.Err() != nil {
				return err
			}
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// runAutomation is one shop's run of one scheduled automation.
func (s *Store) runAutomation(ctx context.Context, shopID int64, kind string, now time.Time, rng *rand.Rand) error {
	r, ok, err := readMarketingRun(ctx, s.r, shopID, kind)
	if err != nil || !ok {
		return err
	}
	today := loyalty.DayNumber(now.In(r.loc))
	if r.ranDay >= today && kind != AutomationNewsletter {
		return nil
	}
	var list []chosen
	switch kind {
	case AutomationWeMissYou:
		list, err = s.missedCustomers(ctx, &r, today, now)
	case AutomationBirthday:
		list, err = s.birthdayCustomers(ctx, r, now)
	case AutomationCouponExpiring:
		list, err = s.expiringCoupons(ctx, r, now)
	case AutomationPointsExpiring:
		list, err = s.expiringPoints(ctx, r, now)
	case AutomationNewsletter:
		list, err = s.newsReaders(ctx, r, now)
	}
	if err != nil {
		return fmt.Errorf("%s of shop %d: %w", kind, shopID, err)
	}
	for len(list) > 0 {
		n := min(len(list), audienceBatch)
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			for _, c := range list[:n] {
				if err := choose(ctx, tx, r, c, rng.IntN(100), now); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("%s of shop %d: %w", kind, shopID, err)
		}
		list = list[n:]
	}
	if _, err := s.w.ExecContext(ctx, `UPDATE automations SET ran_day = ? WHERE shop_id = ? AND kind = ?`, today, shopID, kind); err != nil {
		return fmt.Errorf("%s of shop %d ran: %w", kind, shopID, err)
	}
	return nil
}

// missedFor is how long after their last visit a lapsed customer is still
// written to: past it, "we miss you" would come out of nowhere.
const missedFor = 365

// missedCustomers are the at-risk and lapsed customers (whose last visit
// was within missedFor days) not yet chosen for this absence: the occasion
// is the day of their last visit, so a customer who comes back and stays
// away again is chosen again. The run's coupon is the one the owner chose,
// if it can still be used.
func (s *Store) missedCustomers(ctx context.Context, r *marketingRun, today int, now time.Time) ([]chosen, error) {
	if err := s.EnsureSegments(ctx, r.shopID, now); err != nil {
		return nil, err
	}
	coupon := ""
	if r.campaignID != 0 {
		err := s.r.QueryRowContext(ctx, `SELECT title FROM campaigns WHERE id = ? AND shop_id = ? AND ended_at IS NULL AND paused_at IS NULL
			AND valid_from <= ?3 AND valid_until > ?3`, r.campaignID, r.shopID, unix(now)).Scan(&coupon)
		if errors.Is(err, sql.ErrNoRows) {
			r.campaignID = 0 // ended or out of its dates: the message goes without it
		} else if err != nil {
			return nil, err
		}
	}
	return collect(ctx, s.r, func(row scanner) (chosen, error) {
		c := chosen{coupon: coupon}
		return c, row.Scan(&c.cardID, &c.occasion)
	}, `SELECT cs.card_id, 'last:' || cs.last_day FROM card_stats cs
		WHERE cs.shop_id = ?1 AND cs.segment IN (?2, ?3) AND cs.last_day >= ?4
			AND NOT EXISTS (SELECT 1 FROM automation_audience a WHERE a.shop_id = ?1 AND a.kind = ?5 AND a.card_id = cs.card_id AND a.occasion = 'last:' || cs.last_day)
		ORDER BY cs.card_id`,
		r.shopID, loyalty.SegmentAtRisk, loyalty.SegmentLapsed, today-missedFor, AutomationWeMissYou)
}

// birthdayCustomers are the customers whose birthday is the shop's today,
// once a year; the message names the shop's birthday gift, if it has one
// (the daily birthday pass gives the coupon itself).
func (s *Store) birthdayCustomers(ctx context.Context, r marketingRun, now time.Time) ([]chosen, error) {
	g, err := growth(ctx, s.r, r.shopID)
	if err != nil {
		return nil, err
	}
	today := loyalty.BirthdaysNear(now, r.loc, 0)
	year := strconv.Itoa(now.In(r.loc).Year())
	args := []any{r.shopID, AutomationBirthday, year}
	for _, b := range today {
		args = append(args, b)
	}
	return collect(ctx, s.r, func(row scanner) (chosen, error) {
		c := chosen{occasion: year, coupon: g.BirthdayGift}
		return c, row.Scan(&c.cardID)
	}, `SELECT cd.id FROM cards cd WHERE cd.shop_id = ?1 AND cd.erased_at IS NULL AND cd.birthday IN (?4`+strings.Repeat(", ?", len(today)-1)+`)
			AND NOT EXISTS (SELECT 1 FROM automation_audience a WHERE a.shop_id = ?1 AND a.kind = ?2 AND a.card_id = cd.id AND a.occasion = ?3)
		ORDER BY cd.id`, args...)
}

// expiringCoupons are the coupons customers hold, unused, whose end is
// within the automation's days: one message per coupon. Whether a coupon
// was used is read through the card's events ("+e.campaign_id" keeps SQLite
// off the campaign's index, which would walk every redemption of a
// campaign given to the whole shop for each coupon).
func (s *Store) expiringCoupons(ctx context.Context, r marketingRun, now time.Time) ([]chosen, error) {
	horizon := now.Add(time.Duration(r.daysBefore) * 24 * time.Hour)
	return collect(ctx, s.r, func(row scanner) (chosen, error) {
		var c chosen
		return c, row.Scan(&c.cardID, &c.occasion, &c.coupon, &c.campaignID)
	}, `SELECT cp.card_id, 'coupon:' || cp.id, k.title, k.id FROM campaigns k
		JOIN coupons cp ON cp.campaign_id = k.id
		JOIN cards cd ON cd.id = cp.card_id AND cd.erased_at IS NULL
		WHERE k.shop_id = ?1 AND k.ended_at IS NULL AND k.paused_at IS NULL AND (k.valid_until <= ?3 OR k.birthday_year IS NOT NULL)
			AND coalesce(cp.valid_from, k.valid_from) <= ?2 AND coalesce(cp.valid_until, k.valid_until) > ?2
			AND coalesce(cp.valid_until, k.valid_until) <= ?3
			AND NOT EXISTS (SELECT 1 FROM events e WHERE e.card_id = cp.card_id AND +e.campaign_id = k.id AND e.kind = 'coupon'
				AND NOT EXISTS (SELECT 1 FROM events v WHERE v.void_of = e.id))
			AND NOT EXISTS (SELECT 1 FROM automation_audience a WHERE a.shop_id = ?1 AND a.kind = ?4 AND a.card_id = cp.card_id AND a.occasion = 'coupon:' || cp.id)
		ORDER BY cp.card_id, cp.id`, r.shopID, unix(now), unix(horizon), AutomationCouponExpiring)
}

// couponUsed says whether card ?1 of shop ?3 used its coupon of campaign ?2;
// a use undone does not count. It reads the card's events, as
// expiringCoupons does.
const couponUsed = `SELECT EXISTS (SELECT 1 FROM events e WHERE e.card_id = ?1 AND +e.campaign_id = ?2 AND e.kind = 'coupon' AND +e.shop_id = ?3
	AND NOT EXISTS (SELECT 1 FROM events v WHERE v.void_of = e.id))`

// queueRaffleResult queues, in the draw's transaction, "raffle result" to
// every entrant of the raffle who has an address and the e-mail service
// consent, when the automation is on: one statement. It is a service
// message (the customer took part), so no hold-out, cap or quiet hours;
// the text sends everyone to their card, where a winner sees the prize.
func queueRaffleResult(ctx context.Context, tx *sql.Tx, r Raffle, entrants []loyalty.Entry, now time.Time) error {
	ids := make([]string, len(entrants))
	for i, e := range entrants {
		ids[i] = strconv.FormatInt(e.CardID, 10)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO outbox (shop_id, card_id, channel, template, purpose, language, payload, next_at, idempotency_key, created_at)
		SELECT s.id, c.id, 'email', 'raffle_result', 'service', s.language, json_object('prize', ?3), ?4, 'raffle_result:' || ?5 || ':' || c.id, ?4
		FROM shops s
		JOIN automations au ON au.shop_id = s.id AND au.kind = 'raffle_result' AND au.enabled
		JOIN json_each(?2) j
		JOIN cards c ON c.id = j.value AND c.shop_id = s.id AND c.email != '' AND c.erased_at IS NULL
		WHERE s.id = ?1 AND coalesce((SELECT granted FROM consents WHERE card_id = c.id AND channel = 'email' AND purpose = 'service'
			ORDER BY id DESC LIMIT 1), 0) = 1
		ON CONFLICT DO NOTHING`, r.ShopID, "["+strings.Join(ids, ",")+"]", r.Prize, unix(now), r.ID)
	if err != nil {
		return fmt.Errorf("queue raffle result of raffle %d: %w", r.ID, err)
	}
	return nil
}

// newsFresh is how long after it was published news is still sent as a
// newsletter: turning the newsletter on sends the latest news if it is
// this young, not the shop's whole history.
const newsFresh = 48 * time.Hour

// newsReaders are the customers who agreed to offers and have an address,
// for each of the shop's news published in the last newsFresh and still
// shown, not yet chosen for it; a club's news only for its members. The consent is read from cards.consent_at,
// which stays in step with the e-mail marketing consent (db/consent.go);
// choose reads the consent itself again.
func (s *Store) newsReaders(ctx context.Context, r marketingRun, now time.Time) ([]chosen, error) {
	return collect(ctx, s.r, func(row scanner) (chosen, error) {
		var c chosen
		return c, row.Scan(&c.cardID, &c.occasion, &c.news)
	}, `SELECT c.id, 'news:' || n.id, n.body FROM news n
		JOIN cards c ON c.shop_id = n.shop_id AND c.consent_at IS NOT NULL AND c.email != '' AND c.erased_at IS NULL
		WHERE n.shop_id = ?1 AND n.removed_at IS NULL AND n.created_at > ?2 AND (n.ends_at IS NULL OR n.ends_at > ?3)
			AND NOT EXISTS (SELECT 1 FROM automation_audience a WHERE a.shop_id = ?1 AND a.kind = ?4 AND a.card_id = c.id AND a.occasion = 'news:' || n.id)
			AND (n.club_id IS NULL OR EXISTS (SELECT 1 FROM club_members m WHERE m.card_id = c.id AND m.club_id = n.club_id AND m.left_at IS NULL))
		ORDER BY n.id, c.id`, r.shopID, unix(now.Add(-newsFresh)), unix(now), AutomationNewsletter)
}

package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"regulars/loyalty"
)

// The kinds of automation. Reward ready and the raffle's result are
// service messages (what the customer asked to hear about their card); the
// others are marketing: they keep a hold-out, count against the cap and wait
// for the end of the quiet hours.
const (
	// AutomationRewardReady e-mails a customer whose stamp earned a reward.
	AutomationRewardReady = "reward_ready"
	// AutomationOneVisitLeft: a stamp left the card one stamp short of its reward.
	AutomationOneVisitLeft = "one_visit_left"
	// AutomationWeMissYou: an at-risk or lapsed customer, optionally with a coupon.
	AutomationWeMissYou = "we_miss_you"
	// AutomationBirthday: the customer's birthday, with the shop's gift if any.
	AutomationBirthday = "birthday"
	// AutomationCouponExpiring: a coupon the customer holds ends in a few days.
	AutomationCouponExpiring = "coupon_expiring"
	// AutomationRaffleResult: the draw of a raffle the customer entered.
	AutomationRaffleResult = "raffle_result"
	// AutomationNewsletter: the shop published news.
	AutomationNewsletter = "newsletter"
	// AutomationPointsExpiring: points the customer holds expire in a few
	// days (marketing, as "coupon expiring": db/points.go).
	AutomationPointsExpiring = "points_expiring"
)

// AutomationKinds lists the kinds in the order the owner's page shows them.
var AutomationKinds = []string{AutomationRewardReady, AutomationOneVisitLeft, AutomationWeMissYou, AutomationBirthday,
	AutomationCouponExpiring, AutomationPointsExpiring, AutomationRaffleResult, AutomationNewsletter}

// IsAutomation reports whether kind is one of AutomationKinds.
func IsAutomation(kind string) bool { return slices.Contains(AutomationKinds, kind) }

// IsMarketing reports whether messages of kind are marketing: a hold-out,
// the cap and the quiet hours apply to them.
func IsMarketing(kind string) bool {
	return IsAutomation(kind) && kind != AutomationRewardReady && kind != AutomationRaffleResult
}

// Defaults and bounds of the settings (migrations/0024_automation_settings.sql).
const (
	DefaultHoldout    = 10
	MaxHoldout        = 50
	DefaultDaysBefore = 3
	MaxDaysBefore     = 30
	DefaultCap        = 4
	MaxCap            = 30
)

// AutomationText is an owner's own text of an automation in one language.
type AutomationText struct {
	Subject, Body string
}

// Automation is one automation of a shop: off until the owner turns it on.
type Automation struct {
	Kind    string
	Enabled bool
	// Texts are the owner's own texts by language; a language without one
	// uses the catalogue's.
	Texts map[string]AutomationText
	// Holdout is the share of a marketing automation's audience, in
	// percent, that gets no message.
	Holdout int
	// CampaignID is the coupon "we miss you" gives; 0: none.
	CampaignID int64
	// DaysBefore is how long before a coupon's end "coupon expiring" writes.
	DaysBefore int
}

// Automation reads the shop's automation of kind.
func (s *Store) Automation(ctx context.Context, shopID int64, kind string) (Automation, error) {
	var a Automation
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		a, err = automation(ctx, tx, shopID, kind)
		return err
	})
	if err != nil {
		return a, fmt.Errorf("automation %s of shop %d: %w", kind, shopID, err)
	}
	return a, nil
}

func automation(ctx context.Context, q querier, shopID int64, kind string) (Automation, error) {
	a := Automation{Kind: kind, Holdout: DefaultHoldout, DaysBefore: DefaultDaysBefore}
	err := q.QueryRowContext(ctx, `SELECT enabled, holdout_pct, coalesce(campaign_id, 0), days_before FROM automations WHERE shop_id = ? AND kind = ?`,
		shopID, kind).Scan(&a.Enabled, &a.Holdout, &a.CampaignID, &a.DaysBefore)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return a, err
	}
	a.Texts, err = automationTexts(ctx, q, shopID, kind, "")
	return a, err
}

// AutomationPage is what the owner's page of an automation shows.
type AutomationPage struct {
	Automation Automation
	Report     OutboxReport
	// Reward is the default program's reward, for the preview.
	Reward string
	// Coupons are those "we miss you" may give.
	Coupons []CouponChoice
}

// AutomationPage reads the automation of kind, the shop's outbox report and
// its default program's reward, in one snapshot.
func (s *Store) AutomationPage(ctx context.Context, shopID int64, kind string) (AutomationPage, error) {
	var p AutomationPage
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		if p.Automation, err = automation(ctx, tx, shopID, kind); err != nil {
			return err
		}
		if p.Report, err = outboxReport(ctx, tx, shopID); err != nil {
			return err
		}
		if kind == AutomationWeMissYou {
			if p.Coupons, err = giveableCoupons(ctx, tx, shopID); err != nil {
				return err
			}
		}
		err = tx.QueryRowContext(ctx, `SELECT reward_text FROM programs WHERE shop_id = ? AND is_default AND archived_at IS NULL`, shopID).Scan(&p.Reward)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	if err != nil {
		return p, fmt.Errorf("automation page %s of shop %d: %w", kind, shopID, err)
	}
	return p, nil
}

// automationTexts reads the owner's texts of an automation: in every
// language, or in lang only.
func automationTexts(ctx context.Context, q querier, shopID int64, kind, lang string) (map[string]AutomationText, error) {
	rows, err := q.QueryContext(ctx, `SELECT language, subject, body FROM automation_texts WHERE shop_id = ? AND kind = ? AND (?3 = '' OR language = ?3)`,
		shopID, kind, lang)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	texts := map[string]AutomationText{}
	for rows.Next() {
		var l string
		var t AutomationText
		if err := rows.Scan(&l, &t.Subject, &t.Body); err != nil {
			return nil, err
		}
		texts[l] = t
	}
	return texts, rows.Err()
}

// SaveAutomation turns the automation on or off and keeps its settings and
// the owner's texts; a language missing from texts goes back to the
// catalogue's text. A coupon that is not the shop's, or can no longer be
// given, is ErrNotFound.
func (s *Store) SaveAutomation(ctx context.Context, shopID int64, a Automation, now time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if a.CampaignID != 0 {
			// Only a coupon of this shop that can still be given, as giveableCoupons.
			var ok bool
			err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM campaigns WHERE id = ? AND shop_id = ? AND ended_at IS NULL
				AND audience != 'code' AND birthday_year IS NULL AND club_id IS NULL)`, a.CampaignID, shopID).Scan(&ok)
			if err != nil {
				return err
			}
			if !ok {
				return ErrNotFound
			}
		}
		if a.DaysBefore == 0 { // a caller that sets only the switch and texts
			a.DaysBefore = DefaultDaysBefore
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO automations (shop_id, kind, enabled, updated_at, holdout_pct, campaign_id, days_before)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (shop_id, kind) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at,
				holdout_pct = excluded.holdout_pct, campaign_id = excluded.campaign_id, days_before = excluded.days_before`,
			shopID, a.Kind, a.Enabled, unix(now), a.Holdout, null(a.CampaignID), a.DaysBefore)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM automation_texts WHERE shop_id = ? AND kind = ?`, shopID, a.Kind); err != nil {
			return err
		}
		for lang, t := range a.Texts {
			_, err := tx.ExecContext(ctx, `INSERT INTO automation_texts (shop_id, kind, language, subject, body) VALUES (?, ?, ?, ?, ?)`,
				shopID, a.Kind, lang, t.Subject, t.Body)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save automation %s of shop %d: %w", a.Kind, shopID, err)
	}
	return nil
}

// MarketingLimits are the shop's limits on marketing messages: at most Cap
// per customer in 30 days, none sent in the quiet hours.
type MarketingLimits struct {
	Cap   int
	Quiet loyalty.QuietHours
}

func marketingLimits(ctx context.Context, q querier, shopID int64) (MarketingLimits, error) {
	var l MarketingLimits
	err := q.QueryRowContext(ctx, `SELECT marketing_cap, quiet_from, quiet_until FROM shops WHERE id = ?`, shopID).Scan(&l.Cap, &l.Quiet.From, &l.Quiet.Until)
	return l, notFound(err)
}

// SaveMarketingLimits keeps the shop's limits on marketing messages.
func (s *Store) SaveMarketingLimits(ctx context.Context, shopID int64, l MarketingLimits) error {
	_, err := s.w.ExecContext(ctx, `UPDATE shops SET marketing_cap = ?, quiet_from = ?, quiet_until = ? WHERE id = ?`,
		l.Cap, l.Quiet.From, l.Quiet.Until, shopID)
	if err != nil {
		s.noteRefusal(err)
		return fmt.Errorf("marketing limits of shop %d: %w", shopID, err)
	}
	return nil
}

// AutomationList is the owner's list of automations: each kind's switch,
// the shop's limits and its outbox report.
type AutomationList struct {
	// Enabled says which kinds are on.
	Enabled map[string]bool
	Limits  MarketingLimits
	Report  OutboxReport
}

// AutomationList reads the list page's facts in one snapshot.
func (s *Store) AutomationList(ctx context.Context, shopID int64) (AutomationList, error) {
	l := AutomationList{Enabled: map[string]bool{}}
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		kinds, err := collect(ctx, tx, func(r scanner) (string, error) {
			var k string
			return k, r.Scan(&k)
		}, `SELECT kind FROM automations WHERE shop_id = ? AND enabled`, shopID)
		if err != nil {
			return err
		}
		for _, k := range kinds {
			l.Enabled[k] = true
		}
		if l.Limits, err = marketingLimits(ctx, tx, shopID); err != nil {
			return err
		}
		l.Report, err = outboxReport(ctx, tx, shopID)
		return err
	})
	if err != nil {
		return l, fmt.Errorf("automations of shop %d: %w", shopID, err)
	}
	return l, nil
}

// CouponChoice is a coupon the owner may have "we miss you" give.
type CouponChoice struct {
	ID    int64
	Title string
}

// giveableCoupons are the shop's campaigns an automation may give: not
// ended, not a public code, not a birthday gift, not a club's (its members'
// alone), newest first.
func giveableCoupons(ctx context.Context, q querier, shopID int64) ([]CouponChoice, error) {
	return collect(ctx, q, func(r scanner) (CouponChoice, error) {
		var c CouponChoice
		return c, r.Scan(&c.ID, &c.Title)
	}, `SELECT id, title FROM campaigns WHERE shop_id = ? AND ended_at IS NULL AND audience != 'code' AND birthday_year IS NULL AND club_id IS NULL ORDER BY id DESC`, shopID)
}

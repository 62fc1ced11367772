package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"regulars/loyalty"
)

// Notes of the bonus events the shop's growth tools write; the views
// translate them.
const (
	WelcomeNote  = "welcome"
	ReferralNote = "referral"
)

// Growth is what the owner sets to bring customers in: the poster's pitch,
// the welcome gift, the referral bonus and the birthday gift. Zero values
// turn a gift off.
type Growth struct {
	Pitch             string
	WelcomeStamps     int
	WelcomeCampaignID int64
	ReferralStamps    int
	ReferralCap       int // bonuses per referrer per calendar month
	BirthdayGift      string
	BirthdayDays      int
}

// Growth returns the shop's growth settings.
func (s *Store) Growth(ctx context.Context, shopID int64) (Growth, error) {
	return growth(ctx, s.r, shopID)
}

func growth(ctx context.Context, q querier, shopID int64) (Growth, error) {
	var g Growth
	err := q.QueryRowContext(ctx, `SELECT pitch, welcome_stamps, coalesce(welcome_campaign_id, 0), referral_stamps, referral_cap, birthday_gift, birthday_days
		FROM shops WHERE id = ?`, shopID).Scan(&g.Pitch, &g.WelcomeStamps, &g.WelcomeCampaignID, &g.ReferralStamps, &g.ReferralCap, &g.BirthdayGift, &g.BirthdayDays)
	if err != nil {
		return g, fmt.Errorf("growth settings of shop %d: %w", shopID, notFound(err))
	}
	return g, nil
}

// SaveGrowth stores the settings, checked by the caller, on behalf of userID.
// A welcome campaign of another shop is not found.
func (s *Store) SaveGrowth(ctx context.Context, shopID int64, g Growth, userID int64, now time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if g.WelcomeCampaignID != 0 {
			if _, err := campaign(ctx, tx, shopID, g.WelcomeCampaignID); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE shops SET pitch = ?, welcome_stamps = ?, welcome_campaign_id = ?, referral_stamps = ?, referral_cap = ?,
			birthday_gift = ?, birthday_days = ? WHERE id = ?`,
			g.Pitch, g.WelcomeStamps, null(g.WelcomeCampaignID), g.ReferralStamps, g.ReferralCap, g.BirthdayGift, g.BirthdayDays, shopID)
		if err != nil {
			return err
		}
		return recordAudit(ctx, tx, shopID, userID, AuditGrowth, "", now)
	})
	if err != nil {
		return fmt.Errorf("save growth settings of shop %d: %w", shopID, err)
	}
	return nil
}

// Ways a card comes to be; each gets the welcome gift.
const (
	JoinedAtCounter = "counter" // a cashier enrolled the customer
	JoinedByPoster  = "poster"  // the customer scanned the shop's poster
	JoinedByPrinted = "printed" // a cashier activated a printed card
)

// NewCard is a new customer's card: what they told, how they joined.
type NewCard struct {
	FirstName string
	Phone     string // normalized
	Email     string
	Birthday  string // "MM-DD" or empty
	Consent   bool   // agreed to hear from the shop
	// EmailService: agreed to an e-mail about their own card (a reward ready).
	EmailService bool
	// InviteCode is the invite link's code of the card that referred them, if any.
	InviteCode string
	CreatedBy  int64 // 0 when the customer joined by themselves
	Key        string
	// OfferSamePhone: when another card of the shop has the phone number,
	// EnrollCard answers with a *SamePhoneError instead of a second card.
	// The counter asks it (the customer has forgotten their card), until
	// the cashier confirms a second one (a family sharing a phone); a
	// customer joining by themselves is never shown another's card.
	OfferSamePhone bool
}

// SamePhoneError says the shop has a card with the phone number already:
// most often the customer's own, forgotten.
type SamePhoneError struct{ Card Card }

func (e *SamePhoneError) Error() string {
	return fmt.Sprintf("card %d has the phone number", e.Card.ID)
}

// createCard inserts the card with the token and short code given, records
// who referred it and gives the welcome gift, all in the caller's transaction.
// A replayed key is a *ReplayedError naming the card made the first time.
func createCard(ctx context.Context, tx *sql.Tx, shopID int64, n NewCard, token, shortCode string, now time.Time) (Card, error) {
	var c Card
	if n.Key != "" {
		var earlier int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM cards WHERE shop_id = ? AND idempotency_key = ?`, shopID, n.Key).Scan(&earlier)
		if err == nil {
			return c, &ReplayedError{ID: earlier}
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return c, err
		}
	}
	var consent any
	if n.Consent {
		consent = unix(now)
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO cards (shop_id, token, short_code, first_name, phone, email, birthday, name_key, phone_key,
		consent_at, created_by, created_at, idempotency_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		shopID, token, shortCode, n.FirstName, n.Phone, n.Email, n.Birthday, loyalty.NameKey(n.FirstName), loyalty.PhoneKey(n.Phone),
		consent, null(n.CreatedBy), unix(now), nullString(n.Key)).Scan(&c.ID)
	if err != nil {
		return c, err
	}
	if err := recordNewCardConsent(ctx, tx, shopID, c.ID, n, now); err != nil {
		return c, err
	}
	if err := recordReferral(ctx, tx, shopID, c.ID, n.InviteCode, now); err != nil {
		return c, err
	}
	if err := grantWelcome(ctx, tx, shopID, c.ID, n.CreatedBy, now); err != nil {
		return c, err
	}
	return scanCard(tx.QueryRowContext(ctx, `SELECT `+cardColumns+` FROM cards WHERE id = ?`, c.ID))
}

// recordReferral notes that the card joined by the invite link of another
// card of the shop. An unknown or erased referrer is ignored: the friend
// still joins, without a referral.
func recordReferral(ctx context.Context, tx *sql.Tx, shopID, cardID int64, inviteCode string, now time.Time) error {
	if inviteCode == "" {
		return nil
	}
	var referrer int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM cards WHERE shop_id = ? AND invite_code = ? AND erased_at IS NULL`, shopID, inviteCode).Scan(&referrer)
	if errors.Is(err, sql.ErrNoRows) || referrer == cardID {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO referrals (shop_id, referrer_id, friend_id, created_at) VALUES (?, ?, ?, ?)`, shopID, referrer, cardID, unix(now))
	return err
}

// grantWelcome gives a new card the shop's welcome gift: bonus stamps in the
// default program, and the welcome coupon if its campaign still runs.
func grantWelcome(ctx context.Context, tx *sql.Tx, shopID, cardID, userID int64, now time.Time) error {
	g, err := growth(ctx, tx, shopID)
	if err != nil {
		return err
	}
	if g.WelcomeStamps > 0 {
		var programID int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM programs WHERE shop_id = ? AND is_default = 1 AND archived_at IS NULL`, shopID).Scan(&programID)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if programID != 0 {
			a := Action{ShopID: shopID, CardID: cardID, ProgramID: programID, UserID: userID, Now: now}
			if _, err := insertEvent(ctx, tx, a, newEvent{kind: loyalty.KindBonus, programID: programID, stamps: g.WelcomeStamps, note: WelcomeNote}); err != nil {
				return fmt.Errorf("welcome stamps: %w", err)
			}
		}
	}
	if g.WelcomeCampaignID != 0 {
		c, err := campaign(ctx, tx, shopID, g.WelcomeCampaignID)
		if err != nil {
			return fmt.Errorf("welcome coupon: %w", err)
		}
		if !c.Ended && !c.ValidUntil.Before(now) {
			return issue(ctx, tx, shopID, c.ID, []int64{cardID}, now)
		}
	}
	return nil
}

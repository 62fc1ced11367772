package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"regulars/loyalty"
)

// payReferral settles the referral of the card a cashier just stamped
// (stampID) in Stamp's transaction: at its first stamp from a cashier, the
// friend and the referrer get the owner's bonus in the stamped program, as
// package loyalty decides. A referral is settled once, whatever it gave: a
// replayed stamp never gets here, a later stamp finds it paid, and undoing
// the first stamp leaves the bonuses given (the friend did come in). The
// action's first read said whether the card has a referral to pay (act).
func payReferral(ctx context.Context, tx *sql.Tx, a Action, programID, stampID int64) error {
	if a.UserID == 0 || !a.referred {
		return nil
	}
	var refID, referrerID int64
	err := tx.QueryRowContext(ctx, `SELECT id, referrer_id FROM referrals WHERE friend_id = ? AND shop_id = ? AND paid_at IS NULL`,
		a.CardID, a.ShopID).Scan(&refID, &referrerID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	g, err := growth(ctx, tx, a.ShopID)
	if err != nil {
		return err
	}
	clock, err := loadShopClock(ctx, tx, a.ShopID)
	if err != nil {
		return err
	}
	monthStart, monthEnd := loyalty.CalendarMonth(a.Now, clock.loc)
	var (
		r                            = loyalty.Referral{Bonus: g.ReferralStamps, Cap: g.ReferralCap, SameCard: referrerID == a.CardID}
		stampedBefore                bool
		friendPhone, friendEmail     string
		referrerPhone, referrerEmail string
	)
	// "+shop_id" and "+user_id" take no index: the friend's earlier stamps
	// are found through the card's events, not the shop's.
	err = tx.QueryRowContext(ctx, `SELECT
		EXISTS (SELECT 1 FROM events WHERE card_id = ?1 AND +shop_id = ?3 AND kind = 'stamp' AND +user_id IS NOT NULL AND id <> ?4),
		(SELECT count(*) FROM referrals WHERE referrer_id = ?2 AND shop_id = ?3 AND referrer_paid = 1 AND paid_at >= ?5 AND paid_at < ?6),
		f.phone, f.email, r.phone, r.email, r.erased_at IS NOT NULL
		FROM cards f, cards r WHERE f.id = ?1 AND r.id = ?2 AND f.shop_id = ?3 AND r.shop_id = ?3`,
		a.CardID, referrerID, a.ShopID, stampID, unix(monthStart), unix(monthEnd)).
		Scan(&stampedBefore, &r.ReferrerPaidThisMonth, &friendPhone, &friendEmail, &referrerPhone, &referrerEmail, &r.ReferrerErased)
	if err != nil {
		return fmt.Errorf("referral %d: %w", refID, err)
	}
	r.FirstStamp = !stampedBefore
	r.SamePerson = loyalty.SamePerson(friendPhone, friendEmail, referrerPhone, referrerEmail)
	bonus := r.Bonuses()
	// The bonus events carry no key: the stamp's key is the one that makes the whole visit happen once.
	give := func(cardID int64, stamps int) error {
		if stamps == 0 {
			return nil
		}
		// kept: the referrer's card, written for, keeps no entry (kept.go).
		b := Action{ShopID: a.ShopID, CardID: cardID, ProgramID: programID, UserID: a.UserID, Now: a.Now, kept: a.kept}
		_, err := insertEvent(ctx, tx, b, newEvent{kind: loyalty.KindBonus, programID: programID, stamps: stamps, note: ReferralNote})
		return err
	}
	if err := give(a.CardID, bonus.Friend); err != nil {
		return fmt.Errorf("friend's referral bonus: %w", err)
	}
	if err := give(referrerID, bonus.Referrer); err != nil {
		return fmt.Errorf("referrer's referral bonus: %w", err)
	}
	// The referral keeps what it gave: the friend's card collects the bonuses
	// of its own invitations too, and the owner's list tells them apart.
	_, err = tx.ExecContext(ctx, `UPDATE referrals SET paid_at = ?, referrer_paid = ?, friend_bonus = ?, referrer_bonus = ? WHERE id = ?`,
		unix(a.Now), bonus.Referrer > 0, bonus.Friend, bonus.Referrer, refID)
	return err
}

// Referral is one friend who joined by a card's invite link, as the owner
// sees it. Names are first names, empty when the customer gave none or was
// erased; codes are formatted short codes.
type Referral struct {
	ID                           int64
	ReferrerID, FriendID         int64
	ReferrerName, ReferrerCode   string
	FriendName, FriendCode       string
	ReferrerErased, FriendErased bool
	JoinedAt                     time.Time
	// PaidAt is the friend's first stamp from a cashier, when the referral
	// was settled; zero until then.
	PaidAt time.Time
	// FriendBonus is the stamps the friend got for this referral (not those
	// the friend earned by inviting others); 0 when the bonus was off or the
	// referral was the customer's own.
	FriendBonus int
	// ReferrerBonus is the stamps the referrer got for it.
	ReferrerBonus int
	// ReferrerPaid: the referrer got the bonus too. Not, with a FriendBonus:
	// the referrer had reached the month's cap, or was erased (ReferrerErased).
	ReferrerPaid bool
}

// ReferralTotals counts a shop's referrals.
type ReferralTotals struct {
	Joined      int // friends who joined by an invite link
	Stamped     int // of them, those who got their first stamp
	BonusStamps int // stamps given as referral bonuses, to both sides: the sum of the rows'
}

// maxReferralsListed bounds the owner's list: the newest are the ones to check.
const maxReferralsListed = 500

// Referrals lists who referred whom in the shop, newest first, and the totals.
func (s *Store) Referrals(ctx context.Context, shopID int64) ([]Referral, ReferralTotals, error) {
	var tot ReferralTotals
	list, err := collect(ctx, s.r, func(row scanner) (Referral, error) {
		var r Referral
		var joined int64
		var paid sql.NullInt64
		err := row.Scan(&r.ID, &r.ReferrerID, &r.FriendID, &r.ReferrerName, &r.ReferrerCode, &r.ReferrerErased,
			&r.FriendName, &r.FriendCode, &r.FriendErased, &joined, &paid, &r.FriendBonus, &r.ReferrerBonus, &r.ReferrerPaid)
		r.ReferrerCode, r.FriendCode = loyalty.FormatShortCode(r.ReferrerCode), loyalty.FormatShortCode(r.FriendCode)
		r.JoinedAt = fromUnix(joined)
		if paid.Valid {
			r.PaidAt = fromUnix(paid.Int64)
		}
		return r, err
	}, `SELECT x.id, x.referrer_id, x.friend_id, rc.first_name, rc.short_code, rc.erased_at IS NOT NULL,
			fc.first_name, fc.short_code, fc.erased_at IS NOT NULL, x.created_at, x.paid_at, x.friend_bonus, x.referrer_bonus, x.referrer_paid
		FROM referrals x JOIN cards rc ON rc.id = x.referrer_id JOIN cards fc ON fc.id = x.friend_id
		WHERE x.shop_id = ? ORDER BY x.created_at DESC, x.id DESC LIMIT `+fmt.Sprint(maxReferralsListed), shopID)
	if err != nil {
		return nil, tot, fmt.Errorf("referrals of shop %d: %w", shopID, err)
	}
	// The total sums what the rows say, over every referral, not the ledger's
	// bonus events: the two cannot disagree.
	err = s.r.QueryRowContext(ctx, `SELECT count(*), count(paid_at), coalesce(sum(friend_bonus + referrer_bonus), 0)
		FROM referrals WHERE shop_id = ?`, shopID).Scan(&tot.Joined, &tot.Stamped, &tot.BonusStamps)
	if err != nil {
		return nil, tot, fmt.Errorf("referral totals of shop %d: %w", shopID, err)
	}
	return list, tot, nil
}

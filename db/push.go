package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Web push (migrations/0023_push.sql): the subscriptions the card page
// records when its customer taps "Notify me", which the outbox's push
// sender (outbox/push.go) sends to.

// ChannelPush is the channel of web push messages, whose consent is given by
// subscribing on the card page.
const ChannelPush = "push"

// MaxPushSubscriptions is how many live subscriptions a card keeps: one per
// phone of a family sharing it, say. A new one beyond ends the oldest, so
// that whoever holds the card's link cannot pile up endpoints for the
// worker to call.
const MaxPushSubscriptions = 5

// PushSubscription is where a phone receives a card's notifications.
type PushSubscription struct {
	ID, ShopID, CardID int64
	Endpoint           string
	P256dh, Auth       string // the browser's keys, base64url (RFC 8291)
	Language           string
	// Gone: no longer to be sent to (the push service said so, or the
	// customer turned notifications off).
	Gone bool
}

// SavePushSubscription records the subscription a card's page made, and the
// card's consent to service messages by push, given on the card page, in one
// transaction. The same subscription again (a double tap, a page reloaded)
// changes nothing but its time; one that had ended lives again.
func (s *Store) SavePushSubscription(ctx context.Context, sub PushSubscription, now time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := cardInShop(ctx, tx, Action{ShopID: sub.ShopID, CardID: sub.CardID}); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO push_subscriptions (shop_id, card_id, endpoint, p256dh, auth, language, created_at)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
			ON CONFLICT (card_id, endpoint) DO UPDATE SET p256dh = ?4, auth = ?5, language = ?6, created_at = ?7, gone_at = NULL, last_error = ''`,
			sub.ShopID, sub.CardID, sub.Endpoint, sub.P256dh, sub.Auth, sub.Language, unix(now))
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE push_subscriptions SET gone_at = ?3, last_error = 'replaced by a newer subscription'
			WHERE shop_id = ?1 AND card_id = ?2 AND gone_at IS NULL AND id NOT IN (
				SELECT id FROM push_subscriptions WHERE shop_id = ?1 AND card_id = ?2 AND gone_at IS NULL ORDER BY created_at DESC, id DESC LIMIT ?4)`,
			sub.ShopID, sub.CardID, unix(now), MaxPushSubscriptions)
		if err != nil {
			return err
		}
		return setConsent(ctx, tx, sub.ShopID, sub.CardID, ChannelPush, PurposeService, true, ConsentOnCard, now)
	})
	if err != nil {
		return fmt.Errorf("save push subscription of card %d: %w", sub.CardID, err)
	}
	return nil
}

// EndPushSubscription ends the subscription of the card at endpoint, which
// its customer turned off on the card page, and withdraws the card's push
// consent when no other phone of it still has one.
func (s *Store) EndPushSubscription(ctx context.Context, shopID, cardID int64, endpoint string, now time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := cardInShop(ctx, tx, Action{ShopID: shopID, CardID: cardID}); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE push_subscriptions SET gone_at = ?, last_error = 'turned off on the card page'
			WHERE shop_id = ? AND card_id = ? AND endpoint = ? AND gone_at IS NULL`, unix(now), shopID, cardID, endpoint)
		if err != nil {
			return err
		}
		var live bool
		err = tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM push_subscriptions WHERE card_id = ? AND shop_id = ? AND gone_at IS NULL)`,
			cardID, shopID).Scan(&live)
		if err != nil || live {
			return err
		}
		return setConsent(ctx, tx, shopID, cardID, ChannelPush, PurposeService, false, ConsentOnCard, now)
	})
	if err != nil {
		return fmt.Errorf("end push subscription of card %d: %w", cardID, err)
	}
	return nil
}

// PushGone ends the subscription that outbox message id was sent to, for
// every card of the message's shop on that phone: its push service answered
// that the endpoint no longer exists (reason).
func (s *Store) PushGone(ctx context.Context, messageID int64, reason string, now time.Time) error {
	_, err := s.w.ExecContext(ctx, `UPDATE push_subscriptions SET gone_at = ?1, last_error = ?2
		WHERE gone_at IS NULL AND (shop_id, endpoint) = (SELECT ps.shop_id, ps.endpoint FROM outbox o
			JOIN push_subscriptions ps ON ps.id = o.payload ->> 'sub' AND ps.shop_id = o.shop_id AND ps.card_id = o.card_id
			WHERE o.id = ?3)`, unix(now), reason, messageID)
	if err != nil {
		s.noteRefusal(err)
		return fmt.Errorf("push subscription of message %d gone: %w", messageID, err)
	}
	return nil
}

// pushSubscription reads subscription id of the card, for sending to it;
// one that no longer exists is Gone.
func pushSubscription(ctx context.Context, q querier, shopID, cardID, id int64) (*PushSubscription, error) {
	p := PushSubscription{ID: id, ShopID: shopID, CardID: cardID}
	err := q.QueryRowContext(ctx, `SELECT endpoint, p256dh, auth, language, gone_at IS NOT NULL FROM push_subscriptions
		WHERE id = ? AND shop_id = ? AND card_id = ?`, id, shopID, cardID).Scan(&p.Endpoint, &p.P256dh, &p.Auth, &p.Language, &p.Gone)
	if errors.Is(err, sql.ErrNoRows) {
		return &PushSubscription{ID: id, ShopID: shopID, CardID: cardID, Gone: true}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("push subscription %d: %w", id, err)
	}
	return &p, nil
}

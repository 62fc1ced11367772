package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// The outbox (migrations/0019_outbox.sql): messages written in the
// transaction of the event that causes them, sent by the worker of package
// outbox. Its writes are each one short statement: the worker never holds
// the writer while it talks to a mail server.

// States of a message.
const (
	OutboxQueued  = "queued"
	OutboxSending = "sending"
	OutboxSent    = "sent"
	OutboxFailed  = "failed"
	OutboxDropped = "dropped"
)

// queueRewardReady queues the "reward ready" messages of the stamp (or bonus)
// event eventID that earned rewards, in its transaction, when the shop's
// automation is on: an e-mail when the card has an address and the service
// consent of e-mail, and a push notice to each phone the card has a live
// subscription on when it has the service consent of push, in the language
// of the page it subscribed on. One statement per channel; it runs only for
// an event that earned a reward, so an ordinary stamp pays nothing for it.
func queueRewardReady(ctx context.Context, tx *sql.Tx, a Action, programID, eventID int64, earned int) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO outbox (shop_id, card_id, channel, template, purpose, language, payload, next_at, idempotency_key, created_at)
		SELECT s.id, c.id, 'email', 'reward_ready', 'service', s.language, json_object('program', ?3, 'event', ?4, 'rewards', ?5), ?6, 'reward_ready:' || ?4, ?6
		FROM shops s
		JOIN automations au ON au.shop_id = s.id AND au.kind = 'reward_ready' AND au.enabled
		JOIN cards c ON c.id = ?2 AND c.shop_id = s.id AND c.email != '' AND c.erased_at IS NULL
		WHERE s.id = ?1 AND coalesce((SELECT granted FROM consents WHERE card_id = ?2 AND channel = 'email' AND purpose = 'service'
			ORDER BY id DESC LIMIT 1), 0) = 1
		ON CONFLICT DO NOTHING`, a.ShopID, a.CardID, programID, eventID, earned, unix(a.Now))
	if err != nil {
		return fmt.Errorf("queue reward ready: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO outbox (shop_id, card_id, channel, template, purpose, language, payload, next_at, idempotency_key, created_at)
		SELECT s.id, c.id, 'push', 'reward_ready', 'service', ps.language, json_object('program', ?3, 'event', ?4, 'rewards', ?5, 'sub', ps.id), ?6,
			'reward_ready:push:' || ?4 || ':' || ps.id, ?6
		FROM shops s
		JOIN automations au ON au.shop_id = s.id AND au.kind = 'reward_ready' AND au.enabled
		JOIN cards c ON c.id = ?2 AND c.shop_id = s.id AND c.erased_at IS NULL
		JOIN push_subscriptions ps ON ps.card_id = c.id AND ps.shop_id = s.id AND ps.gone_at IS NULL
		WHERE s.id = ?1 AND coalesce((SELECT granted FROM consents WHERE card_id = ?2 AND channel = 'push' AND purpose = 'service'
			ORDER BY id DESC LIMIT 1), 0) = 1
		ON CONFLICT DO NOTHING`, a.ShopID, a.CardID, programID, eventID, earned, unix(a.Now))
	if err != nil {
		return fmt.Errorf("queue reward ready by push: %w", err)
	}
	return nil
}

// OutboxMessage is a message the worker claimed.
type OutboxMessage struct {
	ID, ShopID, CardID         int64
	Channel, Template, Purpose string
	Language                   string
	Payload                    OutboxPayload
	// Attempts counts this one.
	Attempts  int
	CreatedAt time.Time
}

// OutboxPayload is what the event told its message.
type OutboxPayload struct {
	ProgramID int64 `json:"program"`
	EventID   int64 `json:"event"`
	Rewards   int   `json:"rewards"`
	// Subscription is the push subscription a push message goes to.
	Subscription int64 `json:"sub,omitempty"`
	// Coupon is the name of the coupon a marketing message is about, Prize
	// the raffle's prize, News the text of the news (automations_run.go).
	Coupon string `json:"coupon,omitempty"`
	Prize  string `json:"prize,omitempty"`
	News   string `json:"news,omitempty"`
	// Gift is a redeemed gift's name and GiftState its new state (catalogue.go).
	Gift      string `json:"gift,omitempty"`
	GiftState string `json:"gift_state,omitempty"`
	// Tier is the name of the tier a card reached (tiers.go).
	Tier string `json:"tier,omitempty"`
	// CampaignID is the campaign of the coupon "coupon expiring" reminds of.
	CampaignID int64 `json:"campaign,omitempty"`
	// Points is how many points "points expiring" says expire, and Expires
	// when the first of them do (Unix seconds); both 0 in messages queued
	// before the payload carried them.
	Points  int   `json:"points,omitempty"`
	Expires int64 `json:"expires,omitempty"`
}

// ClaimOutbox marks up to limit messages due at now as sending, until
// now+lease, and returns them: the worker sends them and records each
// outcome. A message still sending when its lease ends was claimed by a
// process that died (or hung) mid-send; it is claimed again, and may go out
// twice: the outbox sends at least once (docs/decisions.md).
func (s *Store) ClaimOutbox(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]OutboxMessage, error) {
	var list []OutboxMessage
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `UPDATE outbox SET state = 'sending', attempts = attempts + 1, next_at = ?1
			WHERE id IN (SELECT id FROM outbox WHERE state IN ('queued', 'sending') AND next_at <= ?2 ORDER BY next_at, id LIMIT ?3)
			RETURNING id, shop_id, card_id, channel, template, purpose, language, payload, attempts, created_at`,
			unix(now.Add(lease)), unix(now), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var m OutboxMessage
			var payload string
			var created int64
			if err := rows.Scan(&m.ID, &m.ShopID, &m.CardID, &m.Channel, &m.Template, &m.Purpose, &m.Language, &payload, &m.Attempts, &created); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(payload), &m.Payload); err != nil {
				return fmt.Errorf("payload of message %d: %w", m.ID, err)
			}
			m.CreatedAt = fromUnix(created)
			list = append(list, m)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	return list, nil
}

// NextOutboxAt is when the next message is due; ok is false when none waits.
func (s *Store) NextOutboxAt(ctx context.Context) (at time.Time, ok bool, err error) {
	var next sql.NullInt64
	if err := s.r.QueryRowContext(ctx, `SELECT min(next_at) FROM outbox WHERE state IN ('queued', 'sending')`).Scan(&next); err != nil {
		return at, false, fmt.Errorf("next outbox message: %w", err)
	}
	return fromUnix(next.Int64), next.Valid, nil
}

// RecoverOutbox makes the messages a dead process left sending due at now,
// when the worker starts: they were claimed by no one alive (one server
// serves a database). It returns how many there were.
func (s *Store) RecoverOutbox(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, `UPDATE outbox SET next_at = ? WHERE state = 'sending'`, unix(now))
	if err != nil {
		return 0, fmt.Errorf("recover outbox: %w", err)
	}
	return res.RowsAffected()
}

// OutboxOutcome is what became of a message the worker tried to send.
type OutboxOutcome struct {
	State string // OutboxSent, OutboxQueued (a retry at Next), OutboxFailed or OutboxDropped
	Next  time.Time
	Error string // why it failed, was dropped or is retried
}

// FinishOutbox records the outcome of sending message id, claimed and still
// sending: sent once, retried, failed or dropped.
func (s *Store) FinishOutbox(ctx context.Context, id int64, o OutboxOutcome, now time.Time) error {
	var err error
	switch o.State {
	case OutboxSent:
		_, err = s.w.ExecContext(ctx, `UPDATE outbox SET state = 'sent', sent_at = ?, last_error = '' WHERE id = ? AND state = 'sending'`, unix(now), id)
	case OutboxQueued:
		_, err = s.w.ExecContext(ctx, `UPDATE outbox SET state = 'queued', next_at = ?, last_error = ? WHERE id = ? AND state = 'sending'`, unix(o.Next), o.Error, id)
	case OutboxFailed, OutboxDropped:
		_, err = s.w.ExecContext(ctx, `UPDATE outbox SET state = ?, last_error = ? WHERE id = ? AND state = 'sending'`, o.State, o.Error, id)
	default:
		err = fmt.Errorf("unknown state %q", o.State)
	}
	if err != nil {
		s.noteRefusal(err)
		return fmt.Errorf("finish message %d: %w", id, err)
	}
	return nil
}

// MessageFacts is what a message's text and address need, read when it is
// sent: a customer who withdrew consent or was erased meanwhile gets nothing.
type MessageFacts struct {
	Shop Shop
	Card Card
	// Consented: the card's consent of the message's channel and purpose stands.
	Consented bool
	// Text is the owner's text of the template in the message's language, if any.
	Text    *AutomationText
	Program Program
	// Voided: the event that caused the message was undone.
	Voided bool
	// Push is the subscription a push message goes to; nil for other channels.
	Push *PushSubscription
	// CouponUsed: the coupon "coupon expiring" reminds of was used meanwhile.
	CouponUsed bool
	// CameBack: since the stamp that left the card one visit short of its
	// reward, the customer got another stamp or redeemed in that program,
	// so "one visit to go" (held by quiet hours) is no longer true.
	CameBack bool
}

// MessageFacts reads, in one snapshot, what sending m needs.
func (s *Store) MessageFacts(ctx context.Context, m OutboxMessage) (MessageFacts, error) {
	var f MessageFacts
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		if f.Shop, err = scanShop(tx.QueryRowContext(ctx, `SELECT `+shopColumns+` FROM shops WHERE id = ?`, m.ShopID)); err != nil {
			return err
		}
		if f.Card, err = card(ctx, tx, m.ShopID, m.CardID); err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `SELECT coalesce((SELECT granted FROM consents WHERE card_id = ? AND channel = ? AND purpose = ? ORDER BY id DESC LIMIT 1), 0)`,
			m.CardID, m.Channel, m.Purpose).Scan(&f.Consented)
		if err != nil {
			return err
		}
		texts, err := automationTexts(ctx, tx, m.ShopID, m.Template, m.Language)
		if err != nil {
			return err
		}
		if t, ok := texts[m.Language]; ok {
			f.Text = &t
		}
		if m.Payload.ProgramID != 0 {
			if f.Program, err = program(ctx, tx, m.ShopID, m.Payload.ProgramID); err != nil {
				return err
			}
		}
		if m.Channel == ChannelPush {
			if f.Push, err = pushSubscription(ctx, tx, m.ShopID, m.CardID, m.Payload.Subscription); err != nil {
				return err
			}
		}
		if m.Payload.EventID != 0 {
			err = tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM events WHERE void_of = ? AND shop_id = ?)`, m.Payload.EventID, m.ShopID).Scan(&f.Voided)
			if err != nil {
				return err
			}
		}
		switch {
		case m.Template == AutomationCouponExpiring && m.Payload.CampaignID != 0:
			err = tx.QueryRowContext(ctx, couponUsed, m.CardID, m.Payload.CampaignID, m.ShopID).Scan(&f.CouponUsed)
		case m.Template == AutomationOneVisitLeft && m.Payload.EventID != 0:
			// A visit or a redemption: an adjustment is the owner's, not the customer's coming back.
			err = tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM events e WHERE e.card_id = ?1 AND e.id > ?2 AND e.program_id = ?3
				AND e.kind IN ('stamp', 'redeem') AND +e.shop_id = ?4 AND NOT EXISTS (SELECT 1 FROM events v WHERE v.void_of = e.id))`,
				m.CardID, m.Payload.EventID, m.Payload.ProgramID, m.ShopID).Scan(&f.CameBack)
		}
		return err
	})
	if err != nil {
		return f, fmt.Errorf("facts of message %d: %w", m.ID, err)
	}
	return f, nil
}

// UnsubscribeTarget is what an unsubscribe link of a message stops.
type UnsubscribeTarget struct {
	Shop             Shop
	CardID           int64
	Channel, Purpose string
}

// MessageUnsubscribe reads what the unsubscribe link of message id stops.
func (s *Store) MessageUnsubscribe(ctx context.Context, id int64) (UnsubscribeTarget, error) {
	var u UnsubscribeTarget
	var shopID int64
	err := s.r.QueryRowContext(ctx, `SELECT shop_id, card_id, channel, purpose FROM outbox WHERE id = ?`, id).Scan(&shopID, &u.CardID, &u.Channel, &u.Purpose)
	if err != nil {
		return u, fmt.Errorf("message %d: %w", id, notFound(err))
	}
	if u.Shop, err = s.Shop(ctx, shopID); err != nil {
		return u, err
	}
	return u, nil
}

// FailedMessage is a message the outbox gave up on, as the owner sees it.
type FailedMessage struct {
	ID        int64
	Template  string
	CardID    int64
	Customer  string // first name, or the short code
	Attempts  int
	Error     string
	CreatedAt time.Time
}

// OutboxReport is the shop's outbox as its owner sees it: how many messages
// are in each state, and the newest that failed, with the reason.
type OutboxReport struct {
	Counts map[string]int
	Failed []FailedMessage
}

// failedShown is how many failed messages the owner's page lists.
const failedShown = 20

// OutboxReport reads the shop's outbox report.
func (s *Store) OutboxReport(ctx context.Context, shopID int64) (OutboxReport, error) {
	var r OutboxReport
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		r, err = outboxReport(ctx, tx, shopID)
		return err
	})
	if err != nil {
		return r, fmt.Errorf("outbox of shop %d: %w", shopID, err)
	}
	return r, nil
}

func outboxReport(ctx context.Context, q querier, shopID int64) (OutboxReport, error) {
	r := OutboxReport{Counts: map[string]int{}}
	rows, err := q.QueryContext(ctx, `SELECT state, count(*) FROM outbox WHERE shop_id = ? GROUP BY state`, shopID)
	if err != nil {
		return r, err
	}
	defer rows.Close()
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return r, err
		}
		r.Counts[state] = n
	}
	if err := rows.Err(); err != nil {
		return r, err
	}
	r.Failed, err = collect(ctx, q, func(row scanner) (FailedMessage, error) {
		var m FailedMessage
		var created int64
		err := row.Scan(&m.ID, &m.Template, &m.CardID, &m.Customer, &m.Attempts, &m.Error, &created)
		m.CreatedAt = fromUnix(created)
		return m, err
	}, `SELECT o.id, o.template, o.card_id, coalesce(nullif(c.first_name, ''), c.short_code), o.attempts, o.last_error, o.created_at
		FROM outbox o JOIN cards c ON c.id = o.card_id
		WHERE o.shop_id = ? AND o.state = 'failed' ORDER BY o.id DESC LIMIT ?`, shopID, failedShown)
	return r, err
}

package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Channels a message can go by: e-mail, and web push (ChannelPush, push.go).
// SMS is allowed by the schema so that adding it needs no migration of consents.
const ChannelEmail = "email"

// Purposes of a message, each with a consent of its own per channel: a
// customer may want to hear that a reward is ready without wanting offers.
const (
	PurposeService   = "service"   // reward ready, card link: about their own card
	PurposeMarketing = "marketing" // news, offers, "we miss you"
)

// Where a consent was given or withdrawn.
const (
	ConsentAtCounter   = "counter"
	ConsentOnJoin      = "join"
	ConsentOnCard      = "card"
	ConsentByImport    = "import"
	ConsentUnsubscribe = "unsubscribe"
)

// Consent is a card's current choices for e-mail.
type Consent struct {
	EmailService   bool
	EmailMarketing bool
}

// consentColumns read the current e-mail choices of the card whose id is
// cards.id, in a query of the cards table: the newest record of each purpose
// (consents_card finds each in one step).
const consentColumns = `
	coalesce((SELECT granted FROM consents WHERE card_id = cards.id AND channel = 'email' AND purpose = 'service' ORDER BY id DESC LIMIT 1), 0),
	coalesce((SELECT granted FROM consents WHERE card_id = cards.id AND channel = 'email' AND purpose = 'marketing' ORDER BY id DESC LIMIT 1), 0)`

// scanned is where a scan of consentColumns puts them.
func (c *Consent) scanned() []any { return []any{&c.EmailService, &c.EmailMarketing} }

// SetConsent records the customer's choice for a purpose of a channel,
// made at source, for the card of the shop. Choosing what is already chosen
// records nothing. The marketing e-mail consent is also the card's older
// single consent (cards.consent_at), which the customer list and its export show.
func (s *Store) SetConsent(ctx context.Context, shopID, cardID int64, channel, purpose string, granted bool, source string, now time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := cardInShop(ctx, tx, Action{ShopID: shopID, CardID: cardID}); err != nil {
			return err
		}
		return setConsent(ctx, tx, shopID, cardID, channel, purpose, granted, source, now)
	})
	if err != nil {
		return fmt.Errorf("set %s %s consent of card %d: %w", channel, purpose, cardID, err)
	}
	return nil
}

func setConsent(ctx context.Context, tx *sql.Tx, shopID, cardID int64, channel, purpose string, granted bool, source string, now time.Time) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO consents (shop_id, card_id, channel, purpose, granted, source, created_at)
		SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE coalesce((SELECT granted FROM consents WHERE card_id = ?2 AND channel = ?3 AND purpose = ?4
			ORDER BY id DESC LIMIT 1), 0) != ?5`, shopID, cardID, channel, purpose, granted, source, unix(now))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 || channel != ChannelEmail || purpose != PurposeMarketing {
		return nil
	}
	if granted {
		_, err = tx.ExecContext(ctx, `UPDATE cards SET consent_at = ? WHERE id = ? AND shop_id = ?`, unix(now), cardID, shopID)
	} else {
		_, err = tx.ExecContext(ctx, `UPDATE cards SET consent_at = NULL WHERE id = ? AND shop_id = ?`, cardID, shopID)
	}
	return err
}

// recordNewCardConsent records the choices a new card was made with: the
// join form's or the counter's, where the customer gave an address. The
// older single consent (NewCard.Consent) is the marketing one.
func recordNewCardConsent(ctx context.Context, tx *sql.Tx, shopID, cardID int64, n NewCard, now time.Time) error {
	if n.Email == "" {
		return nil
	}
	source := ConsentOnJoin
	if n.CreatedBy != 0 {
		source = ConsentAtCounter
	}
	for purpose, granted := range map[string]bool{PurposeService: n.EmailService, PurposeMarketing: n.Consent} {
		if !granted {
			continue
		}
		if err := setConsent(ctx, tx, shopID, cardID, ChannelEmail, purpose, true, source, now); err != nil {
			return fmt.Errorf("consent of the new card: %w", err)
		}
	}
	return nil
}

// CardChoices is what the customer chose on their card page.
type CardChoices struct {
	// Email is an address the customer gave, kept only when the card has
	// none: an address the shop has is changed by the shop, not by whoever
	// holds the card's link.
	Email   string
	Consent Consent
}

// SaveCardChoices records the customer's choices from their card page, in
// one transaction.
func (s *Store) SaveCardChoices(ctx context.Context, shopID, cardID int64, ch CardChoices, now time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := cardInShop(ctx, tx, Action{ShopID: shopID, CardID: cardID}); err != nil {
			return err
		}
		if ch.Email != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE cards SET email = ? WHERE id = ? AND shop_id = ? AND email = ''`, ch.Email, cardID, shopID); err != nil {
				return err
			}
		}
		if err := setConsent(ctx, tx, shopID, cardID, ChannelEmail, PurposeService, ch.Consent.EmailService, ConsentOnCard, now); err != nil {
			return err
		}
		return setConsent(ctx, tx, shopID, cardID, ChannelEmail, PurposeMarketing, ch.Consent.EmailMarketing, ConsentOnCard, now)
	})
	if err != nil {
		return fmt.Errorf("save choices of card %d: %w", cardID, err)
	}
	return nil
}

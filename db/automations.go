package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// AutomationRewardReady e-mails a customer whose stamp earned a reward.
const AutomationRewardReady = "reward_ready"

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
	a := Automation{Kind: kind}
	err := q.QueryRowContext(ctx, `SELECT enabled FROM automations WHERE shop_id = ? AND kind = ?`, shopID, kind).Scan(&a.Enabled)
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

// SaveAutomation turns the automation on or off and keeps the owner's texts;
// a language missing from texts goes back to the catalogue's text.
func (s *Store) SaveAutomation(ctx context.Context, shopID int64, a Automation, now time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO automations (shop_id, kind, enabled, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (shop_id, kind) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at`,
			shopID, a.Kind, a.Enabled, unix(now))
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

package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
)

// A card's QR code holds its address, the server's public one (-base-url)
// followed by /c/{token}. A server that knows its address draws every
// card's code ahead, a batch at a time in the background, and keeps the
// modules with the card (cards.qr); the card page then shows them instead
// of drawing them (a millisecond each, the larger part of a first view).
// They are kept in a table of their own (card_qr), out of the card rows that
// every lookup and search reads.
// The modules carry a tag of the address they were drawn for, so that a
// page never shows a code of another address: a card whose token changed,
// or a server moved to a new address, is drawn again.

// QRDrawer draws the modules of the QR code of content (views.QRModules).
type QRDrawer func(content string) ([]byte, error)

// qrBaseKey names the setting that holds the address the kept codes were
// drawn for.
const qrBaseKey = "qr_base"

// qrTagSize is the length of a kept code's tag.
const qrTagSize = 4

// qrTag is the tag of content: the start of its SHA-256.
func qrTag(content string) []byte {
	sum := sha256.Sum256([]byte(content))
	return sum[:qrTagSize]
}

// CardQR is the kept modules of the QR code of content, or nil when the card
// kept none for it (not drawn yet, or drawn for another address).
func CardQR(kept []byte, content string) []byte {
	if len(kept) <= qrTagSize || string(kept[:qrTagSize]) != string(qrTag(content)) {
		return nil
	}
	return kept[qrTagSize:]
}

// qrBatch cards are drawn between two writes: the drawing happens outside
// any transaction, and each write is one short statement per card.
const qrBatch = 200

// DrawMissingQRs draws the QR codes of up to limit cards that have none for
// the address base, and keeps them. When base is not the address the kept
// codes were drawn for, it first forgets them all. It returns how many it
// drew; fewer than limit means none is left.
func (s *Store) DrawMissingQRs(ctx context.Context, base string, draw QRDrawer, limit int) (int, error) {
	if err := s.forgetQRsOfAnotherBase(ctx, base); err != nil {
		return 0, err
	}
	drawn := 0
	for drawn < limit {
		type card struct {
			id    int64
			token string
		}
		cards, err := collect(ctx, s.r, func(r scanner) (card, error) {
			var c card
			return c, r.Scan(&c.id, &c.token)
		}, `SELECT c.id, c.token FROM cards c WHERE c.erased_at IS NULL AND NOT EXISTS (SELECT 1 FROM card_qr q WHERE q.card_id = c.id)
			ORDER BY c.id LIMIT ?`, min(qrBatch, limit-drawn))
		if err != nil {
			return drawn, fmt.Errorf("cards without a QR code: %w", err)
		}
		if len(cards) == 0 {
			return drawn, nil
		}
		kept := make([][]byte, len(cards))
		for i, c := range cards {
			content := base + "/c/" + c.token
			modules, err := draw(content)
			if err != nil {
				return drawn, fmt.Errorf("QR code of card %d: %w", c.id, err)
			}
			kept[i] = append(qrTag(content), modules...)
		}
		err = s.inTx(ctx, func(tx *sql.Tx) error {
			for i, c := range cards {
				// A card whose token changed meanwhile (a replacement card) is
				// drawn at the next pass; the tag would not match anyway.
				if _, err := tx.ExecContext(ctx, `INSERT INTO card_qr (card_id, qr) SELECT id, ? FROM cards WHERE id = ? AND token = ?
					ON CONFLICT (card_id) DO NOTHING`, kept[i], c.id, c.token); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return drawn, fmt.Errorf("keep QR codes: %w", err)
		}
		drawn += len(cards)
		if len(cards) < qrBatch {
			return drawn, nil
		}
	}
	return drawn, nil
}

// forgetQRsOfAnotherBase empties the kept codes when they were drawn for
// another address than base, in batches, and records base.
func (s *Store) forgetQRsOfAnotherBase(ctx context.Context, base string) error {
	var was []byte
	err := s.r.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, qrBaseKey).Scan(&was)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("address of the QR codes: %w", err)
	}
	if err == nil && string(was) == base {
		return nil
	}
	for {
		var n int64
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `DELETE FROM card_qr WHERE card_id IN (SELECT card_id FROM card_qr LIMIT 5000)`)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		if err != nil {
			return fmt.Errorf("forget QR codes: %w", err)
		}
		if n == 0 {
			break
		}
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, qrBaseKey, []byte(base))
		return err
	})
	if err != nil {
		return fmt.Errorf("address of the QR codes: %w", err)
	}
	return nil
}

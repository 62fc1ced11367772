package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// A way back in by e-mail (migrations/0022_recovery.sql): a staff member's
// link to choose a new password, sent as staff mail, and a customer's card
// link, sent as a message of the outbox.

// MessageCardLink is the outbox's template of a card's link, sent to its
// customer who asked for it on the join page: a service message.
const MessageCardLink = "card_link"

// StaffMailPasswordReset is the staff mail carrying a link to choose a new password.
const StaffMailPasswordReset = "password_reset"

// cardLinkWindow: a card gets one link per window, however often it is
// asked for, so that nobody can fill a customer's mailbox from the join page.
const cardLinkWindow = 15 * 60 // seconds

// cardLinkMax bounds the cards one request sends links to: a family may
// share an address, a typo'd list may share more.
const cardLinkMax = 5

// QueueCardLink queues an e-mail with its link, in lang, to each card of the
// shop (cardLinkMax at most) whose address is email and whose customer agreed
// to service e-mail: the one channel the shop knows reaches them. It returns
// how many it queued; the join page answers the same whatever the number.
func (s *Store) QueueCardLink(ctx context.Context, shopID int64, email, lang string, now time.Time) (int64, error) {
	if email == "" {
		return 0, nil
	}
	res, err := s.w.ExecContext(ctx, `INSERT INTO outbox (shop_id, card_id, channel, template, purpose, language, payload, next_at, idempotency_key, created_at)
		SELECT c.shop_id, c.id, 'email', 'card_link', 'service', ?3, '{}', ?4, 'card_link:' || c.id || ':' || (?4 / ?5), ?4
		FROM cards c
		WHERE c.shop_id = ?1 AND c.email = ?2 COLLATE NOCASE AND c.erased_at IS NULL
			AND coalesce((SELECT granted FROM consents WHERE card_id = c.id AND channel = 'email' AND purpose = 'service' ORDER BY id DESC LIMIT 1), 0) = 1
		ORDER BY c.id LIMIT ?6
		ON CONFLICT DO NOTHING`, shopID, email, lang, unix(now), cardLinkWindow, cardLinkMax)
	if err != nil {
		s.noteRefusal(err)
		return 0, fmt.Errorf("queue card link: %w", err)
	}
	return res.RowsAffected()
}

// RequestPasswordReset records a link to choose a new password for the
// staff member who signs in with email, by the hash of its secret, working
// until expires, and queues the e-mail that carries it (link, in lang).
// ErrNotFound when nobody signs in with the address: the sign-in page says
// the same either way. Links asked for earlier keep working until one is used.
func (s *Store) RequestPasswordReset(ctx context.Context, email, tokenHash, link, lang string, now, expires time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var userID, shopID int64
		err := tx.QueryRowContext(ctx, `SELECT id, shop_id FROM users WHERE email = ? AND password_hash <> '' AND disabled_at IS NULL`, email).Scan(&userID, &shopID)
		if err != nil {
			return notFound(err)
		}
		var resetID int64
		err = tx.QueryRowContext(ctx, `INSERT INTO password_resets (shop_id, user_id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			shopID, userID, tokenHash, unix(now), unix(expires)).Scan(&resetID)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO staff_mail (shop_id, user_id, reset_id, template, language, link, next_at, created_at)
			VALUES (?, ?, ?, 'password_reset', ?, ?, ?, ?)`, shopID, userID, resetID, lang, link, unix(now), unix(now))
		return err
	})
	if err != nil {
		return fmt.Errorf("request password reset: %w", err)
	}
	return nil
}

// openReset is the user id of an unused, unexpired reset link, by its hash.
const openReset = `SELECT user_id FROM password_resets WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`

// PasswordResetUser is the staff member whose reset link has tokenHash, while
// it works: not used, not expired, the member not removed.
func (s *Store) PasswordResetUser(ctx context.Context, tokenHash string, now time.Time) (User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users
		WHERE id = (`+openReset+`) AND disabled_at IS NULL AND password_hash <> ''`, tokenHash, unix(now)))
	if err != nil {
		return u, fmt.Errorf("user by reset link: %w", err)
	}
	return u, nil
}

// ResetPassword sets the password of the staff member whose reset link has
// tokenHash and uses up that link and every other open one of theirs; their
// sessions end (whoever knew the old password is signed out) and their staff
// mail not sent yet is dropped. ErrNotFound when the link does not work.
func (s *Store) ResetPassword(ctx context.Context, tokenHash, passwordHash string, now time.Time) (User, error) {
	var u User
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var userID int64
		if err := tx.QueryRowContext(ctx, openReset, tokenHash, unix(now)).Scan(&userID); err != nil {
			return notFound(err)
		}
		var err error
		u, err = scanUser(tx.QueryRowContext(ctx, `UPDATE users SET password_hash = ?, invite_hash = NULL, invite_expires_at = NULL
			WHERE id = ? AND disabled_at IS NULL AND password_hash <> '' RETURNING `+userColumns, passwordHash, userID))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE password_resets SET used_at = ? WHERE user_id = ? AND used_at IS NULL`, unix(now), userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE staff_mail SET state = 'dropped', link = '', last_error = 'the password was changed'
			WHERE user_id = ? AND state = 'queued'`, userID); err != nil {
			return err
		}
		if err := endUserSessions(ctx, tx, u.ShopID, u.ID); err != nil {
			return err
		}
		return recordAudit(ctx, tx, u.ShopID, u.ID, AuditPasswordChange, u.Email, now)
	})
	if err != nil {
		return u, fmt.Errorf("reset password: %w", err)
	}
	return u, nil
}

// StaffMail is a message to a staff member the worker claimed.
type StaffMail struct {
	ID, ShopID, UserID, ResetID int64
	Template, Language, Link    string
	// Attempts counts this one.
	Attempts  int
	CreatedAt time.Time
}

// ClaimStaffMail marks up to limit staff messages due at now as sending,
// until now+lease, and returns them, as ClaimOutbox does for the outbox. A
// message whose claim lapsed (the process died mid-send) is claimed again.
func (s *Store) ClaimStaffMail(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]StaffMail, error) {
	var list []StaffMail
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		list, err = collect(ctx, tx, func(row scanner) (StaffMail, error) {
			var m StaffMail
			var created int64
			err := row.Scan(&m.ID, &m.ShopID, &m.UserID, &m.ResetID, &m.Template, &m.Language, &m.Link, &m.Attempts, &created)
			m.CreatedAt = fromUnix(created)
			return m, err
		}, `UPDATE staff_mail SET state = 'sending', attempts = attempts + 1, next_at = ?1
			WHERE id IN (SELECT id FROM staff_mail WHERE state IN ('queued', 'sending') AND next_at <= ?2 ORDER BY next_at, id LIMIT ?3)
			RETURNING id, shop_id, user_id, reset_id, template, language, link, attempts, created_at`,
			unix(now.Add(lease)), unix(now), limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claim staff mail: %w", err)
	}
	return list, nil
}

// NextStaffMailAt is when the next staff message is due; ok is false when none waits.
func (s *Store) NextStaffMailAt(ctx context.Context) (at time.Time, ok bool, err error) {
	var next sql.NullInt64
	if err := s.r.QueryRowContext(ctx, `SELECT min(next_at) FROM staff_mail WHERE state IN ('queued', 'sending')`).Scan(&next); err != nil {
		return at, false, fmt.Errorf("next staff mail: %w", err)
	}
	return fromUnix(next.Int64), next.Valid, nil
}

// FinishStaffMail records the outcome of sending staff message id, claimed
// and still sending. Once it is sent, failed or dropped its link is blanked:
// the secret stays in the database no longer than it must.
func (s *Store) FinishStaffMail(ctx context.Context, id int64, o OutboxOutcome, now time.Time) error {
	var err error
	switch o.State {
	case OutboxSent:
		_, err = s.w.ExecContext(ctx, `UPDATE staff_mail SET state = 'sent', sent_at = ?, link = '', last_error = '' WHERE id = ? AND state = 'sending'`, unix(now), id)
	case OutboxQueued:
		_, err = s.w.ExecContext(ctx, `UPDATE staff_mail SET state = 'queued', next_at = ?, last_error = ? WHERE id = ? AND state = 'sending'`, unix(o.Next), o.Error, id)
	case OutboxFailed, OutboxDropped:
		_, err = s.w.ExecContext(ctx, `UPDATE staff_mail SET state = ?, link = '', last_error = ? WHERE id = ? AND state = 'sending'`, o.State, o.Error, id)
	default:
		err = fmt.Errorf("unknown state %q", o.State)
	}
	if err != nil {
		s.noteRefusal(err)
		return fmt.Errorf("finish staff mail %d: %w", id, err)
	}
	return nil
}

// StaffMailFacts is what a staff message's text and address need, read
// when it is sent.
type StaffMailFacts struct {
	Shop Shop
	// User is the recipient; Active is false once they were removed.
	User   User
	Active bool
	// Open: the reset link still works (not used, not expired).
	Open bool
}

// StaffMailFacts reads, in one snapshot, what sending m at now needs.
func (s *Store) StaffMailFacts(ctx context.Context, m StaffMail, now time.Time) (StaffMailFacts, error) {
	var f StaffMailFacts
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		if f.Shop, err = scanShop(tx.QueryRowContext(ctx, `SELECT `+shopColumns+` FROM shops WHERE id = ?`, m.ShopID)); err != nil {
			return err
		}
		var disabled bool
		f.User, err = scanUserWith(tx.QueryRowContext(ctx, `SELECT `+userColumns+`, disabled_at IS NOT NULL FROM users WHERE id = ? AND shop_id = ?`,
			m.UserID, m.ShopID), &disabled)
		if err != nil {
			return err
		}
		f.Active = !disabled && f.User.PasswordHash != ""
		return tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM password_resets WHERE id = ? AND used_at IS NULL AND expires_at > ?)`,
			m.ResetID, unix(now)).Scan(&f.Open)
	})
	if err != nil {
		return f, fmt.Errorf("facts of staff mail %d: %w", m.ID, err)
	}
	return f, nil
}

// recoveryKept is how long a used or expired reset link, and staff mail
// sent, failed or dropped, stay in the database: long enough to answer "did
// the link go out?" for a month, and no longer.
const recoveryKept = 30 * 24 * time.Hour

// PurgeRecovery deletes the staff mail finished (or still waiting, its link
// dead) and the reset links used or expired more than recoveryKept before
// now: the daily work calls it. Mail still sending is left to its worker,
// and a reset link to its mail. It returns how many rows went.
func (s *Store) PurgeRecovery(ctx context.Context, now time.Time) (int64, error) {
	cutoff := unix(now.Add(-recoveryKept))
	var n int64
	// write, not inTx: no cached session, user or shop changes.
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM staff_mail WHERE created_at < ?1 AND state != 'sending'
			AND reset_id IN (SELECT id FROM password_resets WHERE expires_at < ?1 OR used_at < ?1)`, cutoff)
		if err != nil {
			return err
		}
		mail, _ := res.RowsAffected()
		res, err = tx.ExecContext(ctx, `DELETE FROM password_resets WHERE (expires_at < ?1 OR used_at < ?1)
			AND NOT EXISTS (SELECT 1 FROM staff_mail m WHERE m.reset_id = password_resets.id)`, cutoff)
		if err != nil {
			return err
		}
		resets, _ := res.RowsAffected()
		n = mail + resets
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("purge old reset links and staff mail: %w", err)
	}
	return n, nil
}

package db

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"fmt"
	"time"
)

// SessionLifetime is how long a sign-in lasts, counted from the sign-in.
const SessionLifetime = 30 * 24 * time.Hour

// sessionHash is what the table keeps of a token: a leaked database does not
// sign anyone in.
func sessionHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// insertSession starts a session of user u within tx and returns its token.
// Expired rows of every shop go first: that keeps the table small without a
// sweeper, and the expiry index makes it cheap.
func insertSession(ctx context.Context, tx *sql.Tx, u User, now time.Time) (string, error) {
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, unix(now)); err != nil {
		return "", fmt.Errorf("delete expired sessions: %w", err)
	}
	b := make([]byte, 32)
	rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	_, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, shop_id, user_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		sessionHash(token), u.ShopID, u.ID, unix(now), unix(now.Add(SessionLifetime)))
	if err != nil {
		return "", fmt.Errorf("insert session of user %d: %w", u.ID, err)
	}
	return token, nil
}

// endUserSessions ends every session of a user within tx.
func endUserSessions(ctx context.Context, tx *sql.Tx, shopID, userID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE shop_id = ? AND user_id = ?`, shopID, userID); err != nil {
		return fmt.Errorf("end sessions of user %d: %w", userID, err)
	}
	return nil
}

// CreateSession signs user u in and returns the new session's token.
func (s *Store) CreateSession(ctx context.Context, u User, now time.Time) (string, error) {
	var token string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		token, err = insertSession(ctx, tx, u, now)
		return err
	})
	return token, err
}

// SessionUser returns the active user an unexpired session belongs to, or
// ErrNotFound. It runs on every staff request: one lookup by primary key.
func (s *Store) SessionUser(ctx context.Context, token string, now time.Time) (User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users
		WHERE (id, shop_id) = (SELECT user_id, shop_id FROM sessions WHERE token_hash = ? AND expires_at > ?)
		AND disabled_at IS NULL`, sessionHash(token), unix(now)))
	if err != nil {
		return u, fmt.Errorf("session user: %w", err)
	}
	return u, nil
}

// EndSession ends the session of token; ending one that is gone is no error.
func (s *Store) EndSession(ctx context.Context, token string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, sessionHash(token)); err != nil {
			return fmt.Errorf("end session: %w", err)
		}
		return nil
	})
}

// ChangePassword replaces the password of user u, whose current hash the
// caller checked, ends all their sessions and starts a new one, whose token
// it returns. ErrNotFound when the password changed since it was checked.
func (s *Store) ChangePassword(ctx context.Context, u User, passwordHash string, now time.Time) (string, error) {
	var token string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ? AND shop_id = ? AND password_hash = ? AND disabled_at IS NULL`,
			passwordHash, u.ID, u.ShopID, u.PasswordHash)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		if err := endUserSessions(ctx, tx, u.ShopID, u.ID); err != nil {
			return err
		}
		if token, err = insertSession(ctx, tx, u, now); err != nil {
			return err
		}
		return recordAudit(ctx, tx, u.ShopID, u.ID, AuditPasswordChange, u.Email, now)
	})
	if err != nil {
		return "", fmt.Errorf("change password of user %d: %w", u.ID, err)
	}
	return token, nil
}

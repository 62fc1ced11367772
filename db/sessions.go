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

// A sign-in lasts SessionLifetime from its last use, renewed at most once a
// renewal period (one write a day per counter tablet), and never longer than
// SessionMaxAge from the sign-in: a tablet in use stays signed in, and every
// device signs in again at least that often.
const (
	SessionLifetime = 30 * 24 * time.Hour
	SessionMaxAge   = 90 * 24 * time.Hour
	sessionRenewal  = 24 * time.Hour
)

// sessionHash is what the table keeps of a token: a leaked database does not
// sign anyone in.
func sessionHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// sessionSweep is how many expired sessions a sign-in deletes at most.
const sessionSweep = 100

// insertSession starts a session of user u within tx and returns its token.
// Expired rows of every shop go first: that keeps the table small without a
// sweeper, and the expiry index makes it cheap. Only rows expired for a whole
// lifetime more go, a few at a time: a sign-in while the clock runs ahead
// (by up to SessionLifetime) deletes no session that is still alive, and
// one further ahead deletes at most sessionSweep. Those the clock only makes
// look expired sign in again once it is right (SessionUser).
func insertSession(ctx context.Context, tx *sql.Tx, u User, now time.Time) (string, error) {
	_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash IN
		(SELECT token_hash FROM sessions WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)`, unix(now.Add(-SessionLifetime)), sessionSweep)
	if err != nil {
		return "", fmt.Errorf("delete expired sessions: %w", err)
	}
	b := make([]byte, 32)
	rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	_, err = tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, shop_id, user_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
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
// ErrNotFound, and whether the session is due for renewal (RenewSession). It
// runs on every staff request: one lookup by primary key.
func (s *Store) SessionUser(ctx context.Context, token string, now time.Time) (User, bool, error) {
	hash := sessionHash(token)
	e, err := remembered(&s.cache, func(c *readCache) *memo[string, cachedSession] { return &c.sessions }, string(hash), func() (cachedSession, error) {
		var e cachedSession
		var err error
		e.user, err = scanUserWith(s.r.QueryRowContext(ctx, `SELECT `+userColumns+`, x.expires_at, x.started FROM users,
			(SELECT user_id, shop_id AS sid, expires_at, created_at AS started FROM sessions WHERE token_hash = ?) x
			WHERE users.id = x.user_id AND users.shop_id = x.sid AND users.disabled_at IS NULL`, hash), &e.expires, &e.created)
		return e, err
	})
	if err != nil {
		return User{}, false, fmt.Errorf("session user: %w", err)
	}
	if e.expires <= unix(now) {
		return User{}, false, fmt.Errorf("session user: %w", ErrNotFound)
	}
	u, expires, created := e.user, e.expires, e.created
	renewed := fromUnix(expires).Add(-SessionLifetime)
	due := now.Sub(renewed) >= sessionRenewal && fromUnix(expires).Before(fromUnix(created).Add(SessionMaxAge))
	return u, due, nil
}

// RenewSession extends the session of token to SessionLifetime from now,
// within SessionMaxAge of its sign-in.
func (s *Store) RenewSession(ctx context.Context, token string, now time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE sessions SET expires_at = min(?, created_at + ?) WHERE token_hash = ? AND expires_at > ?`,
			unix(now.Add(SessionLifetime)), int64(SessionMaxAge/time.Second), sessionHash(token), unix(now))
		if err != nil {
			return fmt.Errorf("renew session: %w", err)
		}
		return nil
	})
}

// EndStaffSessions signs staffID out of every device, on behalf of userID.
func (s *Store) EndStaffSessions(ctx context.Context, shopID, staffID, userID int64, now time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var name, email string
		err := tx.QueryRowContext(ctx, `SELECT name, email FROM users WHERE id = ? AND shop_id = ? AND disabled_at IS NULL`, staffID, shopID).Scan(&name, &email)
		if err != nil {
			return fmt.Errorf("sign out staff %d: %w", staffID, notFound(err))
		}
		if err := endUserSessions(ctx, tx, shopID, staffID); err != nil {
			return err
		}
		return recordAudit(ctx, tx, shopID, userID, AuditStaffSignOut, staffSubject(name, email), now)
	})
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

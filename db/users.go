package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Role of a staff user.
type Role string

const (
	RoleOwner   Role = "owner"
	RoleManager Role = "manager"
	RoleCashier Role = "cashier"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleOwner || r == RoleManager || r == RoleCashier }

// User is a staff member of one shop.
type User struct {
	ID            int64
	ShopID        int64
	Name          string
	Email         string
	PasswordHash  string
	Role          Role
	InvitePending bool
	CreatedAt     time.Time
	// Stamp names the member's role, password and invite as they are (Staff
	// fills it): the staff page's forms carry it, and a change made on an
	// older page, or the same form sent twice, is refused (ErrChanged).
	Stamp string
}

// ErrChanged: the staff member changed since the page the request came from.
var ErrChanged = errors.New("staff member changed meanwhile")

// ErrLastOwner: the change would leave the shop with nobody who signs in as its owner.
var ErrLastOwner = errors.New("the shop's last owner")

// staffStamp is User.Stamp of a member's role, password hash and invite hash.
func staffStamp(role Role, passwordHash, inviteHash string) string {
	h := sha256.Sum256([]byte(string(role) + "\x00" + passwordHash + "\x00" + inviteHash))
	return hex.EncodeToString(h[:8])
}

// A staff member's address, as users.email keeps it. An address signs in to
// one shop (the column is UNIQUE): a row with a password, not removed, keeps
// it bare. Every other row keeps it followed by a space, which no address
// holds, and its shop's id (and, once removed, its own id): an invitation
// not accepted yet, a member whose address signs in to another shop, a
// removed member. Those reserve nothing, so that no shop learns from the
// staff form whether an address is in use elsewhere, nor holds someone's
// address by inviting it (issue 15). Readers see the address alone.
const userAddress = `CASE WHEN instr(email, ' ') > 0 THEN substr(email, 1, instr(email, ' ') - 1) ELSE email END`

// address is the address of a stored users.email.
func address(email string) string {
	a, _, _ := strings.Cut(email, " ")
	return a
}

// waiting is how a row of the shop that does not sign in keeps its address.
func waiting(address string, shopID int64) string {
	return address + " " + strconv.FormatInt(shopID, 10)
}

const userColumns = `id, shop_id, name, ` + userAddress + `, password_hash, role, invite_hash IS NOT NULL, created_at`

func scanUser(row scanner) (User, error) { return scanUserWith(row) }

// scanUserWith reads userColumns, then any extra columns into extra.
func scanUserWith(row scanner, extra ...any) (User, error) {
	var u User
	var created int64
	err := row.Scan(append([]any{&u.ID, &u.ShopID, &u.Name, &u.Email, &u.PasswordHash, &u.Role, &u.InvitePending, &created}, extra...)...)
	u.CreatedAt = fromUnix(created)
	return u, notFound(err)
}

// UserByEmail finds the active user who signs in with the address.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email = ? AND password_hash <> '' AND disabled_at IS NULL`, email))
	if err != nil {
		return u, fmt.Errorf("user by email: %w", err)
	}
	return u, nil
}

// User returns an active user by id.
func (s *Store) User(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ? AND disabled_at IS NULL`, id))
	if err != nil {
		return u, fmt.Errorf("user %d: %w", id, err)
	}
	return u, nil
}

// Staff lists a shop's active staff, with their stamps.
func (s *Store) Staff(ctx context.Context, shopID int64) ([]User, error) {
	scan := func(row scanner) (User, error) {
		var invite string
		u, err := scanUserWith(row, &invite)
		u.Stamp = staffStamp(u.Role, u.PasswordHash, invite)
		return u, err
	}
	list, err := collect(ctx, s.r, scan, `SELECT `+userColumns+`, coalesce(invite_hash, '') FROM users WHERE shop_id = ? AND disabled_at IS NULL ORDER BY role = 'owner' DESC, name`, shopID)
	if err != nil {
		return nil, fmt.Errorf("staff of shop %d: %w", shopID, err)
	}
	return list, nil
}

// NewStaff is a staff member to add: with a password, or with an invite
// (InviteHash set) that lets them choose it.
type NewStaff struct {
	Name, Email     string
	Role            Role
	PasswordHash    string
	InviteHash      string
	InviteExpiresAt time.Time
}

// AddStaff adds a staff member to a shop on behalf of userID; ErrDuplicate
// when the address is on the shop's staff already. What other shops hold
// changes nothing it answers: an invitation reserves nothing, and a password
// for an address that signs in to another shop adds a member who cannot sign
// in (the address signs in to one shop) rather than say that it does.
func (s *Store) AddStaff(ctx context.Context, shopID int64, n NewStaff, userID int64, now time.Time) (int64, error) {
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var ours, signsIn bool
		err := tx.QueryRowContext(ctx, `SELECT
			EXISTS (SELECT 1 FROM users WHERE email IN (?1, ?2) AND shop_id = ?3 AND disabled_at IS NULL),
			EXISTS (SELECT 1 FROM users WHERE email = ?1)`, n.Email, waiting(n.Email, shopID), shopID).Scan(&ours, &signsIn)
		if err != nil {
			return err
		}
		if ours {
			return ErrDuplicate
		}
		email := n.Email
		if n.InviteHash != "" || signsIn {
			email, n.PasswordHash = waiting(n.Email, shopID), ""
		}
		var invite, expires any
		if n.InviteHash != "" {
			invite, expires = n.InviteHash, unix(n.InviteExpiresAt)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO users (shop_id, name, email, password_hash, role, invite_hash, invite_expires_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, shopID, n.Name, email, n.PasswordHash, n.Role, invite, expires, unix(now))
		if err != nil {
			return err
		}
		id, _ = res.LastInsertId()
		return recordAudit(ctx, tx, shopID, userID, AuditStaffAdd, staffSubject(n.Name, n.Email), now)
	})
	if err != nil {
		return 0, fmt.Errorf("add staff to shop %d: %w", shopID, err)
	}
	return id, nil
}

// UserByInvite finds the user an unexpired invite belongs to.
func (s *Store) UserByInvite(ctx context.Context, inviteHash string, now time.Time) (User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users
		WHERE invite_hash = ? AND invite_expires_at > ? AND disabled_at IS NULL`, inviteHash, unix(now)))
	if err != nil {
		return u, fmt.Errorf("user by invite: %w", err)
	}
	return u, nil
}

// AcceptInvite sets the password of an invited user and uses up the invite:
// from now on the address signs in, to this shop. ErrDuplicate when it signs
// in to another shop already.
func (s *Store) AcceptInvite(ctx context.Context, inviteHash, passwordHash string, now time.Time) (User, error) {
	var u User
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		// A member who signs in already holds a link to choose a new
		// password (ReissueInvite, the reset-password command).
		var reset bool
		err := tx.QueryRowContext(ctx, `SELECT password_hash <> '' FROM users WHERE invite_hash = ? AND invite_expires_at > ? AND disabled_at IS NULL`,
			inviteHash, unix(now)).Scan(&reset)
		if err != nil {
			return notFound(err)
		}
		u, err = scanUser(tx.QueryRowContext(ctx, `UPDATE users SET email = `+userAddress+`, password_hash = ?, invite_hash = NULL, invite_expires_at = NULL
			WHERE invite_hash = ? AND invite_expires_at > ? AND disabled_at IS NULL RETURNING `+userColumns, passwordHash, inviteHash, unix(now)))
		if isUnique(err) {
			return ErrDuplicate
		}
		if err != nil {
			return err
		}
		action := AuditInviteAccept
		if reset {
			// The old password is gone: so are the sessions it opened.
			if err := endUserSessions(ctx, tx, u.ShopID, u.ID); err != nil {
				return err
			}
			action = AuditPasswordChange
		}
		return recordAudit(ctx, tx, u.ShopID, u.ID, action, u.Email, now)
	})
	if err != nil {
		return u, fmt.Errorf("accept invite: %w", err)
	}
	return u, nil
}

// RemoveStaff disables staff member staffID of the shop on behalf of userID
// and ends their sessions. The user row stays: the ledger keeps naming who
// did what. Its address is free again, for this shop or another.
func (s *Store) RemoveStaff(ctx context.Context, shopID, staffID, userID int64, now time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var name, email string
		err := tx.QueryRowContext(ctx, `UPDATE users SET disabled_at = ?, invite_hash = NULL, email = `+userAddress+` || ' ' || shop_id || ' ' || id
			WHERE id = ? AND shop_id = ? AND disabled_at IS NULL RETURNING name, `+userAddress, unix(now), staffID, shopID).Scan(&name, &email)
		if err != nil {
			return fmt.Errorf("remove staff %d: %w", staffID, notFound(err))
		}
		if err := endUserSessions(ctx, tx, shopID, staffID); err != nil {
			return err
		}
		return recordAudit(ctx, tx, shopID, userID, AuditStaffRemove, staffSubject(name, email), now)
	})
}

// member reads staff member staffID of the shop in tx, checking that stamp
// is still theirs.
func member(ctx context.Context, tx *sql.Tx, shopID, staffID int64, stamp string) (User, error) {
	var invite string
	u, err := scanUserWith(tx.QueryRowContext(ctx, `SELECT `+userColumns+`, coalesce(invite_hash, '') FROM users
		WHERE id = ? AND shop_id = ? AND disabled_at IS NULL`, staffID, shopID), &invite)
	if err != nil {
		return u, err
	}
	if staffStamp(u.Role, u.PasswordHash, invite) != stamp {
		return u, ErrChanged
	}
	return u, nil
}

// SetStaffRole gives staff member staffID the role, on behalf of userID.
// ErrLastOwner when they are the shop's only owner who signs in: a shop
// always keeps one. The member's next request has the new role.
func (s *Store) SetStaffRole(ctx context.Context, shopID, staffID int64, stamp string, role Role, userID int64, now time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		u, err := member(ctx, tx, shopID, staffID, stamp)
		if err != nil {
			return err
		}
		if u.Role == RoleOwner && role != RoleOwner {
			var others bool
			err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE shop_id = ? AND id <> ? AND role = 'owner'
				AND disabled_at IS NULL AND password_hash <> '' AND instr(email, ' ') = 0)`, shopID, staffID).Scan(&others)
			if err != nil {
				return err
			}
			if !others {
				return ErrLastOwner
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET role = ? WHERE id = ? AND shop_id = ?`, role, staffID, shopID); err != nil {
			return err
		}
		return recordAudit(ctx, tx, shopID, userID, AuditStaffRole, staffSubject(u.Name, u.Email)+": "+string(u.Role)+" → "+string(role), now)
	})
	if err != nil {
		return fmt.Errorf("set role of staff %d: %w", staffID, err)
	}
	return nil
}

// SetStaffPassword replaces the password of staff member staffID, who signs
// in with one (ErrNotFound otherwise: an invitee chooses theirs), on behalf
// of userID (0: the reset-password command), and ends their sessions and
// any link to choose a password.
func (s *Store) SetStaffPassword(ctx context.Context, shopID, staffID int64, stamp, passwordHash string, userID int64, now time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		u, err := member(ctx, tx, shopID, staffID, stamp)
		if err != nil {
			return err
		}
		if u.PasswordHash == "" {
			return ErrNotFound
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, invite_hash = NULL, invite_expires_at = NULL WHERE id = ? AND shop_id = ?`,
			passwordHash, staffID, shopID); err != nil {
			return err
		}
		if err := endUserSessions(ctx, tx, shopID, staffID); err != nil {
			return err
		}
		return recordAudit(ctx, tx, shopID, userID, AuditStaffPassword, staffSubject(u.Name, u.Email), now)
	})
	if err != nil {
		return fmt.Errorf("set password of staff %d: %w", staffID, err)
	}
	return nil
}

// ReissueInvite gives staff member staffID a new link, by the hash of its
// token, on behalf of userID (0: the reset-password command); the link sent
// before stops working. An invitee accepts it as their invite; a member who
// signs in chooses a new password with it, their current one working until then.
func (s *Store) ReissueInvite(ctx context.Context, shopID, staffID int64, stamp, inviteHash string, expires time.Time, userID int64, now time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		u, err := member(ctx, tx, shopID, staffID, stamp)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET invite_hash = ?, invite_expires_at = ? WHERE id = ? AND shop_id = ?`,
			inviteHash, unix(expires), staffID, shopID); err != nil {
			return err
		}
		return recordAudit(ctx, tx, shopID, userID, AuditStaffLink, staffSubject(u.Name, u.Email), now)
	})
	if err != nil {
		return fmt.Errorf("reissue invite of staff %d: %w", staffID, err)
	}
	return nil
}

// staffSubject names a staff member in the audit log.
func staffSubject(name, email string) string { return name + " (" + address(email) + ")" }

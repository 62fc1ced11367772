package db

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"regulars/loyalty"
)

// AuditAction names a staff action that is not a ledger event; ledger events
// (stamps, redemptions, voids, overrides, adjustments) record their own author.
type AuditAction string

const (
	AuditLogin           AuditAction = "login"
	AuditLogout          AuditAction = "logout"
	AuditPasswordChange  AuditAction = "password"
	AuditSettings        AuditAction = "settings"
	AuditLogo            AuditAction = "logo"
	AuditEconomics       AuditAction = "economics"
	AuditStaffAdd        AuditAction = "staff_add"
	AuditStaffRemove     AuditAction = "staff_remove"
	AuditStaffSignOut    AuditAction = "staff_signout"
	AuditStaffRole       AuditAction = "staff_role"
	AuditStaffPassword   AuditAction = "staff_password"
	AuditStaffLink       AuditAction = "staff_link"
	AuditInviteAccept    AuditAction = "invite_accept"
	AuditProgramSave     AuditAction = "program_save"
	AuditProgramArchive  AuditAction = "program_archive"
	AuditProgramDefault  AuditAction = "program_default"
	AuditCampaignCreate  AuditAction = "campaign_create"
	AuditCampaignPause   AuditAction = "campaign_pause"
	AuditCampaignResume  AuditAction = "campaign_resume"
	AuditCampaignEnd     AuditAction = "campaign_end"
	AuditRaffleCreate    AuditAction = "raffle_create"
	AuditRaffleUpdate    AuditAction = "raffle_update"
	AuditRaffleDraw      AuditAction = "raffle_draw"
	AuditCustomerEdit    AuditAction = "customer_edit"
	AuditCustomerErase   AuditAction = "customer_erase"
	AuditCustomersImport AuditAction = "customers_import"
	AuditCustomersExport AuditAction = "customers_export"
	AuditGrowth          AuditAction = "growth"
	AuditCardsPrint      AuditAction = "cards_print"
	AuditCardReplace     AuditAction = "card_replace"
	AuditNewsPost        AuditAction = "news_post"
	AuditNewsRemove      AuditAction = "news_remove"
	AuditClubSave        AuditAction = "club_save"
	AuditClubAdd         AuditAction = "club_add"
	AuditClubRemove      AuditAction = "club_remove"
	// The gift catalogue (catalogue.go): its items, and the steps staff
	// take a redemption through.
	AuditGiftCreate     AuditAction = "gift_create"
	AuditGiftEdit       AuditAction = "gift_edit"
	AuditGiftStock      AuditAction = "gift_stock"
	AuditGiftRetire     AuditAction = "gift_retire"
	AuditGiftReady      AuditAction = "gift_ready"
	AuditGiftHandedOver AuditAction = "gift_handed_over"
	AuditGiftShipped    AuditAction = "gift_shipped"
	AuditGiftDelivered  AuditAction = "gift_delivered"
	AuditGiftCancel     AuditAction = "gift_cancel"
)

// recordAudit writes one audit row within tx, so it lands with the change it records.
func recordAudit(ctx context.Context, tx *sql.Tx, shopID, userID int64, action AuditAction, subject string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO audit (shop_id, user_id, action, subject, created_at) VALUES (?, ?, ?, ?, ?)`,
		shopID, null(userID), action, subject, unix(now))
	if err != nil {
		return fmt.Errorf("audit %s in shop %d: %w", action, shopID, err)
	}
	return nil
}

// Audit records an action that changed nothing else in the database, such as a
// login or an export; changes record theirs in their own transaction.
func (s *Store) Audit(ctx context.Context, shopID, userID int64, action AuditAction, subject string, now time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		return recordAudit(ctx, tx, shopID, userID, action, subject, now)
	})
}

// AuditActions are the actions the audit table holds, in the order the
// owner's filter offers them.
var AuditActions = []AuditAction{
	AuditLogin, AuditLogout, AuditPasswordChange, AuditInviteAccept, AuditSettings, AuditLogo, AuditEconomics,
	AuditStaffAdd, AuditStaffRemove, AuditStaffSignOut, AuditStaffRole, AuditStaffPassword, AuditStaffLink, AuditProgramSave, AuditProgramArchive, AuditProgramDefault,
	AuditCampaignCreate, AuditCampaignPause, AuditCampaignResume, AuditCampaignEnd,
	AuditRaffleCreate, AuditRaffleUpdate, AuditRaffleDraw,
	AuditCustomerEdit, AuditCustomerErase, AuditCustomersImport, AuditCustomersExport,
	AuditGrowth, AuditCardsPrint, AuditCardReplace, AuditNewsPost, AuditNewsRemove,
	AuditClubSave, AuditClubAdd, AuditClubRemove,
	AuditGiftCreate, AuditGiftEdit, AuditGiftStock, AuditGiftRetire,
	AuditGiftReady, AuditGiftHandedOver, AuditGiftShipped, AuditGiftDelivered, AuditGiftCancel,
}

// KindOverride is the audit log's name for a stamp given despite the cooldown.
const KindOverride = "override"

// LedgerAuditKinds are the kinds of ledger lines the audit log tells apart.
var LedgerAuditKinds = []string{
	string(loyalty.KindStamp), KindOverride, string(loyalty.KindRedeem), string(loyalty.KindCoupon), string(loyalty.KindPrize),
	string(loyalty.KindVoid), string(loyalty.KindAdjust), string(loyalty.KindBonus),
}

// IsAuditKind reports whether kind is one the audit log can filter by.
func IsAuditKind(kind string) bool {
	return slices.Contains(AuditActions, AuditAction(kind)) || slices.Contains(LedgerAuditKinds, kind)
}

// AuditCursor is a place in the audit log: the log is ordered by time, then
// ledger lines before audit rows, then id, all descending.
type AuditCursor struct {
	At     int64 // unix seconds
	Ledger bool
	ID     int64
}

// IsZero reports a cursor that points nowhere: the log's newest end.
func (c AuditCursor) IsZero() bool { return c == AuditCursor{} }

// String is the cursor as a URL carries it: "1772445600-e123" (a ledger
// event) or "1772445600-a45" (an audit row).
func (c AuditCursor) String() string {
	src := "a"
	if c.Ledger {
		src = "e"
	}
	return strconv.FormatInt(c.At, 10) + "-" + src + strconv.FormatInt(c.ID, 10)
}

// ErrBadCursor: a cursor that String did not make.
var ErrBadCursor = errors.New("malformed audit cursor")

// ParseAuditCursor reads what String wrote.
func ParseAuditCursor(s string) (AuditCursor, error) {
	at, rest, ok := strings.Cut(s, "-")
	if !ok || len(rest) < 2 || (rest[0] != 'a' && rest[0] != 'e') {
		return AuditCursor{}, ErrBadCursor
	}
	c := AuditCursor{Ledger: rest[0] == 'e'}
	var err1, err2 error
	c.At, err1 = strconv.ParseInt(at, 10, 64)
	c.ID, err2 = strconv.ParseInt(rest[1:], 10, 64)
	if err1 != nil || err2 != nil || c.At < 0 || c.ID <= 0 || strconv.FormatInt(c.At, 10) != at || strconv.FormatInt(c.ID, 10) != rest[1:] {
		return AuditCursor{}, ErrBadCursor
	}
	return c, nil
}

// AuditQuery filters the audit log.
type AuditQuery struct {
	UserID   int64     // 0: everyone
	Kind     string    // an AuditAction or one of LedgerAuditKinds; "": all
	From, To time.Time // [From, To); zero: unbounded
	Before   AuditCursor
}

// AuditEntry is a line of the audit log: a staff member's ledger event or a
// row of the audit table.
type AuditEntry struct {
	Ledger   bool
	ID       int64
	At       time.Time
	UserID   int64
	UserName string
	Kind     string // an AuditAction, or one of LedgerAuditKinds
	// Subject is what an audit row was done to, or the program, campaign or
	// raffle of a ledger event.
	Subject string
	// The card of a ledger event.
	CardID    int64
	CardName  string
	ShortCode string
	Stamps    int
	Note      string // an adjustment's reason
}

// Cursor is the place of e in the log.
func (e AuditEntry) Cursor() AuditCursor {
	return AuditCursor{At: e.At.Unix(), Ledger: e.Ledger, ID: e.ID}
}

// AuditPerson is someone the audit log can be filtered by, removed staff included.
type AuditPerson struct {
	ID      int64
	Name    string
	Removed bool
}

// AuditPeople lists everyone who ever worked in the shop, active first.
func (s *Store) AuditPeople(ctx context.Context, shopID int64) ([]AuditPerson, error) {
	list, err := collect(ctx, s.r, func(r scanner) (AuditPerson, error) {
		var p AuditPerson
		return p, r.Scan(&p.ID, &p.Name, &p.Removed)
	}, `SELECT id, name, disabled_at IS NOT NULL FROM users WHERE shop_id = ? ORDER BY disabled_at IS NOT NULL, name, id`, shopID)
	if err != nil {
		return nil, fmt.Errorf("people of shop %d: %w", shopID, err)
	}
	return list, nil
}

// AuditLog returns up to limit lines of the log older than q.Before, newest
// first, and whether there are older ones. It reads at most limit+1 rows from
// each source by one of their indexes, so its cost does not grow with the
// ledger: a person's events by events_user, their events of a kind by
// events_user_kind, a kind across staff by those person by person, and the
// whole shop's by events_shop_time. Plain stamps, left out of
// events_user_kind, are a person's events by events_user less the others:
// nearly every row for a cashier, fewer for an owner who mostly adjusts,
// whose other events in the period are read and passed over.
func (s *Store) AuditLog(ctx context.Context, shopID int64, q AuditQuery, limit int) ([]AuditEntry, bool, error) {
	from, to := int64(0), int64(math.MaxInt64)
	if !q.From.IsZero() {
		from = unix(q.From)
	}
	if !q.To.IsZero() {
		to = unix(q.To)
	}
	if !q.Before.IsZero() {
		to = min(to, q.Before.At+1)
	}
	var out []AuditEntry
	if q.Kind == "" || slices.Contains(AuditActions, AuditAction(q.Kind)) {
		rows, err := s.auditRows(ctx, shopID, q, from, to, limit+1)
		if err != nil {
			return nil, false, err
		}
		out = append(out, rows...)
	}
	if q.Kind == "" || slices.Contains(LedgerAuditKinds, q.Kind) {
		users := []int64{q.UserID}
		if q.UserID == 0 && q.Kind != "" {
			people, err := s.AuditPeople(ctx, shopID)
			if err != nil {
				return nil, false, err
			}
			users = users[:0]
			for _, p := range people {
				users = append(users, p.ID)
			}
		}
		for _, u := range users {
			uq := q
			uq.UserID = u
			rows, err := s.ledgerRows(ctx, shopID, uq, from, to, limit+1)
			if err != nil {
				return nil, false, err
			}
			out = append(out, rows...)
		}
	}
	slices.SortFunc(out, func(a, b AuditEntry) int {
		ka, kb := a.Cursor(), b.Cursor()
		return cmp.Or(cmp.Compare(kb.At, ka.At), cmp.Compare(src(kb.Ledger), src(ka.Ledger)), cmp.Compare(kb.ID, ka.ID))
	})
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}

func src(ledger bool) int {
	if ledger {
		return 1
	}
	return 0
}

// olderThan is the cursor's condition within its second, which the range's
// upper bound already ends: a source sorting after the cursor's was shown
// before it, one sorting before it is still to come, and within the
// cursor's own source the ids decide. It binds (at, id).
const olderThan = ` AND (%[1]s.created_at < ? OR %[1]s.id < ?)`

// cursorArgs binds olderThan for a source; without a cursor it is a no-op.
func cursorArgs(c AuditCursor, ledger bool) []any {
	id := c.ID
	switch {
	case c.IsZero() || src(ledger) < src(c.Ledger):
		id = math.MaxInt64
	case src(ledger) > src(c.Ledger):
		id = 0
	}
	return []any{c.At, id}
}

func (s *Store) auditRows(ctx context.Context, shopID int64, q AuditQuery, from, to int64, limit int) ([]AuditEntry, error) {
	query, args := auditQuery(shopID, q, from, to, limit)
	list, err := collect(ctx, s.r, func(r scanner) (AuditEntry, error) {
		var e AuditEntry
		var at int64
		err := r.Scan(&e.ID, &at, &e.UserID, &e.UserName, &e.Kind, &e.Subject)
		e.At = fromUnix(at)
		return e, err
	}, query, args...)
	if err != nil {
		return nil, fmt.Errorf("audit of shop %d: %w", shopID, err)
	}
	return list, nil
}

// auditQuery reads the audit table newest first, by audit_user for a person
// and by audit_shop otherwise: the table holds a few rows a day.
func auditQuery(shopID int64, q AuditQuery, from, to int64, limit int) (string, []any) {
	index, where, args := "audit_shop", "", []any{shopID}
	if q.UserID != 0 {
		index, where = "audit_user", " AND a.user_id = ?"
		args = append(args, q.UserID)
	}
	if q.Kind != "" {
		where += " AND a.action = ?"
		args = append(args, q.Kind)
	}
	args = append(append(append(args, from, to), cursorArgs(q.Before, false)...), limit)
	return `SELECT a.id, a.created_at, coalesce(a.user_id, 0), coalesce(u.name, ''), a.action, a.subject
		FROM audit a INDEXED BY ` + index + ` LEFT JOIN users u ON u.id = a.user_id
		WHERE a.shop_id = ?` + where + ` AND a.created_at >= ? AND a.created_at < ?` + fmt.Sprintf(olderThan, "a") + `
		ORDER BY a.created_at DESC, a.id DESC LIMIT ?`, args
}

func (s *Store) ledgerRows(ctx context.Context, shopID int64, q AuditQuery, from, to int64, limit int) ([]AuditEntry, error) {
	query, args := ledgerQuery(shopID, q, from, to, limit)
	list, err := collect(ctx, s.r, func(r scanner) (AuditEntry, error) {
		e := AuditEntry{Ledger: true}
		var at int64
		var override bool
		err := r.Scan(&e.ID, &at, &e.UserID, &e.UserName, &e.Kind, &override, &e.Stamps, &e.Note, &e.CardID, &e.CardName, &e.ShortCode, &e.Subject)
		e.At = fromUnix(at)
		if override && e.Kind == string(loyalty.KindStamp) {
			e.Kind = KindOverride
		}
		return e, err
	}, query, args...)
	if err != nil {
		return nil, fmt.Errorf("ledger audit of shop %d: %w", shopID, err)
	}
	return list, nil
}

// ledgerQuery reads staff's ledger events newest first, each filter by the
// index that answers it in order, so LIMIT stops the scan early. A person's
// plain stamps are read through the person's events, nearly all of which
// are stamps (events_user_kind leaves them out, migration 0035).
func ledgerQuery(shopID int64, q AuditQuery, from, to int64, limit int) (string, []any) {
	index, where, args := "events_shop_time", " AND e.user_id IS NOT NULL", []any{shopID}
	if q.UserID != 0 {
		index, where = "events_user", " AND e.user_id = ?"
		args = append(args, q.UserID)
	}
	switch q.Kind {
	case "":
	case string(loyalty.KindStamp):
		// Plain stamps are left out of events_user_kind: most of a
		// person's events are stamps, which events_user finds at once.
		where += " AND e.kind = 'stamp' AND e.override = 0"
	default:
		kind, override := q.Kind, 0
		if kind == KindOverride {
			kind, override = string(loyalty.KindStamp), 1
		}
		// The index's own condition, word for word, lets SQLite use it.
		index, where = "events_user_kind", where+" AND e.kind = ? AND e.override = ? AND (e.kind <> 'stamp' OR e.override = 1)"
		args = append(args, kind, override)
	}
	args = append(append(append(args, from, to), cursorArgs(q.Before, true)...), limit)
	return `SELECT e.id, e.created_at, e.user_id, coalesce(u.name, ''), e.kind, e.override, e.stamps, e.note,
			e.card_id, c.first_name, c.short_code, coalesce(p.name, cp.title, rf.title, '')
		FROM events e INDEXED BY ` + index + ` JOIN cards c ON c.id = e.card_id LEFT JOIN users u ON u.id = e.user_id
			LEFT JOIN programs p ON p.id = e.program_id LEFT JOIN campaigns cp ON cp.id = e.campaign_id LEFT JOIN raffles rf ON rf.id = e.raffle_id
		WHERE e.shop_id = ?` + where + ` AND e.created_at >= ? AND e.created_at < ?` + fmt.Sprintf(olderThan, "e") + `
		ORDER BY e.created_at DESC, e.id DESC LIMIT ?`, args
}

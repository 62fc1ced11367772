package db

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"regulars/loyalty"
)

// Who started or ended a club membership (club_members.source, left_source).
const (
	ClubByCard   = "card"   // the customer, on the card page
	ClubByOwner  = "owner"  // the owner or a manager
	ClubByImport = "import" // a customer import
)

// ErrClubClosed refuses a customer's join of a club that is by invitation, or
// archived, from the card page; and the owner's add to an archived club.
var ErrClubClosed = errors.New("the club takes no members this way")

// Club is a group of the shop's customers for club-only coupons and news.
type Club struct {
	ID          int64
	Name        string
	Description string
	Open        bool // joined from the card page; else by the owner's invitation
	Archived    bool
	CreatedAt   time.Time
	// Members counts the current members, for the owner.
	Members int
}

const clubColumns = `id, name, description, open, archived_at IS NOT NULL, created_at`

func scanClub(row scanner, extra ...any) (Club, error) {
	var c Club
	var at int64
	err := row.Scan(append([]any{&c.ID, &c.Name, &c.Description, &c.Open, &c.Archived, &at}, extra...)...)
	c.CreatedAt = fromUnix(at)
	return c, notFound(err)
}

// SaveClub creates the club (c.ID 0) or changes its name, description,
// openness and archiving, on behalf of userID. A name the shop uses for
// another club is ErrDuplicate.
func (s *Store) SaveClub(ctx context.Context, shopID int64, c Club, userID int64, now time.Time) (int64, error) {
	var archived any
	if c.Archived {
		archived = unix(now)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if c.ID == 0 {
			err = tx.QueryRowContext(ctx, `INSERT INTO clubs (shop_id, name, description, open, archived_at, created_by, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, shopID, c.Name, c.Description, c.Open, archived, null(userID), unix(now)).Scan(&c.ID)
		} else {
			// An archived club keeps the time it was first archived.
			err = tx.QueryRowContext(ctx, `UPDATE clubs SET name = ?1, description = ?2, open = ?3,
				archived_at = CASE WHEN ?4 IS NULL THEN NULL ELSE coalesce(archived_at, ?4) END
				WHERE id = ?5 AND shop_id = ?6 RETURNING id`, c.Name, c.Description, c.Open, archived, c.ID, shopID).Scan(&c.ID)
		}
		if isUnique(err) {
			return ErrDuplicate
		}
		if err != nil {
			return notFound(err)
		}
		return recordAudit(ctx, tx, shopID, userID, AuditClubSave, c.Name, now)
	})
	if err != nil {
		return 0, fmt.Errorf("save club %q of shop %d: %w", c.Name, shopID, err)
	}
	return c.ID, nil
}

// Clubs lists the shop's clubs with their member counts, the archived last.
func (s *Store) Clubs(ctx context.Context, shopID int64) ([]Club, error) {
	list, err := collect(ctx, s.r, func(r scanner) (Club, error) {
		var n int
		c, err := scanClub(r, &n)
		c.Members = n
		return c, err
	}, `SELECT `+clubColumns+`, (SELECT count(*) FROM club_members m JOIN cards c ON c.id = m.card_id WHERE m.club_id = clubs.id AND m.left_at IS NULL AND c.erased_at IS NULL)
		FROM clubs WHERE shop_id = ?`, shopID)
	if err != nil {
		return nil, fmt.Errorf("clubs of shop %d: %w", shopID, err)
	}
	sh, err := s.Shop(ctx, shopID)
	if err != nil {
		return nil, err
	}
	sortClubs(list, sh.Language, func(c *Club) *Club { return c })
	return list, nil
}

// sortClubs puts clubs in the order of their names in the shop's language
// lang, the archived last, ties by id. SQLite's NOCASE order is the bytes'
// beyond ASCII: "Çay" came after "Dondurma" for a Turkish café.
func sortClubs[T any](list []T, lang string, club func(*T) *Club) {
	names := collate.New(language.Make(lang)) // keeps buffers: one per call, never shared
	slices.SortFunc(list, func(a, b T) int {
		x, y := club(&a), club(&b)
		if x.Archived != y.Archived {
			if x.Archived {
				return 1
			}
			return -1
		}
		return cmp.Or(names.CompareString(x.Name, y.Name), cmp.Compare(x.ID, y.ID))
	})
}

// Club returns one club of the shop, with its member count.
func (s *Store) Club(ctx context.Context, shopID, id int64) (Club, error) {
	var n int
	c, err := scanClub(s.r.QueryRowContext(ctx, `SELECT `+clubColumns+`, (SELECT count(*) FROM club_members m JOIN cards c ON c.id = m.card_id WHERE m.club_id = clubs.id AND m.left_at IS NULL AND c.erased_at IS NULL)
		FROM clubs WHERE id = ? AND shop_id = ?`, id, shopID), &n)
	c.Members = n
	if err != nil {
		return c, fmt.Errorf("club %d of shop %d: %w", id, shopID, err)
	}
	return c, nil
}

// liveClubs are the shop's clubs a card page may show: those not archived,
// in the order of their names in the shop's language lang. Shop-level, kept
// in the card pages' cached parts (cardpage.go).
func liveClubs(ctx context.Context, q querier, shopID int64, lang string) ([]Club, error) {
	list, err := collect(ctx, q, func(r scanner) (Club, error) { return scanClub(r) },
		`SELECT `+clubColumns+` FROM clubs WHERE shop_id = ? AND archived_at IS NULL`, shopID)
	if err != nil {
		return nil, fmt.Errorf("clubs of shop %d: %w", shopID, err)
	}
	sortClubs(list, lang, func(c *Club) *Club { return c })
	return list, nil
}

// cardClubs returns the ids of the clubs the card is a member of now: one
// read of the club_members_card index.
func cardClubs(ctx context.Context, q querier, cardID int64) ([]int64, error) {
	ids, err := collect(ctx, q, func(r scanner) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	}, `SELECT club_id FROM club_members WHERE card_id = ? AND left_at IS NULL`, cardID)
	if err != nil {
		return nil, fmt.Errorf("clubs of card %d: %w", cardID, err)
	}
	return ids, nil
}

// JoinClub makes the card a member of the club: source ClubByCard from the
// card page (only an open club that is not archived, else ErrClubClosed), or
// ClubByOwner on behalf of userID (any club not archived). Joining as a member
// changes nothing. A running coupon of the club is issued with the
// membership, as late coupons are to a segment's newcomers.
func (s *Store) JoinClub(ctx context.Context, shopID, clubID, cardID int64, source string, userID int64, now time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var (
			name           string
			open, archived bool
		)
		err := tx.QueryRowContext(ctx, `SELECT name, open, archived_at IS NOT NULL FROM clubs WHERE id = ? AND shop_id = ?`, clubID, shopID).Scan(&name, &open, &archived)
		if err != nil {
			return notFound(err)
		}
		if archived || !open && source == ClubByCard {
			return ErrClubClosed
		}
		// The card must be the shop's and still have a customer.
		res, err := tx.ExecContext(ctx, `INSERT INTO club_members (shop_id, club_id, card_id, joined_at, source, added_by)
			SELECT shop_id, ?, id, ?, ?, ? FROM cards WHERE id = ? AND shop_id = ? AND erased_at IS NULL ON CONFLICT DO NOTHING`,
			clubID, unix(now), source, null(userID), cardID, shopID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var member bool
			err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM club_members WHERE club_id = ? AND card_id = ? AND shop_id = ? AND left_at IS NULL)`,
				clubID, cardID, shopID).Scan(&member)
			if err != nil || member {
				return err // already a member: nothing to do
			}
			return ErrNotFound // no such card in the shop
		}
		if err := auditMembership(ctx, tx, shopID, cardID, source, userID, AuditClubAdd, name, now); err != nil {
			return err
		}
		return issueClubCoupons(ctx, tx, shopID, clubID, cardID, now)
	})
	if err != nil {
		return fmt.Errorf("card %d joins club %d: %w", cardID, clubID, err)
	}
	return nil
}

// issueClubCoupons gives a new member the club's running campaigns.
func issueClubCoupons(ctx context.Context, tx *sql.Tx, shopID, clubID, cardID int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO coupons (shop_id, campaign_id, card_id, issued_at)
		SELECT k.shop_id, k.id, ?, ? FROM campaigns k WHERE k.shop_id = ? AND k.club_id = ? AND k.ended_at IS NULL AND k.valid_from <= ? AND k.valid_until > ?
		ON CONFLICT DO NOTHING`, cardID, unix(now), shopID, clubID, unix(now), unix(now))
	if err != nil {
		return fmt.Errorf("coupons of club %d for card %d: %w", clubID, cardID, err)
	}
	return nil
}

// LeaveClub ends the card's membership of the club: source ClubByCard from
// the card page, ClubByOwner on behalf of userID. Leaving a club the card is
// not in changes nothing; coupons it was given stay its own.
func (s *Store) LeaveClub(ctx context.Context, shopID, clubID, cardID int64, source string, userID int64, now time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var name string
		err := tx.QueryRowContext(ctx, `SELECT name FROM clubs WHERE id = ? AND shop_id = ?`, clubID, shopID).Scan(&name)
		if err != nil {
			return notFound(err)
		}
		res, err := tx.ExecContext(ctx, `UPDATE club_members SET left_at = ?, left_source = ?, removed_by = ?
			WHERE club_id = ? AND card_id = ? AND shop_id = ? AND left_at IS NULL`, unix(now), source, null(userID), clubID, cardID, shopID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return auditMembership(ctx, tx, shopID, cardID, source, userID, AuditClubRemove, name, now)
	})
	if err != nil {
		return fmt.Errorf("card %d leaves club %d: %w", cardID, clubID, err)
	}
	return nil
}

// ClubMember is a current member of a club, as the owner's list shows it.
type ClubMember struct {
	CardID    int64
	Name      string
	ShortCode string
	JoinedAt  time.Time
	Source    string
}

// ClubMembersPerPage is the length of a page of a club's member list.
const ClubMembersPerPage = 50

// ClubMembers lists page (from 1) of the club's current members, newest
// first, and how many there are in all.
func (s *Store) ClubMembers(ctx context.Context, shopID, clubID int64, page int) ([]ClubMember, int, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT c.id, c.first_name, c.short_code, m.joined_at, m.source, count(*) OVER ()
		FROM club_members m JOIN cards c ON c.id = m.card_id AND c.shop_id = m.shop_id
		WHERE m.club_id = ? AND m.shop_id = ? AND m.left_at IS NULL AND c.erased_at IS NULL
		ORDER BY m.joined_at DESC, m.id DESC LIMIT ? OFFSET ?`, clubID, shopID, ClubMembersPerPage, (max(page, 1)-1)*ClubMembersPerPage)
	if err != nil {
		return nil, 0, fmt.Errorf("members of club %d: %w", clubID, err)
	}
	defer rows.Close()
	var (
		list  []ClubMember
		total int
	)
	for rows.Next() {
		var m ClubMember
		var at int64
		if err := rows.Scan(&m.CardID, &m.Name, &m.ShortCode, &at, &m.Source, &total); err != nil {
			return nil, 0, fmt.Errorf("members of club %d: %w", clubID, err)
		}
		m.JoinedAt = fromUnix(at)
		list = append(list, m)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("members of club %d: %w", clubID, err)
	}
	return list, total, nil
}

// liveClub checks that the club is the shop's and not archived: what a
// campaign or news for a club needs.
func liveClub(ctx context.Context, tx *sql.Tx, shopID, clubID int64) error {
	var archived bool
	err := tx.QueryRowContext(ctx, `SELECT archived_at IS NOT NULL FROM clubs WHERE id = ? AND shop_id = ?`, clubID, shopID).Scan(&archived)
	if err != nil {
		return fmt.Errorf("club %d: %w", clubID, notFound(err))
	}
	if archived {
		return fmt.Errorf("club %d: %w", clubID, ErrClubClosed)
	}
	return nil
}

// customerClubs are the shop's clubs not archived, with whether the card is
// a member now, for the owner's customer record, in the order of the shop's
// language lang.
func customerClubs(ctx context.Context, q querier, shopID, cardID int64, lang string) ([]CardClub, error) {
	list, err := collect(ctx, q, func(r scanner) (CardClub, error) {
		var cc CardClub
		var err error
		cc.Club, err = scanClub(r, &cc.Member)
		return cc, err
	}, `SELECT `+clubColumns+`, EXISTS (SELECT 1 FROM club_members m WHERE m.club_id = clubs.id AND m.card_id = ? AND m.left_at IS NULL)
		FROM clubs WHERE shop_id = ? AND archived_at IS NULL`, cardID, shopID)
	if err != nil {
		return nil, fmt.Errorf("clubs of card %d: %w", cardID, err)
	}
	sortClubs(list, lang, func(c *CardClub) *Club { return &c.Club })
	return list, nil
}

// auditMembership records a membership the staff changed, naming the club
// and the card's code; a customer's own join or leave is not a staff action.
func auditMembership(ctx context.Context, tx *sql.Tx, shopID, cardID int64, source string, userID int64, action AuditAction, club string, now time.Time) error {
	if source != ClubByOwner {
		return nil
	}
	var code string
	if err := tx.QueryRowContext(ctx, `SELECT short_code FROM cards WHERE id = ? AND shop_id = ?`, cardID, shopID).Scan(&code); err != nil {
		return fmt.Errorf("card %d: %w", cardID, notFound(err))
	}
	return recordAudit(ctx, tx, shopID, userID, action, club+" · "+loyalty.FormatShortCode(code), now)
}

package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// News is an announcement of the shop, shown at the top of its card pages.
type News struct {
	ID       int64
	Body     string
	HasImage bool
	EndsAt   time.Time // zero: shown until taken down
	Removed  bool
	Author   string
	At       time.Time
	// Seen counts the cards whose page has shown it, for the owner.
	Seen int
	// ClubID is the club whose members alone see it (0: everyone), ClubName its name.
	ClubID   int64
	ClubName string
}

// Live reports whether card pages show the news at now.
func (n News) Live(now time.Time) bool {
	return !n.Removed && (n.EndsAt.IsZero() || now.Before(n.EndsAt))
}

// NewNews is an announcement to post; the image is already re-encoded.
type NewNews struct {
	Body   string
	Image  []byte // nil: none
	EndsAt time.Time
	Key    string // idempotency key of the form
	ClubID int64  // for this club's members only; 0: everyone
}

// PostNews publishes an announcement on behalf of userID; a replayed form is
// a *ReplayedError naming the announcement posted the first time.
func (s *Store) PostNews(ctx context.Context, shopID int64, n NewNews, userID int64, now time.Time) (int64, error) {
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT id FROM news WHERE shop_id = ? AND idempotency_key = ?`, shopID, n.Key).Scan(&id)
		if err == nil {
			return &ReplayedError{ID: id}
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var ends, club any
		if !n.EndsAt.IsZero() {
			ends = unix(n.EndsAt)
		}
		if n.ClubID != 0 {
			if err := liveClub(ctx, tx, shopID, n.ClubID); err != nil {
				return err
			}
			club = n.ClubID
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO news (shop_id, body, image, ends_at, created_by, created_at, idempotency_key, club_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, shopID, n.Body, n.Image, ends, userID, unix(now), n.Key, club).Scan(&id)
		if err != nil {
			return err
		}
		return recordAudit(ctx, tx, shopID, userID, AuditNewsPost, n.Body, now)
	})
	if err != nil {
		return id, fmt.Errorf("post news in shop %d: %w", shopID, err)
	}
	return id, nil
}

// RemoveNews takes an announcement down; taking it down again changes nothing.
func (s *Store) RemoveNews(ctx context.Context, shopID, id, userID int64, now time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var body string
		var removed bool
		err := tx.QueryRowContext(ctx, `SELECT body, removed_at IS NOT NULL FROM news WHERE id = ? AND shop_id = ?`, id, shopID).Scan(&body, &removed)
		if err != nil || removed {
			return notFound(err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE news SET removed_at = ? WHERE id = ? AND shop_id = ?`, unix(now), id, shopID); err != nil {
			return err
		}
		return recordAudit(ctx, tx, shopID, userID, AuditNewsRemove, body, now)
	})
	if err != nil {
		return fmt.Errorf("remove news %d: %w", id, err)
	}
	return nil
}

const newsColumns = `n.id, n.body, n.image IS NOT NULL, coalesce(n.ends_at, 0), n.removed_at IS NOT NULL, coalesce(u.name, ''), n.created_at,
	coalesce(n.club_id, 0), coalesce((SELECT name FROM clubs WHERE id = n.club_id), '')`

func scanNews(row scanner, extra ...any) (News, error) {
	var n News
	var ends, at int64
	err := row.Scan(append([]any{&n.ID, &n.Body, &n.HasImage, &ends, &n.Removed, &n.Author, &at, &n.ClubID, &n.ClubName}, extra...)...)
	if ends != 0 {
		n.EndsAt = fromUnix(ends)
	}
	n.At = fromUnix(at)
	return n, err
}

// maxNewsListed bounds the owner's list: old announcements matter little.
const maxNewsListed = 100

// NewsList is the shop's announcements for the owner, newest first.
func (s *Store) NewsList(ctx context.Context, shopID int64) ([]News, error) {
	list, err := collect(ctx, s.r, func(r scanner) (News, error) {
		var seen int
		n, err := scanNews(r, &seen)
		n.Seen = seen
		return n, err
	}, `SELECT `+newsColumns+`, (SELECT count(*) FROM news_seen WHERE news_id = n.id) FROM news n LEFT JOIN users u ON u.id = n.created_by
		WHERE n.shop_id = ? ORDER BY n.id DESC LIMIT `+fmt.Sprint(maxNewsListed), shopID)
	if err != nil {
		return nil, fmt.Errorf("news of shop %d: %w", shopID, err)
	}
	return list, nil
}

// CardNews is an announcement as one card's page shows it.
type CardNews struct {
	News
	New bool // the card's page has not shown it before
}

// maxCardNews is how many announcements a card page shows, newest first.
const maxCardNews = 3

// newsForCard returns the announcements the card's page shows at now (a
// club's only to its members); New
// marks those it has not shown before (markNewsSeen records that it has).
func newsForCard(ctx context.Context, q querier, shopID, cardID int64, now time.Time) ([]CardNews, error) {
	list, err := collect(ctx, q, func(r scanner) (CardNews, error) {
		var isNew bool
		n, err := scanNews(r, &isNew)
		return CardNews{News: n, New: isNew}, err
	}, `SELECT `+newsColumns+`, NOT EXISTS (SELECT 1 FROM news_seen WHERE news_id = n.id AND card_id = ?)
		FROM news n LEFT JOIN users u ON u.id = n.created_by
		WHERE n.shop_id = ? AND n.removed_at IS NULL AND (n.ends_at IS NULL OR n.ends_at > ?) AND n.created_at <= ?
			AND (n.club_id IS NULL OR EXISTS (SELECT 1 FROM club_members m WHERE m.card_id = ?1 AND m.club_id = n.club_id AND m.left_at IS NULL))
		ORDER BY n.id DESC LIMIT `+fmt.Sprint(maxCardNews), cardID, shopID, unix(now), unix(now))
	if err != nil {
		return nil, fmt.Errorf("news for card %d: %w", cardID, err)
	}
	return list, nil
}

// markNewsSeen records that the card's page has shown the shop's
// announcements ids: each is new once.
func markNewsSeen(ctx context.Context, tx *sql.Tx, shopID, cardID int64, ids []int64, now time.Time) error {
	for _, id := range ids {
		_, err := tx.ExecContext(ctx, `INSERT INTO news_seen (news_id, card_id, seen_at) SELECT id, ?, ? FROM news WHERE id = ? AND shop_id = ?
			ON CONFLICT DO NOTHING`, cardID, unix(now), id, shopID)
		if err != nil {
			return fmt.Errorf("mark news %d seen by card %d: %w", id, cardID, err)
		}
	}
	return nil
}

// NewsImage returns the image of an announcement that is still up.
func (s *Store) NewsImage(ctx context.Context, shopID, id int64) ([]byte, error) {
	var img []byte
	err := s.r.QueryRowContext(ctx, `SELECT image FROM news WHERE id = ? AND shop_id = ? AND image IS NOT NULL AND removed_at IS NULL`, id, shopID).Scan(&img)
	if err != nil {
		return nil, fmt.Errorf("image of news %d: %w", id, notFound(err))
	}
	return img, nil
}

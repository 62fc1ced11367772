package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"regulars/loyalty"
)

// Card is a customer's membership in one shop.
type Card struct {
	ID        int64
	ShopID    int64
	Token     string
	ShortCode string
	FirstName string
	Phone     string
	Email     string
	Birthday  string // "MM-DD" or empty
	Consent   bool   // agreed to hear from the shop
	// InviteCode goes in the card's invite link; it opens nothing.
	InviteCode string
	CreatedAt  time.Time
	// Erased is set when the owner erased the customer's personal data.
	Erased bool
}

const cardColumns = `id, shop_id, token, short_code, first_name, phone, email, birthday, consent_at IS NOT NULL, coalesce(invite_code, ''), created_at, erased_at IS NOT NULL`

func scanCard(row scanner) (Card, error) {
	var c Card
	var created int64
	err := row.Scan(&c.ID, &c.ShopID, &c.Token, &c.ShortCode, &c.FirstName, &c.Phone, &c.Email, &c.Birthday, &c.Consent, &c.InviteCode, &created, &c.Erased)
	c.CreatedAt = fromUnix(created)
	return c, notFound(err)
}

// ReplayedError says an idempotency key was used before: the earlier action
// stands and nothing changed. ID names what that action produced.
type ReplayedError struct{ ID int64 }

func (e *ReplayedError) Error() string { return fmt.Sprintf("already done (%d)", e.ID) }

// EnrollCard creates a card with a fresh token and short code, for a
// customer a cashier enrolls or one who joins by the shop's poster.
func (s *Store) EnrollCard(ctx context.Context, shopID int64, n NewCard, now time.Time) (Card, error) {
	var c Card
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		// A short code collides once in billions of cards; retry rather than fail.
		for range 5 {
			code := loyalty.NewShortCode()
			printed, err := shortCodePrinted(ctx, tx, shopID, code)
			if err != nil {
				return err
			}
			if printed {
				continue
			}
			c, err = createCard(ctx, tx, shopID, n, loyalty.NewCardToken(), code, now)
			if !isUnique(err) {
				return err
			}
		}
		return errors.New("no free short code")
	})
	if err != nil {
		return c, fmt.Errorf("enroll card in shop %d: %w", shopID, err)
	}
	return c, nil
}

// shortCodePrinted reports whether a printed card waiting for its customer
// holds the code already.
func shortCodePrinted(ctx context.Context, tx *sql.Tx, shopID int64, code string) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM printed_cards WHERE shop_id = ? AND short_code = ?`, shopID, code).Scan(&n)
	return n > 0, err
}

// Card returns a card of the shop.
func (s *Store) Card(ctx context.Context, shopID, id int64) (Card, error) {
	return card(ctx, s.r, shopID, id)
}

func card(ctx context.Context, q querier, shopID, id int64) (Card, error) {
	c, err := scanCard(q.QueryRowContext(ctx, `SELECT `+cardColumns+` FROM cards WHERE id = ? AND shop_id = ?`, id, shopID))
	if err != nil {
		return c, fmt.Errorf("card %d: %w", id, err)
	}
	return c, nil
}

// CardByToken finds a card by the secret in its URL; the token names the shop.
// An erased card is not found: its page shows nothing of the person any more.
func (s *Store) CardByToken(ctx context.Context, token string) (Card, error) {
	c, err := scanCard(s.r.QueryRowContext(ctx, `SELECT `+cardColumns+` FROM cards WHERE token = ? AND erased_at IS NULL`, token))
	if err != nil {
		return c, fmt.Errorf("card by token: %w", err)
	}
	return c, nil
}

// CardQuery is a counter search: each non-empty field is one way to match.
type CardQuery struct {
	Token     string
	ShortCode string
	Phone     string // digits; matches anywhere in the number
	Name      string // matches the start of the first name
}

const maxSearchResults = 20

// SearchCards finds the shop's cards matching any of the query's fields; the
// counter never finds an erased card. A whole code, token or phone number is
// the usual case at the counter, and an index finds it: only when none
// matches does the search read every card of the shop for parts of numbers
// and names (docs/performance.md).
func (s *Store) SearchCards(ctx context.Context, shopID int64, q CardQuery) ([]Card, error) {
	var exact, partial []string
	var exactArgs, partialArgs []any
	if q.Token != "" {
		exact, exactArgs = append(exact, "token = ?"), append(exactArgs, q.Token)
	}
	if q.ShortCode != "" {
		exact, exactArgs = append(exact, "short_code = ?"), append(exactArgs, q.ShortCode)
	}
	if q.Phone != "" {
		exact, exactArgs = append(exact, "phone = ?"), append(exactArgs, q.Phone)
		partial, partialArgs = append(partial, "phone LIKE ? ESCAPE '\\'"), append(partialArgs, "%"+escapeLike(q.Phone)+"%")
	}
	if q.Name != "" {
		partial, partialArgs = append(partial, "first_name LIKE ? ESCAPE '\\'"), append(partialArgs, escapeLike(q.Name)+"%")
	}
	list, err := s.exactCards(ctx, shopID, exact, exactArgs)
	if err == nil && len(list) == 0 && len(partial) > 0 {
		list, err = collect(ctx, s.r, scanCard, `SELECT `+cardColumns+` FROM cards WHERE shop_id = ? AND erased_at IS NULL AND (`+strings.Join(partial, " OR ")+`)
			ORDER BY first_name COLLATE NOCASE, id LIMIT `+fmt.Sprint(maxSearchResults), append([]any{shopID}, partialArgs...)...)
	}
	if err != nil {
		return nil, fmt.Errorf("search cards of shop %d: %w", shopID, err)
	}
	return list, nil
}

// exactCards looks each condition up on its own index: one query with OR
// would lead SQLite to read the shop's cards in order instead.
func (s *Store) exactCards(ctx context.Context, shopID int64, conds []string, args []any) ([]Card, error) {
	if len(conds) == 0 {
		return nil, nil
	}
	selects := make([]string, len(conds))
	var all []any
	for i, c := range conds {
		selects[i] = `SELECT ` + cardColumns + ` FROM cards WHERE shop_id = ? AND erased_at IS NULL AND ` + c
		all = append(all, shopID, args[i])
	}
	return collect(ctx, s.r, scanCard, strings.Join(selects, " UNION ")+` ORDER BY id LIMIT `+fmt.Sprint(maxSearchResults), all...)
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

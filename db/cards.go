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
	// Tier is the rank of the card's kept tier, 0 for none (tiers.go).
	Tier int
}

const cardColumns = `id, shop_id, token, short_code, first_name, phone, email, birthday, consent_at IS NOT NULL, coalesce(invite_code, ''), created_at, erased_at IS NOT NULL, tier`

func scanCard(row scanner) (Card, error) { return scanCardWith(row) }

// scanCardWith reads cardColumns, then any extra columns into extra.
func scanCardWith(row scanner, extra ...any) (Card, error) {
	var c Card
	var created int64
	err := row.Scan(append([]any{&c.ID, &c.ShopID, &c.Token, &c.ShortCode, &c.FirstName, &c.Phone, &c.Email, &c.Birthday, &c.Consent, &c.InviteCode,
		&created, &c.Erased, &c.Tier}, extra...)...)
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
		if err := samePhone(ctx, tx, shopID, n); err != nil {
			return err
		}
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

// samePhone refuses a new card whose phone number another card of the shop
// has, when n asks.
func samePhone(ctx context.Context, tx *sql.Tx, shopID int64, n NewCard) error {
	key := loyalty.PhoneQueryKey(n.Phone)
	if !n.OfferSamePhone || len(key) < loyalty.MinPhoneSearch {
		return nil
	}
	same, err := scanCard(tx.QueryRowContext(ctx, `SELECT `+cardColumns+` FROM cards WHERE shop_id = ? AND erased_at IS NULL AND `+phoneRange+`
		ORDER BY id LIMIT 1`, shopID, key, key+maxRune))
	switch {
	case err == nil:
		return &SamePhoneError{Card: same}
	case errors.Is(err, ErrNotFound):
		return nil
	}
	return err
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
	Phone     string // matches the end of the number (loyalty.PhoneQueryKey)
	Name      string // matches the start of the first name (loyalty.NameKey)
}

const maxSearchResults = 20

// FoundCard is a card as the counter lists it among others: with what tells
// two customers of the same name apart.
type FoundCard struct {
	Card
	LastVisit int // the shop's day number of the card's last visit; 0: never
	Stamps    int // its stamps in the default program
}

// Found is a counter search's answer: the first maxSearchResults cards, and
// how many match in all.
type Found struct {
	Cards []FoundCard
	Total int
}

// FindCards finds the shop's cards matching any of the query's fields; the
// counter never finds an erased card. A card's token or short code names it
// alone; failing those, the end of a phone number and the start of a name,
// as people type them, are ranges of the cards' search keys: every lookup is
// an index's (docs/performance.md).
func (s *Store) FindCards(ctx context.Context, shopID int64, q CardQuery) (Found, error) {
	var exact, ranges []string
	var exactArgs, rangeArgs []any
	if q.Token != "" {
		exact, exactArgs = append(exact, "token = ?"), append(exactArgs, q.Token)
	}
	if q.ShortCode != "" {
		exact, exactArgs = append(exact, "short_code = ?"), append(exactArgs, q.ShortCode)
	}
	if key := loyalty.PhoneQueryKey(q.Phone); len(key) >= loyalty.MinPhoneSearch {
		ranges, rangeArgs = append(ranges, phoneRange), append(rangeArgs, key, key+maxRune)
	}
	if key := loyalty.NameKey(q.Name); key != "" {
		ranges, rangeArgs = append(ranges, nameRange), append(rangeArgs, key, key+maxRune)
	}
	found, err := s.cardsWhere(ctx, shopID, exact, exactArgs, "id")
	if err == nil && len(found.Cards) == 0 {
		found, err = s.cardsWhere(ctx, shopID, ranges, rangeArgs, "first_name COLLATE NOCASE, id")
	}
	if err != nil {
		return found, fmt.Errorf("search cards of shop %d: %w", shopID, err)
	}
	return found, nil
}

// SearchCards is FindCards's cards, for those who need no more.
func (s *Store) SearchCards(ctx context.Context, shopID int64, q CardQuery) ([]Card, error) {
	found, err := s.FindCards(ctx, shopID, q)
	cards := make([]Card, len(found.Cards))
	for i, f := range found.Cards {
		cards[i] = f.Card
	}
	return cards, err
}

// The ranges of the cards whose search keys start with a prefix, from the
// prefix to the prefix and maxRune.
const (
	phoneRange = "phone_key >= ? AND phone_key < ? AND phone_key <> ''" // the last term lets the partial index serve
	nameRange  = "name_key >= ? AND name_key < ?"
	maxRune    = "\U0010FFFF"
)

// cardsWhere looks each condition up on its own index: one query with OR
// would lead SQLite to read the shop's cards in order instead. Each
// condition takes the args its placeholders need, in order. The matches are
// counted only when there are more than the list shows.
func (s *Store) cardsWhere(ctx context.Context, shopID int64, conds []string, args []any, order string) (Found, error) {
	var found Found
	if len(conds) == 0 {
		return found, nil
	}
	all := make([]any, 0, len(args)+len(conds))
	next := 0
	for _, c := range conds {
		n := strings.Count(c, "?")
		all = append(append(all, shopID), args[next:next+n]...)
		next += n
	}
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		found.Cards, err = collect(ctx, tx, func(r scanner) (FoundCard, error) {
			var f FoundCard
			var err error
			f.Card, err = scanCardWith(r, &f.LastVisit, &f.Stamps)
			return f, err
		}, cardsWhereQuery(conds, order), all...)
		found.Total = len(found.Cards)
		if err != nil || found.Total < maxSearchResults {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT count(*) FROM (`+unionOf(conds, "id")+`)`, all...).Scan(&found.Total)
	})
	return found, err
}

func cardsWhereQuery(conds []string, order string) string {
	return unionOf(conds, cardColumns+`, coalesce((SELECT last_day FROM card_stats WHERE card_id = cards.id), 0),
		coalesce((SELECT b.stamps FROM card_balances b JOIN programs p ON p.id = b.program_id AND p.is_default WHERE b.card_id = cards.id), 0)`) +
		` ORDER BY ` + order + ` LIMIT ` + fmt.Sprint(maxSearchResults)
}

// unionOf selects columns of the shop's active cards of each condition.
func unionOf(conds []string, columns string) string {
	selects := make([]string, len(conds))
	for i, c := range conds {
		selects[i] = `SELECT ` + columns + ` FROM cards WHERE shop_id = ? AND erased_at IS NULL AND ` + c
	}
	return strings.Join(selects, " UNION ")
}

// fillSearchKeys computes every card's search keys (the migration that added
// them leaves them owed).
func fillSearchKeys(ctx context.Context, tx *sql.Tx) error {
	type person struct {
		id          int64
		name, phone string
	}
	people, err := collect(ctx, tx, func(r scanner) (person, error) {
		var p person
		return p, r.Scan(&p.id, &p.name, &p.phone)
	}, `SELECT id, first_name, phone FROM cards WHERE erased_at IS NULL`)
	if err != nil {
		return fmt.Errorf("cards to key: %w", err)
	}
	set, err := tx.PrepareContext(ctx, `UPDATE cards SET name_key = ?, phone_key = ? WHERE id = ?`)
	if err != nil {
		return err
	}
	defer set.Close()
	for _, p := range people {
		if _, err := set.ExecContext(ctx, loyalty.NameKey(p.name), loyalty.PhoneKey(p.phone), p.id); err != nil {
			return fmt.Errorf("search keys of card %d: %w", p.id, err)
		}
	}
	return nil
}

package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"regulars/loyalty"
)

// Printed cards: business cards with a QR code and a short code, printed in
// sheets of ten, blank until a cashier activates one for a new customer or
// gives it to a customer who lost theirs.
const (
	CardsPerSheet  = 10
	MaxPrintSheets = 20
)

var (
	// ErrPrintedUsed: the printed card already became a customer's card.
	ErrPrintedUsed = errors.New("printed card already in use")
	// ErrBatchTaken: the print run the form asked for was made already, by
	// this form sent twice or by another manager.
	ErrBatchTaken = errors.New("print run already made")
	// ErrPrintedUnknown: no printed card of the shop has the code given for
	// a replacement; a kind of ErrNotFound, told apart from the card's own.
	ErrPrintedUnknown = fmt.Errorf("no such printed card: %w", ErrNotFound)
)

// PrintedCard is one printed card; CardID is 0 while it waits for its customer.
type PrintedCard struct {
	ID        int64
	ShopID    int64
	Batch     int
	Token     string
	ShortCode string
	CardID    int64
	UsedAt    time.Time // zero while unused
	CreatedAt time.Time
}

// Used reports whether the card became a customer's card.
func (p PrintedCard) Used() bool { return p.CardID != 0 }

const printedColumns = `id, shop_id, batch, token, short_code, coalesce(card_id, 0), coalesce(used_at, 0), created_at`

func scanPrinted(row scanner) (PrintedCard, error) {
	var p PrintedCard
	var used, created int64
	err := row.Scan(&p.ID, &p.ShopID, &p.Batch, &p.Token, &p.ShortCode, &p.CardID, &used, &created)
	if used != 0 {
		p.UsedAt = fromUnix(used)
	}
	p.CreatedAt = fromUnix(created)
	return p, notFound(err)
}

// NextBatch is the number the shop's next print run will get.
func (s *Store) NextBatch(ctx context.Context, shopID int64) (int, error) {
	n, err := nextBatch(ctx, s.r, shopID)
	if err != nil {
		return 0, fmt.Errorf("next print run of shop %d: %w", shopID, err)
	}
	return n, nil
}

func nextBatch(ctx context.Context, q querier, shopID int64) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT coalesce(max(batch), 0) + 1 FROM printed_cards WHERE shop_id = ?`, shopID).Scan(&n)
	return n, err
}

// PrintCards makes print run number batch: sheets×10 blank cards, each with
// its own token and a short code no card or printed card of the shop holds.
// batch is the number the form showed (NextBatch); when that run exists
// already, the form was sent twice (or by two managers at once) and the
// answer is ErrBatchTaken, with nothing made.
func (s *Store) PrintCards(ctx context.Context, shopID int64, batch, sheets int, userID int64, now time.Time) error {
	if sheets < 1 || sheets > MaxPrintSheets {
		return fmt.Errorf("print %d sheets: out of range", sheets)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		next, err := nextBatch(ctx, tx, shopID)
		if err != nil {
			return err
		}
		if batch != next {
			return ErrBatchTaken
		}
		for range sheets * CardsPerSheet {
			code, err := freeShortCode(ctx, tx, shopID)
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO printed_cards (shop_id, batch, token, short_code, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
				shopID, batch, loyalty.NewCardToken(), code, null(userID), unix(now))
			if err != nil {
				return err
			}
		}
		return recordAudit(ctx, tx, shopID, userID, AuditCardsPrint, fmt.Sprintf("#%d: %d", batch, sheets*CardsPerSheet), now)
	})
	if err != nil {
		return fmt.Errorf("print run %d of shop %d: %w", batch, shopID, err)
	}
	return nil
}

// freeShortCode returns a short code that neither a card nor a printed card of
// the shop holds. A collision happens once in billions of codes; it retries
// rather than fails.
func freeShortCode(ctx context.Context, tx *sql.Tx, shopID int64) (string, error) {
	for range 5 {
		code := loyalty.NewShortCode()
		var n int
		err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM cards WHERE shop_id = ?1 AND short_code = ?2)
			+ (SELECT count(*) FROM printed_cards WHERE shop_id = ?1 AND short_code = ?2)`, shopID, code).Scan(&n)
		if err != nil {
			return "", err
		}
		if n == 0 {
			return code, nil
		}
	}
	return "", errors.New("no free short code")
}

// PrintedBatch lists the cards of one print run, in print order; a run of
// another shop, or none, is ErrNotFound.
func (s *Store) PrintedBatch(ctx context.Context, shopID int64, batch int) ([]PrintedCard, error) {
	sh, err := s.PrintRunSheet(ctx, shopID, batch)
	return sh.Cards, err
}

// PrintSheet is what a print run's sheet shows: its cards, and the rule of
// the shop's default program printed on each (Program is zero without one).
type PrintSheet struct {
	Cards   []PrintedCard
	Program Program
}

// PrintRunSheet reads the sheet of print run batch in one snapshot.
func (s *Store) PrintRunSheet(ctx context.Context, shopID int64, batch int) (PrintSheet, error) {
	var sh PrintSheet
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		if sh.Cards, err = collect(ctx, tx, scanPrinted, `SELECT `+printedColumns+` FROM printed_cards WHERE shop_id = ? AND batch = ? ORDER BY id`, shopID, batch); err != nil {
			return err
		}
		if len(sh.Cards) == 0 {
			return ErrNotFound
		}
		ps, err := programs(ctx, tx, shopID, false)
		if err != nil {
			return err
		}
		if i := slices.IndexFunc(ps, func(p Program) bool { return p.IsDefault }); i >= 0 {
			sh.Program = ps[i]
		}
		return nil
	})
	if err != nil {
		return sh, fmt.Errorf("sheet of print run %d of shop %d: %w", batch, shopID, err)
	}
	return sh, nil
}

// PrintRun sums up one print run for the owner's list.
type PrintRun struct {
	Batch     int
	Cards     int
	Used      int
	CreatedAt time.Time
	CreatedBy string // the staff member's name; "" when removed
}

// PrintedBatches lists the shop's print runs, newest first.
func (s *Store) PrintedBatches(ctx context.Context, shopID int64) ([]PrintRun, error) {
	list, err := collect(ctx, s.r, func(row scanner) (PrintRun, error) {
		var r PrintRun
		var created int64
		err := row.Scan(&r.Batch, &r.Cards, &r.Used, &created, &r.CreatedBy)
		r.CreatedAt = fromUnix(created)
		return r, err
	}, `SELECT p.batch, count(*), count(p.card_id), min(p.created_at), coalesce(min(u.name), '')
		FROM printed_cards p LEFT JOIN users u ON u.id = p.created_by
		WHERE p.shop_id = ? GROUP BY p.batch ORDER BY p.batch DESC`, shopID)
	if err != nil {
		return nil, fmt.Errorf("print runs of shop %d: %w", shopID, err)
	}
	return list, nil
}

// PrintedByToken finds a printed card by the token in its QR code, in any
// shop: the card page has only the token.
func (s *Store) PrintedByToken(ctx context.Context, token string) (PrintedCard, error) {
	p, err := scanPrinted(s.r.QueryRowContext(ctx, `SELECT `+printedColumns+` FROM printed_cards WHERE token = ?`, token))
	if err != nil {
		return p, fmt.Errorf("printed card by token: %w", err)
	}
	return p, nil
}

// PrintedByCode finds a printed card of the shop by its token or, when token
// is "", by its short code.
func (s *Store) PrintedByCode(ctx context.Context, shopID int64, token, shortCode string) (PrintedCard, error) {
	p, err := printedByCode(ctx, s.r, shopID, token, shortCode)
	if err != nil {
		return p, fmt.Errorf("printed card of shop %d: %w", shopID, err)
	}
	return p, nil
}

func printedByCode(ctx context.Context, q querier, shopID int64, token, shortCode string) (PrintedCard, error) {
	if token != "" {
		return scanPrinted(q.QueryRowContext(ctx, `SELECT `+printedColumns+` FROM printed_cards WHERE shop_id = ? AND token = ?`, shopID, token))
	}
	return scanPrinted(q.QueryRowContext(ctx, `SELECT `+printedColumns+` FROM printed_cards WHERE shop_id = ? AND short_code = ?`, shopID, shortCode))
}

// ActivatePrinted makes the shop's unused printed card of token a new
// customer's card, made like every card (createCard: the referral, the
// welcome gift). A card already activated is ErrPrintedUsed, or a
// *ReplayedError when it was this very form (n.Key) that activated it; a
// printed card of another shop is ErrNotFound.
func (s *Store) ActivatePrinted(ctx context.Context, shopID int64, token string, n NewCard, now time.Time) (Card, error) {
	var c Card
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		p, err := printedByCode(ctx, tx, shopID, token, "")
		if err != nil {
			return err
		}
		if p.Used() {
			return usedError(ctx, tx, p, n.Key)
		}
		if c, err = createCard(ctx, tx, shopID, n, p.Token, p.ShortCode, now); err != nil {
			return err
		}
		return markUsed(ctx, tx, p.ID, c.ID, now)
	})
	if err != nil {
		return c, fmt.Errorf("activate printed card in shop %d: %w", shopID, err)
	}
	return c, nil
}

// usedError tells a printed card's second activation from the first one's
// replayed form.
func usedError(ctx context.Context, tx *sql.Tx, p PrintedCard, key string) error {
	if key != "" {
		var n int
		err := tx.QueryRowContext(ctx, `SELECT count(*) FROM cards WHERE id = ? AND idempotency_key = ?`, p.CardID, key).Scan(&n)
		if err != nil {
			return err
		}
		if n > 0 {
			return &ReplayedError{ID: p.CardID}
		}
	}
	return ErrPrintedUsed
}

func markUsed(ctx context.Context, tx *sql.Tx, printedID, cardID int64, now time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE printed_cards SET card_id = ?, used_at = ? WHERE id = ? AND card_id IS NULL`, cardID, unix(now), printedID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrPrintedUsed
	}
	return nil
}

// ReplaceCard gives a customer who lost their card a new one. The card is
// re-keyed, not copied: it keeps its id, ledger, balances, coupons and
// history, and takes the token and short code of the shop's unused printed
// card newToken, or fresh ones when newToken is "" (a new digital card). The
// old token is retired at once, so the lost card stops working.
//
// oldToken is the token the cashier's screen showed: when the card no longer
// has it because that screen's form was sent already, the answer is a
// *ReplayedError and nothing changes a second time. An erased card, or a card
// of another shop, is ErrNotFound; a printed card of another shop (or none)
// is ErrPrintedUnknown, and one in use ErrPrintedUsed.
func (s *Store) ReplaceCard(ctx context.Context, shopID, cardID int64, oldToken, newToken string, userID int64, now time.Time) (Card, error) {
	var c Card
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		old, err := scanCard(tx.QueryRowContext(ctx, `SELECT `+cardColumns+` FROM cards WHERE id = ? AND shop_id = ? AND erased_at IS NULL`, cardID, shopID))
		if err != nil {
			return err
		}
		if old.Token != oldToken {
			return replacedBefore(ctx, tx, shopID, cardID, oldToken)
		}
		token, code := newToken, ""
		if newToken != "" {
			p, err := printedByCode(ctx, tx, shopID, newToken, "")
			if errors.Is(err, ErrNotFound) {
				return ErrPrintedUnknown
			}
			if err != nil {
				return err
			}
			if p.Used() {
				return ErrPrintedUsed
			}
			code = p.ShortCode
			if err := markUsed(ctx, tx, p.ID, cardID, now); err != nil {
				return err
			}
		} else {
			token = loyalty.NewCardToken()
			if code, err = freeShortCode(ctx, tx, shopID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO retired_tokens (token, shop_id, card_id, retired_at) VALUES (?, ?, ?, ?)`,
			old.Token, shopID, cardID, unix(now)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cards SET token = ?, short_code = ? WHERE id = ?`, token, code, cardID); err != nil {
			return err
		}
		// The code drawn ahead holds the old address (db/qr.go).
		if _, err := tx.ExecContext(ctx, `DELETE FROM card_qr WHERE card_id = ?`, cardID); err != nil {
			return err
		}
		subject := loyalty.FormatShortCode(old.ShortCode) + " → " + loyalty.FormatShortCode(code)
		if err := recordAudit(ctx, tx, shopID, userID, AuditCardReplace, subject, now); err != nil {
			return err
		}
		c, err = scanCard(tx.QueryRowContext(ctx, `SELECT `+cardColumns+` FROM cards WHERE id = ?`, cardID))
		return err
	})
	if err != nil {
		return c, fmt.Errorf("replace card %d of shop %d: %w", cardID, shopID, err)
	}
	return c, nil
}

// replacedBefore answers a replacement asked with a token the card no longer
// has: a replay when that token is one this card gave up, else not found.
func replacedBefore(ctx context.Context, tx *sql.Tx, shopID, cardID int64, oldToken string) error {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM retired_tokens WHERE token = ? AND shop_id = ? AND card_id = ?`, oldToken, shopID, cardID).Scan(&n)
	if err != nil {
		return err
	}
	if n > 0 {
		return &ReplayedError{ID: cardID}
	}
	return ErrNotFound
}

// Retired is a token a replaced card gave up.
type Retired struct {
	ShopID    int64
	CardID    int64
	RetiredAt time.Time
}

// RetiredToken finds a retired token, in any shop: the card page has only the
// token. A token never retired is ErrNotFound.
func (s *Store) RetiredToken(ctx context.Context, token string) (Retired, error) {
	var r Retired
	var at int64
	err := s.r.QueryRowContext(ctx, `SELECT shop_id, card_id, retired_at FROM retired_tokens WHERE token = ?`, token).Scan(&r.ShopID, &r.CardID, &at)
	if err != nil {
		return r, fmt.Errorf("retired token: %w", notFound(err))
	}
	r.RetiredAt = fromUnix(at)
	return r, nil
}

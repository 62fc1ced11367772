package db

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"regulars/loyalty"
)

// Raffle is a prize draw of a shop.
type Raffle struct {
	ID        int64
	ShopID    int64
	Title     string
	Prize     string
	Rules     string
	Winners   int
	OpensAt   time.Time
	ClosesAt  time.Time
	EntryRule string
	// FreeEntry says which cards may enter for free (loyalty.FreeEntry...).
	FreeEntry  string
	Commitment string
	// PublishedAt is when the raffle was saved, and its commitment public.
	PublishedAt time.Time
	// Revealed at the draw; nil before.
	Seed       []byte
	DrawnAt    time.Time
	TicketList string
	WinnerIDs  []int64 // card ids, in draw order
}

// Window returns what package loyalty needs to judge entries and the draw.
func (r Raffle) Window() loyalty.RaffleWindow {
	return loyalty.RaffleWindow{Opens: r.OpensAt, Closes: r.ClosesAt, Drawn: !r.DrawnAt.IsZero(), FreeEntry: r.FreeEntry}
}

const raffleColumns = `id, shop_id, title, prize, rules, winners, opens_at, closes_at, entry_rule, free_entry, commitment, created_at,
	CASE WHEN drawn_at IS NULL THEN NULL ELSE seed END, coalesce(drawn_at, 0), coalesce(ticket_list, '')`

func scanRaffle(row scanner) (Raffle, error) {
	var r Raffle
	var opens, closes, published, drawn int64
	err := row.Scan(&r.ID, &r.ShopID, &r.Title, &r.Prize, &r.Rules, &r.Winners, &opens, &closes, &r.EntryRule, &r.FreeEntry, &r.Commitment,
		&published, &r.Seed, &drawn, &r.TicketList)
	r.OpensAt, r.ClosesAt, r.PublishedAt = fromUnix(opens), fromUnix(closes), fromUnix(published)
	if drawn != 0 {
		r.DrawnAt = fromUnix(drawn)
	}
	return r, notFound(err)
}

func raffle(ctx context.Context, q querier, where string, args ...any) (Raffle, error) {
	r, err := scanRaffle(q.QueryRowContext(ctx, `SELECT `+raffleColumns+` FROM raffles WHERE `+where, args...))
	if err != nil {
		return r, err
	}
	rows, err := q.QueryContext(ctx, `SELECT card_id FROM raffle_winners WHERE raffle_id = ? ORDER BY place`, r.ID)
	if err != nil {
		return r, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return r, err
		}
		r.WinnerIDs = append(r.WinnerIDs, id)
	}
	return r, rows.Err()
}

// MaxLiveRaffles is how many raffles a shop may have taking entries or to
// come at once. Every card page shows them: 3,000 raffles made each card page
// cost 1.2 s (issue 15). A café runs one or two at a time.
const MaxLiveRaffles = 20

// ErrTooManyRaffles refuses a raffle beyond MaxLiveRaffles.
var ErrTooManyRaffles = errors.New("too many raffles taking entries or to come")

// CreateRaffle saves a raffle with a fresh secret seed; only the seed's
// commitment is shown until the draw, from now on, so its entries may not
// open before now (loyalty.RaffleOpening). Its free entry is for cards made
// before its entries open.
func (s *Store) CreateRaffle(ctx context.Context, r Raffle, userID int64, now time.Time) (int64, error) {
	seed := loyalty.NewRaffleSeed()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if r.OpensAt.Before(now) {
			return loyalty.ErrRaffleOpensInPast
		}
		var live int
		err := tx.QueryRowContext(ctx, `SELECT count(*) FROM raffles WHERE shop_id = ? AND closes_at > ? AND drawn_at IS NULL`, r.ShopID, unix(now)).Scan(&live)
		if err != nil {
			return err
		}
		if live >= MaxLiveRaffles {
			return ErrTooManyRaffles
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO raffles (shop_id, title, prize, rules, winners, opens_at, closes_at, entry_rule, free_entry, seed, commitment,
			created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.ShopID, r.Title, r.Prize, r.Rules, r.Winners, unix(r.OpensAt),
			unix(r.ClosesAt), r.EntryRule, loyalty.FreeEntryEarlierCards, seed, loyalty.SeedCommitment(seed), userID, unix(now))
		if err != nil {
			return err
		}
		r.ID, _ = res.LastInsertId()
		return recordAudit(ctx, tx, r.ShopID, userID, AuditRaffleCreate, r.Title, now)
	})
	if err != nil {
		return 0, fmt.Errorf("create raffle %q: %w", r.Title, err)
	}
	return r.ID, nil
}

// ErrRaffleLocked: once entries open, only the wording of title and prize may change.
var ErrRaffleLocked = errors.New("raffle rules are locked once entries open")

// UpdateRaffle saves an edit by userID. Before entries open everything but the
// seed may change, but the opening not to the past; afterwards only title and
// prize, so that nobody can move the rules under the entrants' feet.
func (s *Store) UpdateRaffle(ctx context.Context, r Raffle, userID int64, now time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		old, err := raffle(ctx, tx, `id = ? AND shop_id = ?`, r.ID, r.ShopID)
		if err != nil {
			return fmt.Errorf("update raffle %d: %w", r.ID, err)
		}
		moved := !r.OpensAt.Equal(old.OpensAt)
		if old.Window().State(now) != loyalty.RaffleUpcoming {
			if r.Rules != old.Rules || r.Winners != old.Winners || moved || !r.ClosesAt.Equal(old.ClosesAt) || r.EntryRule != old.EntryRule {
				return fmt.Errorf("update raffle %d: %w", r.ID, ErrRaffleLocked)
			}
		}
		if moved && r.OpensAt.Before(now) {
			return fmt.Errorf("update raffle %d: %w", r.ID, loyalty.ErrRaffleOpensInPast)
		}
		_, err = tx.ExecContext(ctx, `UPDATE raffles SET title = ?, prize = ?, rules = ?, winners = ?, opens_at = ?, closes_at = ?, entry_rule = ?
			WHERE id = ? AND shop_id = ?`, r.Title, r.Prize, r.Rules, r.Winners, unix(r.OpensAt), unix(r.ClosesAt), r.EntryRule, r.ID, r.ShopID)
		if err != nil {
			return err
		}
		return recordAudit(ctx, tx, r.ShopID, userID, AuditRaffleUpdate, r.Title, now)
	})
}

// Raffles lists the shop's raffles, newest first.
func (s *Store) Raffles(ctx context.Context, shopID int64) ([]Raffle, error) {
	list, err := collect(ctx, s.r, scanRaffle, `SELECT `+raffleColumns+` FROM raffles WHERE shop_id = ? ORDER BY id DESC`, shopID)
	if err != nil {
		return nil, fmt.Errorf("raffles of shop %d: %w", shopID, err)
	}
	return list, nil
}

// Raffle returns a raffle of the shop with its winners.
func (s *Store) Raffle(ctx context.Context, shopID, id int64) (Raffle, error) {
	r, err := raffle(ctx, s.r, `id = ? AND shop_id = ?`, id, shopID)
	if err != nil {
		return r, fmt.Errorf("raffle %d: %w", id, err)
	}
	return r, nil
}

// PublicRaffle returns any raffle, for its public page: what it shows is public.
func (s *Store) PublicRaffle(ctx context.Context, id int64) (Raffle, error) {
	r, err := raffle(ctx, s.r, `id = ?`, id)
	if err != nil {
		return r, fmt.Errorf("raffle %d: %w", id, err)
	}
	return r, nil
}

// entries counts the cards' tickets: by the entry rule from stamps in the
// window (voided ones do not count), plus one for a free entry. A cardID
// other than 0 counts that card's only.
func entries(ctx context.Context, q querier, r Raffle, cardID int64) ([]loyalty.Entry, error) {
	query, args := entriesQuery(r, cardID)
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("entries of raffle %d: %w", r.ID, err)
	}
	defer rows.Close()
	var es []loyalty.Entry
	for rows.Next() {
		var e loyalty.Entry
		if err := rows.Scan(&e.CardID, &e.Tickets); err != nil {
			return nil, fmt.Errorf("entries of raffle %d: %w", r.ID, err)
		}
		es = append(es, e)
	}
	return es, rows.Err()
}

// entriesQuery is the query of entries. One card's tickets are read through
// the card's own events in the window (events_card_time), not the whole
// shop's window: with "?6 = 0 OR card_id = ?6" SQLite walked every stamp of
// the window for each card page.
func entriesQuery(r Raffle, cardID int64) (string, []any) {
	perCard := `sum(e.stamps)`
	if r.EntryRule == loyalty.EntryPerVisit {
		perCard = `1`
	}
	// The shop, as "+column", takes no index, so that one card's query walks
	// the card's events of the window only.
	window, card, optins := `e.shop_id = ?2 AND e.created_at >= ?3 AND e.created_at < ?4`, `?6 = 0`, `?6 = 0`
	if cardID != 0 {
		window = `+e.shop_id = ?2 AND e.created_at >= ?3 AND e.created_at < ?4`
		card, optins = `e.card_id = ?6`, `card_id = ?6`
	}
	return `SELECT card_id, sum(n) FROM (
		SELECT e.card_id, ` + perCard + ` AS n FROM events e
			WHERE ?1 != 'optin' AND ` + window + ` AND e.kind = 'stamp' AND e.stamps > 0
			AND ` + card + ` AND NOT EXISTS (SELECT 1 FROM events v WHERE v.void_of = e.id) GROUP BY e.card_id
		UNION ALL
		SELECT card_id, 1 FROM raffle_optins WHERE raffle_id = ?5 AND ` + optins + `
	) GROUP BY card_id ORDER BY card_id`, []any{r.EntryRule, r.ShopID, unix(r.OpensAt), unix(r.ClosesAt), r.ID, cardID}
}

// RaffleEntries returns the tickets so far, for the owner's page.
func (s *Store) RaffleEntries(ctx context.Context, r Raffle) ([]loyalty.Entry, error) {
	return entries(ctx, s.r, r, 0)
}

// DrawRaffle draws the winners once the window has closed, on behalf of
// userID, and publishes the seed and the ticket list it used. A second draw
// is refused.
func (s *Store) DrawRaffle(ctx context.Context, shopID, id, userID int64, now time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		r, err := raffle(ctx, tx, `id = ? AND shop_id = ?`, id, shopID)
		if err != nil {
			return fmt.Errorf("draw raffle %d: %w", id, err)
		}
		if err := r.Window().CheckDraw(now); err != nil {
			return fmt.Errorf("draw raffle %d: %w", id, err)
		}
		es, err := entries(ctx, tx, r, 0)
		if err != nil {
			return err
		}
		var seed []byte
		if err := tx.QueryRowContext(ctx, `SELECT seed FROM raffles WHERE id = ?`, id).Scan(&seed); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE raffles SET drawn_at = ?, ticket_list = ? WHERE id = ?`, unix(now), loyalty.TicketList(es), id); err != nil {
			return fmt.Errorf("draw raffle %d: %w", id, err)
		}
		for place, card := range loyalty.Draw(seed, es, r.Winners) {
			if _, err := tx.ExecContext(ctx, `INSERT INTO raffle_winners (raffle_id, place, card_id) VALUES (?, ?, ?)`, id, place+1, card); err != nil {
				return fmt.Errorf("draw raffle %d: %w", id, err)
			}
		}
		if err := queueRaffleResult(ctx, tx, r, es, now); err != nil {
			return err
		}
		return recordAudit(ctx, tx, shopID, userID, AuditRaffleDraw, r.Title, now)
	})
}

// EnterRaffle records a card's free entry while the raffle takes entries,
// from a card its rule lets in; entering twice changes nothing.
func (s *Store) EnterRaffle(ctx context.Context, shopID, raffleID, cardID int64, now time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		r, err := raffle(ctx, tx, `id = ? AND shop_id = ?`, raffleID, shopID)
		if err != nil {
			return fmt.Errorf("enter raffle %d: %w", raffleID, err)
		}
		var made int64
		if err := tx.QueryRowContext(ctx, `SELECT created_at FROM cards WHERE id = ? AND shop_id = ?`, cardID, shopID).Scan(&made); err != nil {
			return fmt.Errorf("enter raffle %d: card %d: %w", raffleID, cardID, notFound(err))
		}
		if err := r.Window().CheckFreeEntry(fromUnix(made), now); err != nil {
			return fmt.Errorf("enter raffle %d: %w", raffleID, err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO raffle_optins (raffle_id, card_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
			raffleID, cardID, unix(now))
		return err
	})
}

// RaffleClusters finds the runs of cards made close together from the join
// poster among the raffle's free entries (loyalty.CardClusters): what a
// draw filled with cards made for it looks like to its owner.
func (s *Store) RaffleClusters(ctx context.Context, r Raffle) ([]loyalty.CardCluster, error) {
	made, err := collect(ctx, s.r, func(row scanner) (time.Time, error) {
		var at int64
		err := row.Scan(&at)
		return fromUnix(at), err
	}, `SELECT c.created_at FROM raffle_optins o JOIN cards c ON c.id = o.card_id
		WHERE o.raffle_id = ? AND c.shop_id = ? AND c.created_by IS NULL`, r.ID, r.ShopID)
	if err != nil {
		return nil, fmt.Errorf("cards of raffle %d: %w", r.ID, err)
	}
	return loyalty.CardClusters(made), nil
}

// CardRaffle is a raffle as one card sees it.
type CardRaffle struct {
	Raffle
	Tickets       int
	OptedIn       bool
	Won           bool
	PrizeRedeemed bool
	// FreeEntry: the card may take the raffle's free entry (loyalty.RaffleWindow.FreeEntryFor).
	FreeEntry bool
}

// How long a raffle stays on card pages after it closed (waiting for its
// draw) or was drawn, so that winners and the others learn the result.
const drawnRaffleShown = 30 * 24 * time.Hour

// recentRaffles is how many raffles closed or drawn in the last 30 days a
// card page shows, besides the ones the card won.
const recentRaffles = 5

// cardRafflesQuery lists the raffles that concern a card now, a bounded
// number however many the shop has held (issue 15: 3,000 raffles made every
// card page read them all): those taking entries or to come, at most
// MaxLiveRaffles; the newest recentRaffles closed or drawn in the last 30
// days; and the ones the card won in the last 30 days. Each is a range of an
// index (raffles_shop_shown, raffle_winners_card).
const cardRafflesQuery = `SELECT id FROM (SELECT id FROM raffles WHERE shop_id = ?1 AND coalesce(drawn_at, closes_at) > ?2
		ORDER BY coalesce(drawn_at, closes_at) LIMIT ?4)
	UNION SELECT id FROM (SELECT id FROM raffles WHERE shop_id = ?1 AND coalesce(drawn_at, closes_at) > ?3 AND coalesce(drawn_at, closes_at) <= ?2
		ORDER BY coalesce(drawn_at, closes_at) DESC LIMIT ?5)
	UNION SELECT w.raffle_id FROM raffle_winners w CROSS JOIN raffles r ON r.id = w.raffle_id WHERE w.card_id = ?6 AND r.shop_id = ?1 AND r.drawn_at > ?3`

func cardRafflesArgs(shopID, cardID int64, now time.Time) []any {
	return []any{shopID, unix(now), unix(now.Add(-drawnRaffleShown)), MaxLiveRaffles, recentRaffles, cardID}
}

// cardRaffles lists the raffles a card page shows (cardRafflesQuery), in the
// order they close. known holds raffles read already, by id (shopParts); the
// others are read.
func cardRaffles(ctx context.Context, q querier, shopID, cardID int64, known map[int64]Raffle, now time.Time) ([]CardRaffle, error) {
	ids, err := collect(ctx, q, func(row scanner) (int64, error) {
		var id int64
		return id, row.Scan(&id)
	}, cardRafflesQuery, cardRafflesArgs(shopID, cardID, now)...)
	if err != nil {
		return nil, fmt.Errorf("raffles of card %d: %w", cardID, err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var made int64
	if err := q.QueryRowContext(ctx, `SELECT created_at FROM cards WHERE id = ? AND shop_id = ?`, cardID, shopID).Scan(&made); err != nil {
		return nil, fmt.Errorf("raffles of card %d: %w", cardID, notFound(err))
	}
	var crs []CardRaffle
	for _, id := range ids {
		r, ok := known[id]
		if !ok {
			if r, err = raffle(ctx, q, `id = ?`, id); err != nil {
				return nil, err
			}
		}
		cr := CardRaffle{Raffle: r, FreeEntry: r.Window().FreeEntryFor(fromUnix(made))}
		// Tickets are shown while they can still change the draw: not before
		// the window, and not once the winners speak for it.
		if state := r.Window().State(now); state == loyalty.RaffleOpen || state == loyalty.RaffleClosed {
			es, err := entries(ctx, q, r, cardID)
			if err != nil {
				return nil, err
			}
			for _, e := range es {
				if e.CardID == cardID {
					cr.Tickets = e.Tickets
				}
			}
		}
		for _, w := range r.WinnerIDs {
			cr.Won = cr.Won || w == cardID
		}
		err = q.QueryRowContext(ctx, `SELECT
			EXISTS (SELECT 1 FROM raffle_optins WHERE raffle_id = ?1 AND card_id = ?2),
			EXISTS (SELECT 1 FROM events e WHERE e.raffle_id = ?1 AND e.card_id = ?2 AND e.kind = 'prize' AND NOT EXISTS (SELECT 1 FROM events v WHERE v.void_of = e.id))`,
			id, cardID).Scan(&cr.OptedIn, &cr.PrizeRedeemed)
		if err != nil {
			return nil, err
		}
		crs = append(crs, cr)
	}
	slices.SortFunc(crs, func(a, b CardRaffle) int { return cmp.Or(a.ClosesAt.Compare(b.ClosesAt), cmp.Compare(a.ID, b.ID)) })
	return crs, nil
}

// RedeemPrize hands a winner their prize, once.
func (s *Store) RedeemPrize(ctx context.Context, a Action, raffleID int64) (Outcome, error) {
	var out Outcome
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := checkReplay(ctx, tx, a); err != nil {
			return err
		}
		if err := cardInShop(ctx, tx, a); err != nil {
			return err
		}
		crs, err := cardRaffles(ctx, tx, a.ShopID, a.CardID, nil, a.Now)
		if err != nil {
			return err
		}
		for _, cr := range crs {
			if cr.ID == raffleID && cr.Won && !cr.PrizeRedeemed {
				out.EventID, err = insertEvent(ctx, tx, a, newEvent{kind: loyalty.KindPrize, raffleID: raffleID})
				return err
			}
		}
		return loyalty.ErrPrizeUnavailable
	})
	if err != nil {
		return out, fmt.Errorf("hand over prize of raffle %d to card %d: %w", raffleID, a.CardID, err)
	}
	return out, nil
}

// Winner is a raffle winner with their card.
type Winner struct {
	Card          Card
	PrizeRedeemed bool
}

// RaffleWinners returns the drawn raffle's winners in draw order.
func (s *Store) RaffleWinners(ctx context.Context, r Raffle) ([]Winner, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT c.id, c.shop_id, c.token, c.short_code, c.first_name, c.phone, c.created_at,
		EXISTS (SELECT 1 FROM events e WHERE e.raffle_id = w.raffle_id AND e.card_id = c.id AND e.kind = 'prize' AND NOT EXISTS (SELECT 1 FROM events v WHERE v.void_of = e.id))
		FROM raffle_winners w JOIN cards c ON c.id = w.card_id WHERE w.raffle_id = ? AND c.shop_id = ? ORDER BY w.place`, r.ID, r.ShopID)
	if err != nil {
		return nil, fmt.Errorf("winners of raffle %d: %w", r.ID, err)
	}
	defer rows.Close()
	var ws []Winner
	for rows.Next() {
		var w Winner
		var created int64
		if err := rows.Scan(&w.Card.ID, &w.Card.ShopID, &w.Card.Token, &w.Card.ShortCode, &w.Card.FirstName, &w.Card.Phone, &created, &w.PrizeRedeemed); err != nil {
			return nil, fmt.Errorf("winners of raffle %d: %w", r.ID, err)
		}
		w.Card.CreatedAt = fromUnix(created)
		ws = append(ws, w)
	}
	return ws, rows.Err()
}

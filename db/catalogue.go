package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"regulars/loyalty"
)

// The gift catalogue (issue 19, items 2 and 3): items bought with the points
// of a points program, and their redemptions on the way to the customer.
// A redemption is a counter action (act): it spends the points by a redeem
// event of the program, whose note names the gift, and takes one from stock
// in the same transaction. A void of that event, by the owner's cancel or
// the counter's undo, cancels the redemption and puts the gift back in stock
// (cancelVoidedOrder, called where every event is written).

// cancelVoidedOrder cancels the gift order whose spend event (voidOf) a void
// just written voids, if any and not cancelled yet, and puts its gift back
// in stock: in the void's transaction, so that the order's state and the
// ledger never disagree, whoever voids the event.
func cancelVoidedOrder(ctx context.Context, tx *sql.Tx, a Action, voidOf int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE gifts SET stock = stock + 1
		WHERE stock IS NOT NULL AND id = (SELECT gift_id FROM gift_orders WHERE event_id = ? AND state != 'cancelled')`, voidOf); err != nil {
		return fmt.Errorf("restock the gift of event %d: %w", voidOf, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE gift_orders SET state = 'cancelled', updated_at = ?, updated_by = ?
		WHERE event_id = ? AND state != 'cancelled'`, unix(a.Now), null(a.UserID), voidOf); err != nil {
		return fmt.Errorf("cancel the gift order of event %d: %w", voidOf, err)
	}
	return nil
}

// Gift is an item of the catalogue.
type Gift struct {
	ID, ShopID, ProgramID int64
	Name, Description     string
	// Points is the price; PartialPoints with PartialMoney (minor units) the
	// other price, points and money off, when PartialPoints > 0.
	Points, PartialPoints, PartialMoney int
	// Cost is what one costs the shop, in minor units.
	Cost     int
	HasImage bool
	loyalty.GiftOffer
	UpdatedAt time.Time
	// MinTier is the lowest tier (rank) that may redeem it; 0: everyone (tiers.go).
	MinTier int
}

// Partial reports whether the item may be paid with points and money.
func (g Gift) Partial() bool { return g.PartialPoints > 0 }

// Available reports whether the item may be redeemed at now by someone with
// the points: offered, and in stock.
func (g Gift) Available(now time.Time) bool {
	return g.Open(now) && (!g.Limited || g.Stock > 0)
}

// GiftInput is an item as the owner's form gives it; Image nil keeps the
// picture an item has (RemoveImage drops it).
type GiftInput struct {
	ProgramID                           int64
	Name, Description                   string
	Points, PartialPoints, PartialMoney int
	Cost                                int
	Image                               []byte
	RemoveImage                         bool
	Limited                             bool
	Stock                               int
	StartsAt, EndsAt                    time.Time
	PerCustomer                         int
	Key                                 string
	// UserID is the staff member who saves it, for the audit log.
	UserID int64
	// MinTier is the lowest tier that may redeem it; 0: everyone.
	MinTier int
}

// GiftOrder is a redemption of a gift.
type GiftOrder struct {
	ID, CardID, GiftID, EventID int64
	GiftName                    string
	Points, Money, Cost         int
	State                       loyalty.GiftState
	Source                      string // GiftFromCard or GiftFromCounter
	Carrier, Tracking           string
	At, UpdatedAt               time.Time
	// The customer, for the owner's queue.
	FirstName, ShortCode string
}

// Where a redemption was asked for.
const (
	GiftFromCard    = "card"
	GiftFromCounter = "counter"
)

// MessageGiftUpdate is the outbox's template of a step of a redemption: a
// service message to the customer who redeemed it.
const MessageGiftUpdate = "gift_update"

const giftColumns = `id, shop_id, program_id, name, description, points, partial_points, partial_money, cost, image IS NOT NULL,
	archived_at IS NOT NULL, coalesce(starts_at, 0), coalesce(ends_at, 0), stock IS NOT NULL, coalesce(stock, 0), per_customer, updated_at, min_tier`

func scanGift(row scanner) (Gift, error) {
	var g Gift
	var starts, ends, updated int64
	err := row.Scan(&g.ID, &g.ShopID, &g.ProgramID, &g.Name, &g.Description, &g.Points, &g.PartialPoints, &g.PartialMoney, &g.Cost, &g.HasImage,
		&g.Archived, &starts, &ends, &g.Limited, &g.Stock, &g.PerCustomer, &updated, &g.MinTier)
	if starts != 0 {
		g.StartsAt = fromUnix(starts)
	}
	if ends != 0 {
		g.EndsAt = fromUnix(ends)
	}
	g.UpdatedAt = fromUnix(updated)
	return g, notFound(err)
}

func orNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return unix(t)
}

// checkGiftProgram refuses an item priced in no points program of the shop.
func checkGiftProgram(ctx context.Context, tx *sql.Tx, shopID, programID int64) error {
	p, err := program(ctx, tx, shopID, programID)
	if err != nil {
		return err
	}
	if !p.IsPoints() || p.Archived {
		return loyalty.ErrNotPoints
	}
	return nil
}

// CreateGift adds an item to the shop's catalogue; a replayed form is a
// *ReplayedError naming the item added the first time.
func (s *Store) CreateGift(ctx context.Context, shopID int64, in GiftInput, now time.Time) (int64, error) {
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT id FROM gifts WHERE shop_id = ? AND idempotency_key = ?`, shopID, in.Key).Scan(&id)
		if err == nil {
			return &ReplayedError{ID: id}
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err := checkGiftProgram(ctx, tx, shopID, in.ProgramID); err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO gifts (shop_id, program_id, name, description, points, partial_points, partial_money, cost, image,
			stock, starts_at, ends_at, per_customer, created_at, updated_at, idempotency_key, min_tier)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			shopID, in.ProgramID, in.Name, in.Description, in.Points, in.PartialPoints, in.PartialMoney, in.Cost, in.Image,
			stockValue(in), orNull(in.StartsAt), orNull(in.EndsAt), in.PerCustomer, unix(now), unix(now), nullString(in.Key), in.MinTier).Scan(&id)
		if err != nil {
			return err
		}
		return recordAudit(ctx, tx, shopID, in.UserID, AuditGiftCreate, in.Name+" · "+stockText(in.Limited, in.Stock), now)
	})
	if err != nil {
		return id, fmt.Errorf("create gift in shop %d: %w", shopID, err)
	}
	return id, nil
}

// stockText is an item's stock as the audit log's subject shows it: a
// number, or ∞ for an item without a limit.
func stockText(limited bool, stock int) string {
	if !limited {
		return "∞"
	}
	return strconv.Itoa(stock)
}

func stockValue(in GiftInput) any {
	if !in.Limited {
		return nil
	}
	return in.Stock
}

// UpdateGift saves the owner's changes to an item; redemptions made keep
// what they were paid.
func (s *Store) UpdateGift(ctx context.Context, shopID, id int64, in GiftInput, now time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := checkGiftProgram(ctx, tx, shopID, in.ProgramID); err != nil {
			return err
		}
		var oldLimited bool
		var oldStock int
		err := tx.QueryRowContext(ctx, `SELECT stock IS NOT NULL, coalesce(stock, 0) FROM gifts WHERE id = ? AND shop_id = ?`, id, shopID).Scan(&oldLimited, &oldStock)
		if err != nil {
			return notFound(err)
		}
		res, err := tx.ExecContext(ctx, `UPDATE gifts SET program_id = ?, name = ?, description = ?, points = ?, partial_points = ?, partial_money = ?,
			cost = ?, image = CASE WHEN ? THEN NULL WHEN ? IS NOT NULL THEN ? ELSE image END, stock = ?, starts_at = ?, ends_at = ?, per_customer = ?,
			updated_at = ?, min_tier = ? WHERE id = ? AND shop_id = ?`,
			in.ProgramID, in.Name, in.Description, in.Points, in.PartialPoints, in.PartialMoney, in.Cost, in.RemoveImage, in.Image, in.Image,
			stockValue(in), orNull(in.StartsAt), orNull(in.EndsAt), in.PerCustomer, unix(now), in.MinTier, id, shopID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		if err := recordAudit(ctx, tx, shopID, in.UserID, AuditGiftEdit, in.Name, now); err != nil {
			return err
		}
		// A change of stock has a line of its own, so that the owner's
		// filter lists every count of the shelf.
		before, after := stockText(oldLimited, oldStock), stockText(in.Limited, in.Stock)
		if before == after {
			return nil
		}
		return recordAudit(ctx, tx, shopID, in.UserID, AuditGiftStock, in.Name+" · "+before+" → "+after, now)
	})
	if err != nil {
		return fmt.Errorf("update gift %d: %w", id, err)
	}
	return nil
}

// ArchiveGift takes an item out of the catalogue; its redemptions go on.
// userID retires it, for the audit log; retiring it again writes nothing.
func (s *Store) ArchiveGift(ctx context.Context, shopID, userID, id int64, now time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var name string
		var archived bool
		err := tx.QueryRowContext(ctx, `SELECT name, archived_at IS NOT NULL FROM gifts WHERE id = ? AND shop_id = ?`, id, shopID).Scan(&name, &archived)
		if err != nil || archived {
			return notFound(err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE gifts SET archived_at = ?, updated_at = ? WHERE id = ? AND shop_id = ?`,
			unix(now), unix(now), id, shopID); err != nil {
			return err
		}
		return recordAudit(ctx, tx, shopID, userID, AuditGiftRetire, name, now)
	})
	if err != nil {
		return fmt.Errorf("archive gift %d: %w", id, err)
	}
	return nil
}

// Gifts lists the shop's catalogue, archived items last, only when asked.
func (s *Store) Gifts(ctx context.Context, shopID int64, withArchived bool) ([]Gift, error) {
	return gifts(ctx, s.r, shopID, withArchived)
}

func gifts(ctx context.Context, q querier, shopID int64, withArchived bool) ([]Gift, error) {
	list, err := collect(ctx, q, scanGift, `SELECT `+giftColumns+` FROM gifts WHERE shop_id = ? AND (? OR archived_at IS NULL)
		ORDER BY archived_at IS NOT NULL, points, id`, shopID, withArchived)
	if err != nil {
		return nil, fmt.Errorf("gifts of shop %d: %w", shopID, err)
	}
	return list, nil
}

// Gift returns one item of the shop's catalogue.
func (s *Store) Gift(ctx context.Context, shopID, id int64) (Gift, error) {
	return gift(ctx, s.r, shopID, id)
}

func gift(ctx context.Context, q querier, shopID, id int64) (Gift, error) {
	g, err := scanGift(q.QueryRowContext(ctx, `SELECT `+giftColumns+` FROM gifts WHERE id = ? AND shop_id = ?`, id, shopID))
	if err != nil {
		return g, fmt.Errorf("gift %d: %w", id, err)
	}
	return g, nil
}

// GiftImage returns the picture of an item of the shop.
func (s *Store) GiftImage(ctx context.Context, shopID, id int64) ([]byte, error) {
	var img []byte
	err := s.r.QueryRowContext(ctx, `SELECT image FROM gifts WHERE id = ? AND shop_id = ? AND image IS NOT NULL`, id, shopID).Scan(&img)
	if err != nil {
		return nil, fmt.Errorf("image of gift %d: %w", id, notFound(err))
	}
	return img, nil
}

// RedeemGift redeems the shop's gift giftID for the card of a (a.ProgramID
// is ignored: the gift's program is the one spent in), for its points or,
// with partial, for its points and money. The points are spent and one is
// taken from stock in one transaction: of two redemptions of the last one,
// the second gets loyalty.ErrGiftOutOfStock. A replayed key is a
// *ReplayedError naming the spend event.
func (s *Store) RedeemGift(ctx context.Context, a Action, giftID int64, partial bool, source string) (GiftOrder, error) {
	var o GiftOrder
	g, err := gift(ctx, s.r, a.ShopID, giftID)
	if err != nil {
		return o, fmt.Errorf("redeem gift: %w", err)
	}
	a.ProgramID = g.ProgramID
	err = s.act(ctx, a, func(ctx context.Context, tx *sql.Tx, a Action, p Program, st loyalty.State) error {
		// The item as it is now: the one read above may have changed.
		g, err := gift(ctx, tx, a.ShopID, giftID)
		if err != nil {
			return err
		}
		if g.ProgramID != p.ID {
			return loyalty.ErrGiftUnavailable
		}
		// A tier-only item: the card's kept tier, read in this transaction.
		if err := checkCardTier(ctx, tx, a.ShopID, a.CardID, g.MinTier); err != nil {
			return err
		}
		o = GiftOrder{CardID: a.CardID, GiftID: g.ID, GiftName: g.Name, Points: g.Points, Cost: g.Cost,
			State: loyalty.GiftRequested, Source: source, At: a.Now, UpdatedAt: a.Now}
		if partial {
			if !g.Partial() {
				return loyalty.ErrGiftNoPartial
			}
			o.Points, o.Money = g.PartialPoints, g.PartialMoney
		}
		var taken int
		err = tx.QueryRowContext(ctx, `SELECT count(*) FROM gift_orders WHERE card_id = ? AND gift_id = ? AND state != 'cancelled'`,
			a.CardID, g.ID).Scan(&taken)
		if err != nil {
			return err
		}
		held := st.At(a.Now)
		if err := loyalty.CheckGift(g.GiftOffer, a.Now, taken, held.Points, o.Points); err != nil {
			return err
		}
		if err := loyalty.CheckSpend(p.Rules(), held, o.Points); err != nil {
			return err
		}
		if o.EventID, err = insertFolded(ctx, tx, a, newEvent{kind: loyalty.KindRedeem, programID: p.ID, points: -o.Points, note: g.Name}, p.Rules(), st); err != nil {
			return err
		}
		if g.Limited {
			// The writer is one at a time; the condition keeps stock ≥ 0 whatever comes.
			res, err := tx.ExecContext(ctx, `UPDATE gifts SET stock = stock - 1 WHERE id = ? AND stock > 0`, g.ID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return loyalty.ErrGiftOutOfStock
			}
		}
		return tx.QueryRowContext(ctx, `INSERT INTO gift_orders (shop_id, card_id, gift_id, event_id, points, money, cost, source, created_at, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			a.ShopID, a.CardID, g.ID, o.EventID, o.Points, o.Money, o.Cost, source, unix(a.Now), unix(a.Now), null(a.UserID)).Scan(&o.ID)
	})
	if err != nil {
		return o, fmt.Errorf("redeem gift %d for card %d: %w", giftID, a.CardID, err)
	}
	// The card pages' catalogue shows the stock: read it anew.
	s.cache.forget()
	return o, nil
}

// GiftOrder is a redemption of the shop.
func (s *Store) GiftOrder(ctx context.Context, shopID, id int64) (GiftOrder, error) {
	o, err := scanGiftOrder(s.r.QueryRowContext(ctx, `SELECT `+giftOrderColumns+giftOrderFrom+`WHERE o.id = ? AND o.shop_id = ?`, id, shopID))
	if err != nil {
		return o, fmt.Errorf("gift redemption %d: %w", id, notFound(err))
	}
	return o, nil
}

// GiftOrderByEvent is the redemption whose points the event spent: what a
// replayed redemption form did the first time.
func (s *Store) GiftOrderByEvent(ctx context.Context, shopID, eventID int64) (GiftOrder, error) {
	o, err := scanGiftOrder(s.r.QueryRowContext(ctx, `SELECT `+giftOrderColumns+giftOrderFrom+`WHERE o.event_id = ? AND o.shop_id = ?`, eventID, shopID))
	if err != nil {
		return o, fmt.Errorf("gift redemption of event %d: %w", eventID, notFound(err))
	}
	return o, nil
}

const giftOrderColumns = `o.id, o.card_id, o.gift_id, o.event_id, g.name, o.points, o.money, o.cost, o.state, o.source, o.carrier, o.tracking,
	o.created_at, o.updated_at, c.first_name, c.short_code`

const giftOrderFrom = ` FROM gift_orders o JOIN gifts g ON g.id = o.gift_id JOIN cards c ON c.id = o.card_id `

func scanGiftOrder(row scanner) (GiftOrder, error) {
	var o GiftOrder
	var at, updated int64
	err := row.Scan(&o.ID, &o.CardID, &o.GiftID, &o.EventID, &o.GiftName, &o.Points, &o.Money, &o.Cost, &o.State, &o.Source, &o.Carrier, &o.Tracking,
		&at, &updated, &o.FirstName, &o.ShortCode)
	o.At, o.UpdatedAt = fromUnix(at), fromUnix(updated)
	return o, err
}

// maxGiftOrdersListed bounds the owner's queue of finished redemptions: the
// open ones are all listed.
const maxGiftOrdersListed = 100

// GiftOrders is the owner's queue: the open redemptions, oldest first, then
// the newest finished ones.
func (s *Store) GiftOrders(ctx context.Context, shopID int64) (open, done []GiftOrder, err error) {
	if open, err = collect(ctx, s.r, scanGiftOrder, `SELECT `+giftOrderColumns+giftOrderFrom+`
		WHERE o.shop_id = ? AND o.state IN ('requested', 'ready', 'shipped') ORDER BY o.id`, shopID); err != nil {
		return nil, nil, fmt.Errorf("open gift redemptions of shop %d: %w", shopID, err)
	}
	if done, err = collect(ctx, s.r, scanGiftOrder, `SELECT `+giftOrderColumns+giftOrderFrom+`
		WHERE o.shop_id = ? AND o.state IN ('handed_over', 'delivered', 'cancelled') ORDER BY o.updated_at DESC, o.id DESC LIMIT ?`,
		shopID, maxGiftOrdersListed); err != nil {
		return nil, nil, fmt.Errorf("finished gift redemptions of shop %d: %w", shopID, err)
	}
	return open, done, nil
}

// cardGiftOrders is the card's redemptions, newest first: one read of the
// gift_orders_card index for the card page, which shows where each stands
// and counts them against each item's limit.
func cardGiftOrders(ctx context.Context, q querier, shopID, cardID int64) ([]GiftOrder, error) {
	list, err := collect(ctx, q, scanGiftOrder, `SELECT `+giftOrderColumns+giftOrderFrom+`WHERE o.card_id = ? AND o.shop_id = ? ORDER BY o.id DESC`, cardID, shopID)
	if err != nil {
		return nil, fmt.Errorf("gift redemptions of card %d: %w", cardID, err)
	}
	return list, nil
}

// GiftMove is a step of a redemption the owner's queue takes.
type GiftMove struct {
	ShopID, OrderID, UserID int64
	// From is the state the form showed, To the one asked for: a form
	// whose From is stale changes nothing (loyalty.ErrGiftMove), a repeat of
	// a step already taken nothing either (nil).
	From, To          loyalty.GiftState
	Carrier, Tracking string
	Now               time.Time
}

// MoveGiftOrder moves a redemption one step along its way and queues the
// customer's notice of it. Cancelling voids the spend event: the points come
// back to the card and the gift to stock.
func (s *Store) MoveGiftOrder(ctx context.Context, m GiftMove) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		o, err := scanGiftOrder(tx.QueryRowContext(ctx, `SELECT `+giftOrderColumns+giftOrderFrom+`WHERE o.id = ? AND o.shop_id = ?`, m.OrderID, m.ShopID))
		if err != nil {
			return notFound(err)
		}
		switch {
		case o.State == m.To && m.From.CanMove(m.To):
			return nil // a double tap: done already
		case o.State != m.From || !o.State.CanMove(m.To):
			return loyalty.ErrGiftMove
		}
		if m.To == loyalty.GiftCancelled {
			e, err := scanEntry(tx.QueryRowContext(ctx, `SELECT `+entryColumns+entryFrom+`WHERE e.id = ? AND e.shop_id = ?`, o.EventID, m.ShopID))
			if err != nil {
				return fmt.Errorf("spend event %d: %w", o.EventID, err)
			}
			// The void cancels the order and restocks (cancelVoidedOrder).
			if _, err := insertVoid(ctx, tx, Action{ShopID: m.ShopID, CardID: o.CardID, UserID: m.UserID, Now: m.Now}, e); err != nil {
				return err
			}
		} else {
			carrier, tracking := o.Carrier, o.Tracking
			if m.To == loyalty.GiftShipped {
				carrier, tracking = m.Carrier, m.Tracking
			}
			if _, err := tx.ExecContext(ctx, `UPDATE gift_orders SET state = ?, carrier = ?, tracking = ?, updated_at = ?, updated_by = ? WHERE id = ?`,
				m.To, carrier, tracking, unix(m.Now), null(m.UserID), o.ID); err != nil {
				return err
			}
		}
		if err := auditGiftStep(ctx, tx, m, o); err != nil {
			return err
		}
		return queueGiftUpdate(ctx, tx, m.ShopID, o.CardID, o.ID, m.To, o.GiftName, m.Now)
	})
	if err != nil {
		return fmt.Errorf("move gift redemption %d to %s: %w", m.OrderID, m.To, err)
	}
	return nil
}

// giftStepAudit is the audit log's action of each step a staff member takes.
var giftStepAudit = map[loyalty.GiftState]AuditAction{
	loyalty.GiftReady:      AuditGiftReady,
	loyalty.GiftHandedOver: AuditGiftHandedOver,
	loyalty.GiftShipped:    AuditGiftShipped,
	loyalty.GiftDelivered:  AuditGiftDelivered,
	loyalty.GiftCancelled:  AuditGiftCancel,
}

// auditGiftStep records the step m took o to: the gift and the card's code,
// with the parcel's carrier and number when it was shipped.
func auditGiftStep(ctx context.Context, tx *sql.Tx, m GiftMove, o GiftOrder) error {
	action, ok := giftStepAudit[m.To]
	if !ok {
		return nil
	}
	subject := o.GiftName + " · " + loyalty.FormatShortCode(o.ShortCode)
	if m.To == loyalty.GiftShipped {
		subject += " · " + strings.TrimSpace(m.Carrier+" "+m.Tracking)
	}
	return recordAudit(ctx, tx, m.ShopID, m.UserID, action, strings.TrimSuffix(subject, " · "), m.Now)
}

// queueGiftUpdate queues the customer's notice of a redemption's new state:
// a service message, by e-mail when the card has an address and the service
// consent of e-mail, by push to each live subscription with the service
// consent of push. Each state is reached once, so its key queues it once.
func queueGiftUpdate(ctx context.Context, tx *sql.Tx, shopID, cardID, orderID int64, state loyalty.GiftState, giftName string, now time.Time) error {
	key := "gift_update:" + strconv.FormatInt(orderID, 10) + ":" + string(state)
	_, err := tx.ExecContext(ctx, `INSERT INTO outbox (shop_id, card_id, channel, template, purpose, language, payload, next_at, idempotency_key, created_at)
		SELECT s.id, c.id, 'email', ?3, 'service', s.language, json_object('gift', ?4, 'gift_state', ?5), ?6, ?7, ?6
		FROM shops s JOIN cards c ON c.id = ?2 AND c.shop_id = s.id AND c.email != '' AND c.erased_at IS NULL
		WHERE s.id = ?1 AND coalesce((SELECT granted FROM consents WHERE card_id = ?2 AND channel = 'email' AND purpose = 'service'
			ORDER BY id DESC LIMIT 1), 0) = 1
		ON CONFLICT DO NOTHING`, shopID, cardID, MessageGiftUpdate, giftName, string(state), unix(now), key)
	if err != nil {
		return fmt.Errorf("queue gift update: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO outbox (shop_id, card_id, channel, template, purpose, language, payload, next_at, idempotency_key, created_at)
		SELECT s.id, c.id, 'push', ?3, 'service', ps.language, json_object('gift', ?4, 'gift_state', ?5, 'sub', ps.id), ?6, ?7 || ':push:' || ps.id, ?6
		FROM shops s JOIN cards c ON c.id = ?2 AND c.shop_id = s.id AND c.erased_at IS NULL
		JOIN push_subscriptions ps ON ps.card_id = c.id AND ps.shop_id = s.id AND ps.gone_at IS NULL
		WHERE s.id = ?1 AND coalesce((SELECT granted FROM consents WHERE card_id = ?2 AND channel = 'push' AND purpose = 'service'
			ORDER BY id DESC LIMIT 1), 0) = 1
		ON CONFLICT DO NOTHING`, shopID, cardID, MessageGiftUpdate, giftName, string(state), unix(now), key)
	if err != nil {
		return fmt.Errorf("queue gift update by push: %w", err)
	}
	return nil
}

// GiftsHandedOut is how many gifts reached their customers (handed over or
// delivered) from since on, and what they cost the shop (minor units): the
// line of "Is the program worth it?".
func (s *Store) GiftsHandedOut(ctx context.Context, shopID int64, since time.Time) (n, cost int, err error) {
	return giftsHandedOut(ctx, s.r, shopID, since)
}

func giftsHandedOut(ctx context.Context, q querier, shopID int64, since time.Time) (n, cost int, err error) {
	err = q.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(cost), 0) FROM gift_orders
		WHERE shop_id = ? AND state IN ('handed_over', 'delivered') AND updated_at >= ?`, shopID, unix(since)).Scan(&n, &cost)
	if err != nil {
		return 0, 0, fmt.Errorf("gifts handed out in shop %d: %w", shopID, err)
	}
	return n, cost, nil
}

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

// Entry is a ledger event as people read it.
type Entry struct {
	ID         int64
	CardID     int64
	ProgramID  int64 // stamps, rewards and their voids
	CampaignID int64 // coupons and their voids
	RaffleID   int64 // prizes and their voids
	// ProgramName names the program, campaign or raffle.
	ProgramName string
	UserName    string
	Kind        loyalty.Kind
	Stamps      int
	RewardSeq   int
	VoidOf      int64
	Voided      bool
	Override    bool
	// Note is why: the reason of an adjustment, the cause of a bonus.
	Note string
	At   time.Time
	// Earned is how many rewards the event earned when it was written.
	Earned int
	// In a points program: what a purchase cost (minor units), and the
	// points the event added (+) or spent (-) when it was written.
	Amount int
	Points int
	// Credit is the store credit the event added (+) or spent (-), in minor units.
	Credit int
}

func (e Entry) event() loyalty.Event {
	return loyalty.Event{ID: e.ID, Kind: e.Kind, At: e.At, Stamps: e.Stamps, RewardSeq: e.RewardSeq, VoidOf: e.VoidOf, Amount: e.Amount, Points: e.Points}
}

const entryColumns = `e.id, e.card_id, coalesce(e.program_id, 0), coalesce(e.campaign_id, 0), coalesce(e.raffle_id, 0),
	coalesce(p.name, cp.title, rf.title, ''), coalesce(u.name, ''), e.kind, e.stamps, e.reward_seq,
	coalesce(e.void_of, 0), EXISTS (SELECT 1 FROM events v WHERE v.void_of = e.id), e.override, e.note, e.created_at, e.earned,
	e.amount, e.points, e.credit`

const entryFrom = ` FROM events e LEFT JOIN programs p ON p.id = e.program_id LEFT JOIN campaigns cp ON cp.id = e.campaign_id
	LEFT JOIN raffles rf ON rf.id = e.raffle_id LEFT JOIN users u ON u.id = e.user_id `

// scanEntry reads entryColumns, then any extra columns into extra.
func scanEntry(row scanner, extra ...any) (Entry, error) {
	var e Entry
	var at int64
	err := row.Scan(append([]any{&e.ID, &e.CardID, &e.ProgramID, &e.CampaignID, &e.RaffleID, &e.ProgramName, &e.UserName, &e.Kind, &e.Stamps, &e.RewardSeq,
		&e.VoidOf, &e.Voided, &e.Override, &e.Note, &at, &e.Earned, &e.Amount, &e.Points, &e.Credit}, extra...)...)
	e.At = fromUnix(at)
	return e, err
}

// RecentEntries is how much of a card's ledger the counter and the card page
// read: what they show, what undo can reach and the result of the last action
// lie in it, and a card's page costs the same on its first day and its
// thousandth.
const RecentEntries = 50

// ShownEntries is how many of a card's newest events the counter lists.
const ShownEntries = 20

// CustomerEntries is how many the customer's page lists, and all it reads of
// the ledger (it offers no undo): the whole round of a ten-stamp card with
// its redemption, and one more. The card keeps them (shown.go).
const CustomerEntries = 12

const cardEntriesQuery = `SELECT ` + entryColumns + entryFrom + `WHERE e.card_id = ? AND +e.shop_id = ? ORDER BY e.created_at DESC, e.id DESC LIMIT ?`

// cardEntries reads the newest limit events of a card (all of them when
// limit is 0), in ledger order: by time, and by id within a second. The
// order is the events_card_time index's, so the newest are read first.
func cardEntries(ctx context.Context, q querier, shopID, cardID int64, limit int) ([]Entry, error) {
	if limit == 0 {
		limit = -1 // SQLite's "no limit"
	}
	list, err := collect(ctx, q, func(r scanner) (Entry, error) { return scanEntry(r) }, cardEntriesQuery, cardID, shopID, limit)
	if err != nil {
		return nil, fmt.Errorf("ledger of card %d: %w", cardID, err)
	}
	slices.Reverse(list)
	return list, nil
}

// ProgramBalance is a card's standing in one program.
type ProgramBalance struct {
	Program Program
	loyalty.Balance
}

// CardState is everything the counter and the card page show about a card.
type CardState struct {
	Card     Card
	Programs []ProgramBalance // active programs, the default first
	Ledger   []Entry          // newest first: the RecentEntries newest, or all for an owner's record
	Coupons  []CardCoupon
	Raffles  []CardRaffle
	// Credit is the store credit the card holds, in minor units (credit.go).
	Credit int
	// Undoable is the action an undo would void, if it is recent enough.
	Undoable *Entry
}

// CardState reads the card's kept balances at now and its recent ledger.
func (s *Store) CardState(ctx context.Context, shopID, cardID int64, now time.Time) (CardState, error) {
	return cardState(ctx, s.r, shopID, cardID, now, RecentEntries)
}

// cardState is CardState with the newest history events (0: all).
func cardState(ctx context.Context, q querier, shopID, cardID int64, now time.Time, history int) (CardState, error) {
	ps, err := programs(ctx, q, shopID, false)
	if err != nil {
		return CardState{}, err
	}
	c, err := card(ctx, q, shopID, cardID)
	if err != nil {
		return CardState{}, err
	}
	es, err := cardEntries(ctx, q, shopID, cardID, history)
	if err != nil {
		return CardState{}, err
	}
	return cardStateOf(ctx, q, c, shopParts{programs: ps}, now, es)
}

// cardStateOf is cardState of the card c, read already, with the shop's
// active programs, and maybe some of its raffles, read already too, and the
// card's newest events es, in ledger order.
func cardStateOf(ctx context.Context, q querier, c Card, parts shopParts, now time.Time, es []Entry) (CardState, error) {
	ps := parts.programs
	shopID, cardID := c.ShopID, c.ID
	st := CardState{Card: c}
	balances, credit, err := cardBalancesAndCredit(ctx, q, cardID)
	if err != nil {
		return st, err
	}
	for _, p := range ps {
		st.Programs = append(st.Programs, ProgramBalance{Program: p, Balance: balances[p.ID].At(now)})
	}
	for i := len(es) - 1; i >= 0; i-- {
		st.Ledger = append(st.Ledger, es[i])
	}
	if parts.mayHoldCoupons() {
		if st.Coupons, err = cardCoupons(ctx, q, shopID, cardID, now); err != nil {
			return st, err
		}
	}
	// Parts read by readShopParts hold every raffle a page may show.
	if !parts.read || len(parts.raffles) > 0 {
		if st.Raffles, err = cardRaffles(ctx, q, shopID, cardID, parts.raffles, now); err != nil {
			return st, err
		}
	}
	st.Credit = credit
	if last := lastAction(es); last != nil && loyalty.CanUndo(last.event(), now) {
		st.Undoable = last
	}
	return st, nil
}

// lastAction is the newest event that is neither a void nor voided: what undo
// undoes. Bonuses and rules events are skipped: the shop's rules gave them (a
// referral bonus right after the stamp that earned it, a reward from a lowered
// target), and undo is for a cashier's slip.
func lastAction(es []Entry) *Entry {
	for i := len(es) - 1; i >= 0; i-- {
		if k := es[i].Kind; k != loyalty.KindVoid && k != loyalty.KindBonus && k != loyalty.KindRules && !es[i].Voided {
			return &es[i]
		}
	}
	return nil
}

// Action says who does what to which card, once: Key is the idempotency key
// rendered into the form, so a double tap or a retry applies once.
type Action struct {
	ShopID, CardID, ProgramID, UserID int64
	Key                               string
	Now                               time.Time
	// clock is the shop's, when the action has read it already (act).
	clock *shopClock
	// shown is the card's kept events, when the action has read them
	// already (act); its inserts keep it up to date.
	shown *keptShown
	// referred: the card was brought by a friend whose referral is not
	// paid yet (read by act; a stamp pays it, payReferral).
	referred bool
	// rollups is the card's stats and row of the day as the action read
	// them before it wrote anything, for its first event (addToRollups).
	rollups *readRollups
	// kept gathers what the action's writes leave of its card for the next
	// action (kept.go).
	kept *keptWrites
}

// Outcome is what an action did: the ledger event it wrote.
type Outcome struct {
	EventID int64
}

// Stamp adds n stamps to the card in the program, unless the program's rules
// refuse (loyalty.ErrStampCount, *loyalty.CooldownError without override).
func (s *Store) Stamp(ctx context.Context, a Action, n int, override bool) (Outcome, error) {
	var out Outcome
	err := s.act(ctx, a, func(ctx context.Context, tx *sql.Tx, a Action, p Program, st loyalty.State) error {
		if p.IsPoints() {
			return loyalty.ErrStampCount // a points program counts purchases (EarnPoints)
		}
		if err := loyalty.CheckStamp(p.Rules(), st.At(a.Now), n, a.Now, override); err != nil {
			return err
		}
		var err error
		out.EventID, err = insertFolded(ctx, tx, a, newEvent{kind: loyalty.KindStamp, programID: p.ID, stamps: n, override: override}, p.Rules(), st)
		if err != nil {
			return err
		}
		return payReferral(ctx, tx, a, p.ID, out.EventID)
	})
	if err != nil {
		return out, fmt.Errorf("stamp card %d: %w", a.CardID, err)
	}
	return out, nil
}

// StampScanned adds one stamp of the shop's default program to the card whose
// token a counter scan read, under every rule (a cooldown refuses it as for a
// tap). a names no card or program: they come from the token and the shop.
// It returns a with the card and the program; ErrNotFound when the token is
// no active card of the shop, which leaves the scan an ordinary lookup.
func (s *Store) StampScanned(ctx context.Context, a Action, token string) (Action, Outcome, error) {
	// A points program needs the amount first: its card opens as a lookup.
	err := s.r.QueryRowContext(ctx, `SELECT c.id, p.id FROM cards c JOIN programs p ON p.shop_id = c.shop_id AND p.is_default AND p.archived_at IS NULL
		AND p.kind = 'stamps' WHERE c.shop_id = ? AND c.token = ? AND c.erased_at IS NULL`, a.ShopID, token).Scan(&a.CardID, &a.ProgramID)
	if err != nil {
		return a, Outcome{}, fmt.Errorf("scanned card: %w", notFound(err))
	}
	out, err := s.Stamp(ctx, a, 1, false)
	return a, out, err
}

// Redeem redeems reward seq of the card in the program. Of two cashiers
// redeeming the same reward, the second gets loyalty.ErrRewardUnavailable.
func (s *Store) Redeem(ctx context.Context, a Action, seq int) (Outcome, error) {
	var out Outcome
	err := s.act(ctx, a, func(ctx context.Context, tx *sql.Tx, a Action, p Program, st loyalty.State) error {
		if err := loyalty.CheckRedeem(st.At(a.Now), seq); err != nil {
			return err
		}
		id, err := insertFolded(ctx, tx, a, newEvent{kind: loyalty.KindRedeem, programID: p.ID, rewardSeq: seq}, p.Rules(), st)
		out.EventID = id
		return err
	})
	if err != nil {
		return out, fmt.Errorf("redeem reward %d of card %d: %w", seq, a.CardID, err)
	}
	return out, nil
}

// Undo voids eventID, which must still be the card's last action and recent
// enough (loyalty.ErrNothingToUndo otherwise). a.ProgramID is ignored.
func (s *Store) Undo(ctx context.Context, a Action, eventID int64) (Outcome, error) {
	var out Outcome
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := checkReplay(ctx, tx, a); err != nil {
			return err
		}
		es, err := cardEntries(ctx, tx, a.ShopID, a.CardID, RecentEntries)
		if err != nil {
			return err
		}
		last := lastAction(es)
		if last == nil || last.ID != eventID || !loyalty.CanUndo(last.event(), a.Now) {
			return loyalty.ErrNothingToUndo
		}
		out.EventID, err = insertVoid(ctx, tx, a, *last)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("undo event %d of card %d: %w", eventID, a.CardID, err)
	}
	return out, nil
}

// act runs a stamp, a redemption or an adjustment in a transaction of the
// counter's (inBatch), after checking the key was not used and that card and
// program belong to the shop, with the card's kept state in the program.
func (s *Store) act(ctx context.Context, a Action, fn func(ctx context.Context, tx *sql.Tx, a Action, p Program, st loyalty.State) error) error {
	return s.inBatch(ctx, func(ctx context.Context, tx *sql.Tx) error {
		// The shop's clock changes only in transactions that empty the
		// cache (inTx); the action's day is on it.
		clock, err := remembered(&s.cache, func(c *readCache) *memo[int64, shopClock] { return &c.clocks }, a.ShopID,
			func() (shopClock, error) { return loadShopClock(ctx, tx, a.ShopID) })
		if err != nil {
			return err
		}
		r := readRollups{cardID: a.CardID, day: loyalty.DayNumber(a.Now.In(clock.loc))}
		shown := keptShown{cardID: a.CardID}
		var st loyalty.State
		if err := s.readCard(ctx, tx, &a, &shown, &r, &st); err != nil {
			return err
		}
		// The program's rules change only in transactions that empty the
		// cache (inTx).
		p, err := remembered(&s.cache, func(c *readCache) *memo[[2]int64, Program] { return &c.programs }, [2]int64{a.ShopID, a.ProgramID},
			func() (Program, error) { return program(ctx, tx, a.ShopID, a.ProgramID) })
		if err != nil {
			return err
		}
		if p.Archived {
			return ErrNotFound
		}
		a.clock, a.shown, a.rollups = &clock, &shown, &r
		return fn(ctx, tx, a, p, st)
	})
}

// cardInShop refuses an action on another shop's card (or none) as not found,
// and on an erased card too: its ledger is closed, kept only for the numbers.
func cardInShop(ctx context.Context, tx *sql.Tx, a Action) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM cards WHERE id = ? AND shop_id = ? AND erased_at IS NULL`, a.CardID, a.ShopID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

func checkReplay(ctx context.Context, tx *sql.Tx, a Action) error {
	var earlier int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM events WHERE shop_id = ? AND idempotency_key = ?`, a.ShopID, a.Key).Scan(&earlier)
	switch {
	case err == nil:
		return &ReplayedError{ID: earlier}
	case errors.Is(err, sql.ErrNoRows):
		return nil
	default:
		return err
	}
}

// newEvent is a ledger row to insert; zero ids are stored as NULL.
type newEvent struct {
	kind                            loyalty.Kind
	programID, campaignID, raffleID int64
	stamps, rewardSeq               int
	voidOf                          int64
	override                        bool
	note                            string
	// amount is a points purchase's; points a redemption's or a
	// correction's change (a purchase's follow from its amount).
	amount, points int
	// credit is the store credit the event adds or spends (credit.go).
	credit int
	// tierPercent is the card's tier multiplier on a purchase (tiers.go).
	tierPercent int
}

// insertEvent appends ev to the ledger and brings the card's kept balance and
// the rollups up to date with it: a program event is folded into the balance
// under the program's rules of now, a void re-folds the program's history.
func insertEvent(ctx context.Context, tx *sql.Tx, a Action, ev newEvent) (int64, error) {
	if ev.programID == 0 || ev.kind == loyalty.KindVoid {
		id, err := insertRow(ctx, tx, a, ev, 0)
		if err != nil {
			return 0, err
		}
		if ev.programID != 0 {
			if err := refoldBalance(ctx, tx, a.ShopID, a.CardID, ev.programID); err != nil {
				return 0, err
			}
			// A void of a visit may take back the tier it reached (tiers.go).
			if err := judgeTier(ctx, tx, a, id, ev.voidOf); err != nil {
				return 0, err
			}
		}
		return id, afterInsert(ctx, tx, a, ev, 0, false)
	}
	p, err := program(ctx, tx, a.ShopID, ev.programID)
	if err != nil {
		return 0, err
	}
	state, err := cardBalance(ctx, tx, a.CardID, ev.programID)
	if err != nil {
		return 0, err
	}
	return insertFolded(ctx, tx, a, ev, p.Rules(), state)
}

// insertFolded is insertEvent for a program event whose program's rules and
// card's kept balance the caller has read already (a stamp checks them first).
func insertFolded(ctx context.Context, tx *sql.Tx, a Action, ev newEvent, rules loyalty.Rules, state loyalty.State) (int64, error) {
	if rules.Points && ev.kind == loyalty.KindStamp {
		// The row says what the purchase gave, the card's tier multiplier included.
		ev.points = loyalty.TierPoints(loyalty.PointsFor(rules, ev.amount, a.Now), ev.tierPercent)
	}
	before := columnsOf(state)
	earned := state.Apply(rules, loyalty.Event{Kind: ev.kind, At: a.Now, Stamps: ev.stamps, RewardSeq: ev.rewardSeq, Amount: ev.amount, Points: ev.points,
		TierPercent: ev.tierPercent})
	if rules.Points && ev.kind == loyalty.KindStamp {
		// A purchase earns the shop's cashback with its points.
		var err error
		if ev.credit, err = purchaseCashback(ctx, tx, a, ev.amount); err != nil {
			return 0, err
		}
	}
	id, err := insertRow(ctx, tx, a, ev, earned)
	if err != nil {
		return 0, err
	}
	if err := addCredit(ctx, tx, a, ev.credit); err != nil {
		return 0, err
	}
	if there, err := updateBalance(ctx, tx, a.CardID, ev.programID, state, before); err != nil {
		return 0, err
	} else if !there {
		if err := saveBalance(ctx, tx, a.ShopID, a.CardID, ev.programID, state); err != nil {
			return 0, err
		}
	}
	a.kept.keepState(a.CardID, ev.programID, state)
	if earned > 0 {
		if err := queueRewardReady(ctx, tx, a, ev.programID, id, earned); err != nil {
			return 0, err
		}
	}
	if earned == 0 && ev.kind == loyalty.KindStamp && ev.stamps > 0 && state.Stamps == rules.StampsRequired-1 {
		if err := queueOneVisitLeft(ctx, tx, a, ev.programID, id, state.Earned); err != nil {
			return 0, err
		}
	}
	if ev.kind == loyalty.KindStamp {
		// A visit may raise the card's tier (tiers.go).
		if err := judgeTier(ctx, tx, a, id, 0); err != nil {
			return 0, err
		}
	}
	return id, afterInsert(ctx, tx, a, ev, earned, true)
}

// eventRow is the statement of insertRow: one ledger row.
const eventRow = `INSERT INTO events (shop_id, card_id, program_id, campaign_id, raffle_id, user_id, kind, stamps, reward_seq,
	void_of, override, note, idempotency_key, created_at, earned, amount, points, credit, tier_percent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// insertRow writes ev's ledger row and what follows from it alone: the
// card's kept events, and for a void the gift order it cancels.
func insertRow(ctx context.Context, tx *sql.Tx, a Action, ev newEvent, earned int) (int64, error) {
	res, err := tx.ExecContext(ctx, eventRow,
		a.ShopID, a.CardID, null(ev.programID), null(ev.campaignID), null(ev.raffleID), null(a.UserID), ev.kind, ev.stamps, ev.rewardSeq,
		null(ev.voidOf), ev.override, ev.note, nullString(a.Key), unix(a.Now), earned, ev.amount, ev.points, ev.credit, ev.tierPercent)
	if err != nil {
		return 0, fmt.Errorf("insert %s event: %w", ev.kind, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	if ev.kind == loyalty.KindVoid && ev.voidOf != 0 {
		if err := cancelVoidedOrder(ctx, tx, a, ev.voidOf); err != nil {
			return 0, err
		}
	}
	if a.rollups != nil && a.rollups.cardID == a.CardID {
		a.rollups.written++
	}
	a.kept.wrote(a.CardID)
	e := Entry{ID: id, CardID: a.CardID, Kind: ev.kind, Stamps: ev.stamps, Note: ev.note, At: fromUnix(unix(a.Now)), Amount: ev.amount, Points: ev.points,
		Credit: ev.credit, VoidOf: ev.voidOf}
	return id, keepShown(ctx, tx, a, e)
}

// afterInsert moves the staff's day and the card's rollups by ev: by the one
// event when it was folded, from the card's history after a void.
func afterInsert(ctx context.Context, tx *sql.Tx, a Action, ev newEvent, earned int, folded bool) error {
	var clock shopClock
	if a.clock != nil {
		clock = *a.clock
	} else {
		var err error
		if clock, err = loadShopClock(ctx, tx, a.ShopID); err != nil {
			return err
		}
	}
	if err := staffEvent(ctx, tx, a, ev, clock.loc); err != nil {
		return err
	}
	switch {
	case folded:
		return addToRollups(ctx, tx, a, ev, earned, clock)
	case ev.programID != 0:
		return refreshCard(ctx, tx, a.ShopID, a.CardID, clock, a.Now)
	}
	return nil
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// insertVoid voids e, naming what e named so the void shows with it.
func insertVoid(ctx context.Context, tx *sql.Tx, a Action, e Entry) (int64, error) {
	id, err := insertEvent(ctx, tx, a, newEvent{kind: loyalty.KindVoid, programID: e.ProgramID, campaignID: e.CampaignID, raffleID: e.RaffleID, voidOf: e.ID})
	if err == nil && e.Credit != 0 {
		err = refoldCredit(ctx, tx, a.ShopID, a.CardID) // the void returns or takes back the event's credit exactly
	}
	return id, err
}

func null(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// EarnedBy tells how many rewards the stamp event id earned when it was
// given, for the counter's result banner.
func (st CardState) EarnedBy(id int64) int {
	for _, e := range st.Ledger {
		if e.ID == id {
			return e.Earned
		}
	}
	return 0
}

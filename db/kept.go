package db

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"sync/atomic"

	"regulars/loyalty"
)

// The counter's action reads its card before it writes: the card's state in
// the program, its kept list, its stats and row of the day, whether a
// referral waits. A busy counter stamps the same cards again and again, and
// that read was a sixth of a stamp's time on the one writer. So the writer
// keeps, for each card an action wrote, what the next action would read, as
// the action's writes left it; the next action on the card reads only the
// key, whether the card is still the shop's, and its kept list, and takes the
// rest from here when the list is the same bytes.
//
// What an entry holds changes only with an event of its card, and an event
// changes the card's kept list unless it is dated before every kept one (a
// clock set back). The list is the entry's check, and three guards come
// before it: an entry is dropped as soon as an action writes an event of its
// card (a referrer's bonus in a friend's stamp among them; the action on the
// card may leave a new entry once its batch has committed); all are dropped
// after any transaction on the writer outside the counter's batches (rule
// changes, undo, imports, rebuilds, tiers: they change states without a new
// event of the card's); and all are dropped after a commit by another
// connection (PRAGMA data_version), such as the rebuild command's.

// keptCardsMax bounds the entries, of about a kilobyte each (the kept list,
// the state): a few megabytes at most, more cards than a counter sees in a
// day. A full map is emptied rather than managed.
const keptCardsMax = 5_000

// keptCard is what an action on the card in program reads besides the key
// and the card itself, as the last action on the card left it.
type keptCard struct {
	program int64
	writes  uint64 // Store.writes when the entry was made
	shown   []byte
	state   loyalty.State
	rollups readRollups // taken zero, written zero; day is the action's
}

// keptCards is the writer's: only the batches' goroutine reads and writes it.
type keptCards struct {
	cards       map[int64]keptCard
	dataVersion int64 // of the writer's connection, at the last batch
	// served counts the actions that took an entry, for the tests.
	served atomic.Int64
}

// keptWrites is what one action leaves for the next on its card: filled by
// the action's writes, kept once its batch has committed (runBatch).
type keptWrites struct {
	cards           *keptCards // the writer's, whose entries the writes drop
	cardID, program int64
	// eligible: the action read the card as a whole and no referral waits
	// for it; events counts the events it wrote for the card.
	eligible bool
	events   int
	state    *loyalty.State
	rollups  *readRollups
	shown    *keptShown
}

// entry is the keptCard the action's writes leave, if they leave one: a
// single event of the card in the program, with its state and rollups.
func (w *keptWrites) entry(writes uint64) (keptCard, bool) {
	if !w.eligible || w.events != 1 || w.state == nil || w.rollups == nil || w.shown == nil {
		return keptCard{}, false
	}
	return keptCard{program: w.program, writes: writes, shown: w.shown.events, state: *w.state, rollups: *w.rollups}, true
}

// lookup returns the entry of the card for an action in program on day,
// before its list is compared.
func (k *keptCards) lookup(cardID, program int64, day int, writes uint64) (keptCard, bool) {
	e, ok := k.cards[cardID]
	if !ok || e.program != program || e.writes != writes || e.rollups.day != day {
		return keptCard{}, false
	}
	return e, true
}

// keep puts what the committed actions left (their writes dropped the
// entries they made old, wrote).
func (k *keptCards) keep(ws []*keptWrites, writes uint64) {
	for _, w := range ws {
		e, ok := w.entry(writes)
		if !ok {
			continue
		}
		if k.cards == nil || len(k.cards) >= keptCardsMax {
			k.cards = make(map[int64]keptCard)
		}
		k.cards[w.cardID] = e
	}
}

// checkOthers empties the entries when another connection has committed
// since the last batch: its writes are not the writer's to know.
func (k *keptCards) checkOthers(ctx context.Context, tx *sql.Tx) error {
	var v int64
	if err := tx.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&v); err != nil {
		return fmt.Errorf("data version: %w", err)
	}
	if v != k.dataVersion {
		clear(k.cards)
		k.dataVersion = v
	}
	return nil
}

// same reports whether the list read is the one the entry was made with.
func (e keptCard) same(shown []byte) bool {
	return bytes.Equal(e.shown, shown)
}

// cardReadColumns are what every action reads of its card, the shop being ?1,
// the key ?2 and the card ?3: an earlier action with the key, whether the card
// is the shop's and not erased, and its kept list.
const cardReadColumns = `(SELECT id FROM events WHERE shop_id = ?1 AND idempotency_key = ?2),
	EXISTS (SELECT 1 FROM cards WHERE id = ?3 AND shop_id = ?1 AND erased_at IS NULL),
	coalesce((SELECT events FROM card_shown WHERE card_id = ?3), x'')`

// readCard reads what the action a needs of its card: whether its key was
// used before (a ReplayedError), whether the card is the shop's and not
// erased (ErrNotFound), its kept list (shown), its state in the program (st),
// its stats and row of the day (r) and whether a referral waits for it
// (a.referred). The last four come from the writer's entry for the card when
// the list read is the entry's. It points a.kept at what the action's writes
// will leave for the next.
func (s *Store) readCard(ctx context.Context, tx *sql.Tx, a *Action, shown *keptShown, r *readRollups, st *loyalty.State) error {
	w := &keptWrites{cards: &s.kept, cardID: a.CardID, program: a.ProgramID, shown: shown}
	if b := batchSumsOf(ctx); b != nil {
		b.kept = append(b.kept, w)
		a.kept = w
	}
	var earlier sql.NullInt64
	var inShop bool
	if e, ok := s.kept.lookup(a.CardID, a.ProgramID, r.day, s.writes.Load()); ok {
		err := tx.QueryRowContext(ctx, `SELECT `+cardReadColumns, a.ShopID, nullString(a.Key), a.CardID).Scan(&earlier, &inShop, &shown.events)
		if err := refused(a.CardID, err, earlier, inShop); err != nil {
			return err
		}
		if e.same(shown.events) {
			*st, *r, a.referred, w.eligible = e.state, e.rollups, false, true
			s.kept.served.Add(1)
			return nil
		}
	}
	// The whole read, in one query: the key, the card, its kept list, its
	// state, whether a referral waits for its first stamp, its stats and row
	// of the day.
	var state sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT `+cardReadColumns+`,
		(SELECT state FROM card_balances WHERE card_id = ?3 AND program_id = ?4),
		EXISTS (SELECT 1 FROM referrals WHERE friend_id = ?3 AND shop_id = ?1 AND paid_at IS NULL),
		`+rollupColumns+rollupFrom,
		a.ShopID, nullString(a.Key), a.CardID, a.ProgramID, r.day).Scan(append([]any{&earlier, &inShop, &shown.events, &state, &a.referred},
		r.dest()...)...)
	if err := refused(a.CardID, err, earlier, inShop); err != nil {
		return err
	}
	if state.Valid {
		if *st, err = decodeState(state.String); err != nil {
			return err
		}
	}
	w.eligible = !a.referred
	return nil
}

// refused is the error of the action's read of its card, if any.
func refused(cardID int64, err error, earlier sql.NullInt64, inShop bool) error {
	switch {
	case err != nil:
		return fmt.Errorf("card %d: %w", cardID, err)
	case earlier.Valid:
		return &ReplayedError{ID: earlier.Int64}
	case !inShop:
		return ErrNotFound
	}
	return nil
}

// wrote notes an event of the card written by the action; w may be nil (an
// action outside the counter's batches). The card's entry goes at once: a
// later action of the same batch on the card reads it whole, even if the
// event is too old for the card's kept list to show it (a clock set back).
func (w *keptWrites) wrote(cardID int64) {
	if w == nil {
		return
	}
	delete(w.cards.cards, cardID)
	if cardID == w.cardID {
		w.events++
	}
}

// keepState notes the card's state in a program after the action's event,
// as the database keeps it and the read would give it: its times in whole
// seconds, without the monotonic clock's reading that the action's own time
// carries (a cooldown measured on either would differ).
func (w *keptWrites) keepState(cardID, program int64, st loyalty.State) {
	if w != nil && cardID == w.cardID && program == w.program {
		kept := storedOf(st).state()
		w.state = &kept
	}
}

// keepRollups notes the card's stats and row of day after the action's
// event, as the action's read would read them again: the sums and days of
// the stats, not what the stats compute from the recent visits.
func (w *keptWrites) keepRollups(cardID int64, day int, st loyalty.Summary, d loyalty.Day) {
	if w == nil || cardID != w.cardID {
		return
	}
	d.Day = 0
	w.rollups = &readRollups{cardID: cardID, day: day, stats: true, found: true, old: d,
		st: loyalty.Summary{Visits: st.Visits, FirstDay: st.FirstDay, LastDay: st.LastDay, PrevDay: st.PrevDay,
			Stamps: st.Stamps, Rewards: st.Rewards, Redeems: st.Redeems}}
}

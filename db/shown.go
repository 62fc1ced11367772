package db

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"regulars/loyalty"
)

// A card's page lists its newest events (CustomerEntries). In the ledger
// they are as many rows of the events table, each on a page of its own, apart
// from the card's other events: reading them was a third of the page's reads
// on the bench's big shop. So each card keeps them in one row (card_shown),
// brought up to date with every event written in the same transaction
// (insertRow), as its balances are. The ledger stays the truth:
// RebuildBalances reads them from it again and compares.

// shownEncoding is the first byte of a kept list, the version of its layout.
const shownEncoding = 1

// encodeShown lays out es (in ledger order) as card_shown keeps them: for each
// event its kind, its ID, stamps, time, amount, points, credit, the event it
// voids and its note. Nil for none. The layout is exact, so that a rebuild
// compares bytes.
func encodeShown(es []Entry) []byte {
	if len(es) == 0 {
		return nil
	}
	b := append(make([]byte, 0, 32*len(es)), shownEncoding)
	for _, e := range es {
		b = appendShownEntry(b, e)
	}
	return b
}

// appendShownEntry lays out one event of a kept list at the end of b.
func appendShownEntry(b []byte, e Entry) []byte {
	b = binary.AppendUvarint(b, uint64(len(e.Kind)))
	b = append(b, e.Kind...)
	for _, n := range []int64{e.ID, int64(e.Stamps), unix(e.At), int64(e.Amount), int64(e.Points), int64(e.Credit), e.VoidOf} {
		b = binary.AppendVarint(b, n)
	}
	b = binary.AppendUvarint(b, uint64(len(e.Note)))
	return append(b, e.Note...)
}

// appendShown is encodeShown(withShown(decodeShown(kept), e)) for the usual
// case, where e comes after every kept event in ledger order: the kept
// events are walked, not read into a list, and the oldest beyond
// CustomerEntries dropped. ok is false when kept cannot be read or e is
// not the newest (dated before a kept event: a clock set back): then the
// list is to be read.
func appendShown(kept []byte, e Entry) (b []byte, ok bool) {
	if len(kept) == 0 {
		return encodeShown([]Entry{e}), true
	}
	if kept[0] != shownEncoding {
		return nil, false
	}
	var room [CustomerEntries + 1]int
	starts := room[:0] // where each kept event begins
	var lastAt int64
	for i := 1; i < len(kept); {
		starts = append(starts, i)
		var ns [7]int64
		n, k := binary.Uvarint(kept[i:])
		if k <= 0 || uint64(len(kept)-i-k) < n {
			return nil, false
		}
		i += k + int(n)
		for j := range ns {
			v, k := binary.Varint(kept[i:])
			if k <= 0 {
				return nil, false
			}
			ns[j], i = v, i+k
		}
		n, k = binary.Uvarint(kept[i:])
		if k <= 0 || uint64(len(kept)-i-k) < n {
			return nil, false
		}
		i += k + int(n)
		lastAt = ns[2]
	}
	// e, just written, has the ledger's largest ID: it comes after every
	// kept event but those of a later second.
	if unix(e.At) < lastAt {
		return nil, false
	}
	from := 1
	switch drop := len(starts) + 1 - CustomerEntries; {
	case drop >= len(starts):
		from = len(kept)
	case drop > 0:
		from = starts[drop]
	}
	b = append(append(make([]byte, 0, len(kept)+32), shownEncoding), kept[from:]...)
	return appendShownEntry(b, e), true
}

var errShownLayout = errors.New("kept events: unknown layout")

// decodeShown reads a kept list of the card's events back, in ledger order,
// with Voided set for the events a void among them voids.
func decodeShown(cardID int64, b []byte) ([]Entry, error) {
	if len(b) == 0 {
		return nil, nil
	}
	if b[0] != shownEncoding {
		return nil, errShownLayout
	}
	b = b[1:]
	// Room for the list and the event a write adds (withShown).
	es := make([]Entry, 0, CustomerEntries+1)
	text := func() (string, bool) {
		n, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < n {
			return "", false
		}
		s := string(b[k : k+int(n)])
		b = b[k+int(n):]
		return s, true
	}
	for len(b) > 0 {
		kind, ok := text()
		if !ok {
			return nil, errShownLayout
		}
		var ns [7]int64
		for i := range ns {
			n, k := binary.Varint(b)
			if k <= 0 {
				return nil, errShownLayout
			}
			ns[i], b = n, b[k:]
		}
		note, ok := text()
		if !ok {
			return nil, errShownLayout
		}
		es = append(es, Entry{ID: ns[0], CardID: cardID, Kind: loyalty.Kind(kind), Stamps: int(ns[1]), At: fromUnix(ns[2]), Amount: int(ns[3]),
			Points: int(ns[4]), Credit: int(ns[5]), VoidOf: ns[6], Note: note})
	}
	markVoided(es)
	return es, nil
}

// markVoided sets Voided on the events of es that a void among them voids.
// A void is written after the event it voids, so it is among the newest
// events whenever that event is: the list needs no search of the ledger.
func markVoided(es []Entry) {
	for _, v := range es {
		if v.VoidOf == 0 {
			continue
		}
		for i := range es {
			if es[i].ID == v.VoidOf {
				es[i].Voided = true
			}
		}
	}
}

// withShown is the kept list es with e, written now, in its place in ledger
// order (by time, then ID), less the oldest beyond CustomerEntries.
func withShown(es []Entry, e Entry) []Entry {
	i := len(es)
	for i > 0 && ledgerAfter(es[i-1], e) {
		i--
	}
	es = slices.Insert(es, i, e)
	return es[max(0, len(es)-CustomerEntries):]
}

// ledgerAfter reports whether a comes after b in ledger order, as the card's
// events index reads it: by the second of its time, then by ID.
func ledgerAfter(a, b Entry) bool {
	if ta, tb := unix(a.At), unix(b.At); ta != tb {
		return ta > tb
	}
	return a.ID > b.ID
}

// keptShown is a card's kept list as an action read it (act), and as its
// inserts left it since.
type keptShown struct {
	cardID int64
	events []byte
}

// keepShown brings the card's kept list up to date with e, just written by
// the action a: from the list a read, when it read the card's.
func keepShown(ctx context.Context, tx *sql.Tx, a Action, e Entry) error {
	var kept []byte
	read := a.shown != nil && a.shown.cardID == e.CardID // by the action, with its card
	if read {
		kept = a.shown.events
	} else {
		err := tx.QueryRowContext(ctx, `SELECT events FROM card_shown WHERE card_id = ?`, e.CardID).Scan(&kept)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("kept events of card %d: %w", e.CardID, err)
		}
	}
	b, ok := appendShown(kept, e)
	if !ok {
		es, err := decodeShown(e.CardID, kept)
		if err != nil {
			// A list that cannot be read (damaged, or of a later layout) is
			// read again from the ledger, which holds e already: a stamp is
			// never refused for a list the page shows.
			if es, err = ledgerShown(ctx, tx, a.ShopID, e.CardID); err != nil {
				return err
			}
		} else {
			es = withShown(es, e)
		}
		b = encodeShown(es)
	}
	if read {
		a.shown.events = b
	}
	return saveShown(ctx, tx, a.ShopID, e.CardID, b)
}

func saveShown(ctx context.Context, tx *sql.Tx, shopID, cardID int64, b []byte) error {
	var err error
	if b == nil {
		_, err = tx.ExecContext(ctx, `DELETE FROM card_shown WHERE card_id = ?`, cardID)
	} else {
		_, err = tx.ExecContext(ctx, `INSERT INTO card_shown (card_id, shop_id, events) VALUES (?, ?, ?)
			ON CONFLICT (card_id) DO UPDATE SET events = excluded.events, shop_id = excluded.shop_id`, cardID, shopID, b)
	}
	if err != nil {
		return fmt.Errorf("kept events of card %d: %w", cardID, err)
	}
	return nil
}

// pageShown is the events the card's page lists, from the list it keeps,
// or from the ledger when the list cannot be read.
func pageShown(ctx context.Context, q querier, shopID, cardID int64, kept []byte) ([]Entry, error) {
	es, err := decodeShown(cardID, kept)
	if err == nil {
		return es, nil
	}
	if es, err = ledgerShown(ctx, q, shopID, cardID); err != nil {
		return nil, err
	}
	markVoided(es)
	return es, nil
}

// ledgerShown reads from the ledger what card_shown keeps of the card: its
// CustomerEntries newest events, in ledger order.
func ledgerShown(ctx context.Context, q querier, shopID, cardID int64) ([]Entry, error) {
	list, err := collect(ctx, q, func(r scanner) (Entry, error) {
		e := Entry{CardID: cardID}
		var at int64
		err := r.Scan(&e.ID, &e.Kind, &e.Stamps, &e.Note, &at, &e.Amount, &e.Points, &e.Credit, &e.VoidOf)
		e.At = fromUnix(at)
		return e, err
	}, `SELECT id, kind, stamps, note, created_at, amount, points, credit, coalesce(void_of, 0)
		FROM events WHERE card_id = ? AND +shop_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`, cardID, shopID, CustomerEntries)
	if err != nil {
		return nil, fmt.Errorf("newest events of card %d: %w", cardID, err)
	}
	slices.Reverse(list)
	return list, nil
}

// rebuildShown reads every card's newest events of the shop from the ledger
// again, corrects the kept lists that differ and returns how many it corrected.
func rebuildShown(ctx context.Context, tx *sql.Tx, shopID int64) (int, error) {
	type row struct {
		card   int64
		events []byte
	}
	// Through the shop's cards: card_shown has no index by shop.
	rows, err := collect(ctx, tx, func(r scanner) (row, error) {
		var v row
		return v, r.Scan(&v.card, &v.events)
	}, `SELECT s.card_id, s.events FROM cards c JOIN card_shown s ON s.card_id = c.id WHERE c.shop_id = ?`, shopID)
	if err != nil {
		return 0, fmt.Errorf("kept events of shop %d: %w", shopID, err)
	}
	kept := make(map[int64][]byte, len(rows))
	for _, r := range rows {
		kept[r.card] = r.events
	}
	cards, err := collect(ctx, tx, func(r scanner) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	}, `SELECT id FROM cards WHERE shop_id = ?`, shopID)
	if err != nil {
		return 0, fmt.Errorf("cards of shop %d: %w", shopID, err)
	}
	changed := 0
	for _, id := range cards {
		es, err := ledgerShown(ctx, tx, shopID, id)
		if err != nil {
			return 0, err
		}
		b, ok := kept[id]
		if want := encodeShown(es); ok != (want != nil) || !bytes.Equal(b, want) {
			changed++
			if err := saveShown(ctx, tx, shopID, id, want); err != nil {
				return 0, err
			}
		}
	}
	return changed, nil
}

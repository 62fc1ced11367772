package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"regulars/loyalty"
)

// ExportedCustomer is one card as the customers export writes it.
type ExportedCustomer struct {
	ShortCode string
	// The personal data; empty for a card whose customer was erased.
	FirstName, Phone, Email, Birthday string
	// Consent: the customer agreed to hear from the shop.
	Consent bool
	Joined  time.Time
	Segment loyalty.Segment
	Visits  int
	// LastVisit is the midnight, in the shop's zone, of the last visit; zero: never.
	LastVisit time.Time
	// Stamps is the balance in each program ExportCustomers was given, in order.
	Stamps []int
}

// ExportCustomers calls write with every card of the shop, oldest first, and
// its balance at now in each of programs. It reads the cards and their ledger
// as two streams in card order, in one read transaction, so memory stays flat
// however many cards the shop has and every row is of the same moment.
func (s *Store) ExportCustomers(ctx context.Context, shopID int64, programs []Program, now time.Time, write func(ExportedCustomer) error) error {
	if err := s.EnsureSegments(ctx, shopID, now); err != nil {
		return err
	}
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		clock, err := loadShopClock(ctx, tx, shopID)
		if err != nil {
			return err
		}
		versions, err := shopVersions(ctx, tx, shopID)
		if err != nil {
			return err
		}
		index := make(map[int64]int, len(programs))
		for i, p := range programs {
			if p.ShopID == shopID {
				index[p.ID] = i
			}
		}
		cards, err := tx.QueryContext(ctx, `SELECT c.id, c.short_code, c.first_name, c.phone, c.email, c.birthday, c.consent_at IS NOT NULL, c.created_at,
			c.erased_at IS NOT NULL, coalesce(st.segment, ''), coalesce(st.visits, 0), coalesce(st.last_day, 0)
			FROM cards c LEFT JOIN card_stats st ON st.card_id = c.id WHERE c.shop_id = ? ORDER BY c.id`, shopID)
		if err != nil {
			return err
		}
		defer cards.Close()
		events, err := newEventStream(ctx, tx, shopID)
		if err != nil {
			return err
		}
		defer events.rows.Close()
		ledgers := make([][]loyalty.Event, len(programs))
		for cards.Next() {
			var (
				c               ExportedCustomer
				id, created     int64
				erased          bool
				visits, lastDay int
			)
			if err := cards.Scan(&id, &c.ShortCode, &c.FirstName, &c.Phone, &c.Email, &c.Birthday, &c.Consent, &created, &erased, &c.Segment, &visits, &lastDay); err != nil {
				return err
			}
			if erased {
				c.FirstName, c.Phone, c.Email, c.Birthday, c.Consent = "", "", "", "", false
			}
			c.Joined = fromUnix(created).In(clock.loc)
			c.Visits = visits
			if lastDay > 0 {
				c.LastVisit = loyalty.DayStart(lastDay, clock.loc)
			}
			for i := range ledgers {
				ledgers[i] = ledgers[i][:0]
			}
			if err := events.readCard(id, func(programID int64, e loyalty.Event) {
				if i, ok := index[programID]; ok {
					ledgers[i] = append(ledgers[i], e)
				}
			}); err != nil {
				return err
			}
			c.Stamps = make([]int, len(programs))
			for i, p := range programs {
				s, _ := loyalty.FoldVersions(versions[p.ID], ledgers[i])
				c.Stamps[i] = s.At(now).Stamps
			}
			if err := write(c); err != nil {
				return err
			}
		}
		return cards.Err()
	})
	if err != nil {
		return fmt.Errorf("export customers of shop %d: %w", shopID, err)
	}
	return nil
}

// eventStream reads a shop's program events ordered by card, one card at a time.
type eventStream struct {
	rows    *sql.Rows
	pending bool // a row was read that belongs to a later card
	cardID  int64
	program int64
	event   loyalty.Event
}

func newEventStream(ctx context.Context, tx *sql.Tx, shopID int64) (*eventStream, error) {
	rows, err := tx.QueryContext(ctx, `SELECT card_id, program_id, id, kind, stamps, reward_seq, coalesce(void_of, 0), created_at
		FROM events WHERE shop_id = ? AND program_id IS NOT NULL ORDER BY card_id, id`, shopID)
	if err != nil {
		return nil, err
	}
	es := &eventStream{rows: rows}
	return es, es.next()
}

func (es *eventStream) next() error {
	if !es.rows.Next() {
		es.pending = false
		return es.rows.Err()
	}
	var at int64
	e := &es.event
	if err := es.rows.Scan(&es.cardID, &es.program, &e.ID, &e.Kind, &e.Stamps, &e.RewardSeq, &e.VoidOf, &at); err != nil {
		return err
	}
	e.At = fromUnix(at)
	es.pending = true
	return nil
}

// readCard calls fn with each event of cardID, in ledger order. Cards are
// asked for in increasing id order.
func (es *eventStream) readCard(cardID int64, fn func(programID int64, e loyalty.Event)) error {
	for es.pending && es.cardID <= cardID {
		if es.cardID == cardID {
			fn(es.program, es.event)
		}
		if err := es.next(); err != nil {
			return err
		}
	}
	return nil
}

// ExportedEvent is a ledger event as the ledger export writes it.
type ExportedEvent struct {
	Entry
	CardShortCode string
	Note          string
}

// ExportLedger calls write with every ledger event of the shop, in ledger order.
func (s *Store) ExportLedger(ctx context.Context, shopID int64, write func(ExportedEvent) error) error {
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+entryColumns+`, c.short_code, e.note`+entryFrom+
			`JOIN cards c ON c.id = e.card_id WHERE e.shop_id = ? ORDER BY e.id`, shopID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var ev ExportedEvent
			if ev.Entry, err = scanEntry(rows, &ev.CardShortCode, &ev.Note); err != nil {
				return err
			}
			if err := write(ev); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	if err != nil {
		return fmt.Errorf("export ledger of shop %d: %w", shopID, err)
	}
	return nil
}

// ImportNote marks the adjustment that gives an imported card its starting
// stamps. It is a marker, not text: pages show it translated.
const ImportNote = "import"

// ImportCustomers creates a card for each row, with its starting stamps as an
// adjustment in the program. It commits in steps of about rebuildStep, so that
// every shop's stamps go on between them: as one transaction, 10,000 rows held
// the one writer for seconds (issue 15). key is the idempotency key of the
// confirm form: each card keeps it with its row's number, so the same confirm
// sent again goes on after the last row imported, never importing one twice
// (after an import cut off half-way: a crash, a full disk), and answers
// *ReplayedError once every row is in. It returns the number of rows
// imported, by this call and any earlier one of the same key.
func (s *Store) ImportCustomers(ctx context.Context, shopID, userID int64, rows []loyalty.CustomerRow, programID int64, key string, now time.Time) (int, error) {
	if len(rows) == 0 {
		return 0, fmt.Errorf("import customers into shop %d: %w", shopID, loyalty.ErrCSVNoRows)
	}
	for _, r := range rows {
		if len(r.Problems) > 0 {
			return 0, fmt.Errorf("import customers into shop %d: row %d: %w", shopID, r.Row, errors.Join(r.Problems...))
		}
	}
	// The steps commit in row order: the last row's card means all are in.
	var first int64
	err := s.r.QueryRowContext(ctx, `SELECT (SELECT id FROM cards WHERE shop_id = ?1 AND idempotency_key = ?2)
		FROM cards WHERE shop_id = ?1 AND idempotency_key = ?3`, shopID, importKey(key, 0), importKey(key, len(rows)-1)).Scan(&first)
	if err == nil {
		return 0, fmt.Errorf("import customers into shop %d: %w", shopID, &ReplayedError{ID: first})
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("import customers into shop %d: %w", shopID, err)
	}
	for done := 0; done < len(rows); {
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			next, err := importStep(ctx, tx, shopID, userID, rows, done, programID, key, now)
			done = next
			return err
		})
		if err != nil {
			return 0, fmt.Errorf("import customers into shop %d: %w", shopID, err)
		}
	}
	return len(rows), nil
}

// importStep imports rows from the index from on, within tx, until
// rebuildStep has passed, and returns the index of the first row it left.
// A row whose card an earlier, cut-off call made is skipped; the step that
// reaches the end records the import in the audit log.
func importStep(ctx context.Context, tx *sql.Tx, shopID, userID int64, rows []loyalty.CustomerRow, from int, programID int64, key string, now time.Time) (int, error) {
	start := time.Now()
	p, err := program(ctx, tx, shopID, programID)
	if err != nil {
		return from, err
	}
	if p.Archived {
		return from, ErrNotFound
	}
	i := from
	for i < len(rows) && (i == from || time.Since(start) < rebuildStep) {
		r := rows[i]
		var earlier int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM cards WHERE shop_id = ? AND idempotency_key = ?`, shopID, importKey(key, i)).Scan(&earlier)
		if err == nil {
			if i == len(rows)-1 {
				// Another call of the same key imported the last row.
				return i, &ReplayedError{ID: earlier}
			}
			i++
			continue
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return from, err
		}
		cardID, err := insertImportedCard(ctx, tx, shopID, userID, r, importKey(key, i), now)
		if err != nil {
			return from, fmt.Errorf("row %d: %w", r.Row, err)
		}
		i++
		if r.StartingStamps == 0 {
			continue
		}
		a := Action{ShopID: shopID, CardID: cardID, UserID: userID, Now: now}
		if _, err := insertEvent(ctx, tx, a, newEvent{kind: loyalty.KindAdjust, programID: p.ID, stamps: r.StartingStamps, note: ImportNote}); err != nil {
			return from, fmt.Errorf("row %d: %w", r.Row, err)
		}
	}
	if i == len(rows) {
		return i, recordAudit(ctx, tx, shopID, userID, AuditCustomersImport, strconv.Itoa(len(rows)), now)
	}
	return i, nil
}

// importKey is the idempotency key of the i-th card of an import; the prefix
// keeps it apart from the counter's enrolment keys.
func importKey(key string, i int) string {
	return "import:" + key + ":" + strconv.Itoa(i)
}

func insertImportedCard(ctx context.Context, tx *sql.Tx, shopID, userID int64, r loyalty.CustomerRow, key string, now time.Time) (int64, error) {
	var id int64
	var err error
	// A short code collides once in billions of cards; retry rather than fail.
	for range 5 {
		err = tx.QueryRowContext(ctx, `INSERT INTO cards (shop_id, token, short_code, first_name, phone, email, birthday, name_key, phone_key,
			created_by, created_at, idempotency_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			shopID, loyalty.NewCardToken(), loyalty.NewShortCode(), r.FirstName, r.Phone, r.Email, r.Birthday, loyalty.NameKey(r.FirstName),
			loyalty.PhoneKey(r.Phone), null(userID), unix(now), key).Scan(&id)
		if !isUnique(err) {
			return id, err
		}
	}
	return id, err
}

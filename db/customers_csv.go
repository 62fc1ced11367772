package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
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
	// Stamps is the balance in each program ExportCustomers was given, in
	// order, and Rewards the rewards earned there and not yet redeemed.
	Stamps, Rewards []int
	// Credit is the store credit the card holds, in minor units.
	Credit int
	// Clubs names the clubs the card is a member of, A to Z, archived
	// ones left out (they take no members, so a file naming them would
	// not import back); none for an erased card.
	Clubs []string
}

// ExportCustomers calls write with every card of the shop that q's search and
// segment select (its order and page do not matter: the file has them all),
// oldest first, and its balance at now in each of programs. It reads the cards and their ledger
// as two streams in card order, in one read transaction, so memory stays flat
// however many cards the shop has and every row is of the same moment.
func (s *Store) ExportCustomers(ctx context.Context, shopID int64, programs []Program, q CustomerQuery, now time.Time, write func(ExportedCustomer) error) error {
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
		where, args := customerFilter(shopID, q)
		cards, err := tx.QueryContext(ctx, `SELECT c.id, c.short_code, c.first_name, c.phone, c.email, c.birthday, c.consent_at IS NOT NULL, c.created_at,
			c.erased_at IS NOT NULL, s.segment, s.visits, s.last_day, coalesce((SELECT credit FROM card_credit WHERE card_id = c.id), 0),
			coalesce((SELECT group_concat(cl.name, char(31)) FROM club_members m JOIN clubs cl ON cl.id = m.club_id
				WHERE m.card_id = c.id AND m.shop_id = c.shop_id AND m.left_at IS NULL AND cl.archived_at IS NULL), '')
			FROM card_stats s JOIN cards c ON c.id = s.card_id WHERE `+where+` ORDER BY c.id`, args...)
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
				clubs           string
			)
			if err := cards.Scan(&id, &c.ShortCode, &c.FirstName, &c.Phone, &c.Email, &c.Birthday, &c.Consent, &created, &erased, &c.Segment, &visits, &lastDay, &c.Credit, &clubs); err != nil {
				return err
			}
			if clubs != "" {
				c.Clubs = strings.Split(clubs, "\x1f")
				slices.Sort(c.Clubs)
			}
			if erased {
				// Nobody can spend an erased card's credit: the shop owes none
				// (CreditLiability), and the row says so.
				c.FirstName, c.Phone, c.Email, c.Birthday, c.Consent, c.Clubs, c.Credit = "", "", "", "", false, nil, 0
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
			c.Stamps, c.Rewards = make([]int, len(programs)), make([]int, len(programs))
			for i, p := range programs {
				s, _ := loyalty.FoldVersions(versions[p.ID], ledgers[i])
				b := s.At(now)
				c.Stamps[i], c.Rewards[i] = b.Stamps, len(b.Available)
				if p.IsPoints() {
					c.Stamps[i] = b.Points // a points program's balance is its points
				}
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
	rows, err := tx.QueryContext(ctx, `SELECT card_id, program_id, id, kind, stamps, reward_seq, coalesce(void_of, 0), created_at, amount, points, tier_percent
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
	if err := es.rows.Scan(&es.cardID, &es.program, &e.ID, &e.Kind, &e.Stamps, &e.RewardSeq, &e.VoidOf, &at, &e.Amount, &e.Points, &e.TierPercent); err != nil {
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
// stamps, points or store credit. It is a marker, not text: pages show it
// translated.
const ImportNote = "import"

// ImportExisting says what an import does with a row that matches a customer
// already in the shop (the same phone number or email).
type ImportExisting string

const (
	// ImportSkip leaves the customer's card as it is.
	ImportSkip ImportExisting = "skip"
	// ImportUpdate takes the name, phone, email and birthday the row fills in,
	// raises the stamps (points) and the store credit to the row's numbers,
	// never lowering them, and adds the row's clubs to the customer's.
	ImportUpdate ImportExisting = "update"
)

// Valid reports whether e is one of the choices.
func (e ImportExisting) Valid() bool { return e == ImportSkip || e == ImportUpdate }

// ImportResult counts what an import did with its rows.
type ImportResult struct {
	Created int // new cards
	Updated int // customers already in the shop, updated
	Skipped int // customers already in the shop, left alone
	// Kept counts the updated customers holding more stamps, points or
	// store credit than their row says: their balance was kept, and the
	// owner is told.
	Kept int
}

// ImportCustomers imports rows: a row matching a customer already in the
// shop by phone or email is skipped or updated as existing says, any other
// row makes a card. Starting stamps (points) are adjustments in the program
// noted ImportNote, and a starting store credit an adjustment of the card's
// credit noted the same, so every balance an import gave shows in the ledger.
// A row's clubs are memberships started by the import (ClubByImport); a
// club the shop does not have (or archived) refuses the whole import with
// loyalty.CSVUnknownClubError, before any row is written.
//
// It commits in steps of about rebuildStep, so that every shop's stamps go on
// between them: as one transaction, 10,000 rows held the one writer for
// seconds (issue 15). Each step records in imports how far the import of key
// (the idempotency key of the confirm form) got, so the same confirm sent
// again goes on after the last row imported, never importing one twice
// (after an import cut off half-way: a crash, a full disk), and answers
// *ReplayedError once every row is in. The result counts the rows of every
// call of the same key.
func (s *Store) ImportCustomers(ctx context.Context, shopID, userID int64, rows []loyalty.CustomerRow, programID int64, key string, existing ImportExisting, now time.Time) (ImportResult, error) {
	var res ImportResult
	if len(rows) == 0 {
		return res, fmt.Errorf("import customers into shop %d: %w", shopID, loyalty.ErrCSVNoRows)
	}
	if !existing.Valid() {
		return res, fmt.Errorf("import customers into shop %d: unknown choice %q for existing customers", shopID, existing)
	}
	for _, r := range rows {
		if len(r.Problems) > 0 {
			return res, fmt.Errorf("import customers into shop %d: row %d: %w", shopID, r.Row, errors.Join(r.Problems...))
		}
	}
	im := importer{shopID: shopID, userID: userID, rows: rows, programID: programID, key: key, existing: existing, now: now}
	for finished := false; !finished; {
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			var err error
			finished, res, err = im.step(ctx, tx)
			return err
		})
		if err != nil {
			return res, fmt.Errorf("import customers into shop %d: %w", shopID, err)
		}
	}
	return res, nil
}

// importer is one call of ImportCustomers.
type importer struct {
	shopID, userID int64
	rows           []loyalty.CustomerRow
	programID      int64
	key            string
	existing       ImportExisting
	now            time.Time
	// points: the program counts points, and the starting balance is points.
	points bool
	// clubs are the shop's clubs taking members, by name.
	clubs map[string]int64
}

// step imports rows within tx from where the import of its key stopped,
// until rebuildStep has passed, and records how far it got. The step that
// reaches the end records the import in the audit log.
func (im importer) step(ctx context.Context, tx *sql.Tx) (bool, ImportResult, error) {
	start := time.Now()
	var res ImportResult
	var done int
	var finished bool
	err := tx.QueryRowContext(ctx, `SELECT rows_done, created, updated, skipped, kept, finished FROM imports WHERE shop_id = ? AND key = ?`,
		im.shopID, im.key).Scan(&done, &res.Created, &res.Updated, &res.Skipped, &res.Kept, &finished)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return false, res, err
	case finished || done >= len(im.rows):
		return true, res, &ReplayedError{}
	}
	p, err := program(ctx, tx, im.shopID, im.programID)
	if err != nil {
		return false, res, err
	}
	if p.Archived {
		return false, res, ErrNotFound
	}
	im.points = p.IsPoints()
	if im.clubs, err = importClubs(ctx, tx, im.shopID, im.rows, done == 0); err != nil {
		return false, res, err
	}
	for i, from := done, done; i < len(im.rows) && (i == from || time.Since(start) < rebuildStep); i++ {
		r := im.rows[i]
		if err := im.row(ctx, tx, p.ID, i, r, &res); err != nil {
			return false, res, fmt.Errorf("row %d: %w", r.Row, err)
		}
		done = i + 1
	}
	finished = done == len(im.rows)
	if _, err := tx.ExecContext(ctx, `INSERT INTO imports (shop_id, key, rows_done, created, updated, skipped, kept, finished) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (shop_id, key) DO UPDATE SET rows_done = excluded.rows_done, created = excluded.created, updated = excluded.updated,
		skipped = excluded.skipped, kept = excluded.kept, finished = excluded.finished`,
		im.shopID, im.key, done, res.Created, res.Updated, res.Skipped, res.Kept, finished); err != nil {
		return false, res, err
	}
	if !finished {
		return false, res, nil
	}
	return true, res, recordAudit(ctx, tx, im.shopID, im.userID, AuditCustomersImport, strconv.Itoa(len(im.rows)), im.now)
}

// row imports the i-th row, counting what it did in res.
func (im importer) row(ctx context.Context, tx *sql.Tx, programID int64, i int, r loyalty.CustomerRow, res *ImportResult) error {
	cardID, err := matchCustomer(ctx, tx, im.shopID, r)
	switch {
	case errors.Is(err, ErrNotFound):
		if cardID, err = insertImportedCard(ctx, tx, im.shopID, im.userID, r, importKey(im.key, i), im.now); err != nil {
			return err
		}
		res.Created++
		if err := im.raise(ctx, tx, cardID, programID, 0, r.StartingStamps); err != nil {
			return err
		}
		if err := im.raiseCredit(ctx, tx, cardID, 0, r.StartingCredit); err != nil {
			return err
		}
		return im.join(ctx, tx, cardID, r.Clubs)
	case err != nil:
		return err
	case im.existing == ImportSkip:
		res.Skipped++
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cards SET
		first_name = CASE WHEN ?1 = '' THEN first_name ELSE ?1 END, name_key = CASE WHEN ?1 = '' THEN name_key ELSE ?2 END,
		phone = CASE WHEN ?3 = '' THEN phone ELSE ?3 END, phone_key = CASE WHEN ?3 = '' THEN phone_key ELSE ?4 END,
		email = CASE WHEN ?5 = '' THEN email ELSE ?5 END, birthday = CASE WHEN ?6 = '' THEN birthday ELSE ?6 END
		WHERE id = ?7 AND shop_id = ?8`,
		r.FirstName, loyalty.NameKey(r.FirstName), r.Phone, loyalty.PhoneKey(r.Phone), r.Email, r.Birthday, cardID, im.shopID); err != nil {
		return err
	}
	res.Updated++
	kept := false
	if r.HasStamps {
		st, err := cardBalance(ctx, tx, cardID, programID)
		if err != nil {
			return err
		}
		held := st.At(im.now).Stamps
		if im.points {
			held = st.At(im.now).Points
		}
		kept = held > r.StartingStamps
		if err := im.raise(ctx, tx, cardID, programID, held, r.StartingStamps); err != nil {
			return err
		}
	}
	if r.HasCredit {
		held, err := cardCredit(ctx, tx, cardID)
		if err != nil {
			return err
		}
		kept = kept || held > r.StartingCredit
		if err := im.raiseCredit(ctx, tx, cardID, held, r.StartingCredit); err != nil {
			return err
		}
	}
	if kept {
		res.Kept++
	}
	return im.join(ctx, tx, cardID, r.Clubs)
}

// raiseCredit adds the store credit that takes a card from held to want
// (minor units), as an adjustment of its credit noted ImportNote.
func (im importer) raiseCredit(ctx context.Context, tx *sql.Tx, cardID int64, held, want int) error {
	if want <= held {
		return nil
	}
	a := Action{ShopID: im.shopID, CardID: cardID, UserID: im.userID, Now: im.now}
	_, err := insertCredit(ctx, tx, a, newEvent{kind: loyalty.KindAdjust, credit: want - held, note: ImportNote}, held)
	return err
}

// join makes the card a member of the named clubs (by importClubs), as
// JoinClub does for the owner, with the club's running coupons; a club it
// is in already changes nothing.
func (im importer) join(ctx context.Context, tx *sql.Tx, cardID int64, names []string) error {
	for _, name := range names {
		clubID := loyalty.FindClub(im.clubs, name)
		if clubID == 0 {
			continue // renamed or archived after the import's first step (importClubs)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO club_members (shop_id, club_id, card_id, joined_at, source, added_by)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, im.shopID, clubID, cardID, unix(im.now), ClubByImport, null(im.userID))
		if err != nil {
			return fmt.Errorf("club %q: %w", name, err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			if err := issueClubCoupons(ctx, tx, im.shopID, clubID, cardID, im.now); err != nil {
				return err
			}
		}
	}
	return nil
}

// importClubs reads the shop's clubs that take members, by name, when any
// row names a club. On the import's first step (check) it refuses rows naming
// one the shop does not have: the owner's preview said so, but a club may
// have been renamed or archived since. Every row is checked before any is
// imported. A club renamed or archived between two steps is not refused: the
// rows before it are in, and the rest skip joining it rather than leave the
// import half done.
func importClubs(ctx context.Context, tx *sql.Tx, shopID int64, rows []loyalty.CustomerRow, check bool) (map[string]int64, error) {
	if !slices.ContainsFunc(rows, func(r loyalty.CustomerRow) bool { return len(r.Clubs) > 0 }) {
		return nil, nil
	}
	clubs, err := clubNames(ctx, tx, shopID)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		for _, name := range r.Clubs {
			if check && loyalty.FindClub(clubs, name) == 0 {
				return nil, fmt.Errorf("row %d: %w", r.Row, &loyalty.CSVUnknownClubError{Name: name})
			}
		}
	}
	return clubs, nil
}

// raise adds the stamps that take a card from held to want, as an adjustment
// noted ImportNote.
func (im importer) raise(ctx context.Context, tx *sql.Tx, cardID, programID int64, held, want int) error {
	if want <= held {
		return nil
	}
	a := Action{ShopID: im.shopID, CardID: cardID, UserID: im.userID, Now: im.now}
	ev := newEvent{kind: loyalty.KindAdjust, programID: programID, stamps: want - held, note: ImportNote}
	if im.points {
		// Into a points program the starting balance is points, an
		// adjustment with the same reason.
		ev.stamps, ev.points = 0, want-held
	}
	_, err := insertEvent(ctx, tx, a, ev)
	return err
}

// matchCustomer finds the shop's oldest card, not erased, with the row's
// phone number or its email; ErrNotFound when none has either. A number of
// loyalty.PhoneMatchDigits digits or more is compared by its last ones, as
// the counter's same-phone check does, so 0532… matches +90 532…; a shorter
// one only matches itself. A row matching a card made earlier in the same file
// matches it too, so a file listing someone twice makes one card.
func matchCustomer(ctx context.Context, tx *sql.Tx, shopID int64, r loyalty.CustomerRow) (int64, error) {
	var conds []string
	args := []any{shopID}
	if key := loyalty.PhoneKey(r.Phone); len(key) >= loyalty.PhoneMatchDigits {
		key = loyalty.PhoneQueryKey(r.Phone)
		conds, args = append(conds, phoneRange), append(args, key, key+maxRune)
	} else if key != "" {
		conds, args = append(conds, "phone_key = ?"), append(args, key)
	}
	if r.Email != "" {
		conds, args = append(conds, "email = ? COLLATE NOCASE"), append(args, r.Email)
	}
	if len(conds) == 0 {
		return 0, ErrNotFound
	}
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM cards WHERE shop_id = ? AND erased_at IS NULL AND ((`+strings.Join(conds, ") OR (")+`))
		ORDER BY id LIMIT 1`, args...).Scan(&id)
	return id, notFound(err)
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

// ImportClubs are the shop's clubs a customers file may name, by name: those
// taking members (not archived).
func (s *Store) ImportClubs(ctx context.Context, shopID int64) (map[string]int64, error) {
	return clubNames(ctx, s.r, shopID)
}

func clubNames(ctx context.Context, q querier, shopID int64) (map[string]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT name, id FROM clubs WHERE shop_id = ? AND archived_at IS NULL`, shopID)
	if err != nil {
		return nil, fmt.Errorf("clubs of shop %d: %w", shopID, err)
	}
	defer rows.Close()
	clubs := map[string]int64{}
	for rows.Next() {
		var name string
		var id int64
		if err := rows.Scan(&name, &id); err != nil {
			return nil, fmt.Errorf("clubs of shop %d: %w", shopID, err)
		}
		clubs[name] = id
	}
	return clubs, rows.Err()
}

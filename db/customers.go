package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"regulars/loyalty"
)

// CustomerSort orders the customer list; every order is served by an index
// (of card_stats, or of cards for name and joined), so a page of a big shop
// costs the same as one of a small shop.
type CustomerSort string

const (
	SortLastVisit CustomerSort = "last" // most recent visit first (the default)
	SortVisits    CustomerSort = "visits"
	SortRewards   CustomerSort = "rewards"
	SortName      CustomerSort = "name"   // A to Z by the folded name, nameless and erased last
	SortJoined    CustomerSort = "joined" // newest card first
)

// Valid reports whether s is one of the orders the list offers.
func (s CustomerSort) Valid() bool {
	return customerOrder[s] != ""
}

// customerOrder is each sort's ORDER BY over card_stats s and cards c; the
// card's id breaks ties, so pages never overlap.
var customerOrder = map[CustomerSort]string{
	SortLastVisit: `s.last_day DESC, s.card_id DESC`,
	SortVisits:    `s.visits DESC, s.card_id DESC`,
	SortRewards:   `s.rewards DESC, s.card_id DESC`,
	SortName:      `c.name_key = '', c.name_key, c.id`, // index cards_name_order
	SortJoined:    `c.created_at DESC, c.id DESC`,      // index cards_created
}

// CustomersPerPage is the length of a page of the customer list.
const CustomersPerPage = 50

// CustomerQuery is what the owner's customer list shows: a search, a segment
// (SegmentNone: every customer), an order and a page (from 1).
type CustomerQuery struct {
	Search  string
	Segment loyalty.Segment
	Sort    CustomerSort
	Page    int
}

// CustomerStats is a card's summary from the rollups.
type CustomerStats struct {
	Visits  int
	LastDay int // DayNumber of the last visit; 0: never
	Stamps  int // stamped for purchases
	Rewards int
	Redeems int
	Segment loyalty.Segment
}

// CustomerRow is a line of the customer list.
type CustomerRow struct {
	Card
	CustomerStats
	// Progress is where the card stands now in each of CustomerList.Programs,
	// in that order.
	Progress []ProgramProgress
}

// ProgramProgress is where a card stands in one program at a moment: its
// kept balance (card_balances) with the expiries due by then applied.
type ProgramProgress struct {
	ProgramID int64
	Stamps    int // toward the next reward
	Ready     int // rewards earned and neither redeemed nor expired
	Points    int // held, in a points program
}

// CustomerList is one page of the customer list, with what the pager and the
// segment links need.
type CustomerList struct {
	Rows     []CustomerRow
	Programs []Program // the shop's active programs, the default first
	Total    int       // rows matching the query, on every page
	// Segments counts the shop's cards per segment (SegmentNone: never visited).
	Segments map[loyalty.Segment]int
}

// Customers lists a page of the shop's cards as of now. Erased customers are
// listed too (with their short code only), so the list adds up to the numbers.
func (s *Store) Customers(ctx context.Context, shopID int64, q CustomerQuery, now time.Time) (CustomerList, error) {
	var list CustomerList
	if err := s.EnsureSegments(ctx, shopID, now); err != nil {
		return list, err
	}
	where, args := customerFilter(shopID, q)
	from := ` FROM card_stats s JOIN cards c ON c.id = s.card_id WHERE ` + where
	if q.Search == "" {
		// card_stats alone answers the count from its own indexes.
		from = ` FROM card_stats s WHERE ` + where
	}
	if err := s.r.QueryRowContext(ctx, `SELECT count(*)`+from, args...).Scan(&list.Total); err != nil {
		return list, fmt.Errorf("count customers of shop %d: %w", shopID, err)
	}
	query, args := customerPage(shopID, q)
	rows, err := collect(ctx, s.r, scanCustomerRow, query, args...)
	if err != nil {
		return list, fmt.Errorf("customers of shop %d: %w", shopID, err)
	}
	if list.Programs, err = programs(ctx, s.r, shopID, false); err != nil {
		return list, err
	}
	for _, r := range rows {
		if r.Progress, err = progressOf(r.balances, list.Programs, now); err != nil {
			return list, fmt.Errorf("balances of card %d: %w", r.ID, err)
		}
		list.Rows = append(list.Rows, r.CustomerRow)
	}
	list.Segments = map[loyalty.Segment]int{}
	counts, err := s.r.QueryContext(ctx, `SELECT segment, count(*) FROM card_stats WHERE shop_id = ? GROUP BY segment`, shopID)
	if err != nil {
		return list, fmt.Errorf("segments of shop %d: %w", shopID, err)
	}
	defer counts.Close()
	for counts.Next() {
		var seg loyalty.Segment
		var n int
		if err := counts.Scan(&seg, &n); err != nil {
			return list, err
		}
		list.Segments[seg] = n
	}
	return list, counts.Err()
}

// customerPage is the query of a page of the list, in its order.
func customerPage(shopID int64, q CustomerQuery) (string, []any) {
	where, args := customerFilter(shopID, q)
	order := customerOrder[q.Sort]
	if order == "" {
		order = customerOrder[SortLastVisit]
	}
	// c.shop_id as well as s.shop_id: SQLite may then read the page in the
	// order of an index of cards (name, joined) instead of sorting the shop.
	args = append([]any{shopID}, args...)
	return `SELECT ` + customerColumns + ` FROM card_stats s JOIN cards c ON c.id = s.card_id
		WHERE c.shop_id = ? AND ` + where + ` ORDER BY ` + order + ` LIMIT ? OFFSET ?`,
		append(args, CustomersPerPage, (max(q.Page, 1)-1)*CustomersPerPage)
}

// customerFilter is the WHERE clause of a customer query over card_stats s
// joined with cards c. A search matches the start of the first name as the
// counter does (loyalty.NameKey), digits anywhere in the phone, the start of
// the email, or a whole short code.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func customerFilter(shopID int64, q CustomerQuery) (string, []any) {
	conds, args := []string{"s.shop_id = ?"}, []any{shopID}
	if q.Segment != loyalty.SegmentNone {
		conds, args = append(conds, "s.segment = ?"), append(args, q.Segment)
	}
	if q.Search != "" {
		name := loyalty.NameKey(q.Search)
		alts := []string{`(c.name_key >= ? AND c.name_key < ?)`, `c.email LIKE ? ESCAPE '\'`}
		args = append(args, name, name+maxRune, escapeLike(q.Search)+"%")
		if phone := strings.TrimPrefix(loyalty.NormalizePhone(q.Search), "+"); len(phone) >= minPhoneSearch {
			alts, args = append(alts, `c.phone LIKE ? ESCAPE '\'`), append(args, "%"+phone+"%")
		}
		if code, err := loyalty.ParseShortCode(q.Search); err == nil {
			alts, args = append(alts, `c.short_code = ?`), append(args, code)
		}
		conds = append(conds, "("+strings.Join(alts, " OR ")+")")
	}
	return strings.Join(conds, " AND "), args
}

// minPhoneSearch: fewer digits would match half the shop.
const minPhoneSearch = 3

// customerColumns ends with the card's kept balances, {"program id": state},
// read in the same query as the page (the primary key of card_balances
// finds them): the list folds no ledger.
const customerColumns = `c.id, c.shop_id, c.token, c.short_code, c.first_name, c.phone, c.email, c.birthday, c.created_at, c.erased_at IS NOT NULL,
	s.visits, s.last_day, s.stamps, s.rewards, s.redeems, s.segment,
	(SELECT json_group_object(b.program_id, json(b.state)) FROM card_balances b WHERE b.card_id = c.id AND b.shop_id = c.shop_id)`

// customerLine is a CustomerRow as read, with its balances still encoded.
type customerLine struct {
	CustomerRow
	balances string
}

func scanCustomerRow(r scanner) (customerLine, error) {
	var row customerLine
	var created int64
	err := r.Scan(&row.ID, &row.ShopID, &row.Token, &row.ShortCode, &row.FirstName, &row.Phone, &row.Email, &row.Birthday, &created, &row.Erased,
		&row.Visits, &row.LastDay, &row.Stamps, &row.Rewards, &row.Redeems, &row.Segment, &row.balances)
	row.CreatedAt = fromUnix(created)
	return row, err
}

// progressOf is where a card stands now in each program, from its kept
// balances by program id; a program it never used has nothing yet.
func progressOf(balances string, programs []Program, now time.Time) ([]ProgramProgress, error) {
	var kept map[int64]json.RawMessage
	if err := json.Unmarshal([]byte(balances), &kept); err != nil {
		return nil, fmt.Errorf("decode balances: %w", err)
	}
	out := make([]ProgramProgress, len(programs))
	for i, p := range programs {
		out[i].ProgramID = p.ID
		text, ok := kept[p.ID]
		if !ok {
			continue
		}
		st, err := decodeState(string(text))
		if err != nil {
			return nil, err
		}
		b := st.At(now)
		out[i].Stamps, out[i].Ready, out[i].Points = b.Stamps, len(b.Available), b.Points
	}
	return out, nil
}

// CustomerFeedback is one answer of the card to "how was your visit?".
type CustomerFeedback struct {
	Day       int // DayNumber of the visit
	Rating    int // 1–5
	Comment   string
	CreatedAt time.Time
}

// CustomerRecord is the owner's page of one customer.
type CustomerRecord struct {
	CardState
	Stats    CustomerStats
	Feedback []CustomerFeedback // newest first
	// Clubs are the shop's clubs not archived, with whether the card is a member.
	Clubs []CardClub
}

// Customer reads everything the owner sees of one card of the shop.
func (s *Store) Customer(ctx context.Context, shopID, cardID int64, now time.Time) (CustomerRecord, error) {
	var rec CustomerRecord
	if err := s.EnsureSegments(ctx, shopID, now); err != nil {
		return rec, err
	}
	var err error
	// The owner's record shows the card's whole history.
	if rec.CardState, err = cardState(ctx, s.r, shopID, cardID, now, 0); err != nil {
		return rec, err
	}
	st := &rec.Stats
	if err := s.r.QueryRowContext(ctx, `SELECT visits, last_day, stamps, rewards, redeems, segment FROM card_stats WHERE card_id = ? AND shop_id = ?`,
		cardID, shopID).Scan(&st.Visits, &st.LastDay, &st.Stamps, &st.Rewards, &st.Redeems, &st.Segment); err != nil {
		return rec, fmt.Errorf("stats of card %d: %w", cardID, notFound(err))
	}
	rec.Feedback, err = collect(ctx, s.r, func(r scanner) (CustomerFeedback, error) {
		var f CustomerFeedback
		var at int64
		err := r.Scan(&f.Day, &f.Rating, &f.Comment, &at)
		f.CreatedAt = fromUnix(at)
		return f, err
	}, `SELECT day, rating, comment, created_at FROM feedback WHERE card_id = ? AND shop_id = ? ORDER BY day DESC, id DESC`, cardID, shopID)
	if err != nil {
		return rec, fmt.Errorf("feedback of card %d: %w", cardID, err)
	}
	sh, err := s.Shop(ctx, shopID)
	if err != nil {
		return rec, err
	}
	if rec.Clubs, err = customerClubs(ctx, s.r, shopID, cardID, sh.Language); err != nil {
		return rec, err
	}
	return rec, nil
}

// Adjustment is what an adjustment did: its event (0 when there was nothing
// to take away), the stamps it added or removed, and the card's stamps before.
type Adjustment struct {
	EventID int64
	Stamps  int
	Had     int
}

// AdjustStamps adds n stamps to the card in the program (takes them away when
// n is negative) for the owner's reason, once per key. The rules are
// loyalty.CheckAdjust's; an erased card or an archived program is not found.
// A removal takes at most the stamps the card has: the ledger records what
// was taken, not a larger number the balance would ignore.
func (s *Store) AdjustStamps(ctx context.Context, a Action, n int, reason string) (Adjustment, error) {
	var out Adjustment
	reason = strings.TrimSpace(reason)
	if err := loyalty.CheckAdjust(n, reason); err != nil {
		return out, fmt.Errorf("adjust card %d: %w", a.CardID, err)
	}
	err := s.act(ctx, a, func(ctx context.Context, tx *sql.Tx, a Action, p Program, st loyalty.State) error {
		out.Had = st.At(a.Now).Stamps
		out.Stamps = max(n, -out.Had)
		if out.Stamps == 0 {
			return nil
		}
		var err error
		out.EventID, err = insertEvent(ctx, tx, a, newEvent{kind: loyalty.KindAdjust, programID: p.ID, stamps: out.Stamps, note: reason})
		return err
	})
	if err != nil {
		return out, fmt.Errorf("adjust card %d: %w", a.CardID, err)
	}
	return out, nil
}

// Profile is what the owner may edit of a customer; the handler has checked
// and normalized it (phone digits, birthday "MM-DD" or empty).
type Profile struct {
	FirstName string
	Phone     string
	Email     string
	Birthday  string
}

// UpdateCustomer saves the card's profile and records who changed it. An
// erased card is not found: what was erased stays erased.
func (s *Store) UpdateCustomer(ctx context.Context, shopID, userID, cardID int64, p Profile, now time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var code string
		err := tx.QueryRowContext(ctx, `UPDATE cards SET first_name = ?, phone = ?, email = ?, birthday = ?, name_key = ?, phone_key = ?
			WHERE id = ? AND shop_id = ? AND erased_at IS NULL RETURNING short_code`,
			p.FirstName, p.Phone, p.Email, p.Birthday, loyalty.NameKey(p.FirstName), loyalty.PhoneKey(p.Phone), cardID, shopID).Scan(&code)
		if err != nil {
			return notFound(err)
		}
		return recordAudit(ctx, tx, shopID, userID, AuditCustomerEdit, loyalty.FormatShortCode(code), now)
	})
	if err != nil {
		return fmt.Errorf("update card %d: %w", cardID, err)
	}
	return nil
}

// EraseCustomer removes the customer's personal data: name, phone, email,
// birthday, feedback comments and the phones' push subscriptions. The card
// gets a new secret token, so the link the customer kept shows nothing; the
// ledger, the rollups and the ratings stay, anonymous, so the shop's numbers
// do not change. Erasing an erased card again does nothing.
func (s *Store) EraseCustomer(ctx context.Context, shopID, userID, cardID int64, now time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var code string
		var erased bool
		err := tx.QueryRowContext(ctx, `SELECT short_code, erased_at IS NOT NULL FROM cards WHERE id = ? AND shop_id = ?`, cardID, shopID).Scan(&code, &erased)
		if err != nil || erased {
			return notFound(err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cards SET first_name = '', phone = '', email = '', birthday = '', name_key = '', phone_key = '', erased_at = ?, token = ?
			WHERE id = ? AND shop_id = ?`, unix(now), loyalty.NewCardToken(), cardID, shopID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE feedback SET comment = '' WHERE card_id = ? AND shop_id = ?`, cardID, shopID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM card_qr WHERE card_id = ?`, cardID); err != nil {
			return err
		}
		// A push subscription names the customer's browser.
		if _, err := tx.ExecContext(ctx, `DELETE FROM push_subscriptions WHERE card_id = ? AND shop_id = ?`, cardID, shopID); err != nil {
			return err
		}
		return recordAudit(ctx, tx, shopID, userID, AuditCustomerErase, loyalty.FormatShortCode(code), now)
	})
	if err != nil {
		return fmt.Errorf("erase card %d: %w", cardID, err)
	}
	return nil
}

package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"regulars/loyalty"
)

// Each card keeps its fold in each program (card_balances), brought up to
// date in the transaction of every ledger write by folding that one event
// (loyalty.State.Apply), and each event keeps the rewards it earned. The
// ledger stays the truth: RebuildBalances recomputes both from it alone, and
// must find them equal.

// programVersions returns the rule versions of a program, oldest first.
func programVersions(ctx context.Context, q querier, shopID, programID int64) ([]loyalty.RuleVersion, error) {
	list, err := collect(ctx, q, scanVersion, `SELECT after_event, `+versionColumns+`
		FROM program_rules WHERE program_id = ? AND shop_id = ? ORDER BY after_event, id`, programID, shopID)
	if err != nil {
		return nil, fmt.Errorf("rules of program %d: %w", programID, err)
	}
	return list, nil
}

// shopVersions returns the rule versions of every program of a shop.
func shopVersions(ctx context.Context, q querier, shopID int64) (map[int64][]loyalty.RuleVersion, error) {
	type row struct {
		program int64
		loyalty.RuleVersion
	}
	list, err := collect(ctx, q, func(r scanner) (row, error) {
		var v row
		var p Program
		err := r.Scan(append([]any{&v.program, &v.AfterEvent}, versionFields(&p)...)...)
		v.Rules = p.Rules()
		return v, err
	}, `SELECT program_id, after_event, `+versionColumns+`
		FROM program_rules WHERE shop_id = ? ORDER BY program_id, after_event, id`, shopID)
	if err != nil {
		return nil, fmt.Errorf("rules of shop %d: %w", shopID, err)
	}
	out := map[int64][]loyalty.RuleVersion{}
	for _, v := range list {
		out[v.program] = append(out[v.program], v.RuleVersion)
	}
	return out, nil
}

// versionColumns are a rules version's rules, read by versionFields.
const versionColumns = `stamps_required, max_per_visit, cooldown_minutes, stamp_expiry_days, reward_expiry_days,
	kind, points_per_visit, points_per_unit, points_rounding, reward_points,
	points_expiry_days, multiplier, multiplier_days, multiplier_from, multiplier_to, multiplier_zone`

func versionFields(p *Program) []any {
	return []any{&p.StampsRequired, &p.MaxPerVisit, &p.CooldownMinutes, &p.StampExpiryDays, &p.RewardExpiryDays,
		&p.Kind, &p.PointsPerVisit, &p.PointsPerUnit, &p.PointsRounding, &p.RewardPoints,
		&p.PointsExpiryDays, &p.Multiplier, &p.MultiplierDays, &p.MultiplierFrom, &p.MultiplierTo, &p.MultiplierZone}
}

func scanVersion(r scanner) (loyalty.RuleVersion, error) {
	var v loyalty.RuleVersion
	var p Program
	err := r.Scan(append([]any{&v.AfterEvent}, versionFields(&p)...)...)
	v.Rules = p.Rules()
	return v, err
}

// addVersion records p's rules as in force for the events written after now.
func addVersion(ctx context.Context, tx *sql.Tx, p Program, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO program_rules (shop_id, program_id, after_event, `+versionColumns+`, created_at)
		VALUES (?, ?, (SELECT coalesce(max(id), 0) FROM events), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ShopID, p.ID, p.StampsRequired, p.MaxPerVisit, p.CooldownMinutes, p.StampExpiryDays, p.RewardExpiryDays,
		p.Kind, p.PointsPerVisit, p.PointsPerUnit, p.PointsRounding, p.RewardPoints,
		p.PointsExpiryDays, p.Multiplier, p.MultiplierDays, p.MultiplierFrom, p.MultiplierTo, p.MultiplierZone, unix(now))
	if err != nil {
		return fmt.Errorf("rules of program %d: %w", p.ID, err)
	}
	return nil
}

// storedState is loyalty.State as card_balances keeps it: times in Unix
// seconds, so that a kept state and a rebuilt one compare byte for byte.
type storedState struct {
	Stamps         int        `json:"stamps"`
	Lots           [][2]int64 `json:"lots,omitempty"`      // [n, expires at or 0]
	Available      [][3]int64 `json:"available,omitempty"` // [seq, earned at, expires at or 0]
	Earned         int        `json:"earned,omitempty"`
	Redeemed       int        `json:"redeemed,omitempty"`
	ExpiredStamps  int        `json:"expired_stamps,omitempty"`
	ExpiredRewards int        `json:"expired_rewards,omitempty"`
	LastStampAt    int64      `json:"last_stamp_at,omitempty"`
	Points         int        `json:"points,omitempty"`
	PointsEarned   int        `json:"points_earned,omitempty"`
	PointsSpent    int        `json:"points_spent,omitempty"`
	PointsExpired  int        `json:"points_expired,omitempty"`
	PointLots      [][2]int64 `json:"point_lots,omitempty"` // [n, expires at or 0]
}

func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func timeOrZero(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return fromUnix(s)
}

func encodeState(s loyalty.State) string {
	return string(marshalState(storedOf(s)))
}

func decodeState(text string) (loyalty.State, error) {
	var st storedState
	if err := unmarshalState(text, &st); err != nil {
		return loyalty.State{}, fmt.Errorf("decode balance: %w", err)
	}
	return st.state(), nil
}

// storedOf is s as card_balances keeps it.
func storedOf(s loyalty.State) storedState {
	st := storedState{Stamps: s.Stamps, Earned: s.Earned, Redeemed: s.Redeemed, ExpiredStamps: s.ExpiredStamps,
		ExpiredRewards: s.ExpiredRewards, LastStampAt: unixOrZero(s.LastStampAt),
		Points: s.Points, PointsEarned: s.PointsEarned, PointsSpent: s.PointsSpent, PointsExpired: s.PointsExpired}
	for _, l := range s.Lots {
		st.Lots = append(st.Lots, [2]int64{int64(l.N), unixOrZero(l.ExpiresAt)})
	}
	for _, l := range s.PointLots {
		st.PointLots = append(st.PointLots, [2]int64{int64(l.N), unixOrZero(l.ExpiresAt)})
	}
	for _, rw := range s.Available {
		st.Available = append(st.Available, [3]int64{int64(rw.Seq), unixOrZero(rw.EarnedAt), unixOrZero(rw.ExpiresAt)})
	}
	return st
}

// state is the loyalty.State a kept one reads as.
func (st storedState) state() loyalty.State {
	s := loyalty.State{Stamps: st.Stamps, Earned: st.Earned, Redeemed: st.Redeemed, ExpiredStamps: st.ExpiredStamps,
		ExpiredRewards: st.ExpiredRewards, LastStampAt: timeOrZero(st.LastStampAt),
		Points: st.Points, PointsEarned: st.PointsEarned, PointsSpent: st.PointsSpent, PointsExpired: st.PointsExpired}
	for _, l := range st.Lots {
		s.Lots = append(s.Lots, loyalty.Lot{N: int(l[0]), ExpiresAt: timeOrZero(l[1])})
	}
	for _, l := range st.PointLots {
		s.PointLots = append(s.PointLots, loyalty.Lot{N: int(l[0]), ExpiresAt: timeOrZero(l[1])})
	}
	for _, rw := range st.Available {
		s.Available = append(s.Available, loyalty.Reward{Seq: int(rw[0]), EarnedAt: timeOrZero(rw[1]), ExpiresAt: timeOrZero(rw[2])})
	}
	return s
}

// cardBalance reads the kept state of a card in a program; a card never
// written to in the program has the empty state.
func cardBalance(ctx context.Context, q querier, cardID, programID int64) (loyalty.State, error) {
	var text string
	err := q.QueryRowContext(ctx, `SELECT state FROM card_balances WHERE card_id = ? AND program_id = ?`, cardID, programID).Scan(&text)
	if errors.Is(err, sql.ErrNoRows) {
		return loyalty.State{}, nil
	}
	if err != nil {
		return loyalty.State{}, fmt.Errorf("balance of card %d: %w", cardID, err)
	}
	return decodeState(text)
}

// cardBalancesAndCredit reads the kept states of a card in every program,
// by program, and its store credit (credit.go), in one query: the counter
// and the card page read both for every view.
func cardBalancesAndCredit(ctx context.Context, q querier, cardID int64) (map[int64]loyalty.State, int, error) {
	rows, err := q.QueryContext(ctx, `SELECT program_id, state, 0 FROM card_balances WHERE card_id = ?1
		UNION ALL SELECT 0, '', credit FROM card_credit WHERE card_id = ?1`, cardID)
	if err != nil {
		return nil, 0, fmt.Errorf("balances of card %d: %w", cardID, err)
	}
	defer rows.Close()
	out := map[int64]loyalty.State{}
	credit := 0
	for rows.Next() {
		var id int64
		var text string
		var held int
		if err := rows.Scan(&id, &text, &held); err != nil {
			return nil, 0, err
		}
		if id == 0 { // the credit's row: no program has id 0
			credit = held
			continue
		}
		if out[id], err = decodeState(text); err != nil {
			return nil, 0, err
		}
	}
	return out, credit, rows.Err()
}

// balanceColumns is what card_balances keeps of a state beside its text:
// its stamps (which a rule change's preview counts by), its points and their
// first expiry (card_balances_points, which the expiring points' reminders
// read), and its rewards ready.
type balanceColumns struct {
	stamps, points, ready int
	pointsExpireAt        int64
}

func columnsOf(s loyalty.State) balanceColumns {
	return balanceColumns{stamps: s.Stamps, points: s.Points, ready: len(s.Available), pointsExpireAt: firstPointsExpiry(s)}
}

// updateBalance writes the card's state s over its row, whose state was old,
// and reports whether there was a row. SQLite rewrites an index's entry for
// each column an UPDATE sets, changed or not: setting the points only when
// they changed spares a stamp its entry in the index of points.
func updateBalance(ctx context.Context, tx *sql.Tx, cardID, programID int64, s loyalty.State, old balanceColumns) (bool, error) {
	cols := columnsOf(s)
	query, args := `UPDATE card_balances SET ready = ?, state = ?, stamps = ?`, []any{cols.ready, encodeState(s), cols.stamps}
	if cols.points != old.points || cols.pointsExpireAt != old.pointsExpireAt {
		query, args = query+`, points = ?, points_expire_at = ?`, append(args, cols.points, cols.pointsExpireAt)
	}
	res, err := tx.ExecContext(ctx, query+` WHERE card_id = ? AND program_id = ?`, append(args, cardID, programID)...)
	if err != nil {
		return false, fmt.Errorf("balance of card %d: %w", cardID, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

func saveBalance(ctx context.Context, tx *sql.Tx, shopID, cardID, programID int64, s loyalty.State) error {
	c := columnsOf(s)
	_, err := tx.ExecContext(ctx, `INSERT INTO card_balances (card_id, program_id, shop_id, stamps, ready, state, points, points_expire_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (card_id, program_id) DO UPDATE SET stamps = excluded.stamps, ready = excluded.ready, state = excluded.state,
		points = excluded.points, points_expire_at = excluded.points_expire_at`,
		cardID, programID, shopID, c.stamps, c.ready, encodeState(s), c.points, c.pointsExpireAt)
	if err != nil {
		return fmt.Errorf("balance of card %d: %w", cardID, err)
	}
	return nil
}

// programEventsOf reads a card's events in one program, in ledger order,
// with the rewards each is kept as having earned.
func programEventsOf(ctx context.Context, q querier, shopID, cardID, programID int64) ([]loyalty.Event, map[int64]int, error) {
	wrote := map[int64]int{}
	events, err := collect(ctx, q, func(r scanner) (loyalty.Event, error) {
		var e loyalty.Event
		var at int64
		var earned int
		err := r.Scan(&e.ID, &e.Kind, &e.Stamps, &e.RewardSeq, &e.VoidOf, &at, &e.Amount, &e.Points, &e.TierPercent, &earned)
		e.At = fromUnix(at)
		wrote[e.ID] = earned
		return e, err
	}, `SELECT id, kind, stamps, reward_seq, coalesce(void_of, 0), created_at, amount, points, tier_percent, earned FROM events
		WHERE card_id = ? AND shop_id = ? AND program_id = ? ORDER BY id`, cardID, shopID, programID)
	return events, wrote, err
}

// refoldBalance recomputes a card's state in a program from its ledger: after
// an undo, whose void takes an event out of the history. The rewards each
// event earned are folded again too: the voided event earned none, as a
// rebuild finds (RebuildBalances).
func refoldBalance(ctx context.Context, tx *sql.Tx, shopID, cardID, programID int64) error {
	versions, err := programVersions(ctx, tx, shopID, programID)
	if err != nil {
		return err
	}
	events, wrote, err := programEventsOf(ctx, tx, shopID, cardID, programID)
	if err != nil {
		return err
	}
	s, earned := loyalty.FoldVersions(versions, events)
	for _, e := range events {
		if earned[e.ID] != wrote[e.ID] {
			if _, err := tx.ExecContext(ctx, `UPDATE events SET earned = ? WHERE id = ? AND shop_id = ?`, earned[e.ID], e.ID, shopID); err != nil {
				return fmt.Errorf("earned of event %d: %w", e.ID, err)
			}
		}
	}
	return saveBalance(ctx, tx, shopID, cardID, programID, s)
}

// RebuildBalances recomputes the kept balances of a shop's cards, the
// rewards each of its events earned, the cards' store credit and the events
// their pages list, from the ledger alone, and returns how many rows it found
// different and corrected: 0 when everything kept was exact.
func (s *Store) RebuildBalances(ctx context.Context, shopID int64) (int, error) {
	var changed int
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if changed, err = rebuildBalances(ctx, tx, shopID); err != nil {
			return err
		}
		credit, err := rebuildCredit(ctx, tx, shopID) // the store credit's kept rows too
		if err != nil {
			return err
		}
		shown, err := rebuildShown(ctx, tx, shopID) // and the events the card pages list
		changed += credit + shown
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("rebuild balances of shop %d: %w", shopID, err)
	}
	return changed, nil
}

type balanceKey struct{ card, program int64 }

func rebuildBalances(ctx context.Context, tx *sql.Tx, shopID int64) (int, error) {
	versions, err := shopVersions(ctx, tx, shopID)
	if err != nil {
		return 0, err
	}
	// A row is compared whole: a stamp sets the columns beside the state
	// only when they change (updateBalance), so one gone wrong would stay so.
	type keptBalance struct {
		state   string
		columns balanceColumns
	}
	kept := map[balanceKey]keptBalance{}
	rows, err := collect(ctx, tx, func(r scanner) (struct {
		k balanceKey
		b keptBalance
	}, error) {
		var v struct {
			k balanceKey
			b keptBalance
		}
		return v, r.Scan(&v.k.card, &v.k.program, &v.b.state, &v.b.columns.stamps, &v.b.columns.points, &v.b.columns.ready, &v.b.columns.pointsExpireAt)
	}, `SELECT card_id, program_id, state, stamps, points, ready, points_expire_at FROM card_balances WHERE shop_id = ?`, shopID)
	if err != nil {
		return 0, err
	}
	for _, r := range rows {
		kept[r.k] = r.b
	}

	// The differences are gathered first and written after the ledger has
	// been read: SQLite leaves undefined what a scan sees of rows changed
	// under it.
	states := map[balanceKey]loyalty.State{}
	earned := map[int64]int{}
	ledger := map[balanceKey][]loyalty.Event{}
	wrote := map[int64]int{}
	var order []balanceKey
	events, err := tx.QueryContext(ctx, `SELECT card_id, program_id, id, kind, stamps, reward_seq, coalesce(void_of, 0), created_at, earned,
		amount, points, tier_percent FROM events WHERE shop_id = ? AND program_id IS NOT NULL ORDER BY card_id, id`, shopID)
	if err != nil {
		return 0, err
	}
	flush := func() {
		for _, k := range order {
			s, by := loyalty.FoldVersions(versions[k.program], ledger[k])
			if b, ok := kept[k]; !ok || b.state != encodeState(s) || b.columns != columnsOf(s) {
				states[k] = s
			}
			delete(kept, k)
			for _, e := range ledger[k] {
				if by[e.ID] != wrote[e.ID] {
					earned[e.ID] = by[e.ID]
				}
				delete(wrote, e.ID)
			}
			delete(ledger, k)
		}
		order = order[:0]
	}
	var card int64
	for events.Next() {
		var k balanceKey
		var e loyalty.Event
		var at int64
		var w int
		if err := events.Scan(&k.card, &k.program, &e.ID, &e.Kind, &e.Stamps, &e.RewardSeq, &e.VoidOf, &at, &w, &e.Amount, &e.Points, &e.TierPercent); err != nil {
			events.Close()
			return 0, err
		}
		e.At = fromUnix(at)
		if k.card != card {
			flush()
			card = k.card
		}
		if _, ok := ledger[k]; !ok {
			order = append(order, k)
		}
		ledger[k] = append(ledger[k], e)
		wrote[e.ID] = w
	}
	if err := events.Close(); err != nil {
		return 0, err
	}
	flush()

	for k, s := range states {
		if err := saveBalance(ctx, tx, shopID, k.card, k.program, s); err != nil {
			return 0, err
		}
	}
	for id, n := range earned {
		if _, err := tx.ExecContext(ctx, `UPDATE events SET earned = ? WHERE id = ? AND shop_id = ?`, n, id, shopID); err != nil {
			return 0, fmt.Errorf("earned of event %d: %w", id, err)
		}
	}
	for k := range kept { // balances of no event at all
		if _, err := tx.ExecContext(ctx, `DELETE FROM card_balances WHERE card_id = ? AND program_id = ?`, k.card, k.program); err != nil {
			return 0, err
		}
	}
	return len(states) + len(earned) + len(kept), nil
}

// owedRebuilds are the derived states a migration may leave for the server
// to compute (rebuilds_owed), by name: what Go computes and SQL cannot.
var owedRebuilds = []struct {
	what string
	pay  func(ctx context.Context, tx *sql.Tx) error
}{
	{"balances", everyShop("balances", rebuildBalances)},
	{"search_keys", fillSearchKeys},
	{"shown", everyShop("kept events", rebuildShown)},
}

// everyShop is a rebuild of one shop's derived state, what, run for every shop.
func everyShop(what string, rebuild func(ctx context.Context, tx *sql.Tx, shopID int64) (int, error)) func(context.Context, *sql.Tx) error {
	return func(ctx context.Context, tx *sql.Tx) error {
		shops, err := shopIDs(ctx, tx)
		if err != nil {
			return err
		}
		for _, id := range shops {
			if _, err := rebuild(ctx, tx, id); err != nil {
				return fmt.Errorf("%s of shop %d: %w", what, id, err)
			}
		}
		return nil
	}
}

// payOwedRebuilds computes the derived state that migrations left owed, each
// in one transaction with the deletion of its debt: an upgrade cut off before
// the end owes it still, and the next start computes it again.
func (s *Store) payOwedRebuilds(ctx context.Context) error {
	var n int
	// A database migrated only part of the way (older migrations, in tests)
	// has no debts table yet.
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'rebuilds_owed'`).Scan(&n)
	if err != nil || n == 0 {
		return err
	}
	for _, r := range owedRebuilds {
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM rebuilds_owed WHERE what = ?`, r.what).Scan(&n); err != nil || n == 0 {
				return err
			}
			if err := r.pay(ctx, tx); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `DELETE FROM rebuilds_owed WHERE what = ?`, r.what)
			return err
		})
		if err != nil {
			return fmt.Errorf("owed %s: %w", r.what, err)
		}
	}
	return nil
}

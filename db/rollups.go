package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"regulars/loyalty"
)

// The rollups (card_days, card_stats, shop_days, shop_cohorts, staff_days) are
// sums of the ledger kept beside it, so that the dashboard and the customer list
// read a few hundred rows instead of millions of events. Every ledger write
// refreshes its card's rollups in the same transaction (refreshCard), and
// RebuildRollups recomputes a whole shop from the ledger alone.

// shopClock is what the rollups need to know of a shop to place events in days.
type shopClock struct {
	loc *time.Location
	vip int
	// cashback is the shop's, which a purchase's credit follows (credit.go).
	cashback loyalty.Cashback
	// tiered: the shop has tiers, which each visit judges (tiers.go).
	tiered bool
}

func loadShopClock(ctx context.Context, q querier, shopID int64) (shopClock, error) {
	var zone string
	var c shopClock
	if err := q.QueryRowContext(ctx, `SELECT timezone, vip_threshold, cashback_bp, cashback_min, EXISTS (SELECT 1 FROM tiers WHERE shop_id = shops.id)
		FROM shops WHERE id = ?`, shopID).
		Scan(&zone, &c.vip, &c.cashback.Rate, &c.cashback.Min, &c.tiered); err != nil {
		return c, fmt.Errorf("clock of shop %d: %w", shopID, notFound(err))
	}
	loc, err := Location(zone)
	if err != nil {
		return c, fmt.Errorf("zone of shop %d: %w", shopID, err)
	}
	c.loc = loc
	return c, nil
}

// programLedgers reads a card's program events, grouped by program, with each
// program's rule versions (archived programs too: their history still counts).
func programLedgers(ctx context.Context, q querier, shopID, cardID int64, versions map[int64][]loyalty.RuleVersion) ([]loyalty.ProgramLedger, error) {
	index := make(map[int64]int, len(versions))
	ledgers := make([]loyalty.ProgramLedger, 0, len(versions))
	for id, v := range versions {
		index[id] = len(ledgers)
		ledgers = append(ledgers, loyalty.ProgramLedger{Versions: v})
	}
	rows, err := q.QueryContext(ctx, `SELECT program_id, id, kind, stamps, reward_seq, coalesce(void_of, 0), created_at
		FROM events WHERE card_id = ? AND shop_id = ? AND program_id IS NOT NULL ORDER BY id`, cardID, shopID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var pid, at int64
		var e loyalty.Event
		if err := rows.Scan(&pid, &e.ID, &e.Kind, &e.Stamps, &e.RewardSeq, &e.VoidOf, &at); err != nil {
			return nil, err
		}
		e.At = fromUnix(at)
		if i, ok := index[pid]; ok {
			ledgers[i].Events = append(ledgers[i].Events, e)
		}
	}
	return ledgers, rows.Err()
}

// shopDayKey and shopSums are one row of shop_days and what a card adds to it.
type shopDayKey struct{ day, hour int }

type shopSums struct{ visits, firstVisits, gapSum, gaps, stamps, rewards, redeems int }

// shopDeltas is what a change of cards' days adds to the shop's rows.
type shopDeltas map[shopDayKey]*shopSums

// add counts day d in its shop row, sign times (-1 takes it out).
func (s shopDeltas) add(d loyalty.Day, sign int) {
	k := shopDayKey{d.Day, d.Hour}
	if s[k] == nil {
		s[k] = &shopSums{}
	}
	s[k].add(d, sign)
}

// plus adds sums to the row of k.
func (s shopDeltas) plus(k shopDayKey, sums shopSums) {
	if s[k] == nil {
		s[k] = &shopSums{}
	}
	t := s[k]
	t.visits, t.firstVisits, t.gapSum, t.gaps = t.visits+sums.visits, t.firstVisits+sums.firstVisits, t.gapSum+sums.gapSum, t.gaps+sums.gaps
	t.stamps, t.rewards, t.redeems = t.stamps+sums.stamps, t.rewards+sums.rewards, t.redeems+sums.redeems
}

// writeShopDeltas adds the deltas to the shop's rows, or, in an action of a
// batch, to what the batch writes at its end.
func writeShopDeltas(ctx context.Context, tx *sql.Tx, shopID int64, d shopDeltas) error {
	if b := batchSumsOf(ctx); b != nil {
		b.addShop(shopID, d)
		return nil
	}
	return d.write(ctx, tx, shopID)
}

// write adds the deltas to the shop's rows.
func (s shopDeltas) write(ctx context.Context, tx *sql.Tx, shopID int64) error {
	for k, sums := range s {
		if err := addShopDay(ctx, tx, shopID, k, *sums); err != nil {
			return err
		}
	}
	return nil
}

func (s *shopSums) add(d loyalty.Day, sign int) {
	if d.Visited {
		s.visits += sign
		if d.Gap == 0 {
			s.firstVisits += sign
		}
	}
	if d.Gap > 0 {
		s.gapSum += sign * d.Gap
		s.gaps += sign
	}
	s.stamps += sign * d.Stamps
	s.rewards += sign * d.Rewards
	s.redeems += sign * d.Redeems
}

// cohortKey is a row of shop_cohorts: the month of a card's first visit and how
// many months after it the card visited.
type cohortKey struct{ cohort, offset int }

func addCohorts(sums map[cohortKey]int, days []loyalty.Day, sign int) {
	first, seen := -1, map[int]bool{}
	for _, d := range days {
		if !d.Visited {
			continue
		}
		m := loyalty.MonthNumber(d.Day)
		if first < 0 {
			first = m
		}
		if !seen[m] {
			seen[m] = true
			sums[cohortKey{first, m - first}] += sign
		}
	}
}

// refreshCard recomputes the card's rollups from its ledger at now, within tx,
// and moves the shop's sums by the difference.
func refreshCard(ctx context.Context, tx *sql.Tx, shopID, cardID int64, clock shopClock, now time.Time) error {
	versions, err := shopVersions(ctx, tx, shopID)
	if err != nil {
		return err
	}
	return refreshCardWith(ctx, tx, shopID, cardID, clock, versions, now)
}

// refreshCardWith is refreshCard with the shop's rule versions already read.
func refreshCardWith(ctx context.Context, tx *sql.Tx, shopID, cardID int64, clock shopClock, versions map[int64][]loyalty.RuleVersion, now time.Time) error {
	ledgers, err := programLedgers(ctx, tx, shopID, cardID, versions)
	if err != nil {
		return err
	}
	days := loyalty.CardDays(ledgers, clock.loc)
	old, err := collect(ctx, tx, scanDay, `SELECT day, hour, visited, coalesce(gap, 0), stamps, rewards, redeems FROM card_days WHERE card_id = ? ORDER BY day`, cardID)
	if err != nil {
		return fmt.Errorf("days of card %d: %w", cardID, err)
	}

	shop := shopDeltas{}
	before := make(map[int]loyalty.Day, len(old))
	for _, d := range old {
		before[d.Day] = d
	}
	for _, d := range days {
		if b, ok := before[d.Day]; ok && b == d {
			delete(before, d.Day)
			continue
		}
		if b, ok := before[d.Day]; ok {
			shop.add(b, -1)
			delete(before, d.Day)
		}
		shop.add(d, 1)
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO card_days (card_id, day, shop_id, hour, visited, gap, stamps, rewards, redeems)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, cardID, d.Day, shopID, d.Hour, d.Visited, nullInt(d.Gap), d.Stamps, d.Rewards, d.Redeems); err != nil {
			return fmt.Errorf("days of card %d: %w", cardID, err)
		}
	}
	for _, b := range before { // days whose only events were voided
		shop.add(b, -1)
		if _, err := tx.ExecContext(ctx, `DELETE FROM card_days WHERE card_id = ? AND day = ?`, cardID, b.Day); err != nil {
			return fmt.Errorf("days of card %d: %w", cardID, err)
		}
	}
	if err := shop.write(ctx, tx, shopID); err != nil {
		return err
	}

	cohorts := map[cohortKey]int{}
	addCohorts(cohorts, old, -1)
	addCohorts(cohorts, days, 1)
	for k, n := range cohorts {
		if err := addCohort(ctx, tx, shopID, k, n); err != nil {
			return err
		}
	}

	today := loyalty.DayNumber(now.In(clock.loc))
	return saveCardStats(ctx, tx, cardID, loyalty.Summarize(days, today), clock.vip, today)
}

// readRollups is what addToRollups reads of a card: its stats, whether it
// has a row of a day after day (later), and its row of day (found, old).
// The action's first read takes it along with the rest (act), for the
// action's first event: written counts the events the action wrote since,
// and taken is set once an event's rollups started from it.
type readRollups struct {
	cardID       int64
	day          int
	stats        bool // the card has its row of stats
	st           loyalty.Summary
	later, found bool
	old          loyalty.Day
	written      int
	taken        bool
}

// rollupColumns and rollupFrom read a readRollups, the card being ?3 and the
// day ?5, from a one-row table joined to the card's rows, so that a card
// without stats still gives its row.
const (
	rollupColumns = `cs.card_id IS NOT NULL, coalesce(cs.visits, 0), coalesce(cs.first_day, 0), coalesce(cs.last_day, 0), coalesce(cs.prev_day, 0),
		coalesce(cs.stamps, 0), coalesce(cs.rewards, 0), coalesce(cs.redeems, 0),
		EXISTS (SELECT 1 FROM card_days WHERE card_id = ?3 AND day > ?5), d.day IS NOT NULL,
		coalesce(d.hour, 0), coalesce(d.visited, 0), coalesce(d.gap, 0), coalesce(d.stamps, 0), coalesce(d.rewards, 0), coalesce(d.redeems, 0)`
	rollupFrom = ` FROM (SELECT 1) LEFT JOIN card_stats cs ON cs.card_id = ?3 LEFT JOIN card_days d ON d.card_id = ?3 AND d.day = ?5`
)

func (r *readRollups) dest() []any {
	return []any{&r.stats, &r.st.Visits, &r.st.FirstDay, &r.st.LastDay, &r.st.PrevDay, &r.st.Stamps, &r.st.Rewards, &r.st.Redeems,
		&r.later, &r.found, &r.old.Hour, &r.old.Visited, &r.old.Gap, &r.old.Stamps, &r.old.Rewards, &r.old.Redeems}
}

// addToRollups brings the card's rollups up to date with one new program
// event that earned earned rewards, reading only the card's stats and a few
// of its days: what refreshCard does from the whole ledger, for the usual case
// of an event on the card's newest day. An event dated before the card's
// newest day (a clock set back) is refreshed from the ledger.
func addToRollups(ctx context.Context, tx *sql.Tx, a Action, ev newEvent, earned int, clock shopClock) error {
	t := a.Now.In(clock.loc)
	day := loyalty.DayNumber(t)
	r := readRollups{cardID: a.CardID, day: day}
	if p := a.rollups; p != nil && !p.taken && p.cardID == a.CardID && p.day == day && p.written == 1 {
		r, p.taken = *p, true // read by the action, which has written this event only
	} else {
		// The columns name the card ?3 and the day ?5, as in act's read.
		err := tx.QueryRowContext(ctx, `SELECT `+rollupColumns+rollupFrom, nil, nil, a.CardID, nil, day).Scan(r.dest()...)
		if err != nil {
			return fmt.Errorf("stats of card %d: %w", a.CardID, err)
		}
	}
	if !r.stats {
		return fmt.Errorf("stats of card %d: %w", a.CardID, sql.ErrNoRows)
	}
	st, later, found, old := r.st, r.later, r.found, r.old
	if later {
		return refreshCard(ctx, tx, a.ShopID, a.CardID, clock, a.Now)
	}
	if found {
		old.Day = day
	}
	d := old
	if !found {
		d = loyalty.Day{Day: day, Hour: t.Hour()}
	}
	visit := ev.kind == loyalty.KindStamp && ev.stamps > 0
	became := visit && !d.Visited
	if became {
		// The day's hour is its first stamp's; the gap runs from the last visit.
		d.Visited, d.Hour = true, t.Hour()
		if st.LastDay > 0 {
			d.Gap = day - st.LastDay
		}
	}
	if visit {
		d.Stamps += ev.stamps
		st.Stamps += ev.stamps
	}
	if ev.kind == loyalty.KindRedeem {
		d.Redeems++
		st.Redeems++
	}
	d.Rewards += earned
	st.Rewards += earned
	if found && d == old {
		a.kept.keepRollups(a.CardID, day, st, d)
		return nil
	}
	if err := saveCardDay(ctx, tx, a, d, found && d.Visited == old.Visited); err != nil {
		return err
	}
	shop := shopDeltas{}
	if found {
		shop.add(old, -1)
	}
	shop.add(d, 1)
	if err := writeShopDeltas(ctx, tx, a.ShopID, shop); err != nil {
		return err
	}
	if became {
		// A card's first visit of a month counts it in its cohort's row.
		month := loyalty.MonthNumber(day)
		var cohort error
		switch {
		case st.Visits == 0:
			cohort = addCohort(ctx, tx, a.ShopID, cohortKey{month, 0}, 1)
		case loyalty.MonthNumber(st.LastDay) != month:
			first := loyalty.MonthNumber(st.FirstDay)
			cohort = addCohort(ctx, tx, a.ShopID, cohortKey{first, month - first}, 1)
		}
		if cohort != nil {
			return cohort
		}
		st.Visits++
		if st.FirstDay == 0 {
			st.FirstDay = day
		}
		st.PrevDay, st.LastDay = st.LastDay, day
	}
	if found && old.Visited {
		// Another event of a day the card already visited moves its sums
		// only: its visits, gaps and segment were settled by the day's first
		// stamp, on the same today.
		if err := addCardSums(ctx, tx, a.CardID, st, d.Stamps-old.Stamps, d.Rewards-old.Rewards, d.Redeems-old.Redeems); err != nil {
			return err
		}
		a.kept.keepRollups(a.CardID, day, st, d)
		return nil
	}
	if err := recentVisits(ctx, tx, a.CardID, day, &st); err != nil {
		return err
	}
	if err := saveCardStats(ctx, tx, a.CardID, st, clock.vip, day); err != nil {
		return err
	}
	a.kept.keepRollups(a.CardID, day, st, d)
	return nil
}

// addCardSums writes the card's sums st, of which the event moved stamps,
// rewards and redeems by the amounts given (one at least: the day's row
// changed). It sets only the sums that moved: SQLite rewrites an index's
// entry for each column an UPDATE sets, and most stamps earn no reward,
// which card_stats_rewards is kept by.
func addCardSums(ctx context.Context, tx *sql.Tx, cardID int64, st loyalty.Summary, stamps, rewards, redeems int) error {
	var set []string
	var args []any
	for _, c := range []struct {
		column       string
		moved, value int
	}{{"stamps", stamps, st.Stamps}, {"rewards", rewards, st.Rewards}, {"redeems", redeems, st.Redeems}} {
		if c.moved != 0 {
			set, args = append(set, c.column+` = ?`), append(args, c.value)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE card_stats SET `+strings.Join(set, ", ")+` WHERE card_id = ?`, append(args, cardID)...); err != nil {
		return fmt.Errorf("stats of card %d: %w", cardID, err)
	}
	return nil
}

// saveCardDay writes the card's row of day d. sumsOnly: the row is there and
// only its sums changed, which an UPDATE writes without touching the index
// of visited days (a replace deletes and inserts both).
func saveCardDay(ctx context.Context, tx *sql.Tx, a Action, d loyalty.Day, sumsOnly bool) error {
	var err error
	if sumsOnly {
		_, err = tx.ExecContext(ctx, `UPDATE card_days SET hour = ?, gap = ?, stamps = ?, rewards = ?, redeems = ? WHERE card_id = ? AND day = ?`,
			d.Hour, nullInt(d.Gap), d.Stamps, d.Rewards, d.Redeems, a.CardID, d.Day)
	} else {
		_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO card_days (card_id, day, shop_id, hour, visited, gap, stamps, rewards, redeems)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.CardID, d.Day, a.ShopID, d.Hour, d.Visited, nullInt(d.Gap), d.Stamps, d.Rewards, d.Redeems)
	}
	if err != nil {
		return fmt.Errorf("day %d of card %d: %w", d.Day, a.CardID, err)
	}
	return nil
}

// recentVisits fills what a card's summary takes from its recent days: the
// visits of the last 90 and 365 days up to today, and the usual interval from
// the last gaps. Each reads a bounded range of card_days.
func recentVisits(ctx context.Context, tx *sql.Tx, cardID int64, today int, st *loyalty.Summary) error {
	err := tx.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(day > ?), 0) FROM card_days
		WHERE card_id = ? AND day > ? AND day <= ? AND visited`, today-loyalty.LapsedDays, cardID, today-loyalty.VIPDays, today).Scan(&st.Visits365, &st.Visits90)
	if err != nil {
		return fmt.Errorf("recent visits of card %d: %w", cardID, err)
	}
	gaps, err := collect(ctx, tx, func(r scanner) (int, error) {
		var g int
		return g, r.Scan(&g)
	}, `SELECT gap FROM card_days WHERE card_id = ? AND gap > 0 ORDER BY day DESC LIMIT ?`, cardID, loyalty.HabitGaps)
	if err != nil {
		return fmt.Errorf("gaps of card %d: %w", cardID, err)
	}
	st.MedianGap = loyalty.Median(gaps)
	return nil
}

func scanDay(r scanner) (loyalty.Day, error) {
	var d loyalty.Day
	err := r.Scan(&d.Day, &d.Hour, &d.Visited, &d.Gap, &d.Stamps, &d.Rewards, &d.Redeems)
	return d, err
}

func nullInt(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

func addShopDay(ctx context.Context, tx *sql.Tx, shopID int64, k shopDayKey, s shopSums) error {
	if s == (shopSums{}) {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO shop_days (shop_id, day, hour, visits, first_visits, gap_sum, gaps, stamps, rewards, redeems)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (shop_id, day, hour) DO UPDATE SET visits = visits + excluded.visits, first_visits = first_visits + excluded.first_visits,
			gap_sum = gap_sum + excluded.gap_sum, gaps = gaps + excluded.gaps, stamps = stamps + excluded.stamps,
			rewards = rewards + excluded.rewards, redeems = redeems + excluded.redeems`,
		shopID, k.day, k.hour, s.visits, s.firstVisits, s.gapSum, s.gaps, s.stamps, s.rewards, s.redeems)
	if err != nil {
		return fmt.Errorf("shop %d day %d: %w", shopID, k.day, err)
	}
	return nil
}

func addCohort(ctx context.Context, tx *sql.Tx, shopID int64, k cohortKey, n int) error {
	if n == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO shop_cohorts (shop_id, cohort, offset, customers) VALUES (?, ?, ?, ?)
		ON CONFLICT (shop_id, cohort, offset) DO UPDATE SET customers = customers + excluded.customers`, shopID, k.cohort, k.offset, n)
	if err != nil {
		return fmt.Errorf("shop %d cohort %d: %w", shopID, k.cohort, err)
	}
	return nil
}

func saveCardStats(ctx context.Context, tx *sql.Tx, cardID int64, s loyalty.Summary, vip, today int) error {
	_, err := tx.ExecContext(ctx, `UPDATE card_stats SET visits = ?, first_day = ?, last_day = ?, prev_day = ?, median_gap = ?, stamps = ?, rewards = ?,
		redeems = ?, segment = ? WHERE card_id = ?`,
		s.Visits, s.FirstDay, s.LastDay, s.PrevDay, s.MedianGap, s.Stamps, s.Rewards, s.Redeems, s.Segment(today, vip), cardID)
	if err != nil {
		return fmt.Errorf("stats of card %d: %w", cardID, err)
	}
	return nil
}

// staffEvent counts a ledger event in its author's day in staff_days.
func staffEvent(ctx context.Context, tx *sql.Tx, a Action, ev newEvent, loc *time.Location) error {
	if a.UserID == 0 {
		return nil
	}
	var c loyalty.StaffCounts
	if !countStaffEvent(&c, ev.kind, ev.override) {
		return nil
	}
	day := loyalty.DayNumber(a.Now.In(loc))
	if b := batchSumsOf(ctx); b != nil {
		b.addStaff(staffDayKey{shopID: a.ShopID, userID: a.UserID, day: day}, c)
		return nil
	}
	return addStaffDay(ctx, tx, a.ShopID, day, a.UserID, c)
}

// countStaffEvent adds an event of kind to c, and tells whether it counts at all.
func countStaffEvent(c *loyalty.StaffCounts, kind loyalty.Kind, override bool) bool {
	switch kind {
	case loyalty.KindStamp:
		c.Stamps++
	case loyalty.KindRedeem, loyalty.KindCoupon, loyalty.KindPrize:
		c.Redeems++
	case loyalty.KindVoid:
		c.Voids++
	case loyalty.KindAdjust:
		c.Adjusts++
	default:
		return false
	}
	if override {
		c.Overrides++
	}
	return true
}

func addStaffDay(ctx context.Context, tx *sql.Tx, shopID int64, day int, userID int64, c loyalty.StaffCounts) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO staff_days (shop_id, day, user_id, stamps, redeems, voids, overrides, adjusts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (shop_id, day, user_id) DO UPDATE SET stamps = stamps + excluded.stamps, redeems = redeems + excluded.redeems,
			voids = voids + excluded.voids, overrides = overrides + excluded.overrides, adjusts = adjusts + excluded.adjusts`,
		shopID, day, userID, c.Stamps, c.Redeems, c.Voids, c.Overrides, c.Adjusts)
	if err != nil {
		return fmt.Errorf("staff activity of user %d: %w", userID, err)
	}
	return nil
}

// RebuildRollups recomputes every rollup of the shop from its ledger, from
// nothing, in one transaction: the bulk load of a demo history and the
// tests, which check the incremental path against it. A live server owes
// the rebuild instead (oweRollups), and does it step by step.
func (s *Store) RebuildRollups(ctx context.Context, shopID int64, now time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		clock, err := loadShopClock(ctx, tx, shopID)
		if err != nil {
			return err
		}
		for _, t := range []string{"card_days", "shop_days", "shop_cohorts", "staff_days"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE shop_id = ?`, shopID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE card_stats SET visits = 0, first_day = 0, last_day = 0, prev_day = 0, median_gap = 0, stamps = 0,
			rewards = 0, redeems = 0, segment = '' WHERE shop_id = ?`, shopID); err != nil {
			return err
		}
		cards, err := collect(ctx, tx, func(r scanner) (int64, error) {
			var id int64
			return id, r.Scan(&id)
		}, `SELECT DISTINCT card_id FROM events WHERE shop_id = ? AND program_id IS NOT NULL`, shopID)
		if err != nil {
			return err
		}
		versions, err := shopVersions(ctx, tx, shopID)
		if err != nil {
			return err
		}
		insertDay, err := tx.PrepareContext(ctx, `INSERT INTO card_days (card_id, day, shop_id, hour, visited, gap, stamps, rewards, redeems)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer insertDay.Close()
		shop := shopDeltas{}
		cohorts := map[cohortKey]int{}
		today := loyalty.DayNumber(now.In(clock.loc))
		for _, cardID := range cards {
			ledgers, err := programLedgers(ctx, tx, shopID, cardID, versions)
			if err != nil {
				return err
			}
			days := loyalty.CardDays(ledgers, clock.loc)
			for _, d := range days {
				shop.add(d, 1)
				if _, err := insertDay.ExecContext(ctx, cardID, d.Day, shopID, d.Hour, d.Visited, nullInt(d.Gap), d.Stamps, d.Rewards, d.Redeems); err != nil {
					return err
				}
			}
			addCohorts(cohorts, days, 1)
			if err := saveCardStats(ctx, tx, cardID, loyalty.Summarize(days, today), clock.vip, today); err != nil {
				return err
			}
		}
		if err := shop.write(ctx, tx, shopID); err != nil {
			return err
		}
		for k, n := range cohorts {
			if err := addCohort(ctx, tx, shopID, k, n); err != nil {
				return err
			}
		}
		_, _, err = recountStaffDays(ctx, tx, shopID, clock.loc, minDay, math.MaxInt64)
		return err
	})
	if err != nil {
		return fmt.Errorf("rebuild rollups of shop %d: %w", shopID, err)
	}
	return s.RefreshSegments(ctx, shopID, now)
}

// The rebuild a live server owes (after the migration that added the
// rollups, after a change of a shop's time zone) runs in steps of one short
// transaction each, so that every shop's stamps go on between them: as one
// transaction, a big shop's held the one writer for seconds (issue 15). Each
// step records in rollups_owed how far it got, in its own transaction: a
// process stopped half-way leaves the rebuild owed, and the next start (or
// the server's worker) goes on from there.

// rebuildStep is how long one step holds the writer, at most about.
const rebuildStep = 50 * time.Millisecond

// rebuildCards is how many card ids a step reads at once.
const rebuildCards = 1000

// minDay is rollups_owed.staff_from before the first day of the ledger.
const minDay = math.MinInt32

// oweRollups records within tx that the shop's rollups are to be rebuilt
// from the ledger, from the start.
func oweRollups(ctx context.Context, tx *sql.Tx, shopID int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO rollups_owed (shop_id) VALUES (?)
		ON CONFLICT (shop_id) DO UPDATE SET after_card = 0, staff_from = NULL`, shopID)
	if err != nil {
		return fmt.Errorf("owe the rollups of shop %d: %w", shopID, err)
	}
	return nil
}

// payRollups does every owed rebuild of rollups to the end.
func (s *Store) payRollups(ctx context.Context, now time.Time) error {
	// A database migrated only part of the way (older migrations, in tests)
	// has no such table yet.
	if ok, err := hasTable(ctx, s.r, "rollups_owed"); err != nil || !ok {
		return err
	}
	shops, err := collect(ctx, s.r, func(r scanner) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	}, `SELECT shop_id FROM rollups_owed ORDER BY shop_id`)
	if err != nil {
		return fmt.Errorf("owed rollups: %w", err)
	}
	for _, id := range shops {
		if err := s.payShopRollups(ctx, id, now); err != nil {
			return err
		}
	}
	return nil
}

// payShopRollups does the owed rebuild of the shop's rollups to the end.
func (s *Store) payShopRollups(ctx context.Context, shopID int64, now time.Time) error {
	for {
		done, err := s.rollupsStep(ctx, shopID, now, rebuildStep)
		if err != nil {
			return fmt.Errorf("rebuild rollups of shop %d: %w", shopID, err)
		}
		if done {
			return nil
		}
	}
}

// rollupsStep does one step of the shop's owed rebuild, working for about
// budget (at least one card or one day), and reports whether the shop owes
// nothing more. Cards come first, each refreshed from its ledger as a stamp
// refreshes it: the shop's sums move by each card's difference, so they stay
// the sums of the cards' days after every step, and a stamp written between
// two steps is exact whether its card was refreshed yet or not. Then the
// staff's activity, a few days at a time; the last step reclassifies the
// cards with the day's threshold and deletes the debt.
func (s *Store) rollupsStep(ctx context.Context, shopID int64, now time.Time, budget time.Duration) (bool, error) {
	var done bool
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		start := time.Now()
		var after int64
		var staffFrom sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT after_card, staff_from FROM rollups_owed WHERE shop_id = ?`, shopID).Scan(&after, &staffFrom)
		if errors.Is(err, sql.ErrNoRows) {
			done = true
			return nil
		}
		if err != nil {
			return err
		}
		clock, err := loadShopClock(ctx, tx, shopID)
		if err != nil {
			return err
		}
		if !staffFrom.Valid {
			return refreshCardsStep(ctx, tx, shopID, after, clock, now, start.Add(budget))
		}
		next, end, err := recountStaffDays(ctx, tx, shopID, clock.loc, int(staffFrom.Int64), budget-time.Since(start))
		if err != nil {
			return err
		}
		if !end {
			_, err := tx.ExecContext(ctx, `UPDATE rollups_owed SET staff_from = ? WHERE shop_id = ?`, next, shopID)
			return err
		}
		if err := refreshSegments(ctx, tx, shopID, now); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM rollups_owed WHERE shop_id = ?`, shopID)
		done = err == nil
		return err
	})
	return done, err
}

// refreshCardsStep refreshes the shop's cards after the card id after, in
// id order, until the deadline has passed, and records the last one done;
// after the last card of the shop, the staff's days are next.
func refreshCardsStep(ctx context.Context, tx *sql.Tx, shopID, after int64, clock shopClock, now, deadline time.Time) error {
	versions, err := shopVersions(ctx, tx, shopID)
	if err != nil {
		return err
	}
	cards, err := collect(ctx, tx, func(r scanner) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	}, `SELECT id FROM cards WHERE shop_id = ? AND id > ? ORDER BY id LIMIT ?`, shopID, after, rebuildCards)
	if err != nil {
		return err
	}
	last := len(cards) < rebuildCards // this batch ends with the shop's last card
	for i, id := range cards {
		if err := refreshCardWith(ctx, tx, shopID, id, clock, versions, now); err != nil {
			return err
		}
		after = id
		if i < len(cards)-1 && time.Now().After(deadline) {
			last = false
			break
		}
	}
	var staffFrom any // NULL: cards still to refresh
	if last {
		staffFrom = minDay
	}
	_, err = tx.ExecContext(ctx, `UPDATE rollups_owed SET after_card = ?, staff_from = ? WHERE shop_id = ?`, after, staffFrom, shopID)
	return err
}

// recountStaffDays recounts the shop's staff_days from the ledger, from the
// local day from on, until budget has passed and a day ends: it returns the
// first day it left, or that it reached the end of the ledger.
func recountStaffDays(ctx context.Context, tx *sql.Tx, shopID int64, loc *time.Location, from int, budget time.Duration) (int, bool, error) {
	start := time.Now()
	since := int64(math.MinInt64)
	if from != minDay {
		since = unix(loyalty.DayStart(from, loc))
	}
	type key struct {
		day  int
		user int64
	}
	sums := map[key]*loyalty.StaffCounts{}
	rows, err := tx.QueryContext(ctx, `SELECT user_id, kind, override, created_at FROM events
		WHERE shop_id = ? AND created_at >= ? AND user_id IS NOT NULL ORDER BY created_at`, shopID, since)
	if err != nil {
		return 0, false, err
	}
	next, end, last := 0, true, minDay
	for rows.Next() {
		var user, at int64
		var kind loyalty.Kind
		var override bool
		if err := rows.Scan(&user, &kind, &override, &at); err != nil {
			rows.Close()
			return 0, false, err
		}
		day := loyalty.DayNumber(fromUnix(at).In(loc))
		if day != last && last != minDay && time.Since(start) >= budget {
			next, end = day, false
			break
		}
		last = day
		var c loyalty.StaffCounts
		if !countStaffEvent(&c, kind, override) {
			continue // as staffEvent: a kind no figure counts makes no row
		}
		k := key{day, user}
		if sums[k] == nil {
			sums[k] = &loyalty.StaffCounts{}
		}
		countStaffEvent(sums[k], kind, override)
	}
	// The rows are read to the end (or closed) before anything is written:
	// SQLite leaves undefined what a scan sees of rows changed under it.
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, false, err
	}
	until := math.MaxInt32
	if !end {
		until = next
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM staff_days WHERE shop_id = ? AND day >= ? AND day < ?`, shopID, from, until); err != nil {
		return 0, false, err
	}
	for k, c := range sums {
		if err := addStaffDay(ctx, tx, shopID, k.day, k.user, *c); err != nil {
			return 0, false, err
		}
	}
	return next, end, nil
}

// EnsureSegments reclassifies the shop's cards if it was last done before the
// shop's today: segments move with the calendar even when nobody visits.
func (s *Store) EnsureSegments(ctx context.Context, shopID int64, now time.Time) error {
	stale, err := segmentsStale(ctx, s.r, shopID, now)
	if err != nil || !stale {
		return err
	}
	return s.RefreshSegments(ctx, shopID, now)
}

// segmentsStale reports whether the shop's cards were last classified before
// the shop's today.
func segmentsStale(ctx context.Context, q querier, shopID int64, now time.Time) (bool, error) {
	var zone string
	var done int
	if err := q.QueryRowContext(ctx, `SELECT timezone, segments_day FROM shops WHERE id = ?`, shopID).Scan(&zone, &done); err != nil {
		return false, fmt.Errorf("segments of shop %d: %w", shopID, notFound(err))
	}
	loc, err := Location(zone)
	if err != nil {
		return false, fmt.Errorf("segments of shop %d: %w", shopID, err)
	}
	return done < loyalty.DayNumber(now.In(loc)), nil
}

// EnsureAllSegments runs EnsureSegments for every shop.
func (s *Store) EnsureAllSegments(ctx context.Context, now time.Time) error {
	shops, err := shopIDs(ctx, s.r)
	if err != nil {
		return fmt.Errorf("shops: %w", err)
	}
	for _, id := range shops {
		if err := s.EnsureSegments(ctx, id, now); err != nil {
			return err
		}
	}
	return nil
}

// RefreshSegments reclassifies every card of the shop as of now, with the VIP
// threshold of the day, and remembers the day it did. It runs in one write
// transaction, so no stamp slips between reading a card and reclassifying it.
func (s *Store) RefreshSegments(ctx context.Context, shopID int64, now time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error { return refreshSegments(ctx, tx, shopID, now) })
	if err != nil {
		return fmt.Errorf("segments of shop %d: %w", shopID, err)
	}
	return nil
}

// refreshSegments is RefreshSegments in the caller's transaction.
func refreshSegments(ctx context.Context, tx *sql.Tx, shopID int64, now time.Time) error {
	clock, err := loadShopClock(ctx, tx, shopID)
	if err != nil {
		return err
	}
	today := loyalty.DayNumber(now.In(clock.loc))
	type card struct {
		id         int64
		sum        loyalty.Summary
		segment    loyalty.Segment
		prevPeriod int // visits in the 30 days before the last 30
	}
	cards, err := collect(ctx, tx, func(r scanner) (card, error) {
		var c card
		err := r.Scan(&c.id, &c.sum.Visits, &c.sum.FirstDay, &c.sum.LastDay, &c.sum.MedianGap, &c.segment, &c.sum.Visits90, &c.sum.Visits365, &c.prevPeriod)
		return c, err
	}, `SELECT s.card_id, s.visits, s.first_day, s.last_day, s.median_gap, s.segment,
				coalesce(sum(d.day > ?2 - 90), 0), count(d.day), coalesce(sum(d.day BETWEEN ?2 - 59 AND ?2 - 30), 0)
			FROM card_stats s LEFT JOIN card_days d ON d.card_id = s.card_id AND d.day > ?2 - 365 AND d.day <= ?2 AND d.visited = 1
			WHERE s.shop_id = ?1 AND s.visits > 0 GROUP BY s.card_id`, shopID, today)
	if err != nil {
		return err
	}
	counts := make([]int, len(cards))
	var prevActive, prevRepeat int
	for i, c := range cards {
		counts[i] = c.sum.Visits365
		if c.prevPeriod > 0 {
			prevActive++
		}
		if c.prevPeriod > 1 {
			prevRepeat++
		}
	}
	vip := loyalty.VIPThreshold(counts)
	for _, c := range cards {
		if seg := c.sum.Segment(today, vip); seg != c.segment {
			if _, err := tx.ExecContext(ctx, `UPDATE card_stats SET segment = ? WHERE card_id = ?`, seg, c.id); err != nil {
				return err
			}
		}
	}
	// Kept for the cards stamped later today; with no visits at all it is MaxInt,
	// which a column cannot hold, and any count below 2^31 means "nobody" as well.
	_, err = tx.ExecContext(ctx, `UPDATE shops SET segments_day = ?, vip_threshold = ?, prev_active = ?, prev_repeat = ? WHERE id = ?`,
		today, min(vip, 1<<31-1), prevActive, prevRepeat, shopID)
	return err
}

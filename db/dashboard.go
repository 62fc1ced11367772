package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"regulars/loyalty"
)

// PeriodDays is the length of the dashboard's period; each figure is compared
// with the same length of time just before it.
const PeriodDays = 30

// ChartDays is how far back the daily charts go.
const ChartDays = 90

// Period holds one period's sums.
type Period struct {
	Active int // customers with a visit
	Repeat int // customers with 2+ visits
	Visits int
	// NewCustomers are the first visits ever of customers not imported (see
	// loyalty's one definition of a new customer).
	NewCustomers int
	GapSum       int // days between a visit and the one before it, summed
	Gaps         int
	Stamps       int
	Rewards      int // earned
	Redeems      int
	RatingSum    int
	Ratings      int
}

// DayActivity is one day of the shop's visits.
type DayActivity struct {
	Day          int // loyalty.DayNumber
	Visits       int
	NewCustomers int // of the visits, new customers' first ones
}

// Dashboard is everything the owner's dashboard shows, read from the rollups.
type Dashboard struct {
	Today int // loyalty.DayNumber in the shop's zone
	// ShopFirstDay is the day the shop was created: no chart goes further back.
	ShopFirstDay int
	// Customers are the cards that have visited, and the imported ones (the
	// shop's customers before it used Regulars); CustomersBefore leaves out the
	// period's new customers, so that an import is no growth.
	Customers, CustomersBefore int
	Current, Previous          Period
	// Gifts are the current period's bonus stamps, coupons and prizes.
	Gifts loyalty.Gifts
	// Credit is the store credit the customers hold: what the shop owes them.
	Credit Liability
	// PointsOwed are the points the customers hold, per points program.
	PointsOwed []PointsOwed
	// GiftsOut is the catalogue's gifts handed over or delivered in the
	// current period, GiftsCost what they cost the shop (catalogue.go).
	GiftsOut, GiftsCost int
	// StampsToday and RedeemsToday are today's, from the same rollups.
	StampsToday, RedeemsToday int
	Daily                     []DayActivity // ChartDays days, oldest first, days without visits included
	Hours                     [7][24]int    // visits by weekday (time.Weekday) and hour, over ChartDays
	Cohorts                   []loyalty.Cohort
	Segments                  map[loyalty.Segment]int
	Staff                     []StaffActivity
	AverageTicket, RewardCost int
	// Visited counts the cards with a visit ever: none, and the figures are
	// all zeros still to come.
	Visited int
	// Setup is the getting-started list's state; its Stamped is Visited > 0
	// (a visit is a stamp from the counter) and its Program is not read.
	Setup Setup
	// Holdouts answer "did the messages bring people back?", per
	// automation that chose anyone in the last year.
	Holdouts []AutomationHoldout
	// Clubs are the clubs' members and how many came in the period, the
	// customers in no club last (dashboard_clubs.go); none without clubs.
	Clubs []ClubReturn
}

// StaffActivity is one person's counter work in the period.
type StaffActivity struct {
	UserID int64
	Name   string
	loyalty.StaffCounts
}

// Cohorts and months of retention the dashboard shows.
const (
	cohortMonths    = 12
	retentionMonths = 3
)

// Dashboard reads the shop's figures as of now. Every query reads a rollup or
// an index range, so the cost does not grow with the ledger.
func (s *Store) Dashboard(ctx context.Context, shopID int64, now time.Time) (Dashboard, error) {
	var d Dashboard
	if err := s.EnsureSegments(ctx, shopID, now); err != nil {
		return d, err
	}
	clock, err := loadShopClock(ctx, s.r, shopID)
	if err != nil {
		return d, err
	}
	d.Today = loyalty.DayNumber(now.In(clock.loc))
	start := d.Today - PeriodDays + 1 // first day of the current period
	periodStart := loyalty.DayStart(start, clock.loc)
	err = s.readTx(ctx, func(tx *sql.Tx) error {
		var importedUnvisited int
		var created int64
		if err := readSetupSteps(ctx, tx, shopID, &d.Setup); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT
				(SELECT count(*) FROM card_stats WHERE shop_id = ?1 AND visits > 0),
				(SELECT count(*) FROM cards c JOIN card_stats s ON s.card_id = c.id
					WHERE c.shop_id = ?1 AND `+importedCard+` AND s.visits = 0),
				(SELECT count(*) FROM card_stats WHERE shop_id = ?1 AND last_day >= ?2),
				(SELECT count(*) FROM card_stats WHERE shop_id = ?1 AND prev_day >= ?2),
				prev_active, prev_repeat, average_ticket, reward_cost, created_at
			FROM shops WHERE id = ?1`, shopID, start).
			Scan(&d.Visited, &importedUnvisited, &d.Current.Active, &d.Current.Repeat, &d.Previous.Active, &d.Previous.Repeat,
				&d.AverageTicket, &d.RewardCost, &created); err != nil {
			return fmt.Errorf("customers: %w", err)
		}
		d.Customers = d.Visited + importedUnvisited
		d.Setup.Stamped = d.Visited > 0
		d.ShopFirstDay = loyalty.DayNumber(fromUnix(created).In(clock.loc))
		if err := readShopDays(ctx, tx, shopID, &d); err != nil {
			return err
		}
		if err := readRatings(ctx, tx, shopID, periodStart, &d); err != nil {
			return err
		}
		if d.Cohorts, err = readCohorts(ctx, tx, shopID, loyalty.MonthNumber(d.Today)); err != nil {
			return err
		}
		if err := leaveOutImported(ctx, tx, shopID, &d); err != nil {
			return err
		}
		d.CustomersBefore = d.Customers - d.Current.NewCustomers
		if d.Gifts, err = readGifts(ctx, tx, shopID, periodStart); err != nil {
			return err
		}
		if d.GiftsOut, d.GiftsCost, err = giftsHandedOut(ctx, tx, shopID, periodStart); err != nil {
			return err
		}
		if d.Credit, err = creditLiability(ctx, tx, shopID); err != nil {
			return err
		}
		if d.PointsOwed, err = pointsLiability(ctx, tx, shopID, now); err != nil {
			return err
		}
		if d.Segments, err = segmentCounts(ctx, tx, shopID); err != nil {
			return err
		}
		if d.Holdouts, err = s.readHoldouts(ctx, tx, shopID, now); err != nil {
			return err
		}
		if d.Clubs, err = readClubReturns(ctx, tx, shopID, start); err != nil {
			return err
		}
		d.Staff, err = readStaff(ctx, tx, shopID, start)
		return err
	})
	if err != nil {
		return d, fmt.Errorf("dashboard of shop %d: %w", shopID, err)
	}
	return d, nil
}

// readShopDays fills the periods' visit sums, today's figures and the charts
// from the shop_days of the last ChartDays (which cover both periods).
func readShopDays(ctx context.Context, tx *sql.Tx, shopID int64, d *Dashboard) error {
	first := d.Today - ChartDays + 1
	d.Daily = make([]DayActivity, ChartDays)
	for i := range d.Daily {
		d.Daily[i].Day = first + i
	}
	rows, err := tx.QueryContext(ctx, `SELECT day, hour, visits, first_visits, gap_sum, gaps, stamps, rewards, redeems
		FROM shop_days WHERE shop_id = ? AND day BETWEEN ? AND ?`, shopID, first, d.Today)
	if err != nil {
		return fmt.Errorf("shop days: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var day, hour int
		var s shopSums
		if err := rows.Scan(&day, &hour, &s.visits, &s.firstVisits, &s.gapSum, &s.gaps, &s.stamps, &s.rewards, &s.redeems); err != nil {
			return fmt.Errorf("shop days: %w", err)
		}
		a := &d.Daily[day-first]
		a.Visits += s.visits
		a.NewCustomers += s.firstVisits
		d.Hours[loyalty.DayStart(day, time.UTC).Weekday()][hour] += s.visits
		var p *Period
		switch {
		case day > d.Today-PeriodDays:
			p = &d.Current
		case day > d.Today-2*PeriodDays:
			p = &d.Previous
		}
		if p != nil {
			p.Visits += s.visits
			p.NewCustomers += s.firstVisits
			p.GapSum += s.gapSum
			p.Gaps += s.gaps
			p.Stamps += s.stamps
			p.Rewards += s.rewards
			p.Redeems += s.redeems
		}
		if day == d.Today {
			d.StampsToday += s.stamps
			d.RedeemsToday += s.redeems
		}
	}
	return rows.Err()
}

// importedCard is true of a card made by an import of customers: its
// idempotency key has importKey's prefix, and the shop's unique index on the
// keys finds them all in one range.
const importedCard = `c.idempotency_key >= 'import:' AND c.idempotency_key < 'import;'`

// leaveOutImported takes the visits of imported customers out of what the
// rollups count as new customers (first visits, and the cohorts of
// retention): the rollups count every card's first visit, and an imported
// customer's first stamp is a returning visit. It reads the imported cards
// whose first visit falls in the cohorts shown, and their visits up to four
// months on, the most retention looks at.
func leaveOutImported(ctx context.Context, tx *sql.Tx, shopID int64, d *Dashboard) error {
	since := d.Today
	if len(d.Cohorts) > 0 {
		since = monthFirstDay(d.Cohorts[0].Month)
	}
	rows, err := tx.QueryContext(ctx, `SELECT c.id, d.day FROM cards c JOIN card_stats s ON s.card_id = c.id
			JOIN card_days d ON d.card_id = c.id AND d.visited = 1 AND d.day < s.first_day + 4*31
		WHERE c.shop_id = ? AND `+importedCard+` AND s.first_day >= ? ORDER BY c.idempotency_key, d.day`, shopID, since)
	if err != nil {
		return fmt.Errorf("imported customers: %w", err)
	}
	defer rows.Close()
	cohorts := map[cohortKey]int{}
	var card int64
	var days []loyalty.Day
	firstVisit := func() {
		if len(days) == 0 {
			return
		}
		addCohorts(cohorts, days, -1)
		first := days[0].Day
		if i := first - d.Daily[0].Day; i >= 0 && i < len(d.Daily) {
			d.Daily[i].NewCustomers--
		}
		switch {
		case first > d.Today-PeriodDays:
			d.Current.NewCustomers--
		case first > d.Today-2*PeriodDays:
			d.Previous.NewCustomers--
		}
	}
	for rows.Next() {
		var id int64
		var day loyalty.Day
		if err := rows.Scan(&id, &day.Day); err != nil {
			return fmt.Errorf("imported customers: %w", err)
		}
		if id != card {
			firstVisit()
			card, days = id, days[:0]
		}
		day.Visited = true
		days = append(days, day)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("imported customers: %w", err)
	}
	firstVisit()
	for k, n := range cohorts {
		if i := k.cohort - d.Cohorts[0].Month; i >= 0 && i < len(d.Cohorts) && k.offset <= retentionMonths {
			c := &d.Cohorts[i]
			if k.offset == 0 {
				c.Size += n
			} else {
				c.Returned[k.offset-1] += n
			}
		}
	}
	return nil
}

// monthFirstDay is the DayNumber of the first day of a loyalty.MonthNumber.
func monthFirstDay(month int) int {
	return loyalty.DayNumber(time.Date(month/12, time.Month(month%12+1), 1, 0, 0, 0, 0, time.UTC))
}

// readGifts sums what the shop gave away since periodStart besides
// punch-card rewards: bonus stamps, coupons by kind of value, raffle prizes.
// The kinds are written as the partial index events_gifts has them, word
// for word, so that the index reads them alone.
func readGifts(ctx context.Context, tx *sql.Tx, shopID int64, periodStart time.Time) (loyalty.Gifts, error) {
	var g loyalty.Gifts
	err := tx.QueryRowContext(ctx, giftsQuery, shopID, unix(periodStart)).
		Scan(&g.BonusStamps, &g.Coupons, &g.AmountOff, &g.PercentOff, &g.FreeItems, &g.Prizes)
	if err != nil {
		return g, fmt.Errorf("gifts: %w", err)
	}
	return g, nil
}

const giftsQuery = `SELECT coalesce(sum(e.stamps) FILTER (WHERE e.kind = 'bonus'), 0),
		count(*) FILTER (WHERE e.kind = 'coupon'),
		coalesce(sum(k.value_number) FILTER (WHERE e.kind = 'coupon' AND k.value_kind = 'amount'), 0),
		coalesce(sum(k.value_number) FILTER (WHERE e.kind = 'coupon' AND k.value_kind = 'percent'), 0),
		count(*) FILTER (WHERE e.kind = 'coupon' AND k.value_kind IN ('item', 'text')),
		count(*) FILTER (WHERE e.kind = 'prize')
	FROM events e LEFT JOIN campaigns k ON k.id = e.campaign_id
	WHERE e.shop_id = ? AND e.created_at >= ? AND (e.kind = 'bonus' OR e.kind = 'coupon' OR e.kind = 'prize')
		AND NOT EXISTS (SELECT 1 FROM events v WHERE v.void_of = e.id)`

func readRatings(ctx context.Context, tx *sql.Tx, shopID int64, periodStart time.Time, d *Dashboard) error {
	before := periodStart.AddDate(0, 0, -PeriodDays)
	err := tx.QueryRowContext(ctx, `SELECT coalesce(sum(rating) FILTER (WHERE created_at >= ?2), 0), count(*) FILTER (WHERE created_at >= ?2),
			coalesce(sum(rating) FILTER (WHERE created_at < ?2), 0), count(*) FILTER (WHERE created_at < ?2)
		FROM feedback WHERE shop_id = ?1 AND created_at >= ?3`, shopID, unix(periodStart), unix(before)).
		Scan(&d.Current.RatingSum, &d.Current.Ratings, &d.Previous.RatingSum, &d.Previous.Ratings)
	if err != nil {
		return fmt.Errorf("ratings: %w", err)
	}
	return nil
}

// readCohorts reads the last cohortMonths cohorts, oldest first.
func readCohorts(ctx context.Context, tx *sql.Tx, shopID int64, thisMonth int) ([]loyalty.Cohort, error) {
	first := thisMonth - cohortMonths + 1
	cohorts := make([]loyalty.Cohort, cohortMonths)
	for i := range cohorts {
		cohorts[i] = loyalty.Cohort{Month: first + i, Returned: make([]int, retentionMonths)}
	}
	rows, err := tx.QueryContext(ctx, `SELECT cohort, offset, customers FROM shop_cohorts
		WHERE shop_id = ? AND cohort >= ? AND offset <= ?`, shopID, first, retentionMonths)
	if err != nil {
		return nil, fmt.Errorf("cohorts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var month, offset, n int
		if err := rows.Scan(&month, &offset, &n); err != nil {
			return nil, fmt.Errorf("cohorts: %w", err)
		}
		if month > thisMonth {
			continue
		}
		c := &cohorts[month-first]
		if offset == 0 {
			c.Size = n
		} else {
			c.Returned[offset-1] = n
		}
	}
	return cohorts, rows.Err()
}

func segmentCounts(ctx context.Context, q querier, shopID int64) (map[loyalty.Segment]int, error) {
	counts := map[loyalty.Segment]int{}
	rows, err := q.QueryContext(ctx, `SELECT segment, count(*) FROM card_stats WHERE shop_id = ? GROUP BY segment`, shopID)
	if err != nil {
		return nil, fmt.Errorf("segment counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var seg loyalty.Segment
		var n int
		if err := rows.Scan(&seg, &n); err != nil {
			return nil, fmt.Errorf("segment counts: %w", err)
		}
		counts[seg] = n
	}
	return counts, rows.Err()
}

func readStaff(ctx context.Context, tx *sql.Tx, shopID int64, since int) ([]StaffActivity, error) {
	list, err := collect(ctx, tx, func(r scanner) (StaffActivity, error) {
		var a StaffActivity
		err := r.Scan(&a.UserID, &a.Name, &a.Stamps, &a.Redeems, &a.Voids, &a.Overrides, &a.Adjusts)
		return a, err
	}, `SELECT u.id, u.name, sum(d.stamps), sum(d.redeems), sum(d.voids), sum(d.overrides), sum(d.adjusts)
		FROM staff_days d JOIN users u ON u.id = d.user_id
		WHERE d.shop_id = ? AND d.day >= ? GROUP BY u.id ORDER BY sum(d.stamps + d.redeems) DESC, u.name`, shopID, since)
	if err != nil {
		return nil, fmt.Errorf("staff activity: %w", err)
	}
	return list, nil
}

// SetEconomics saves the owner's average ticket and reward cost (minor units).
func (s *Store) SetEconomics(ctx context.Context, shopID, userID int64, averageTicket, rewardCost int, now time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE shops SET average_ticket = ?, reward_cost = ? WHERE id = ?`, averageTicket, rewardCost, shopID); err != nil {
			return err
		}
		return recordAudit(ctx, tx, shopID, userID, AuditEconomics, "", now)
	})
	if err != nil {
		return fmt.Errorf("economics of shop %d: %w", shopID, err)
	}
	return nil
}

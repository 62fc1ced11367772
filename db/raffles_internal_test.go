package db

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"regulars/loyalty"
)

// TestCardTicketsReadTheCardsEvents: a card page counts its own raffle
// tickets through the card's index, never by walking every stamp of the
// raffle's window in the shop (issue 15: a fresh card's page grew tenfold
// with the shop).
func TestCardTicketsReadTheCardsEvents(t *testing.T) {
	t.Parallel()
	s := planStore(t)
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for _, rule := range []string{loyalty.EntryPerStamp, loyalty.EntryPerVisit} {
		r := Raffle{ID: 1, ShopID: 1, EntryRule: rule, OpensAt: now, ClosesAt: now.Add(time.Hour)}
		query, args := entriesQuery(r, 7)
		all := strings.Join(queryPlan(t, s, query, args), "\n")
		if !strings.Contains(all, "events_card_time (card_id=? AND created_at>? AND created_at<?)") {
			t.Errorf("%s: one card's tickets are not read through the card's events of the window:\n%s", rule, all)
		}
	}
}

// TestCardLedgerReadsTheNewestOnly: a card page reads its newest events
// straight off the card's index, without sorting the card's whole history
// (issue 13: the page must cost the same on a card's first day and its
// thousandth).
func TestCardLedgerReadsTheNewestOnly(t *testing.T) {
	t.Parallel()
	s := planStore(t)
	all := strings.Join(queryPlan(t, s, cardEntriesQuery, []any{7, 1, RecentEntries}), "\n")
	if !strings.Contains(all, "events_card_time (card_id=?)") || strings.Contains(all, "TEMP B-TREE") {
		t.Errorf("a card's newest events are not read off its index:\n%s", all)
	}
}

// TestCardRafflesReadsIndexRanges: what a card page reads of the shop's
// raffles are ranges of indexes, never a walk of every raffle the shop held.
func TestCardRafflesReadsIndexRanges(t *testing.T) {
	t.Parallel()
	s := planStore(t)
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	plan := queryPlan(t, s, cardRafflesQuery, cardRafflesArgs(1, 7, now))
	all := strings.Join(plan, "\n")
	for _, want := range []string{
		"raffles_shop_shown (shop_id=? AND <expr>>?)",
		"raffles_shop_shown (shop_id=? AND <expr>>? AND <expr><?)",
		"raffle_winners_card (card_id=?)",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("the card's raffles do not read %s:\n%s", want, all)
		}
	}
	for _, step := range plan {
		// A subquery's rows are the few its LIMIT let through.
		if strings.HasPrefix(step, "SCAN") && !strings.HasPrefix(step, "SCAN (subquery") {
			t.Errorf("full scan in plan:\n%s", all)
		}
	}
}

// TestCardPageReadsBoundedRaffles: a shop that held 3,000 raffles costs a
// card page the raffles that concern the card now (issue 15: 1.2 s a page):
// those taking entries or to come, the newest few closed or drawn, and the
// ones the card won, whatever was closed or drawn in between.
func TestCardPageReadsBoundedRaffles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := planStore(t)
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	shopID, _, err := s.CreateShop(ctx, NewShop{Name: "Kafe", OwnerName: "O", Email: "o@example.com", Language: "en", TimeZone: "UTC",
		ProgramName: "Card", RewardText: "a coffee"}, now.AddDate(-1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	card, err := s.EnrollCard(ctx, shopID, NewCard{FirstName: "Ada"}, now.AddDate(-1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	var values []string
	add := func(n int, opens, closes time.Time, drawn string) {
		for range n {
			values = append(values, fmt.Sprintf("(%d, 'r', 'p', 1, %d, %d, 'optin', x'00', 'c', 0, %s)", shopID, unix(opens), unix(closes), drawn))
		}
	}
	day := 24 * time.Hour
	add(2000, now.Add(-300*day), now.Add(-299*day), fmt.Sprint(unix(now.Add(-298*day)))) // drawn long ago
	add(900, now.Add(-100*day), now.Add(-99*day), "NULL")                                // never drawn
	add(1, now.Add(-21*day), now.Add(-20*day), fmt.Sprint(unix(now.Add(-20*day))))       // the card's win
	add(40, now.Add(-9*day), now.Add(-8*day), "NULL")                                    // waiting for their draw
	add(40, now.Add(-9*day), now.Add(-8*day), fmt.Sprint(unix(now.Add(-day))))           // drawn yesterday
	add(MaxLiveRaffles, now.Add(day), now.Add(2*day), "NULL")                            // to come
	if _, err := s.w.ExecContext(ctx, `INSERT INTO raffles (shop_id, title, prize, winners, opens_at, closes_at, entry_rule, seed, commitment, created_at, drawn_at)
		VALUES `+strings.Join(values, ", ")); err != nil {
		t.Fatal(err)
	}
	var won int64
	if err := s.w.QueryRowContext(ctx, `SELECT id FROM raffles WHERE drawn_at = ?`, unix(now.Add(-20*day))).Scan(&won); err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.ExecContext(ctx, `INSERT INTO raffle_winners (raffle_id, place, card_id) VALUES (?, 1, ?)`, won, card.ID); err != nil {
		t.Fatal(err)
	}
	crs, err := cardRaffles(ctx, s.r, shopID, card.ID, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	var live, recent, wins int
	for _, cr := range crs {
		switch {
		case cr.Won:
			wins++
		case cr.OpensAt.After(now):
			live++
		case now.Sub(cr.ClosesAt) < 30*day:
			recent++
		default:
			t.Errorf("raffle %d, closed %v and drawn %v, is on the card page", cr.ID, cr.ClosesAt, cr.DrawnAt)
		}
	}
	if live != MaxLiveRaffles || recent != recentRaffles || wins != 1 {
		t.Errorf("the card page read %d raffles: %d to come, %d recent, %d won; want %d, %d, 1",
			len(crs), live, recent, wins, MaxLiveRaffles, recentRaffles)
	}
	// The shop is at its cap: one more raffle to come is refused.
	r := Raffle{ShopID: shopID, Title: "One more", Prize: "p", Winners: 1, EntryRule: loyalty.EntryOptIn, OpensAt: now.Add(day), ClosesAt: now.Add(2 * day)}
	if _, err := s.CreateRaffle(ctx, r, 1, now); !errors.Is(err, ErrTooManyRaffles) {
		t.Errorf("raffle %d to come: %v, want ErrTooManyRaffles", MaxLiveRaffles+1, err)
	}
}

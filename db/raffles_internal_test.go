package db

import (
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

package db

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"regulars/loyalty"
	"regulars/migrations"
)

// TestCardTicketsReadTheCardsEvents: a card page counts its own raffle
// tickets through the card's index, never by walking every stamp of the
// raffle's window in the shop (issue 15: a fresh card's page grew tenfold
// with the shop).
func TestCardTicketsReadTheCardsEvents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "plan.db"), migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for _, rule := range []string{loyalty.EntryPerStamp, loyalty.EntryPerVisit} {
		r := Raffle{ID: 1, ShopID: 1, EntryRule: rule, OpensAt: now, ClosesAt: now.Add(time.Hour)}
		query, args := entriesQuery(r, 7)
		all := strings.Join(queryPlan(t, s, query, args), "\n")
		if !strings.Contains(all, "events_card") || strings.Contains(all, "events_shop_time") {
			t.Errorf("%s: one card's tickets are not read through the card's events:\n%s", rule, all)
		}
	}
}

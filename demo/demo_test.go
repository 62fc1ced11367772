package demo_test

import (
	"context"
	"testing"
	"time"

	"regulars/db/dbtest"
	"regulars/demo"
)

// TestSeedLarge: the bulk history has the size asked for, within a margin,
// and its rollups add up to its customers. A small shop is enough: its
// history (a fixed seed, a fixed now) still has visits and redemptions in the
// dashboard's current period, and all of it is one batch of LoadHistory, as
// the 300 customers and 12,000 events this test once asked for were.
func TestSeedLarge(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, _ := dbtest.Open(t)
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	const customers, events = 60, 3000
	l, err := demo.SeedLarge(ctx, store, customers, events, now)
	if err != nil {
		t.Fatal(err)
	}
	if l.Visits < events*2/3 || l.Visits > events*13/12 {
		t.Errorf("%d visits for about %d events", l.Visits, events)
	}
	d, err := store.Dashboard(ctx, l.ShopID, now)
	if err != nil {
		t.Fatal(err)
	}
	sum := 0
	for _, n := range d.Segments {
		sum += n
	}
	if d.Customers != customers || sum != customers || d.Current.Visits == 0 || d.Current.Redeems == 0 {
		t.Errorf("%d customers, %d in segments, current period %+v", d.Customers, sum, d.Current)
	}
}

package demo_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"regulars/db"
	"regulars/demo"
	"regulars/migrations"
)

// TestSeedLarge: the bulk history has the size asked for, within a margin,
// and its rollups add up to its customers.
func TestSeedLarge(t *testing.T) {
	ctx := context.Background()
	store, err := db.Open(ctx, filepath.Join(t.TempDir(), "big.db"), migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	l, err := demo.SeedLarge(ctx, store, 300, 12000, now)
	if err != nil {
		t.Fatal(err)
	}
	if l.Visits < 8000 || l.Visits > 13000 {
		t.Errorf("%d visits for about 12,000 events", l.Visits)
	}
	d, err := store.Dashboard(ctx, l.ShopID, now)
	if err != nil {
		t.Fatal(err)
	}
	sum := 0
	for _, n := range d.Segments {
		sum += n
	}
	if d.Customers != 300 || sum != 300 || d.Current.Visits == 0 || d.Current.Redeems == 0 {
		t.Errorf("%d customers, %d in segments, current period %+v", d.Customers, sum, d.Current)
	}
}

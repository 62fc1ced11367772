package demo_test

import (
	"context"
	"testing"
	"time"

	"regulars/db/dbtest"
	"regulars/demo"
	"regulars/loyalty"
)

// TestSeedWinBack: the demo café's "we miss you" chose customers over the
// last weeks, held some out, and the dashboard has a verdict to show: the
// messaged came back more often than the held out.
func TestSeedWinBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, _ := dbtest.Open(t)
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	l, err := demo.Seed(ctx, store, 300, now)
	if err != nil {
		t.Fatal(err)
	}
	d, err := store.Dashboard(ctx, l.ShopID, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Holdouts) != 1 || d.Holdouts[0].Kind != "we_miss_you" {
		t.Fatalf("hold-outs %+v, want the win-back's", d.Holdouts)
	}
	h := d.Holdouts[0]
	r := h.Result()
	t.Logf("%+v: %+v", h, r)
	if r.Verdict == loyalty.VerdictTooEarly || r.Messaged <= r.HeldOut || h.Pending == 0 {
		t.Errorf("the win-back's figures %+v say %+v", h, r)
	}
}

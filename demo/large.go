package demo

import (
	"context"
	"math"
	mrand "math/rand/v2"
	"time"

	"regulars/db"
	"regulars/loyalty"
)

// SeedLarge creates a big café for measuring: customers cards and about events
// ledger entries (stamps, and the redemption of every tenth stamp's reward)
// over the two years ending at now, written in bulk rather than visit by visit.
func SeedLarge(ctx context.Context, store *db.Store, customers, events int, now time.Time) (Logins, error) {
	start := now.AddDate(-2, 0, 0)
	l, _, cashierID, err := openCafe(ctx, store, "Big Café", "big", start)
	if err != nil {
		return l, err
	}
	shopID := l.ShopID
	ps, err := store.Programs(ctx, shopID, false)
	if err != nil {
		return l, err
	}
	program := ps[0]
	rng := mrand.New(mrand.NewPCG(2026, 7))
	// Each visit is a stamp, and every tenth stamp's reward is redeemed at the
	// next visit; visits cut short by customers who stopped coming make the
	// ratio of events to planned visits about 1.06.
	meanVisits := float64(events) / 1.06 / float64(customers)
	const days = 730
	next := func(int) db.HistoryCard {
		visits := max(1, min(days-1, int(math.Round(rng.ExpFloat64()*meanVisits))))
		every := max(1, min(days*4/5/visits, 60))
		span := visits * every
		first := days - span - rng.IntN(max(1, days-span))
		stopped := 0
		if rng.IntN(6) == 0 {
			stopped = rng.IntN(120) // this one stopped coming
		}
		h := db.HistoryCard{FirstName: names[rng.IntN(len(names))], Phone: "+90555" + randomDigits(rng, 7)}
		day := func(n int) time.Time {
			return start.AddDate(0, 0, n).Truncate(24 * time.Hour).Add(time.Duration(4+rng.IntN(12))*time.Hour + time.Duration(rng.IntN(60))*time.Minute)
		}
		h.CreatedAt = day(first)
		stamps, seq := 0, 0
		for v := range visits {
			d := first + v*every + rng.IntN(max(1, every/2))
			if d >= days-stopped {
				break
			}
			at := day(d)
			if stamps > 0 && stamps%10 == 0 && seq < stamps/10 {
				seq++
				h.Events = append(h.Events, db.HistoryEvent{ProgramID: program.ID, Kind: loyalty.KindRedeem, RewardSeq: seq, At: at})
			}
			stamps++
			h.Events = append(h.Events, db.HistoryEvent{ProgramID: program.ID, Kind: loyalty.KindStamp, Stamps: 1, At: at.Add(time.Minute)})
			l.Visits++
		}
		return h
	}
	if err := store.LoadHistory(ctx, shopID, cashierID, customers, next, now); err != nil {
		return l, err
	}
	l.Customers = customers
	return l, nil
}

func randomDigits(rng *mrand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + rng.IntN(10))
	}
	return string(b)
}

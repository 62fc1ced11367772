package demo

import (
	"context"
	mrand "math/rand/v2"
	"slices"
	"time"

	"regulars/db"
)

// demoWinBack gives the café's "we miss you" a history for the dashboard to
// judge: it ran each week from twelve weeks ago to five, and again last week
// (still counting), choosing the customers not seen for three weeks, one in
// four held out. Many of those come back anyway (an occasional customer's
// next visit); of the messaged who had stopped coming, two in three came
// back within the month, which the message is for. visits are the times of
// each card's visits, oldest first. The draws come from a source of their
// own, so that the rest of the story stays the same, whose seed makes a
// verdict to show; it returns the visits it added.
func demoWinBack(ctx context.Context, store *db.Store, shopID, cashierID, programID int64, visits map[int64][]time.Time, now time.Time) (int, error) {
	rng := mrand.New(mrand.NewPCG(2026, 22))
	zone, err := time.LoadLocation(demoZone)
	if err != nil {
		return 0, err
	}
	ids := make([]int64, 0, len(visits))
	for id := range visits {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	const day = 24 * time.Hour
	var members []db.AudienceMember
	returned := 0
	for _, week := range []int{12, 11, 10, 9, 8, 7, 6, 5, 1} {
		d := now.In(zone).AddDate(0, 0, -7*week)
		run := time.Date(d.Year(), d.Month(), d.Day(), 9, 0, 0, 0, zone)
		for _, id := range ids {
			vs := visits[id]
			i, _ := slices.BinarySearchFunc(vs, run, time.Time.Compare)
			if i == 0 || run.Sub(vs[i-1]) < 21*day || run.Sub(vs[i-1]) >= 28*day {
				continue
			}
			m := db.AudienceMember{CardID: id, ChosenAt: run, HeldOut: rng.IntN(4) == 0, Occasion: run.Format(time.DateOnly)}
			members = append(members, m)
			if m.HeldOut || i < len(vs) || rng.IntN(3) == 0 {
				continue
			}
			at := openingHours(run.Add(time.Duration(2+rng.IntN(20))*day), rng)
			if at.After(now) {
				continue
			}
			act := db.Action{ShopID: shopID, CardID: id, ProgramID: programID, UserID: cashierID, Key: randomText(16), Now: at}
			if _, err := store.Stamp(ctx, act, 1, false); err != nil {
				return 0, err
			}
			visits[id] = append(vs, at)
			returned++
		}
	}
	return returned, store.AddAudience(ctx, shopID, "we_miss_you", members)
}

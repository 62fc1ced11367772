package loyalty

import (
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"reflect"
	"testing"
	"time"
)

func TestPointsFor(t *testing.T) {
	t.Parallel()
	perUnit := Rules{Points: true, PointsPerUnit: 10, PointsRounding: RoundDown}
	cases := []struct {
		name   string
		r      Rules
		amount int
		want   int
	}{
		{"12.90 rounds down to 12 units", perUnit, 1290, 120},
		{"12.90 to the nearest is 13", Rules{Points: true, PointsPerUnit: 10, PointsRounding: RoundNearest}, 1290, 130},
		{"12.50 to the nearest is 13 (a half up)", Rules{Points: true, PointsPerUnit: 1, PointsRounding: RoundNearest}, 1250, 13},
		{"12.49 to the nearest is 12", Rules{Points: true, PointsPerUnit: 1, PointsRounding: RoundNearest}, 1249, 12},
		{"0.99 down gives nothing", perUnit, 99, 0},
		{"per visit only ignores the amount", Rules{Points: true, PointsPerVisit: 5}, 123456, 5},
		{"per visit and per unit add up", Rules{Points: true, PointsPerVisit: 5, PointsPerUnit: 2}, 1000, 25},
		{"a stamps program gives no points", Rules{StampsRequired: 10, PointsPerUnit: 10}, 1000, 0},
		{"a negative amount gives nothing", perUnit, -1000, 0},
		{"the largest amount at the largest rate fits", Rules{Points: true, PointsPerUnit: MaxPointsPerUnit}, MaxAmount, MaxAmount / MinorPerUnit * MaxPointsPerUnit},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := PointsFor(c.r, c.amount, time.Time{}); got != c.want {
				t.Errorf("PointsFor(%d) = %d, want %d", c.amount, got, c.want)
			}
		})
	}
}

func TestCheckEarn(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	money := Rules{Points: true, PointsPerUnit: 1, PointsRounding: RoundDown, MaxPerVisit: 500, Cooldown: 10 * time.Minute}
	visits := Rules{Points: true, PointsPerVisit: 10, MaxPerVisit: 100}
	cases := []struct {
		name     string
		r        Rules
		b        Balance
		amount   int
		override bool
		want     int
		err      error
	}{
		{"12.40 gives 12", money, Balance{}, 1240, false, 12, nil},
		{"no amount where money counts", money, Balance{}, 0, false, 0, ErrPointsAmount},
		{"a negative amount", money, Balance{}, -500, false, 0, ErrPointsAmount},
		{"beyond the largest amount", money, Balance{}, MaxAmount + 1, false, 0, ErrPointsAmount},
		{"below one unit gives none", money, Balance{}, 50, false, 0, ErrPointsNone},
		{"more than the per-visit limit", money, Balance{}, 600_00, false, 0, &TooManyPointsError{}},
		{"within the cooldown", money, Balance{LastStampAt: now.Add(-time.Minute)}, 1000, false, 0, &CooldownError{}},
		{"the cooldown overridden", money, Balance{LastStampAt: now.Add(-time.Minute)}, 1000, true, 10, nil},
		{"visits only: no amount needed", visits, Balance{}, 0, false, 10, nil},
		{"a stamps program", Rules{StampsRequired: 10, MaxPerVisit: 1}, Balance{}, 1000, false, 0, ErrNotPoints},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := CheckEarn(c.r, c.b, c.amount, now, c.override)
			if got != c.want || !sameError(err, c.err) {
				t.Errorf("CheckEarn = %d, %v; want %d, %v", got, err, c.want, c.err)
			}
		})
	}
}

// sameError matches sentinels with errors.Is and typed errors by their type.
func sameError(got, want error) bool {
	var tooMany *TooManyPointsError
	var cool *CooldownError
	switch want.(type) {
	case *TooManyPointsError:
		return errors.As(got, &tooMany)
	case *CooldownError:
		return errors.As(got, &cool)
	}
	return errors.Is(got, want) || got == want
}

func TestCheckSpend(t *testing.T) {
	t.Parallel()
	r := Rules{Points: true, PointsPerUnit: 1, RewardPoints: 100}
	cases := []struct {
		name   string
		r      Rules
		held   int
		points int
		err    error
	}{
		{"the whole balance", r, 100, 100, nil},
		{"part of it", r, 250, 100, nil},
		{"more than held", r, 99, 100, ErrNotEnoughPoints},
		{"nothing", r, 99, 0, ErrNotEnoughPoints},
		{"a negative spend", r, 99, -5, ErrNotEnoughPoints},
		{"a stamps program", Rules{StampsRequired: 10}, 1000, 10, ErrNotPoints},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if err := CheckSpend(c.r, Balance{Points: c.held}, c.points); !errors.Is(err, c.err) {
				t.Errorf("CheckSpend(%d of %d) = %v, want %v", c.points, c.held, err, c.err)
			}
		})
	}
}

func TestPointsFold(t *testing.T) {
	t.Parallel()
	at := func(h int) time.Time { return time.Date(2026, 3, 1, h, 0, 0, 0, time.UTC) }
	one := Rules{Points: true, PointsPerUnit: 1, PointsRounding: RoundDown, MaxPerVisit: 1000}
	two := Rules{Points: true, PointsPerUnit: 2, PointsRounding: RoundNearest, MaxPerVisit: 1000}
	cases := []struct {
		name     string
		versions []RuleVersion
		events   []Event
		want     Balance
	}{
		{"purchases add up", []RuleVersion{{Rules: one}}, []Event{
			{ID: 1, Kind: KindStamp, Stamps: 1, Amount: 1290, At: at(9)},
			{ID: 2, Kind: KindStamp, Stamps: 1, Amount: 510, At: at(10)},
		}, Balance{Points: 17, PointsEarned: 17, LastStampAt: at(10), PointLots: []Lot{{N: 17}}}},
		{"a partial redemption spends part", []RuleVersion{{Rules: one}}, []Event{
			{ID: 1, Kind: KindStamp, Stamps: 1, Amount: 25000, At: at(9)},
			{ID: 2, Kind: KindRedeem, Points: -100, At: at(10)},
		}, Balance{Points: 150, PointsEarned: 250, PointsSpent: 100, Redeemed: 1, LastStampAt: at(9), PointLots: []Lot{{N: 150}}}},
		{"a voided purchase is gone exactly", []RuleVersion{{Rules: one}}, []Event{
			{ID: 1, Kind: KindStamp, Stamps: 1, Amount: 2000, At: at(9)},
			{ID: 2, Kind: KindStamp, Stamps: 1, Amount: 3000, At: at(10)},
			{ID: 3, Kind: KindVoid, VoidOf: 2, At: at(10)},
		}, Balance{Points: 20, PointsEarned: 20, LastStampAt: at(9), PointLots: []Lot{{N: 20}}}},
		{"each purchase is judged by the rules of its time", []RuleVersion{{Rules: one}, {AfterEvent: 1, Rules: two}}, []Event{
			{ID: 1, Kind: KindStamp, Stamps: 1, Amount: 1050, At: at(9)},
			{ID: 2, Kind: KindStamp, Stamps: 1, Amount: 1050, At: at(10)},
		}, Balance{Points: 10 + 22, PointsEarned: 32, LastStampAt: at(10), PointLots: []Lot{{N: 32}}}},
		{"an adjustment with a reason, down to zero and no further", []RuleVersion{{Rules: one}}, []Event{
			{ID: 1, Kind: KindStamp, Stamps: 1, Amount: 1000, At: at(9)},
			{ID: 2, Kind: KindAdjust, Points: 5, At: at(10)},
			{ID: 3, Kind: KindAdjust, Points: -50, At: at(11)},
		}, Balance{Points: 0, PointsEarned: 15, LastStampAt: at(9)}},
		{"a redemption re-folded after an undo takes only what is there", []RuleVersion{{Rules: one}}, []Event{
			{ID: 1, Kind: KindStamp, Stamps: 1, Amount: 5000, At: at(9)},
			{ID: 2, Kind: KindRedeem, Points: -100, At: at(10)},
		}, Balance{Points: 0, PointsEarned: 50, PointsSpent: 50, Redeemed: 1, LastStampAt: at(9)}},
		{"stamps in a points program count nothing", []RuleVersion{{Rules: Rules{Points: true, PointsPerVisit: 3, StampsRequired: 1}}}, []Event{
			{ID: 1, Kind: KindStamp, Stamps: 1, At: at(9)},
			{ID: 2, Kind: KindRules, At: at(9)},
		}, Balance{Points: 3, PointsEarned: 3, LastStampAt: at(9), PointLots: []Lot{{N: 3}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s, earned := FoldVersions(c.versions, c.events)
			if got := s.At(at(12)); !reflect.DeepEqual(got, c.want) {
				t.Errorf("got  %+v\nwant %+v", got, c.want)
			}
			if len(earned) != 0 {
				t.Errorf("a points program earned rewards: %v", earned)
			}
		})
	}
}

func randomPointsRules(rng *mrand.Rand) Rules {
	r := Rules{Points: true, PointsPerVisit: rng.IntN(3) * 5, PointsPerUnit: 1 + rng.IntN(10), MaxPerVisit: 200 + rng.IntN(2000),
		PointsRounding: []Rounding{RoundDown, RoundNearest}[rng.IntN(2)], RewardPoints: 50 + rng.IntN(200)}
	if rng.IntN(3) == 0 {
		r.PointsPerUnit = 0
	}
	if rng.IntN(3) == 0 {
		r.Cooldown = time.Duration(rng.IntN(60)) * time.Minute
	}
	if rng.IntN(2) == 0 {
		r.PointsExpiry = time.Duration(1+rng.IntN(48)) * time.Hour
	}
	if rng.IntN(2) == 0 {
		from := rng.IntN(MinutesPerDay - 1)
		r.Multiplier = 2 + rng.IntN(MaxMultiplier-1)
		r.Window = Window{Days: 1 + rng.IntN(AllDays), From: from, To: from + 1 + rng.IntN(MinutesPerDay-from), Zone: testZones[rng.IntN(len(testZones))]}
	}
	return r
}

// testZones are zones a multiplier's window is read in: UTC, Tehran (+3:30)
// and one with summer time.
var testZones = func() []*time.Location {
	out := []*time.Location{nil}
	for _, name := range []string{"Asia/Tehran", "Europe/Bucharest"} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			panic(err)
		}
		out = append(out, loc)
	}
	return out
}()

// TestKeptPointsEqualRebuild is TestKeptStateEqualsRebuild for points
// programs: random purchases with amounts (refused as the counter refuses
// them), partial redemptions, adjustments both ways, bonuses, undos and rule
// changes; at every step the state kept event by event equals the rebuild
// from the whole ledger, the balance is never negative, every point held was
// given and not spent, and a redemption the balance does not cover is refused.
func TestKeptPointsEqualRebuild(t *testing.T) {
	t.Parallel()
	for seed := range uint64(300) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			rng := mrand.New(mrand.NewPCG(seed, 19))
			h := &history{
				versions: []RuleVersion{{Rules: randomPointsRules(rng)}},
				earned:   map[int64]int{},
				now:      time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC),
			}
			for step := range 150 {
				h.now = h.now.Add(time.Duration(rng.IntN(90)) * time.Minute)
				if rng.IntN(10) == 0 {
					h.now = h.now.Add(time.Duration(rng.IntN(72)) * time.Hour) // past expiries
				}
				r := RulesFor(h.versions, h.nextID())
				before := h.kept.At(h.now)
				undo := false
				switch k := rng.IntN(20); {
				case k < 9:
					amount := []int{0, rng.IntN(100), rng.IntN(100_00), rng.IntN(2000_00), -rng.IntN(1000)}[rng.IntN(5)]
					if p, err := CheckEarn(r, before, amount, h.now, rng.IntN(4) == 0); err == nil {
						// A tier's multiplier rides on the event (tiers.go).
						pct := []int{0, 100, 125, 150, 300}[rng.IntN(5)]
						h.add(Event{Kind: KindStamp, Stamps: 1, Amount: amount, TierPercent: pct})
						p = TierPoints(p, pct)
						// The counter's points (multiplied in the window) are the fold's.
						if got := h.kept.At(h.now).Points; got != before.Points+p {
							t.Fatalf("step %d: %d + %d points gave %d", step, before.Points, p, got)
						}
					}
				case k < 13:
					spend := []int{r.RewardPoints, 1 + rng.IntN(max(1, before.Points)), before.Points + 1 + rng.IntN(10)}[rng.IntN(3)]
					err := CheckSpend(r, before, spend)
					if spend > before.Points && err == nil {
						t.Fatalf("step %d: spending %d of %d points was allowed", step, spend, before.Points)
					}
					if err == nil {
						h.add(Event{Kind: KindRedeem, Points: -spend})
						if got := h.kept.At(h.now).Points; got != before.Points-spend {
							t.Fatalf("step %d: %d - %d points left %d", step, before.Points, spend, got)
						}
					}
				case k < 15:
					h.add(Event{Kind: KindAdjust, Points: rng.IntN(101) - 50})
				case k < 16:
					h.add(Event{Kind: KindBonus, Points: 1 + rng.IntN(20)})
				case k < 18:
					if last := lastUndoable(h.events); last != 0 {
						h.add(Event{Kind: KindVoid, VoidOf: last})
						undo = true
					}
				default:
					h.versions = append(h.versions, RuleVersion{AfterEvent: int64(len(h.events)), Rules: randomPointsRules(rng)})
				}
				rebuilt, earned := FoldVersions(h.versions, h.events)
				if !reflect.DeepEqual(normal(h.kept), normal(rebuilt)) {
					t.Fatalf("step %d: kept %+v\nrebuilt %+v", step, h.kept, rebuilt)
				}
				if len(earned) != 0 || len(h.earned) != 0 {
					t.Fatalf("step %d: a points program earned stamp rewards", step)
				}
				after := h.kept.At(h.now)
				if !reflect.DeepEqual(after, rebuilt.At(h.now)) {
					t.Fatalf("step %d: kept shows %+v\nrebuilt shows %+v", step, after, rebuilt.At(h.now))
				}
				if after.Points < 0 || after.Points > after.PointsEarned-after.PointsSpent-after.PointsExpired {
					t.Fatalf("step %d: %d points held, %d given, %d spent, %d expired", step, after.Points, after.PointsEarned, after.PointsSpent, after.PointsExpired)
				}
				held := 0
				for _, l := range after.PointLots {
					held += l.N
					if !l.ExpiresAt.IsZero() && !l.ExpiresAt.After(h.now) {
						t.Fatalf("step %d: a lot due at %v is still held at %v", step, l.ExpiresAt, h.now)
					}
				}
				if held != after.Points {
					t.Fatalf("step %d: lots hold %d points, the balance says %d", step, held, after.Points)
				}
				if !undo && after.PointsEarned < before.PointsEarned {
					t.Fatalf("step %d: points given went from %d to %d without an undo", step, before.PointsEarned, after.PointsEarned)
				}
			}
		})
	}
}

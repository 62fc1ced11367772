package loyalty

import (
	"fmt"
	mrand "math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// history is a program's ledger being written, as the store writes it: each
// event folded into the kept state by Apply (an undo re-folds), next to the
// rule versions saved so far.
type history struct {
	versions []RuleVersion
	events   []Event
	kept     State
	earned   map[int64]int // what Apply said each event earned when written
	now      time.Time
}

func (h *history) nextID() int64 { return int64(len(h.events) + 1) }

// add writes e (its ID is set here) and folds it into the kept state.
func (h *history) add(e Event) {
	e.ID = h.nextID()
	e.At = h.now
	h.events = append(h.events, e)
	if e.Kind == KindVoid {
		h.kept, _ = FoldVersions(h.versions, h.events)
		return
	}
	if n := h.kept.Apply(RulesFor(h.versions, e.ID), e); n > 0 {
		h.earned[e.ID] = n
	}
}

// change saves new rules after the events written so far; when the kept state
// holds enough stamps for the new target, a rules event earns the rewards.
func (h *history) change(r Rules) {
	h.versions = append(h.versions, RuleVersion{AfterEvent: int64(len(h.events)), Rules: r})
	if r.StampsRequired > 0 && h.kept.At(h.now).Stamps >= r.StampsRequired {
		h.add(Event{Kind: KindRules})
	}
}

func randomRules(rng *mrand.Rand) Rules {
	r := Rules{StampsRequired: 1 + rng.IntN(12), MaxPerVisit: 1 + rng.IntN(4)}
	if rng.IntN(3) == 0 {
		r.StampExpiry = time.Duration(1+rng.IntN(20)) * time.Hour
	}
	if rng.IntN(3) == 0 {
		r.RewardExpiry = time.Duration(1+rng.IntN(20)) * time.Hour
	}
	return r
}

// TestKeptStateEqualsRebuild writes random histories (stamps, redeems,
// adjustments both ways, bonuses, undos, rule changes, time passing past
// expiries) and checks at every step that the state kept event by event equals
// the rebuild from the whole ledger, that each event earned what the rebuild
// says, and the ledger's invariants: earned never shrinks without an undo,
// redeemed rewards never come back, stamps are never negative.
func TestKeptStateEqualsRebuild(t *testing.T) {
	t.Parallel()
	for seed := range uint64(300) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			rng := mrand.New(mrand.NewPCG(seed, 2026))
			h := &history{
				versions: []RuleVersion{{Rules: randomRules(rng)}},
				earned:   map[int64]int{},
				now:      time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC),
			}
			redeemed := map[int]bool{}
			for step := range 120 {
				h.now = h.now.Add(time.Duration(rng.IntN(180)) * time.Minute)
				before := h.kept.At(h.now)
				undo := false
				switch k := rng.IntN(20); {
				case k < 9:
					h.add(Event{Kind: KindStamp, Stamps: 1 + rng.IntN(3)})
				case k < 12:
					if len(before.Available) > 0 {
						seq := before.Available[rng.IntN(len(before.Available))].Seq
						h.add(Event{Kind: KindRedeem, RewardSeq: seq})
						redeemed[seq] = true
					}
				case k < 14:
					h.add(Event{Kind: KindAdjust, Stamps: rng.IntN(9) - 4})
				case k < 15:
					h.add(Event{Kind: KindBonus, Stamps: 1 + rng.IntN(2)})
				case k < 17:
					if last := lastUndoable(h.events); last != 0 {
						h.add(Event{Kind: KindVoid, VoidOf: last})
						undo = true
					}
				default:
					h.change(randomRules(rng))
				}
				rebuilt, earned := FoldVersions(h.versions, h.events)
				if !reflect.DeepEqual(normal(h.kept), normal(rebuilt)) {
					t.Fatalf("step %d: kept %+v\nrebuilt %+v", step, h.kept, rebuilt)
				}
				after := h.kept.At(h.now)
				if !undo && after.Earned < before.Earned {
					t.Fatalf("step %d: earned went from %d to %d without an undo", step, before.Earned, after.Earned)
				}
				if after.Stamps < 0 {
					t.Fatalf("step %d: %d stamps", step, after.Stamps)
				}
				for _, rw := range after.Available {
					if redeemed[rw.Seq] && !undo {
						t.Fatalf("step %d: redeemed reward %d is available again", step, rw.Seq)
					}
				}
				if undo {
					// An undo of a redeem gives the reward back, exactly.
					redeemed = map[int]bool{}
					for _, e := range h.events {
						if e.Kind == KindRedeem && !Voided(h.events)[e.ID] {
							redeemed[e.RewardSeq] = true
						}
					}
					continue
				}
				for id, n := range earned {
					if h.earned[id] != n && !Voided(h.events)[id] && !affectedByUndo(h.events, id) {
						t.Fatalf("step %d: event %d earned %d when written, the rebuild says %d", step, id, h.earned[id], n)
					}
				}
			}
		})
	}
}

// lastUndoable is the newest event neither a void nor voided, nor a rules
// event (undo is for a cashier's slip, as the store's undo).
func lastUndoable(events []Event) int64 {
	voided := Voided(events)
	for i := len(events) - 1; i >= 0; i-- {
		e := events[i]
		if e.Kind != KindVoid && e.Kind != KindRules && e.Kind != KindBonus && !voided[e.ID] {
			return e.ID
		}
	}
	return 0
}

// affectedByUndo tells whether an undo came after event id: what it earned
// when written may differ from a rebuild without the undone event.
func affectedByUndo(events []Event, id int64) bool {
	for _, e := range events {
		if e.Kind == KindVoid && e.ID > id {
			return true
		}
	}
	return false
}

// normal makes empty and nil slices compare equal.
func normal(s State) State {
	if len(s.Lots) == 0 {
		s.Lots = nil
	}
	if len(s.Available) == 0 {
		s.Available = nil
	}
	if len(s.PointLots) == 0 {
		s.PointLots = nil
	}
	return s
}

func TestRuleChangesApplyFromNowOn(t *testing.T) {
	t.Parallel()
	at := func(h int) time.Time { return time.Date(2026, 3, 1, h, 0, 0, 0, time.UTC) }
	six := Rules{StampsRequired: 6, MaxPerVisit: 2}
	eight := Rules{StampsRequired: 8, MaxPerVisit: 2}
	stamps := func(from int64, n int, hour int) []Event {
		var es []Event
		for i := range n {
			es = append(es, Event{ID: from + int64(i), Kind: KindStamp, Stamps: 1, At: at(hour)})
		}
		return es
	}
	// The pastry card: 6 stamps, a croissant redeemed, 2 more stamps.
	croissant := append(stamps(1, 6, 9), Event{ID: 7, Kind: KindRedeem, RewardSeq: 1, At: at(10)})
	croissant = append(croissant, stamps(8, 2, 11)...)

	cases := []struct {
		name     string
		versions []RuleVersion
		events   []Event
		want     Balance
	}{
		{"6 → 8 after a redeemed croissant brings nothing back", []RuleVersion{{Rules: six}, {AfterEvent: 9, Rules: eight}}, croissant,
			Balance{Stamps: 2, Earned: 1, Redeemed: 1, LastStampAt: at(11)}},
		{"the two stamps after the change count toward 8", []RuleVersion{{Rules: six}, {AfterEvent: 9, Rules: eight}}, append(croissant, stamps(10, 6, 12)...),
			Balance{Stamps: 0, Earned: 2, Redeemed: 1, Available: []Reward{{Seq: 2, EarnedAt: at(12)}}, LastStampAt: at(12)}},
		{"a reward earned under 6 stays earned when raised to 8", []RuleVersion{{Rules: six}, {AfterEvent: 6, Rules: eight}}, stamps(1, 6, 9),
			Balance{Earned: 1, Available: []Reward{{Seq: 1, EarnedAt: at(9)}}, LastStampAt: at(9)}},
		{"lowering 8 → 6 earns at the change, by the rules event", []RuleVersion{{Rules: eight}, {AfterEvent: 6, Rules: six}},
			append(stamps(1, 6, 9), Event{ID: 7, Kind: KindRules, At: at(10)}),
			Balance{Earned: 1, Available: []Reward{{Seq: 1, EarnedAt: at(10)}}, LastStampAt: at(9)}},
		{"stamps given under an expiry keep it after the expiry is removed", []RuleVersion{{Rules: Rules{StampsRequired: 10, MaxPerVisit: 1, StampExpiry: time.Hour}}, {AfterEvent: 1, Rules: Rules{StampsRequired: 10, MaxPerVisit: 1}}},
			stamps(1, 2, 9),
			Balance{Stamps: 1, ExpiredStamps: 1, LastStampAt: at(9)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s, _ := FoldVersions(c.versions, c.events)
			if got := s.At(at(12).Add(30 * time.Minute)); !reflect.DeepEqual(got, c.want) {
				t.Errorf("got  %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func TestRulesFor(t *testing.T) {
	t.Parallel()
	v := []RuleVersion{{Rules: Rules{StampsRequired: 10}}, {AfterEvent: 5, Rules: Rules{StampsRequired: 8}}, {AfterEvent: 9, Rules: Rules{StampsRequired: 12}}}
	for id, want := range map[int64]int{1: 10, 5: 10, 6: 8, 9: 8, 10: 12, 100: 12} {
		if got := RulesFor(v, id).StampsRequired; got != want {
			t.Errorf("event %d: judged by %d stamps, want %d", id, got, want)
		}
	}
}

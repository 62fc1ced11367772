package db_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"regulars/db"
)

// TestCustomersShowProgressNow: each row carries the card's stamps and ready
// rewards in every active program, the default first, from the kept
// balances with the expiries due by the moment of the list applied; a
// program the card never used has nothing; another shop's cards and
// programs never appear.
func TestCustomersShowProgressNow(t *testing.T) {
	t.Parallel()
	cs := newCustomerShop(t)
	ctx := context.Background()
	haircut, err := cs.s.SaveProgram(ctx, db.Program{ShopID: cs.shopID, Name: "Haircut", RewardText: "a cut", StampsRequired: 3,
		MaxPerVisit: 5, StampExpiryDays: 30}, cs.userID, cs.now)
	if err != nil {
		t.Fatal(err)
	}
	// Ayla has 3 stamps of 10; 8 more make a reward and 1 toward the next.
	if _, err := cs.s.AdjustStamps(ctx, cs.action(cs.ayla), 8, "paper card"); err != nil {
		t.Fatal(err)
	}
	// Bora gets 2 haircut stamps, which expire after 30 days.
	a := cs.action(cs.bora)
	a.ProgramID = haircut
	if _, err := cs.s.Stamp(ctx, a, 2, true); err != nil {
		t.Fatal(err)
	}
	// The other shop's Ayla is close to a reward in her shop's program.
	if _, err := cs.s.Stamp(ctx, db.Action{ShopID: cs.foreignShop, CardID: cs.foreignAyla.ID, ProgramID: cs.foreignProgram.ID, UserID: 0,
		Key: "foreign", Now: cs.now}, 1, true); err != nil {
		t.Fatal(err)
	}

	type want struct{ stamps, ready []int }
	tests := []struct {
		name string
		at   time.Time
		want map[int64]want // by card: progress in Card, then Haircut
	}{
		{"now", cs.now, map[int64]want{
			cs.ayla.ID: {[]int{1, 0}, []int{1, 0}}, cs.bora.ID: {[]int{1, 2}, []int{0, 0}},
			cs.ahmet.ID: {[]int{0, 0}, []int{0, 0}}, cs.unnamed.ID: {[]int{0, 0}, []int{0, 0}},
		}},
		{"after the haircut stamps expired", cs.now.Add(31 * 24 * time.Hour), map[int64]want{
			cs.ayla.ID: {[]int{1, 0}, []int{1, 0}}, cs.bora.ID: {[]int{1, 0}, []int{0, 0}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			list, err := cs.s.Customers(ctx, cs.shopID, db.CustomerQuery{}, tt.at)
			if err != nil {
				t.Fatal(err)
			}
			var programs []string
			for _, p := range list.Programs {
				programs = append(programs, p.Name)
			}
			if !slices.Equal(programs, []string{"Card", "Haircut"}) {
				t.Fatalf("programs %q, want the shop's two, the default first", programs)
			}
			for _, r := range list.Rows {
				if r.ID == cs.foreignAyla.ID {
					t.Fatalf("another shop's card listed")
				}
				w, ok := tt.want[r.ID]
				if !ok {
					continue
				}
				var stamps, ready []int
				for i, pr := range r.Progress {
					if pr.ProgramID != list.Programs[i].ID {
						t.Errorf("card %d: progress %d is of program %d, want %d", r.ID, i, pr.ProgramID, list.Programs[i].ID)
					}
					stamps, ready = append(stamps, pr.Stamps), append(ready, pr.Ready)
				}
				if !slices.Equal(stamps, w.stamps) || !slices.Equal(ready, w.ready) {
					t.Errorf("%s: stamps %v ready %v, want %v %v", r.FirstName, stamps, ready, w.stamps, w.ready)
				}
			}
		})
	}
}

// TestCustomersByNameAndJoined: by name A to Z whatever the case, the
// nameless card last; by joined the newest card first; each order pages
// without overlap.
func TestCustomersByNameAndJoined(t *testing.T) {
	t.Parallel()
	cs := newCustomerShop(t)
	ctx := context.Background()
	// Cem joins a day later than everyone else.
	if _, err := cs.s.EnrollCard(ctx, cs.shopID, db.NewCard{FirstName: "Cem", CreatedBy: cs.userID, Key: "cem"}, t0.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		sort db.CustomerSort
		want []string
	}{
		{db.SortName, []string{"ahmet", "Ayla", "Bora", "Cem", ""}},
		// Same moment: the card made last comes first.
		{db.SortJoined, []string{"Cem", "Bora", "ahmet", "Ayla", ""}},
	}
	for _, tt := range tests {
		t.Run(string(tt.sort), func(t *testing.T) {
			t.Parallel()
			list, err := cs.s.Customers(ctx, cs.shopID, db.CustomerQuery{Sort: tt.sort}, cs.now)
			if err != nil {
				t.Fatal(err)
			}
			if got := names(list.Rows); !slices.Equal(got, tt.want) {
				t.Errorf("rows %q, want %q", got, tt.want)
			}
		})
	}
}

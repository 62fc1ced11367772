package db_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"regulars/db"
)

// The dashboard's clubs: per club its members and those who came in the
// last 30 days, and the same for the customers in no club. Erased cards,
// memberships ended and archived clubs do not count; another shop's clubs
// never show.
func TestDashboardClubReturns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newLedgerShop(t, "club-returns@example.com")
	other := newLedgerShop(t, "club-returns-other@example.com")
	if d, err := l.s.Dashboard(ctx, l.shopID, l.now); err != nil || d.Clubs != nil {
		t.Fatalf("a shop without clubs: %+v, %v", d.Clubs, err)
	}
	club := func(s *ledgerShop, name string) int64 {
		t.Helper()
		id, err := s.s.SaveClub(ctx, s.shopID, db.Club{Name: name, Open: true}, s.userID, s.now)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	coffee, kids, old := club(l, "Coffee club"), club(l, "Kids' club"), club(l, "Old club")
	club(other, "Chess club")
	cards := make([]db.Card, 6)
	for i := range cards {
		c, err := l.s.EnrollCard(ctx, l.shopID, db.NewCard{CreatedBy: l.userID, Key: "returns-" + string(rune('a'+i))}, l.now)
		if err != nil {
			t.Fatal(err)
		}
		cards[i] = c
	}
	join := func(clubID int64, c db.Card) {
		t.Helper()
		if err := l.s.JoinClub(ctx, l.shopID, clubID, c.ID, db.ClubByOwner, l.userID, l.now); err != nil {
			t.Fatal(err)
		}
	}
	// Card 0 came long ago only; cards 1-5 (and the shop's first card) come
	// within the period.
	l.stamp(cards[0], l.program, 1)
	l.now = l.now.Add(60 * 24 * time.Hour)
	for _, c := range append(cards[1:], l.card) {
		l.stamp(c, l.program, 1)
	}
	join(coffee, cards[0]) // a member who did not come back
	join(coffee, cards[1])
	join(coffee, cards[2])
	join(kids, cards[2]) // in two clubs: counts in both
	join(coffee, cards[3])
	if err := l.s.LeaveClub(ctx, l.shopID, coffee, cards[3].ID, db.ClubByOwner, l.userID, l.now); err != nil { // left: no member
		t.Fatal(err)
	}
	join(old, cards[4]) // only in an archived club: in no club
	if _, err := l.s.SaveClub(ctx, l.shopID, db.Club{ID: old, Name: "Old club", Archived: true}, l.userID, l.now); err != nil {
		t.Fatal(err)
	}
	join(kids, cards[5])
	if err := l.s.EraseCustomer(ctx, l.shopID, l.userID, cards[5].ID, l.now); err != nil { // erased: counts nowhere
		t.Fatal(err)
	}
	d, err := l.s.Dashboard(ctx, l.shopID, l.now)
	if err != nil {
		t.Fatal(err)
	}
	want := []db.ClubReturn{
		{ClubID: coffee, Name: "Coffee club", Members: 3, Returned: 2},
		{ClubID: kids, Name: "Kids' club", Members: 1, Returned: 1},
		{ClubID: 0, Name: "", Members: 3, Returned: 3}, // cards 3, 4 and the first card
	}
	if !slices.Equal(d.Clubs, want) {
		t.Errorf("clubs\n got %+v\nwant %+v", d.Clubs, want)
	}
}

// The dashboard lists clubs in the alphabetical order of the shop's
// language, not by bytes: in Turkish Ç comes between C and D, in Persian
// پ between ب and ت (in bytes both sort after the whole alphabet).
func TestDashboardClubOrder(t *testing.T) {
	t.Parallel()
	cases := []struct {
		lang  string
		names []string // in the language's order
	}{
		{"tr", []string{"Ayran", "Çay kulübü", "Zeytin"}},
		{"tr", []string{"Cacık", "çiğ köfte", "Dondurma"}},
		{"fa", []string{"بستنی", "پسته", "تخمه"}},
	}
	for i, tc := range cases {
		t.Run(tc.lang, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			l := newLedgerShop(t, "club-order-"+string(rune('a'+i))+"@example.com")
			sh, err := l.s.Shop(ctx, l.shopID)
			if err != nil {
				t.Fatal(err)
			}
			if err := l.s.UpdateShop(ctx, l.shopID, db.ShopSettings{Name: sh.Name, BrandColor: sh.BrandColor, Language: tc.lang, TimeZone: sh.TimeZone,
				Currency: sh.Currency, Digits: sh.Digits, Calendar: sh.Calendar}, l.userID, l.now); err != nil {
				t.Fatal(err)
			}
			// Saved in reverse, so that neither the ids nor the order of
			// saving gives the right order by chance.
			for _, name := range slices.Backward(tc.names) {
				if _, err := l.s.SaveClub(ctx, l.shopID, db.Club{Name: name, Open: true}, l.userID, l.now); err != nil {
					t.Fatal(err)
				}
			}
			d, err := l.s.Dashboard(ctx, l.shopID, l.now)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range d.Clubs {
				got = append(got, c.Name)
			}
			if want := append(slices.Clone(tc.names), ""); !slices.Equal(got, want) {
				t.Errorf("clubs in the order %q, want %q (the customers in no club last)", got, want)
			}
		})
	}
}

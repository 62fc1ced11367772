package db_test

import (
	"context"
	"errors"
	"testing"

	"regulars/db"
	"regulars/db/dbtest"
)

// TestCachedReadsSeeEveryWrite: a session's user and a shop are kept in
// memory between requests (cache.go), yet the request after a sign-out, a
// staff member's removal, a new role or a renamed shop sees the change, each
// read right after the write that made it.
func TestCachedReadsSeeEveryWrite(t *testing.T) {
	t.Parallel()
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	shopID, ownerID, _, _ := shop(t, s, "cache-owner@example.com")
	addCashier := func(email string) (db.User, string) {
		t.Helper()
		id, err := s.AddStaff(ctx, shopID, db.NewStaff{Name: "C", Email: email, Role: db.RoleCashier, PasswordHash: "x"}, ownerID, t0)
		if err != nil {
			t.Fatal(err)
		}
		u, err := s.User(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		token, err := s.CreateSession(ctx, u, t0)
		if err != nil {
			t.Fatal(err)
		}
		// Read twice: the second answer comes from the cache.
		for range 2 {
			if _, _, err := s.SessionUser(ctx, token, t0); err != nil {
				t.Fatal(err)
			}
		}
		return u, token
	}
	staffStamp := func(id int64) string {
		t.Helper()
		list, err := s.Staff(ctx, shopID)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range list {
			if u.ID == id {
				return u.Stamp
			}
		}
		t.Fatalf("no staff %d", id)
		return ""
	}
	tests := []struct {
		name  string
		write func(u db.User, token string) error
		check func(u db.User, err error) string // "" when the read saw the write
	}{
		{"sign-out", func(_ db.User, token string) error { return s.EndSession(ctx, token) },
			func(_ db.User, err error) string {
				if !errors.Is(err, db.ErrNotFound) {
					return "the ended session still signs in"
				}
				return ""
			}},
		{"removed", func(u db.User, _ string) error { return s.RemoveStaff(ctx, shopID, u.ID, ownerID, t0) },
			func(_ db.User, err error) string {
				if !errors.Is(err, db.ErrNotFound) {
					return "a removed cashier still signs in"
				}
				return ""
			}},
		{"new role", func(u db.User, _ string) error {
			return s.SetStaffRole(ctx, shopID, u.ID, staffStamp(u.ID), db.RoleManager, ownerID, t0)
		}, func(u db.User, err error) string {
			if err != nil || u.Role != db.RoleManager {
				return "the cashier made manager is still a cashier: " + string(u.Role)
			}
			return ""
		}},
	}
	for i, tc := range tests {
		u, token := addCashier("cache-" + string(rune('a'+i)) + "@example.com")
		if err := tc.write(u, token); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got, _, err := s.SessionUser(ctx, token, t0)
		if msg := tc.check(got, err); msg != "" {
			t.Errorf("%s: %s", tc.name, msg)
		}
	}

	if _, err := s.Shop(ctx, shopID); err != nil {
		t.Fatal(err)
	}
	sh, err := s.Shop(ctx, shopID)
	if err != nil {
		t.Fatal(err)
	}
	settings := db.ShopSettings{Name: "Renamed", BrandColor: sh.BrandColor, Language: sh.Language, TimeZone: sh.TimeZone,
		Currency: sh.Currency, Digits: sh.Digits, StampOnScan: sh.StampOnScan, Calendar: sh.Calendar}
	if err := s.UpdateShop(ctx, shopID, settings, ownerID, t0); err != nil {
		t.Fatal(err)
	}
	if sh, err := s.Shop(ctx, shopID); err != nil || sh.Name != "Renamed" {
		t.Errorf("the shop read after its renaming is %q, %v", sh.Name, err)
	}
}

// TestCardPageSeesTheOwnersChanges: the parts of a card page alike for every
// card of a shop (its name, programs, settings) are kept between views, yet
// the view right after the owner changes them shows the change.
func TestCardPageSeesTheOwnersChanges(t *testing.T) {
	t.Parallel()
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	shopID, ownerID, card, program := shop(t, s, "cache-page@example.com")
	view := func() db.CardPage {
		t.Helper()
		p, err := s.CardPage(ctx, shopID, card.ID, t0)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	view()
	view()
	program.RewardText = "a croissant"
	if _, err := s.SaveProgram(ctx, program, ownerID, t0); err != nil {
		t.Fatal(err)
	}
	if got := view().State.Programs[0].Program.RewardText; got != "a croissant" {
		t.Errorf("the card page after the reward's change offers %q", got)
	}
	sh := view().Shop
	settings := db.ShopSettings{Name: "Renamed", BrandColor: sh.BrandColor, Language: sh.Language, TimeZone: sh.TimeZone,
		Currency: sh.Currency, Digits: sh.Digits, StampOnScan: sh.StampOnScan, Calendar: sh.Calendar}
	if err := s.UpdateShop(ctx, shopID, settings, ownerID, t0); err != nil {
		t.Fatal(err)
	}
	if got := view().Shop.Name; got != "Renamed" {
		t.Errorf("the card page after the shop's renaming names it %q", got)
	}
}

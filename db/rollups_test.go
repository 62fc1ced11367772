package db_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"regulars/db"
	"regulars/db/dbtest"
	"regulars/loyalty"
	"regulars/migrations"
)

// TestRollupsMatchRebuild drives a shop in a zone east of UTC through four
// months of stamps, rewards, undos and overrides, and checks that the rollups
// kept up action by action equal the ones rebuilt from the ledger alone.
func TestRollupsMatchRebuild(t *testing.T) {
	t.Parallel()
	s, path := dbtest.Open(t)
	ctx := context.Background()
	shopID, userID, first, program := shop(t, s, "rollups@example.com")
	if err := s.UpdateShop(ctx, shopID, db.ShopSettings{Name: "R", BrandColor: "#000000", Language: "en", TimeZone: "Europe/Istanbul", Currency: "TRY", Digits: "latin"}, userID, t0); err != nil {
		t.Fatal(err)
	}
	cards := []db.Card{first}
	for i := range 5 {
		c, err := s.EnrollCard(ctx, shopID, db.NewCard{CreatedBy: userID, Key: fmt.Sprint("enrol", i)}, t0)
		if err != nil {
			t.Fatal(err)
		}
		cards = append(cards, c)
	}
	rng := rand.New(rand.NewPCG(7, 7))
	now := t0
	keys := 0
	action := func(card db.Card) db.Action {
		keys++
		return db.Action{ShopID: shopID, CardID: card.ID, ProgramID: program.ID, UserID: userID, Key: fmt.Sprint("k", keys), Now: now}
	}
	for range 400 {
		now = now.Add(time.Duration(rng.IntN(12*60)) * time.Minute)
		card := cards[rng.IntN(len(cards))]
		st, err := s.CardState(ctx, shopID, card.ID, now)
		if err != nil {
			t.Fatal(err)
		}
		switch r := rng.IntN(10); {
		case r < 6:
			_, err = s.Stamp(ctx, action(card), 1+rng.IntN(program.MaxPerVisit), rng.IntN(5) == 0)
		case r < 8 && len(st.Programs[0].Available) > 0:
			_, err = s.Redeem(ctx, action(card), st.Programs[0].Available[0].Seq)
		case st.Undoable != nil:
			_, err = s.Undo(ctx, action(card), st.Undoable.ID)
		}
		var cool *loyalty.CooldownError
		if err != nil && !errors.As(err, &cool) {
			t.Fatal(err)
		}
	}
	// Segments move with the day's VIP threshold, which only a refresh recomputes.
	if err := s.RefreshSegments(ctx, shopID, now); err != nil {
		t.Fatal(err)
	}
	kept := dbtest.Rollups(t, path)
	if len(kept) < 100 {
		t.Fatalf("only %d rollup rows: the test drove too little", len(kept))
	}
	if err := s.RebuildRollups(ctx, shopID, now); err != nil {
		t.Fatal(err)
	}
	rebuilt := dbtest.Rollups(t, path)
	if !slices.Equal(kept, rebuilt) {
		t.Errorf("incremental rollups differ from rebuilt ones:\nkept:    %s\nrebuilt: %s", diff(kept, rebuilt), diff(rebuilt, kept))
	}
}

// diff lists the lines of a missing from b.
func diff(a, b []string) string {
	var out []string
	for _, l := range a {
		if !slices.Contains(b, l) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n         ")
}

// TestMigrationBuildsRollups opens a database written before the rollups
// existed and finds its ledger summed.
func TestMigrationBuildsRollups(t *testing.T) {
	t.Parallel()
	path := dbtest.PathBefore(t, "0002")
	ctx := context.Background()
	conn, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	day := int64(1_770_000_000) // a Monday
	for _, q := range []string{
		`INSERT INTO shops (id, slug, name, created_at) VALUES (1, 'old', 'Old', 0)`,
		`INSERT INTO programs (id, shop_id, name, reward_text, stamps_required, max_per_visit, is_default, created_at) VALUES (1, 1, 'P', 'r', 3, 5, 1, 0)`,
		`INSERT INTO cards (id, shop_id, token, short_code, created_at) VALUES (1, 1, 't1', 'AAAA', 0), (2, 1, 't2', 'BBBB', 0)`,
		fmt.Sprintf(`INSERT INTO events (shop_id, card_id, program_id, kind, stamps, created_at) VALUES
			(1, 1, 1, 'stamp', 2, %d), (1, 1, 1, 'stamp', 2, %d), (1, 2, 1, 'stamp', 1, %d)`, day, day+86400*3, day+86400*3),
	} {
		if _, err := conn.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	conn.Close()
	s, err := db.Open(ctx, path, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got := dbtest.Rollups(t, path)
	want := []string{"stats 1 2", "stats 2 1"} // card, visits
	for _, w := range want {
		if !slices.ContainsFunc(got, func(l string) bool { return strings.HasPrefix(l, w+" ") }) {
			t.Errorf("no %q in %q", w, got)
		}
	}
	if !slices.ContainsFunc(got, func(l string) bool { return strings.HasPrefix(l, "day 1 ") && strings.HasSuffix(l, " 2 1 0") }) {
		t.Errorf("card 1 earned no reward on its second day: %q", got)
	}
}

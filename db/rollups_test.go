package db_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

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

// oldLedger returns the path of a database of the first schema holding a
// shop in Istanbul whose five cards were stamped by its cashier over two
// weeks, with a redemption and an undo: what the rollups' rebuild reads.
func oldLedger(t *testing.T) string {
	t.Helper()
	path := dbtest.PathBefore(t, "0002")
	conn, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	day := int64(1_770_000_000)
	queries := []string{
		`INSERT INTO shops (id, slug, name, timezone, created_at) VALUES (1, 'old', 'Old', 'Europe/Istanbul', 0)`,
		`INSERT INTO users (id, shop_id, name, email, role, created_at) VALUES (1, 1, 'C', 'c@example.com', 'cashier', 0)`,
		`INSERT INTO programs (id, shop_id, name, reward_text, stamps_required, max_per_visit, is_default, created_at) VALUES (1, 1, 'P', 'r', 3, 5, 1, 0)`,
	}
	for c := 1; c <= 5; c++ {
		queries = append(queries, fmt.Sprintf(`INSERT INTO cards (id, shop_id, token, short_code, created_at) VALUES (%d, 1, 't%d', 'C%d', 0)`, c, c, c))
	}
	for i := range 40 {
		queries = append(queries, fmt.Sprintf(`INSERT INTO events (id, shop_id, card_id, program_id, user_id, kind, stamps, created_at) VALUES (%d, 1, %d, 1, %s, 'stamp', %d, %d)`,
			i+1, 1+i%5, []string{"1", "NULL"}[i%4/3], 1+i%3, day+int64(i)*7*3600))
	}
	queries = append(queries,
		fmt.Sprintf(`INSERT INTO events (id, shop_id, card_id, program_id, user_id, kind, reward_seq, created_at) VALUES (41, 1, 1, 1, 1, 'redeem', 1, %d)`, day+40*7*3600),
		fmt.Sprintf(`INSERT INTO events (id, shop_id, card_id, program_id, user_id, kind, void_of, created_at) VALUES (42, 1, 5, 1, 1, 'void', 40, %d)`, day+40*7*3600))
	for _, q := range queries {
		if _, err := conn.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return path
}

// copyFile copies the database file at path (closed, its log checkpointed)
// to a new one of the test's own.
func copyFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(dest, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return dest
}

// checkRebuilt opens the database at path as the server's next start does
// and checks that its rollups are those that a rebuild from the ledger makes.
func checkRebuilt(t *testing.T, path string) {
	t.Helper()
	ctx := context.Background()
	s, err := db.Open(ctx, path, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	kept := dbtest.Rollups(t, path)
	if len(kept) < 20 {
		t.Fatalf("only %d rollup rows after the restart: %q", len(kept), kept)
	}
	if err := s.RebuildRollups(ctx, 1, time.Now()); err != nil {
		t.Fatal(err)
	}
	if rebuilt := dbtest.Rollups(t, path); !slices.Equal(kept, rebuilt) {
		t.Errorf("rollups after the restart differ from a rebuild:\nkept:    %s\nrebuilt: %s", diff(kept, rebuilt), diff(rebuilt, kept))
	}
}

// TestUpgradeStoppedBeforeTheRebuild: a process that applied the migrations
// and was killed before it rebuilt the rollups left them empty for good; the
// next start now rebuilds them (issue 15, item 9).
func TestUpgradeStoppedBeforeTheRebuild(t *testing.T) {
	t.Parallel()
	path := oldLedger(t)
	// The migrations alone, as the killed process applied them.
	conn, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, conn, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Up(context.Background()); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	checkRebuilt(t, path)
}

// TestRebuildResumesAfterAnyStep stops the owed rebuild of an upgrade after
// each of its steps in turn, as a kill -9 there would (a kill within a step
// loses that step's transaction only), and restarts: the rollups equal a
// rebuild from the ledger every time.
func TestRebuildResumesAfterAnyStep(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	old := oldLedger(t)
	// How many steps the whole rebuild takes.
	s, err := db.OpenOwing(ctx, copyFile(t, old), migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	steps := 0
	for done := false; !done; steps++ {
		if done, err = s.RollupsStep(ctx, 1, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	if steps < 10 { // 5 cards, 14 days of the staff's activity
		t.Fatalf("the rebuild took %d steps: too few to stop it in the middle", steps)
	}
	for k := range steps {
		t.Run(fmt.Sprint("after step ", k), func(t *testing.T) {
			t.Parallel()
			path := copyFile(t, old)
			s, err := db.OpenOwing(ctx, path, migrations.FS)
			if err != nil {
				t.Fatal(err)
			}
			for range k {
				if _, err := s.RollupsStep(ctx, 1, time.Now()); err != nil {
					t.Fatal(err)
				}
			}
			s.Close()
			checkRebuilt(t, path)
		})
	}
}

// TestStampsBetweenRebuildSteps moves a shop to another time zone, whose
// rebuild of the rollups goes step by step, and stamps cards between the
// steps, on cards refreshed already and on cards not yet: the rollups end
// exact, and each step is a transaction of its own that other writers
// commit between (issue 15, item 12).
func TestStampsBetweenRebuildSteps(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, path := dbtest.Open(t)
	shopID, userID, first, program := shop(t, s, "zone@example.com")
	cards := []db.Card{first}
	for i := range 5 {
		c, err := s.EnrollCard(ctx, shopID, db.NewCard{CreatedBy: userID, Key: fmt.Sprint("enrol", i)}, t0)
		if err != nil {
			t.Fatal(err)
		}
		cards = append(cards, c)
	}
	now, keys := t0, 0
	stamp := func(card db.Card) {
		t.Helper()
		keys++
		a := db.Action{ShopID: shopID, CardID: card.ID, ProgramID: program.ID, UserID: userID, Key: fmt.Sprint("k", keys), Now: now}
		if _, err := s.Stamp(ctx, a, 1, true); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 30 {
		now = now.Add(5 * time.Hour)
		stamp(cards[i%len(cards)])
	}
	if err := s.MoveShopOwing(ctx, shopID, "America/New_York"); err != nil {
		t.Fatal(err)
	}
	steps := 0
	for done := false; !done; steps++ {
		now = now.Add(time.Hour)
		stamp(cards[steps%len(cards)])
		var err error
		if done, err = s.RollupsStep(ctx, shopID, now); err != nil {
			t.Fatal(err)
		}
	}
	if steps < len(cards)+2 {
		t.Fatalf("the rebuild took %d steps", steps)
	}
	if err := s.RefreshSegments(ctx, shopID, now); err != nil {
		t.Fatal(err)
	}
	kept := dbtest.Rollups(t, path)
	if err := s.RebuildRollups(ctx, shopID, now); err != nil {
		t.Fatal(err)
	}
	if rebuilt := dbtest.Rollups(t, path); !slices.Equal(kept, rebuilt) {
		t.Errorf("rollups kept through the rebuild differ from a rebuild:\nkept:    %s\nrebuilt: %s", diff(kept, rebuilt), diff(rebuilt, kept))
	}

	// The owner's change of zone owes the rebuild and does it.
	if err := s.UpdateShop(ctx, shopID, db.ShopSettings{Name: "Z", BrandColor: "#000000", Language: "en", TimeZone: "Asia/Tehran", Currency: "IRR", Digits: "latin"}, userID, now); err != nil {
		t.Fatal(err)
	}
	kept = dbtest.Rollups(t, path)
	if err := s.RebuildRollups(ctx, shopID, now); err != nil {
		t.Fatal(err)
	}
	if rebuilt := dbtest.Rollups(t, path); !slices.Equal(kept, rebuilt) {
		t.Errorf("rollups after a change of zone differ from a rebuild:\nkept:    %s\nrebuilt: %s", diff(kept, rebuilt), diff(rebuilt, kept))
	}
}

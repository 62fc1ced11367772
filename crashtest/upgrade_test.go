package crashtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"regulars/db/dbtest"
)

// TestKillNineDuringUpgrade starts the real binary on a database of the
// first schema whose ledger takes many steps to sum into the rollups, kills
// it with SIGKILL in the middle of that rebuild, and starts it again: the
// rollups equal a rebuild from the ledger. Only the process that applied the
// migration used to rebuild them, and such a kill left them empty for good
// (issue 15).
func TestKillNineDuringUpgrade(t *testing.T) {
	path := firstSchemaLedger(t, 2000, 10)
	srv := newServer(t, path)
	srv.launch()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=query_only(ON)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// Kill once a step of the rebuild has committed (the server serves only
	// after the last one).
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(2 * time.Millisecond) {
		var after int64
		if raw.QueryRow(`SELECT after_card FROM rollups_owed WHERE shop_id = 1`).Scan(&after) == nil && after > 0 {
			break
		}
		if res, err := http.Get(srv.url + "/healthz"); err == nil {
			res.Body.Close()
			t.Fatal("the server finished the rebuild before the test could kill it")
		}
		if time.Now().After(deadline) {
			t.Fatalf("no step of the rebuild within 30 s:\n%s", srv.logTail())
		}
	}
	srv.kill()
	if n := count(t, raw, `SELECT count(*) FROM rollups_owed`); n != 1 {
		t.Fatalf("after the kill, %d rebuilds owed, want the one cut off", n)
	}
	srv.start()
	srv.kill()
	if n := count(t, raw, `SELECT count(*) FROM rollups_owed`); n != 0 {
		t.Errorf("after the restart, %d rebuilds still owed", n)
	}

	kept := dbtest.Rollups(t, path)
	s := openStore(t, path)
	defer s.Close()
	if err := s.RebuildRollups(context.Background(), 1, time.Now()); err != nil {
		t.Fatal(err)
	}
	if rebuilt := dbtest.Rollups(t, path); !slices.Equal(kept, rebuilt) {
		t.Errorf("the rollups after the restart differ from a rebuild:\nkept only:    %s\nrebuilt only: %s", missing(kept, rebuilt), missing(rebuilt, kept))
	}
	if len(kept) < 2000 {
		t.Errorf("only %d rollup rows", len(kept))
	}
}

// firstSchemaLedger returns a database of the first schema with one shop
// whose cards each have visits stamped by its cashier, on different days.
func firstSchemaLedger(t *testing.T, cards, visits int) string {
	t.Helper()
	path := dbtest.PathBefore(t, "0002")
	conn, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tx, err := conn.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for _, q := range []string{
		`INSERT INTO shops (id, slug, name, timezone, created_at) VALUES (1, 'old', 'Old', 'Europe/Bucharest', 0)`,
		`INSERT INTO users (id, shop_id, name, email, role, created_at) VALUES (1, 1, 'C', 'c@example.com', 'cashier', 0)`,
		`INSERT INTO programs (id, shop_id, name, reward_text, stamps_required, max_per_visit, is_default, created_at) VALUES (1, 1, 'P', 'r', 5, 3, 1, 0)`,
	} {
		if _, err := tx.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	day := int64(1_770_000_000)
	for c := 1; c <= cards; c++ {
		if _, err := tx.Exec(`INSERT INTO cards (id, shop_id, token, short_code, created_at) VALUES (?, 1, ?, ?, 0)`, c, fmt.Sprint("t", c), fmt.Sprint("C", c)); err != nil {
			t.Fatal(err)
		}
		for v := range visits {
			at := day + int64((c*7+v*31)%200)*86400 + int64(c%12)*3600
			if _, err := tx.Exec(`INSERT INTO events (shop_id, card_id, program_id, user_id, kind, stamps, created_at) VALUES (1, ?, 1, 1, 'stamp', ?, ?)`, c, 1+v%3, at); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return path
}

package main

import (
	"bytes"
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"regulars/db"
	"regulars/db/dbtest"
)

func TestRebuildCommand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, path := dbtest.Open(t)
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	shopID, userID, err := store.CreateShop(ctx, db.NewShop{Name: "R", OwnerName: "O", Email: "r@example.com", PasswordHash: "x",
		Language: "en", TimeZone: "UTC", ProgramName: "Card", RewardText: "coffee"}, now)
	if err != nil {
		t.Fatal(err)
	}
	card, err := store.EnrollCard(ctx, shopID, db.NewCard{CreatedBy: userID, Key: "enrol"}, now)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := store.Programs(ctx, shopID, false)
	if err != nil {
		t.Fatal(err)
	}
	for i, key := range []string{"a", "b", "c"} {
		a := db.Action{ShopID: shopID, CardID: card.ID, ProgramID: ps[0].ID, UserID: userID, Key: key, Now: now.Add(time.Duration(i) * time.Hour)}
		if _, err := store.Stamp(ctx, a, 1, false); err != nil {
			t.Fatal(err)
		}
	}
	store.Close()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE card_balances SET state = '{"stamps":7}', stamps = 7`); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"1 rows corrected", "0 rows corrected"} {
		var out bytes.Buffer
		if err := runRebuild(ctx, config{dbPath: path}, &out); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), want) {
			t.Errorf("rebuild said %q, want %q", out.String(), want)
		}
	}
	var stamps int
	if err := raw.QueryRow(`SELECT stamps FROM card_balances`).Scan(&stamps); err != nil || stamps != 3 {
		t.Errorf("kept stamps after the rebuild: %d (%v), want 3", stamps, err)
	}
}

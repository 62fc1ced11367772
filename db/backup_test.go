package db_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"regulars/db"
	"regulars/db/dbtest"
	"regulars/migrations"
)

// TestBackupRestores: a backup taken while the shop works opens as a
// database with everything written before it and nothing written after.
func TestBackupRestores(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, path := dbtest.Open(t)
	shopID, userID, card, program := shop(t, s, "backup@example.com")
	stamp := func(i int) {
		t.Helper()
		a := db.Action{ShopID: shopID, CardID: card.ID, ProgramID: program.ID, UserID: userID, Key: fmt.Sprint("k", i), Now: t0.AddDate(0, 0, i)}
		if _, err := s.Stamp(ctx, a, 1, false); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		stamp(i)
	}
	dest := filepath.Join(t.TempDir(), "backup.db")
	if err := db.Backup(ctx, path, dest); err != nil {
		t.Fatal(err)
	}
	stamp(3) // after the backup
	if err := db.Backup(ctx, path, dest); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("a second backup to the same file: %v, want a refusal", err)
	}
	if err := db.Backup(ctx, path, path); err == nil {
		t.Fatal("a backup over the live database was not refused")
	}

	restored, err := db.Open(ctx, dest, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	st, err := restored.CardState(ctx, shopID, card.ID, t0.AddDate(0, 0, 5))
	if err != nil {
		t.Fatal(err)
	}
	if st.Card.Token != card.Token || st.Programs[0].Stamps != 3 {
		t.Fatalf("restored card %q with %d stamps, want %q with the 3 stamped before the backup", st.Card.Token, st.Programs[0].Stamps, card.Token)
	}
	live, err := s.CardState(ctx, shopID, card.ID, t0.AddDate(0, 0, 5))
	if err != nil || live.Programs[0].Stamps != 4 {
		t.Fatalf("the live database has %d stamps, %v", live.Programs[0].Stamps, err)
	}
}

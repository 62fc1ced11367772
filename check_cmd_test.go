package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"regulars/db"
	"regulars/db/dbtest"
)

// TestDamagedDatabaseIsRefused damages a page in the middle of a copy of a
// shop's database: the server refuses to start on it and says what to do,
// and `regulars check` lists the damage and fails; on the sound file both
// go on.
func TestDamagedDatabaseIsRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, sound := dbtest.Open(t)
	shopID, userID, err := store.CreateShop(ctx, db.NewShop{Name: "Sound", OwnerName: "O", Email: "sound@example.com", PasswordHash: "x",
		Language: "en", TimeZone: "UTC", ProgramName: "Card", RewardText: "coffee"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 60 {
		if _, err := store.EnrollCard(ctx, shopID, db.NewCard{CreatedBy: userID, Key: fmt.Sprint("enrol-", i)}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	damagedPath := damage(t, sound, "cards")

	var out bytes.Buffer
	if err := runCheck(ctx, config{dbPath: sound}, &out); err != nil || !strings.Contains(out.String(), "no problem found") {
		t.Fatalf("check of the sound file: %v\n%s", err, out.String())
	}
	out.Reset()
	err = runCheck(ctx, config{dbPath: damagedPath}, &out)
	if err == nil || out.Len() == 0 {
		t.Errorf("check of the damaged file: %v, printed %q; want the problems and a failure", err, out.String())
	}

	// The server on the damaged file: refused before it listens, or it
	// would serve until the deadline and end without an error.
	start, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	err = serve(start, config{addr: "127.0.0.1:0", dbPath: damagedPath}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil || !strings.Contains(err.Error(), "damaged") || !strings.Contains(err.Error(), "regulars backup") {
		t.Errorf("serving the damaged file: %v; want a refusal that says to restore the backup", err)
	}
}

// damage copies the database file at path and overwrites the first bytes of
// the root page of table in the copy, whose path it returns.
func damage(t *testing.T, path, table string) string {
	t.Helper()
	conn, err := sql.Open("sqlite", "file:"+path+"?_pragma=query_only(ON)")
	if err != nil {
		t.Fatal(err)
	}
	var root, size, pages int64
	err = conn.QueryRow(`SELECT rootpage, (SELECT page_size FROM pragma_page_size), (SELECT page_count FROM pragma_page_count)
		FROM sqlite_master WHERE name = ?`, table).Scan(&root, &size, &pages)
	conn.Close()
	if err != nil {
		t.Fatal(err)
	}
	if root < 2 || root >= pages {
		t.Fatalf("root page %d of %s in %d pages", root, table, pages)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	copy(b[(root-1)*size:], bytes.Repeat([]byte{0xff}, 64))
	dest := filepath.Join(t.TempDir(), "damaged.db")
	if err := os.WriteFile(dest, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return dest
}

package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"regulars/db"
	"regulars/db/dbtest"
)

// lockedOut is a shop whose owner forgot their password, signed in on a
// device meanwhile; it returns the store, its file and the owner.
func lockedOut(t *testing.T) (*db.Store, string, db.User) {
	t.Helper()
	ctx := context.Background()
	store, path := dbtest.Open(t)
	_, ownerID, err := store.CreateShop(ctx, db.NewShop{Name: "Kafe", OwnerName: "Ayla", Email: "ayla@example.com", PasswordHash: "$2a$04$forgotten",
		Language: "tr", TimeZone: "Europe/Istanbul", ProgramName: "Kart", RewardText: "kahve"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	u, err := store.User(ctx, ownerID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.CreateSession(ctx, u, time.Now()); err != nil {
		t.Fatal(err)
	}
	return store, path, u
}

// TestResetPasswordPrintsALink: the command prints a link that lets the
// owner choose a new password (issue 16, item 1); it opens the page of the
// invite whose hash the database keeps, and the old password works until
// then. Run while another process holds the write lock for a moment, as a
// serving server does, it waits and succeeds.
func TestResetPasswordPrintsALink(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, path, owner := lockedOut(t)
	writer, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	tx, err := writer.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`UPDATE shops SET name = name`); err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(300*time.Millisecond, func() { tx.Commit() })
	for _, tt := range []struct{ base, link string }{
		{"https://loyalty.example.com/", `(?m)^    https://loyalty\.example\.com/invite/([\w-]{32})$`},
		{"", `(?m)^    /invite/([\w-]{32})$`},
	} {
		var out bytes.Buffer
		if code := run(ctx, []string{"reset-password", "-db", path, "-email", " AYLA@example.com", "-base-url", tt.base}, nil, &out, &out); code != 0 {
			t.Fatalf("reset-password: exit %d\n%s", code, out.String())
		}
		m := regexp.MustCompile(tt.link).FindStringSubmatch(out.String())
		if m == nil {
			t.Fatalf("no link in:\n%s", out.String())
		}
		h := sha256.Sum256([]byte(m[1]))
		if u, err := store.UserByInvite(ctx, hex.EncodeToString(h[:]), time.Now()); err != nil || u.ID != owner.ID {
			t.Errorf("the link opens %+v, %v", u, err)
		}
		if tt.base == "" && !strings.Contains(out.String(), "Put the server's address before it") {
			t.Errorf("without -base-url, the command does not say what to do with the path:\n%s", out.String())
		}
	}
	if u, err := store.UserByEmail(ctx, "ayla@example.com"); err != nil || u.PasswordHash != owner.PasswordHash {
		t.Error("printing a link changed the password")
	}
}

// TestResetPasswordFromStdin: with -password-stdin the command sets the
// password, ends every session and records it; a bad address, a short
// password or a missing file change nothing and fail (issue 16, item 1).
func TestResetPasswordFromStdin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, path, _ := lockedOut(t)
	for _, tt := range []struct {
		name  string
		args  []string
		stdin string
		says  string
	}{
		{"no address", []string{"-db", path, "-password-stdin"}, "a new password\n", "usage: regulars reset-password"},
		{"nobody's address", []string{"-db", path, "-email", "nobody@example.com", "-password-stdin"}, "a new password\n", "nobody signs in with nobody@example.com"},
		{"too short", []string{"-db", path, "-email", "ayla@example.com", "-password-stdin"}, "short\n", "it needs 10 to 72"},
		{"a missing file", []string{"-db", path + ".typo", "-email", "ayla@example.com", "-password-stdin"}, "a new password\n", "no such file"},
	} {
		var out bytes.Buffer
		if code := run(ctx, append([]string{"reset-password"}, tt.args...), strings.NewReader(tt.stdin), &out, &out); code != 1 || !strings.Contains(out.String(), tt.says) {
			t.Errorf("%s: exit %d\n%s", tt.name, code, out.String())
		}
	}
	if _, err := os.Stat(path + ".typo"); err == nil {
		t.Error("a mistyped -db created a database")
	}
	var out bytes.Buffer
	if code := run(ctx, []string{"reset-password", "-db", path, "-email", "ayla@example.com", "-password-stdin"}, strings.NewReader("yeni bir şifre\r\n"), &out, &out); code != 0 {
		t.Fatalf("exit %d\n%s", code, out.String())
	}
	u, err := store.UserByEmail(ctx, "ayla@example.com")
	if err != nil || bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte("yeni bir şifre")) != nil {
		t.Errorf("the password read from stdin does not sign in: %v", err)
	}
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var sessions, audited int
	raw.QueryRow(`SELECT count(*) FROM sessions`).Scan(&sessions)
	raw.QueryRow(`SELECT count(*) FROM audit WHERE action = 'staff_password' AND user_id IS NULL`).Scan(&audited)
	if sessions != 0 || audited != 1 {
		t.Errorf("after the reset: %d sessions, %d audit rows", sessions, audited)
	}
}

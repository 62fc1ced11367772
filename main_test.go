package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"regulars/db"
	"regulars/db/dbtest"
	"regulars/migrations"
)

// TestDemo runs the demo command on an already migrated file (the migrations
// have tests of their own) with a small café: 15 customers are every kind the
// demo makes (regulars, the occasional, one-time visitors, those drifting
// away, the invited, those with a birthday) and still give rewards redeemed,
// feedback and three raffle winners at every time of day and week tried.
func TestDemo(t *testing.T) {
	t.Parallel()
	path := dbtest.Path(t)
	const customers = 15
	var out bytes.Buffer
	if err := runDemo(context.Background(), config{dbPath: path, customers: customers}, &out); err != nil {
		t.Fatal(err)
	}
	logins := regexp.MustCompile(`(owner|cashier): +(\S+) +password: (\S+)`).FindAllStringSubmatch(out.String(), -1)
	if len(logins) != 2 {
		t.Fatalf("demo output lacks the two logins:\n%s", out.String())
	}
	ctx := context.Background()
	store, err := db.Open(ctx, path, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	for _, l := range logins {
		u, err := store.UserByEmail(ctx, l[2])
		if err != nil || string(u.Role) != l[1] || bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(l[3])) != nil {
			t.Errorf("%s login %s does not work: %v", l[1], l[2], err)
		}
	}
	ps, err := store.Programs(ctx, 1, false)
	if err != nil || len(ps) != 3 || !ps[2].IsPoints() {
		t.Fatalf("programs: %v %v", ps, err)
	}
	// The catalogue: three gifts in stock, and regulars with points to spend.
	gifts, err := store.Gifts(ctx, 1, false)
	if err != nil || len(gifts) != 3 {
		t.Fatalf("demo gifts: %+v %v", gifts, err)
	}
	for _, g := range gifts {
		if !g.Limited || g.Stock == 0 || g.ProgramID != ps[2].ID {
			t.Errorf("demo gift %s: stock %v %d, program %d", g.Name, g.Limited, g.Stock, g.ProgramID)
		}
	}
	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var holders int
	if err := raw.QueryRow(`SELECT count(DISTINCT card_id) FROM events WHERE program_id = ?`, ps[2].ID).Scan(&holders); err != nil || holders == 0 {
		t.Errorf("no demo customer has points to spend: %v", err)
	}
	d, err := store.Dashboard(ctx, 1, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// Customers are those who visited: a demo card may never have been stamped.
	if d.Customers < customers/2 || d.Customers > customers || d.Current.Visits+d.Previous.Visits < customers || d.Current.Redeems+d.Previous.Redeems < 1 {
		t.Errorf("demo history: %d customers, %+v now, %+v before", d.Customers, d.Current, d.Previous)
	}
	cs, err := store.Campaigns(ctx, 1)
	if err != nil || len(cs) != 2 {
		t.Errorf("demo campaigns: %+v %v", cs, err)
	}
	fs, err := store.FeedbackSummary(ctx, 1, time.Now())
	if err != nil || fs.Recent.Count == 0 || len(fs.Comments) == 0 {
		t.Errorf("demo feedback: %+v, %v", fs, err)
	}
	g, err := store.Growth(ctx, 1)
	if err != nil || g.WelcomeStamps == 0 || g.ReferralStamps == 0 || g.BirthdayGift == "" || g.Pitch == "" {
		t.Errorf("demo growth settings: %+v, %v", g, err)
	}
	news, err := store.NewsList(ctx, 1)
	if err != nil || len(news) != 1 || !news[0].Live(time.Now()) {
		t.Errorf("demo news: %+v, %v", news, err)
	}
	winter, err := store.Raffle(ctx, 1, 1)
	if err != nil || len(winter.WinnerIDs) != 3 || winter.Seed == nil {
		t.Errorf("demo's drawn raffle: %+v, %v", winter, err)
	}
}

// TestBackupCommand backs up a shop of five customers. They are made through
// the store, not the demo, whose two bcrypt hashes cost more than the rest of
// the test under the race detector.
func TestBackupCommand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	live, src := dbtest.Open(t)
	dest := filepath.Join(t.TempDir(), "copy.db")
	shopID, userID, err := live.CreateShop(ctx, db.NewShop{Name: "Live", OwnerName: "O", Email: "live@example.com", PasswordHash: "x",
		Language: "en", TimeZone: "UTC", ProgramName: "Card", RewardText: "coffee"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := live.EnrollCard(ctx, shopID, db.NewCard{CreatedBy: userID, Key: fmt.Sprint("enrol-", i)}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if err := live.Close(); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := runBackup(context.Background(), config{dbPath: src}, "", &out); err == nil {
		t.Error("a backup without a file name was not refused")
	}
	if err := runBackup(context.Background(), config{dbPath: src}, dest, &out); err != nil {
		t.Fatal(err)
	}
	store, err := db.Open(context.Background(), dest, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if l, err := store.Customers(context.Background(), shopID, db.CustomerQuery{}, time.Now()); err != nil || l.Total != 5 {
		t.Errorf("the copy has %d customers (%v), want the 5 of the live database", l.Total, err)
	}
}

// TestBackupBesideAWriter backs up while another process holds the write
// lock in the middle of a transaction: the backup needs no write lock, so it
// neither waits for it nor fails (it used to give up after busy_timeout), and
// the copy has what was committed only.
func TestBackupBesideAWriter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	live, src := dbtest.Open(t)
	shopID, _, err := live.CreateShop(ctx, db.NewShop{Name: "Busy", OwnerName: "O", Email: "busy@example.com", PasswordHash: "x",
		Language: "en", TimeZone: "UTC", ProgramName: "Card", RewardText: "coffee"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	writer, err := sql.Open("sqlite", "file:"+src+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	tx, err := writer.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`UPDATE shops SET name = 'Uncommitted' WHERE id = ?`, shopID); err != nil {
		t.Fatal(err)
	}

	// The writer keeps its lock until the test ends: a backup that needed
	// it would fail with SQLITE_BUSY instead of finishing (no timing here:
	// a busy CI machine is slow, not wrong).
	dest := filepath.Join(t.TempDir(), "copy.db")
	if err := runBackup(ctx, config{dbPath: src}, dest, io.Discard); err != nil {
		t.Fatalf("backup beside a writer: %v", err)
	}
	copied, err := sql.Open("sqlite", "file:"+dest+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer copied.Close()
	var name string
	if err := copied.QueryRow(`SELECT name FROM shops WHERE id = ?`, shopID).Scan(&name); err != nil || name != "Busy" {
		t.Errorf("the copy has shop %q (%v), want what was committed", name, err)
	}
}

// TestCommandLine: a mistyped or unknown command prints the usage and fails
// without starting a server or creating a database where it was typed;
// help, version and each command's -h say what they do (issue 16, item 1).
// Not parallel: it runs in an empty folder of its own.
func TestCommandLine(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, tt := range []struct {
		args     []string
		code     int
		out, err string // what stdout and stderr contain
	}{
		{[]string{"reset-pasword"}, 2, "", `unknown command "reset-pasword"`},
		{[]string{"serv", "-addr", "127.0.0.1:0"}, 2, "", "usage: regulars [command]"},
		{[]string{"help"}, 0, "reset-password  Let someone locked out back in", ""},
		{[]string{"version"}, 0, "regulars ", ""},
		{[]string{"reset-password", "-h"}, 0, "", "usage: regulars reset-password [-db FILE] -email ADDRESS"},
		{[]string{"backup", "-h"}, 0, "", "Write a consistent copy of the database"},
		{[]string{"-h"}, 0, "", "Serve the shops over HTTP"},
		{[]string{"check", "-no-such-flag"}, 2, "", "flag provided but not defined"},
	} {
		var out, errs bytes.Buffer
		code := run(context.Background(), tt.args, nil, &out, &errs)
		if code != tt.code || !strings.Contains(out.String(), tt.out) || !strings.Contains(errs.String(), tt.err) {
			t.Errorf("regulars %v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", tt.args, code, tt.code, out.String(), errs.String())
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("the commands left %v in the folder", entries)
	}
}

// TestUploadsGetTimeToArrive: a request's deadline is the short one, but an
// upload's (a phone photo on a slow link) leaves it two minutes.
func TestUploadsGetTimeToArrive(t *testing.T) {
	t.Parallel()
	var left time.Duration
	h := withDeadline(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dl, _ := r.Context().Deadline()
		left = time.Until(dl)
	}), 10*time.Second)
	for _, tt := range []struct {
		length   int64
		min, max time.Duration
	}{{512, 9 * time.Second, 10 * time.Second}, {10 << 20, 119 * time.Second, 120 * time.Second}} {
		req := httptest.NewRequest(http.MethodPost, "/news", strings.NewReader(""))
		req.ContentLength = tt.length
		h.ServeHTTP(httptest.NewRecorder(), req)
		if left < tt.min || left > tt.max {
			t.Errorf("a body of %d bytes has %s, want %s–%s", tt.length, left, tt.min, tt.max)
		}
	}
}

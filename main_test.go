package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"regulars/db"
	"regulars/migrations"
)

func TestDemo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "demo.db")
	var out bytes.Buffer
	if err := runDemo(context.Background(), config{dbPath: path, customers: 40}, &out); err != nil {
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
	if err != nil || len(ps) != 2 {
		t.Fatalf("programs: %v %v", ps, err)
	}
	d, err := store.Dashboard(ctx, 1, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if d.Customers != 40 || d.Current.Visits+d.Previous.Visits < 40 || d.Current.Redeems+d.Previous.Redeems < 1 {
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

func TestBackupCommand(t *testing.T) {
	dir := t.TempDir()
	src, dest := filepath.Join(dir, "live.db"), filepath.Join(dir, "copy.db")
	var out bytes.Buffer
	if err := runDemo(context.Background(), config{dbPath: src, customers: 5}, &out); err != nil {
		t.Fatal(err)
	}
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
	if d, err := store.Dashboard(context.Background(), 1, time.Now()); err != nil || d.Customers != 5 {
		t.Errorf("the copy has %d customers (%v), want the demo's 5", d.Customers, err)
	}
}

package db_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"regulars/db"
	"regulars/db/dbtest"
)

// TestPurgeRecovery: the daily purge deletes reset links used or expired a
// month ago with their staff mail (sent, dropped, or left queued while
// mail was off), and keeps a recent link, and an old one whose mail is
// still being sent.
func TestPurgeRecovery(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, path := dbtest.Open(t)
	shopID, ownerID, _, _ := shop(t, s, "purge-owner@example.com")
	if _, err := s.AddStaff(ctx, shopID, db.NewStaff{Name: "Cem", Email: "cem@example.com", Role: db.RoleCashier, PasswordHash: "old"}, ownerID, t0); err != nil {
		t.Fatal(err)
	}
	now := t0.Add(31 * 24 * time.Hour)
	ask := func(email, hash string, at time.Time) {
		t.Helper()
		if err := s.RequestPasswordReset(ctx, email, hash, "/reset/"+hash, "en", at, at.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	ask("purge-owner@example.com", "sending", t0)
	if m, err := s.ClaimStaffMail(ctx, t0, time.Minute, 1); err != nil || len(m) != 1 {
		t.Fatalf("claimed %d: %v", len(m), err)
	}
	ask("cem@example.com", "used", t0)
	if _, err := s.ResetPassword(ctx, "used", "new", t0.Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	ask("purge-owner@example.com", "expired", t0.Add(time.Hour))
	ask("purge-owner@example.com", "recent", now.Add(-24*time.Hour))

	n, err := s.PurgeRecovery(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=query_only(ON)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var left string
	err = raw.QueryRow(`SELECT group_concat(r.token_hash || ':' || coalesce(m.state, '-'), ' ') FROM (SELECT * FROM password_resets ORDER BY id) r
		LEFT JOIN staff_mail m ON m.reset_id = r.id`).Scan(&left)
	if err != nil {
		t.Fatal(err)
	}
	if left != "sending:sending recent:queued" || n != 4 {
		t.Errorf("left %q after deleting %d rows; want the mail still sending and the recent link, 4 rows deleted", left, n)
	}
	if n, err := s.PurgeRecovery(ctx, now); err != nil || n != 0 {
		t.Errorf("a second purge deleted %d: %v", n, err)
	}
}

package db_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"regulars/db"
	"regulars/db/dbtest"
)

// TestPasswordResetLink: a link is recorded only for an address that signs
// in; it opens its member's page until it expires or is used; using it sets
// the password, ends that member's sessions (not another's), uses up their
// other links and drops their staff mail not sent yet; it works once.
func TestPasswordResetLink(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, path := dbtest.Open(t)
	shopID, ownerID, _, _ := shop(t, s, "reset-owner@example.com")
	cashierID, err := s.AddStaff(ctx, shopID, db.NewStaff{Name: "Cem", Email: "cem@example.com", Role: db.RoleCashier, PasswordHash: "old"}, ownerID, t0)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=query_only(ON)")
	defer raw.Close()
	count := func(q string, args ...any) (n int) {
		t.Helper()
		if err := raw.QueryRow(q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	expires := t0.Add(time.Hour)
	for _, email := range []string{"nobody@example.com", "cem@example.org", ""} {
		if err := s.RequestPasswordReset(ctx, email, "h-"+email, "/reset/x", "en", t0, expires); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("a link for %q: %v, want ErrNotFound", email, err)
		}
	}
	if n := count(`SELECT (SELECT count(*) FROM password_resets) + (SELECT count(*) FROM staff_mail)`); n != 0 {
		t.Fatalf("%d rows for addresses nobody signs in with", n)
	}
	for _, h := range []string{"first", "second"} {
		if err := s.RequestPasswordReset(ctx, "cem@example.com", h, "/reset/"+h, "tr", t0, expires); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(`SELECT count(*) FROM staff_mail WHERE user_id = ? AND state = 'queued' AND language = 'tr' AND link LIKE '/reset/%'`, cashierID); n != 2 {
		t.Errorf("%d queued messages, want 2", n)
	}
	if n := count(`SELECT count(*) FROM password_resets WHERE token_hash IN ('first', 'second') AND expires_at = ?`, expires.Unix()); n != 2 {
		t.Errorf("%d links kept by their hash, want 2", n)
	}

	cem, err := s.User(ctx, cashierID)
	if err != nil {
		t.Fatal(err)
	}
	owner, _ := s.User(ctx, ownerID)
	cemSession, _ := s.CreateSession(ctx, cem, t0)
	ownerSession, _ := s.CreateSession(ctx, owner, t0)

	tests := []struct {
		name string
		hash string
		at   time.Time
		ok   bool
	}{
		{"unknown", "third", t0, false},
		{"expired", "first", expires, false},
		{"working", "first", expires.Add(-time.Second), true},
	}
	for _, tt := range tests {
		u, err := s.PasswordResetUser(ctx, tt.hash, tt.at)
		if tt.ok != (err == nil) || (tt.ok && u.ID != cashierID) {
			t.Errorf("%s link: %+v, %v", tt.name, u, err)
		}
	}
	if _, err := s.ResetPassword(ctx, "first", "new", expires); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("an expired link set the password: %v", err)
	}
	u, err := s.ResetPassword(ctx, "first", "new", t0.Add(time.Minute))
	if err != nil || u.ID != cashierID || u.PasswordHash != "new" {
		t.Fatalf("reset: %+v, %v", u, err)
	}
	for _, h := range []string{"first", "second"} {
		if _, err := s.ResetPassword(ctx, h, "newer", t0.Add(2*time.Minute)); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("link %s worked after a reset: %v", h, err)
		}
	}
	if _, _, err := s.SessionUser(ctx, cemSession, t0.Add(time.Minute)); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("Cem's old session survived the reset: %v", err)
	}
	if _, _, err := s.SessionUser(ctx, ownerSession, t0.Add(time.Minute)); err != nil {
		t.Errorf("the owner's session ended with Cem's reset: %v", err)
	}
	if n := count(`SELECT count(*) FROM staff_mail WHERE state = 'dropped' AND link = ''`); n != 2 {
		t.Errorf("%d messages dropped with their link blanked, want 2", n)
	}
	if n := count(`SELECT count(*) FROM audit WHERE user_id = ? AND action = 'password'`, cashierID); n != 1 {
		t.Errorf("%d audit rows of the reset, want 1", n)
	}
}

// TestStaffMailQueue: a message is claimed once, retried with its link,
// and blanked once sent; the facts say when its link no longer works.
func TestStaffMailQueue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := dbtest.Open(t)
	_, _, _, _ = shop(t, s, "mail-owner@example.com")
	if _, ok, err := s.NextStaffMailAt(ctx); err != nil || ok {
		t.Fatalf("an empty queue: %v %v", ok, err)
	}
	if err := s.RequestPasswordReset(ctx, "mail-owner@example.com", "h", "/reset/secret", "ro", t0, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if at, ok, err := s.NextStaffMailAt(ctx); err != nil || !ok || !at.Equal(t0) {
		t.Fatalf("next: %v %v %v", at, ok, err)
	}
	ms, err := s.ClaimStaffMail(ctx, t0, time.Minute, 10)
	if err != nil || len(ms) != 1 || ms[0].Link != "/reset/secret" || ms[0].Language != "ro" || ms[0].Attempts != 1 {
		t.Fatalf("claimed %+v, %v", ms, err)
	}
	if again, _ := s.ClaimStaffMail(ctx, t0, time.Minute, 10); len(again) != 0 {
		t.Errorf("claimed twice within the lease: %+v", again)
	}
	f, err := s.StaffMailFacts(ctx, ms[0], t0)
	if err != nil || !f.Active || !f.Open || f.User.Email != "mail-owner@example.com" || f.Shop.ID == 0 {
		t.Errorf("facts: %+v, %v", f, err)
	}
	if f, _ := s.StaffMailFacts(ctx, ms[0], t0.Add(time.Hour)); f.Open {
		t.Error("the link is open after it expired")
	}
	if err := s.FinishStaffMail(ctx, ms[0].ID, db.OutboxOutcome{State: db.OutboxQueued, Next: t0.Add(time.Minute), Error: "busy"}, t0); err != nil {
		t.Fatal(err)
	}
	ms, err = s.ClaimStaffMail(ctx, t0.Add(time.Minute), time.Minute, 10)
	if err != nil || len(ms) != 1 || ms[0].Link != "/reset/secret" || ms[0].Attempts != 2 {
		t.Fatalf("the retry: %+v, %v", ms, err)
	}
	if err := s.FinishStaffMail(ctx, ms[0].ID, db.OutboxOutcome{State: db.OutboxSent}, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.NextStaffMailAt(ctx); ok {
		t.Error("a sent message still waits")
	}
	// Lease lapsed or not, a sent message is never claimed again.
	if again, _ := s.ClaimStaffMail(ctx, t0.Add(time.Hour), time.Minute, 10); len(again) != 0 {
		t.Errorf("a sent message was claimed again: %+v", again)
	}
}

// TestQueueCardLink: a card's link goes only to a card of the shop with
// the address (in any case) and the service consent of e-mail, not erased;
// once per window, however often it is asked for.
func TestQueueCardLink(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, path := dbtest.Open(t)
	shopID, ownerID, _, _ := shop(t, s, "link-owner@example.com")
	otherID, _, _, _ := shop(t, s, "link-other@example.com")
	enroll := func(shop int64, key, email string, service bool) db.Card {
		t.Helper()
		c, err := s.EnrollCard(ctx, shop, db.NewCard{Email: email, EmailService: service, Key: key}, t0)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	asked := enroll(shopID, "a", "ana@example.com", true)
	enroll(shopID, "b", "ana@example.com", false)      // same address, no consent
	enroll(otherID, "c", "ana@example.com", true)      // another shop's
	enroll(shopID, "d", "bogdan@example.com", true)    // another address
	enroll(shopID, "e", "ANA.other@example.com", true) // a longer address
	raw, _ := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=query_only(ON)")
	defer raw.Close()

	tests := []struct {
		name  string
		email string
		at    time.Time
		want  int64
	}{
		{"the address in other case", "ANA@example.com", t0, 1},
		{"again at once", "ana@example.com", t0.Add(time.Minute), 0},
		{"an unknown address", "nobody@example.com", t0, 0},
		{"no address", "", t0, 0},
		{"a window later", "ana@example.com", t0.Add(16 * time.Minute), 1},
	}
	for _, tt := range tests {
		n, err := s.QueueCardLink(ctx, shopID, tt.email, "fa", tt.at)
		if err != nil || n != tt.want {
			t.Errorf("%s: queued %d, %v; want %d", tt.name, n, err, tt.want)
		}
	}
	var n int
	raw.QueryRow(`SELECT count(*) FROM outbox WHERE card_id = ? AND template = 'card_link' AND purpose = 'service' AND language = 'fa'`, asked.ID).Scan(&n)
	if n != 2 {
		t.Errorf("%d card links for the card that asked, want 2", n)
	}
	raw.QueryRow(`SELECT count(*) FROM outbox WHERE card_id <> ?`, asked.ID).Scan(&n)
	if n != 0 {
		t.Errorf("%d messages to other cards", n)
	}
	if err := s.EraseCustomer(ctx, shopID, ownerID, asked.ID, t0); err != nil {
		t.Fatal(err)
	}
	if n, err := s.QueueCardLink(ctx, shopID, "ana@example.com", "en", t0.Add(time.Hour)); err != nil || n != 0 {
		t.Errorf("an erased card: queued %d, %v", n, err)
	}
}

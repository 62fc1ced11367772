package db_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"regulars/db"
	"regulars/db/dbtest"
)

func TestSessionLifecycle(t *testing.T) {
	t.Parallel()
	s, path := dbtest.Open(t)
	ctx := context.Background()
	shopID, ownerID, _, _ := shop(t, s, "owner@example.com")
	owner, err := s.User(ctx, ownerID)
	if err != nil {
		t.Fatal(err)
	}
	signedIn := func(token string, at time.Time) bool {
		t.Helper()
		u, _, err := s.SessionUser(ctx, token, at)
		switch {
		case err == nil && u.ID == ownerID && u.ShopID == shopID:
			return true
		case errors.Is(err, db.ErrNotFound):
			return false
		}
		t.Fatalf("session user: %+v %v", u, err)
		return false
	}

	phone, err := s.CreateSession(ctx, owner, t0)
	if err != nil {
		t.Fatal(err)
	}
	laptop, _ := s.CreateSession(ctx, owner, t0)
	if phone == laptop || len(phone) < 40 {
		t.Fatalf("tokens %q and %q: want two distinct long random tokens", phone, laptop)
	}
	if !signedIn(phone, t0) || !signedIn(laptop, t0) {
		t.Fatal("a new session does not sign in")
	}
	for _, bad := range []string{"", "x", phone + "x", laptop[:len(laptop)-1]} {
		if signedIn(bad, t0) {
			t.Errorf("token %q signs in", bad)
		}
	}
	// The database keeps hashes only.
	raw := rawDB(t, path)
	rows, err := raw.Query(`SELECT token_hash FROM sessions`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var stored []byte
		rows.Scan(&stored)
		for _, token := range []string{phone, laptop} {
			if len(stored) != sha256.Size || bytes.Contains(stored, []byte(token)) {
				t.Errorf("stored %q for token %q: want its SHA-256 only", stored, token)
			}
		}
	}
	rows.Close()

	// Sessions last 30 days from the sign-in.
	if !signedIn(phone, t0.Add(db.SessionLifetime-time.Second)) || signedIn(phone, t0.Add(db.SessionLifetime)) {
		t.Error("a session does not end exactly after its lifetime")
	}

	if err := s.EndSession(ctx, phone); err != nil {
		t.Fatal(err)
	}
	if signedIn(phone, t0) || !signedIn(laptop, t0) {
		t.Error("ending one session must end that one only")
	}
	if err := s.EndSession(ctx, phone); err != nil {
		t.Errorf("ending an ended session: %v", err)
	}

	// Creating a session clears the ones expired for a lifetime more.
	later := t0.Add(2*db.SessionLifetime + time.Hour)
	if _, err := s.CreateSession(ctx, owner, later); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := raw.QueryRow(`SELECT count(*) FROM sessions WHERE expires_at <= ?`, later.Add(-db.SessionLifetime).Unix()).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d expired sessions left after a new one, %v", n, err)
	}
}

func TestSessionsEndWithPasswordChangeAndRemoval(t *testing.T) {
	t.Parallel()
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	shopID, ownerID, _, _ := shop(t, s, "owner@example.com")
	otherShop, otherOwnerID, _, _ := shop(t, s, "other@example.com")
	cashierID, err := s.AddStaff(ctx, shopID, db.NewStaff{Name: "C", Email: "c@example.com", Role: db.RoleCashier, PasswordHash: "old"}, ownerID, t0)
	if err != nil {
		t.Fatal(err)
	}
	cashier, _ := s.User(ctx, cashierID)
	owner, _ := s.User(ctx, ownerID)
	otherOwner, _ := s.User(ctx, otherOwnerID)
	tablet, _ := s.CreateSession(ctx, cashier, t0)
	phone, _ := s.CreateSession(ctx, cashier, t0)
	ownerSession, _ := s.CreateSession(ctx, owner, t0)
	otherSession, _ := s.CreateSession(ctx, otherOwner, t0)
	alive := func(token string) bool {
		_, _, err := s.SessionUser(ctx, token, t0)
		return err == nil
	}

	fresh, err := s.ChangePassword(ctx, cashier, "new", t0)
	if err != nil {
		t.Fatal(err)
	}
	if alive(tablet) || alive(phone) || !alive(fresh) {
		t.Errorf("after a password change: tablet %v phone %v new %v, want only the new session", alive(tablet), alive(phone), alive(fresh))
	}
	if !alive(ownerSession) || !alive(otherSession) {
		t.Error("a password change ended someone else's session")
	}
	if u, _ := s.User(ctx, cashierID); u.PasswordHash != "new" {
		t.Errorf("password hash %q, want new", u.PasswordHash)
	}
	// A change based on a hash read before another change is refused.
	if _, err := s.ChangePassword(ctx, cashier, "newer", t0); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("change with a stale hash: %v, want ErrNotFound", err)
	}

	// Another shop cannot remove the cashier, nor end their sessions.
	if err := s.RemoveStaff(ctx, otherShop, cashierID, otherOwnerID, t0); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("foreign removal: %v", err)
	}
	if !alive(fresh) {
		t.Error("a foreign removal ended the session")
	}
	if err := s.RemoveStaff(ctx, shopID, cashierID, ownerID, t0); err != nil {
		t.Fatal(err)
	}
	if alive(fresh) || !alive(ownerSession) {
		t.Error("removal must end the removed person's sessions only")
	}
	// Even a session made after the removal opens nothing for a removed person.
	removedSession, err := s.CreateSession(ctx, cashier, t0)
	if err != nil {
		t.Fatal(err)
	}
	if alive(removedSession) {
		t.Error("a removed person's session signs in")
	}
}

// TestSessionRenewsWhileUsed: a counter tablet used every day stays signed in
// past the 30 days of a sign-in, renewed at most once a day, and signs in
// again after 90 days however much it is used; the owner can end a staff
// member's sessions at once (issue 14).
func TestSessionRenewsWhileUsed(t *testing.T) {
	t.Parallel()
	s, _ := dbtest.Open(t)
	ctx := context.Background()
	shopID, ownerID, _, _ := shop(t, s, "renew@example.com")
	cashierID, err := s.AddStaff(ctx, shopID, db.NewStaff{Name: "C", Email: "renew-c@example.com", Role: db.RoleCashier, PasswordHash: "x"}, ownerID, t0)
	if err != nil {
		t.Fatal(err)
	}
	cashier, _ := s.User(ctx, cashierID)
	tablet, err := s.CreateSession(ctx, cashier, t0)
	if err != nil {
		t.Fatal(err)
	}
	use := func(at time.Time) (signedIn, renewed bool) {
		t.Helper()
		_, due, err := s.SessionUser(ctx, tablet, at)
		if errors.Is(err, db.ErrNotFound) {
			return false, false
		}
		if err != nil {
			t.Fatal(err)
		}
		if due {
			if err := s.RenewSession(ctx, tablet, at); err != nil {
				t.Fatal(err)
			}
		}
		return true, due
	}
	if _, renewed := use(t0.Add(time.Hour)); renewed {
		t.Error("a session an hour old was renewed: one write a day at most")
	}
	renewals := 0
	day := 24 * time.Hour
	for d := 1; d < 90; d++ {
		in, renewed := use(t0.Add(time.Duration(d)*day + time.Minute))
		if !in {
			t.Fatalf("a tablet used every day was signed out on day %d", d)
		}
		if renewed {
			renewals++
		}
	}
	// Once a day until the 90th day is within the 30 of a renewal.
	if renewals < 55 || renewals > 60 {
		t.Errorf("%d renewals over 89 days of use, want about one a day for 60 days", renewals)
	}
	if in, _ := use(t0.Add(db.SessionMaxAge + time.Minute)); in {
		t.Error("a session outlived its 90 days")
	}

	// The owner signs a lost tablet out; another shop's owner cannot.
	again, _ := s.CreateSession(ctx, cashier, t0)
	otherShop, otherOwner, _, _ := shop(t, s, "renew-other@example.com")
	if err := s.EndStaffSessions(ctx, otherShop, cashierID, otherOwner, t0); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("another shop ending our cashier's sessions: %v", err)
	}
	if _, _, err := s.SessionUser(ctx, again, t0); err != nil {
		t.Fatalf("the session ended by another shop: %v", err)
	}
	if err := s.EndStaffSessions(ctx, shopID, cashierID, ownerID, t0); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SessionUser(ctx, again, t0); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("after the owner signed the cashier out: %v", err)
	}
}

// TestSignInWhileTheClockRunsAhead: one sign-in while the clock is 30 days
// ahead used to delete every session of every shop; now the sessions come
// back with the clock, and a sign-in clears a bounded number of sessions
// expired for a lifetime more.
func TestSignInWhileTheClockRunsAhead(t *testing.T) {
	t.Parallel()
	s, path := dbtest.Open(t)
	ctx := context.Background()
	_, ownerID, _, _ := shop(t, s, "ahead@example.com")
	owner, err := s.User(ctx, ownerID)
	if err != nil {
		t.Fatal(err)
	}
	var tokens []string
	for range 3 {
		token, err := s.CreateSession(ctx, owner, t0)
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, token)
	}
	if _, err := s.CreateSession(ctx, owner, t0.Add(db.SessionLifetime+time.Hour)); err != nil {
		t.Fatal(err)
	}
	for i, token := range tokens {
		if _, _, err := s.SessionUser(ctx, token, t0.Add(time.Hour)); err != nil {
			t.Errorf("session %d after the clock came back: %v", i, err)
		}
	}

	// Sessions long expired go, a bounded number per sign-in.
	raw := rawDB(t, path)
	for range 3 * 50 {
		if _, err := s.CreateSession(ctx, owner, t0.Add(-3*db.SessionLifetime)); err != nil {
			t.Fatal(err)
		}
	}
	count := func() int {
		var n int
		if err := raw.QueryRow(`SELECT count(*) FROM sessions`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	if _, err := s.CreateSession(ctx, owner, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := before + 1 - count(); got != 100 {
		t.Errorf("a sign-in deleted %d sessions, want 100 of the 150 long expired", got)
	}
}

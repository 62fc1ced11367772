package outbox_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"regulars/db"
	"regulars/outbox"
)

// staffMail reads the state, attempts and link of every staff message, in order.
func (f *fixture) staffMail(t *testing.T) []string {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+f.path+"?_pragma=busy_timeout(5000)&_pragma=query_only(ON)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.Query(`SELECT state || '/' || attempts || ' ' || link FROM staff_mail ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var list []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		list = append(list, strings.TrimSpace(s))
	}
	return list
}

// askReset records a reset link for the shop's owner, asked for in Persian.
func (f *fixture) askReset(t *testing.T) {
	t.Helper()
	now := f.clock.Now()
	if err := f.store.RequestPasswordReset(context.Background(), "o@example.com", "hash", "/reset/secret", "fa", now, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
}

// TestStaffMailSent: the worker sends a reset link once, to the member, in the
// language it was asked in, under the shop's name, without an unsubscribe
// link; once sent, the secret is gone from the queue.
func TestStaffMailSent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, true, false)
	f.askReset(t)
	sent := &recorder{}
	w := f.worker(t, map[string]outbox.Sender{db.ChannelEmail: sent})
	for range 2 {
		if _, err := w.SendStaffDue(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if len(sent.got) != 1 {
		t.Fatalf("sent %d messages, want 1", len(sent.got))
	}
	m := sent.got[0]
	if m.To != "o@example.com" || m.FromName != "Kahve Durağı" || m.UnsubscribeURL != "" || m.MessageID != "staff-1@loyal.example" {
		t.Errorf("message %+v", m)
	}
	if !strings.Contains(m.Subject, "گذرواژهٔ جدید") || !strings.Contains(m.Text, "https://loyal.example/reset/secret") ||
		!strings.Contains(m.HTML, `href="https://loyal.example/reset/secret"`) {
		t.Errorf("not the Persian message with the link: %q\n%s", m.Subject, m.Text)
	}
	if got := f.staffMail(t); len(got) != 1 || got[0] != "sent/1" {
		t.Errorf("after sending: %v", got)
	}
}

// TestStaffMailNotSent: a link that expired or whose member was removed
// before it left is dropped, its secret blanked; a refusal keeps it for the
// retry.
func TestStaffMailNotSent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		sender outbox.Sender
		change func(t *testing.T, f *fixture)
		want   string
	}{
		{"expired", &recorder{}, func(t *testing.T, f *fixture) { f.clock.Advance(time.Hour) }, "dropped/1"},
		{"member removed", &recorder{}, func(t *testing.T, f *fixture) {
			// A second owner removes the first.
			id, err := f.store.AddStaff(ctx, f.shopID, db.NewStaff{Name: "Second", Email: "second@example.com", Role: db.RoleOwner, PasswordHash: "x"}, f.userID, t0)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.store.RemoveStaff(ctx, f.shopID, f.userID, id, t0); err != nil {
				t.Fatal(err)
			}
		}, "dropped/1"},
		{"refused", failing{}, func(*testing.T, *fixture) {}, "queued/1 /reset/secret"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, true, false)
			f.askReset(t)
			tc.change(t, f)
			if _, err := f.worker(t, map[string]outbox.Sender{db.ChannelEmail: tc.sender}).SendStaffDue(ctx); err != nil {
				t.Fatal(err)
			}
			if got := f.staffMail(t); len(got) != 1 || got[0] != tc.want {
				t.Errorf("%v, want %s", got, tc.want)
			}
			if r, ok := tc.sender.(*recorder); ok && len(r.got) != 0 {
				t.Errorf("sent %d messages", len(r.got))
			}
		})
	}
}

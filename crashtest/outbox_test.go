package crashtest

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"regulars/db"
	"regulars/mailtest"
	"regulars/migrations"
)

// outboxCards is how many cards earn a reward, each queueing one "reward
// ready" e-mail: enough that the server is killed while it sends them.
const outboxCards = 150

// TestKillNineWhileSending kills the real server with SIGKILL while its
// outbox sends e-mail to a real SMTP server (Mailpit), restarts it, and
// checks the outbox's promise: every message queued is delivered (none
// lost), and none marked sent before the kill is delivered again. A message
// caught between its send and its mark ("sending" at the kill) may arrive
// twice: the outbox sends at least once.
func TestKillNineWhileSending(t *testing.T) {
	mp := mailtest.Start(t)
	dbPath := filepath.Join(t.TempDir(), "regulars.db")
	queueRewards(t, dbPath)
	srv := newServer(t, dbPath)
	srv.flags = []string{"-smtp-url", mp.SMTPURL(), "-smtp-from", "cards@example.com", "-base-url", srv.url}
	srv.start()

	// Kill once some, not all, messages have arrived.
	deadline := time.Now().Add(60 * time.Second)
	for len(mp.Messages(t)) < outboxCards/5 {
		if time.Now().After(deadline) {
			t.Fatalf("only %d messages in 60 s:\n%s", len(mp.Messages(t)), srv.logTail())
		}
		time.Sleep(5 * time.Millisecond)
	}
	srv.kill()
	states := outboxStates(t, dbPath)
	atKill := delivered(t, mp)
	var sent, sending []int64
	for id, state := range states {
		switch state {
		case db.OutboxSent:
			sent = append(sent, id)
		case db.OutboxSending:
			sending = append(sending, id)
		}
	}
	t.Logf("at the kill: %d of %d marked sent, %d sending, %d delivered", len(sent), len(states), len(sending), len(atKill))
	if len(sent) == len(states) {
		t.Log("every message was sent before the kill: the kill proved less than it could")
	}

	srv.start()
	deadline = time.Now().Add(60 * time.Second)
	for {
		states = outboxStates(t, dbPath)
		done := 0
		for _, s := range states {
			if s == db.OutboxSent {
				done++
			}
		}
		if done == len(states) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d messages sent 60 s after the restart:\n%s", done, len(states), srv.logTail())
		}
		time.Sleep(50 * time.Millisecond)
	}
	after := delivered(t, mp)
	if len(states) != outboxCards {
		t.Errorf("%d messages queued, want one per card's reward: %d", len(states), outboxCards)
	}
	twice := 0
	for id := range states {
		n := after[id]
		switch {
		case n == 0:
			t.Errorf("message %d was never delivered: lost", id)
		case n > 1 && !containsID(sending, id):
			t.Errorf("message %d was delivered %d times, and was not sending at the kill", id, n)
		case n > 1:
			twice++
		}
	}
	for _, id := range sent {
		if after[id] != atKill[id] {
			t.Errorf("message %d, marked sent before the kill, was delivered again after it", id)
		}
	}
	t.Logf("after the restart: all %d delivered; %d of the %d sending at the kill arrived twice", len(states), twice, len(sending))
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// queueRewards makes a shop whose "reward ready" automation is on, with
// outboxCards cards that asked for it, and gives each ten stamps: each
// tenth queues its message in the stamp's transaction.
func queueRewards(t *testing.T, path string) {
	t.Helper()
	ctx := context.Background()
	s, err := db.Open(ctx, path, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Now().Add(-time.Hour)
	shopID, userID, err := s.CreateShop(ctx, db.NewShop{Name: "Crash Kafe", OwnerName: "O", Email: "o@example.com", PasswordHash: "x",
		Language: "en", TimeZone: "UTC", ProgramName: "Card", RewardText: "coffee"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAutomation(ctx, shopID, db.Automation{Kind: db.AutomationRewardReady, Enabled: true}, now); err != nil {
		t.Fatal(err)
	}
	ps, err := s.Programs(ctx, shopID, false)
	if err != nil {
		t.Fatal(err)
	}
	for i := range outboxCards {
		c, err := s.EnrollCard(ctx, shopID, db.NewCard{Email: fmt.Sprintf("c%d@example.com", i), EmailService: true, CreatedBy: userID, Key: fmt.Sprint("e", i)}, now)
		if err != nil {
			t.Fatal(err)
		}
		for j := range 10 {
			a := db.Action{ShopID: shopID, CardID: c.ID, ProgramID: ps[0].ID, UserID: userID, Key: fmt.Sprintf("s%d-%d", i, j), Now: now.Add(time.Duration(j) * time.Second)}
			if _, err := s.Stamp(ctx, a, 1, false); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// outboxStates reads every message's state.
func outboxStates(t *testing.T, path string) map[int64]string {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=query_only(ON)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.Query(`SELECT id, state FROM outbox`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	states := map[int64]string{}
	for rows.Next() {
		var id int64
		var state string
		if err := rows.Scan(&id, &state); err != nil {
			t.Fatal(err)
		}
		states[id] = state
	}
	return states
}

// delivered counts the messages Mailpit received, by outbox id (from the
// Message-ID the outbox gives each: outbox-{id}@host).
func delivered(t *testing.T, mp *mailtest.Server) map[int64]int {
	t.Helper()
	n := map[int64]int{}
	for _, m := range mp.Messages(t) {
		var id int64
		if _, err := fmt.Sscanf(strings.TrimPrefix(m.MessageID, "outbox-"), "%d@", &id); err != nil {
			t.Fatalf("a message with Message-ID %q, not the outbox's", m.MessageID)
		}
		n[id]++
	}
	return n
}

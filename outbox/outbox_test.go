package outbox_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"regulars/db"
	"regulars/db/dbtest"
	"regulars/mailtest"
	"regulars/outbox"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// clock is the worker's and the stamps' time, which tests move.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// fixture is a Turkish shop whose "reward ready" automation is on, and a
// card with an address and the service consent of e-mail.
type fixture struct {
	store   *db.Store
	path    string
	clock   *clock
	shopID  int64
	userID  int64
	program db.Program
	card    db.Card
}

func newFixture(t *testing.T, consent, enabled bool) *fixture {
	t.Helper()
	ctx := context.Background()
	store, path := dbtest.Open(t)
	f := &fixture{store: store, path: path, clock: &clock{t: t0}}
	var err error
	f.shopID, f.userID, err = store.CreateShop(ctx, db.NewShop{Name: "Kahve Durağı", OwnerName: "O", Email: "o@example.com", PasswordHash: "x",
		Language: "tr", TimeZone: "Europe/Istanbul", ProgramName: "Kart", RewardText: "bedava kahve"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	f.card, err = store.EnrollCard(ctx, f.shopID, db.NewCard{FirstName: "Ayşe", Email: "ayse@example.com", EmailService: consent, CreatedBy: f.userID, Key: "k"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := store.Programs(ctx, f.shopID, false)
	if err != nil {
		t.Fatal(err)
	}
	f.program = ps[0]
	if err := store.SaveAutomation(ctx, f.shopID, db.Automation{Kind: db.AutomationRewardReady, Enabled: enabled}, t0); err != nil {
		t.Fatal(err)
	}
	return f
}

// stamps gives the card n stamps, an hour apart (past any cooldown).
func (f *fixture) stamps(t *testing.T, n int) {
	t.Helper()
	for i := range n {
		f.clock.Advance(time.Hour)
		a := db.Action{ShopID: f.shopID, CardID: f.card.ID, ProgramID: f.program.ID, UserID: f.userID, Key: fmt.Sprintf("s%d-%d", f.clock.Now().Unix(), i), Now: f.clock.Now()}
		if _, err := f.store.Stamp(context.Background(), a, 1, false); err != nil {
			t.Fatal(err)
		}
	}
}

func (f *fixture) worker(t *testing.T, senders map[string]outbox.Sender) *outbox.Worker {
	t.Helper()
	w, err := outbox.New(context.Background(), outbox.Config{Store: f.store, Senders: senders, BaseURL: "https://loyal.example",
		Now: f.clock.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// states reads every message's state, attempts and error, in order.
func (f *fixture) states(t *testing.T) []string {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+f.path+"?_pragma=busy_timeout(5000)&_pragma=query_only(ON)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.Query(`SELECT state, attempts FROM outbox ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var list []string
	for rows.Next() {
		var state string
		var attempts int
		rows.Scan(&state, &attempts)
		list = append(list, fmt.Sprintf("%s/%d", state, attempts))
	}
	return list
}

func smtp(t *testing.T, mp *mailtest.Server) map[string]outbox.Sender {
	t.Helper()
	s, err := outbox.NewSMTP(mp.SMTPURL(), "kart@loyal.example")
	if err != nil {
		t.Fatal(err)
	}
	return map[string]outbox.Sender{db.ChannelEmail: s}
}

// TestRewardReadyEmail: the tenth stamp queues the message in its
// transaction; the worker sends it once, in the shop's language, as text
// and HTML, with the card's link and a one-click unsubscribe (RFC 8058).
func TestRewardReadyEmail(t *testing.T) {
	t.Parallel()
	mp := mailtest.Start(t)
	f := newFixture(t, true, true)
	f.stamps(t, 9)
	if got := f.states(t); len(got) != 0 {
		t.Fatalf("nine stamps queued %v", got)
	}
	f.stamps(t, 1)
	if got := f.states(t); strings.Join(got, " ") != "queued/0" {
		t.Fatalf("the tenth stamp queued %v", got)
	}
	w := f.worker(t, smtp(t, mp))
	for range 2 { // the second finds nothing more to send
		if _, err := w.SendDue(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if got := f.states(t); strings.Join(got, " ") != "sent/1" {
		t.Fatalf("after sending: %v", got)
	}
	list := mp.To(t, "ayse@example.com")
	if len(list) != 1 {
		t.Fatalf("%d messages, want 1", len(list))
	}
	m := mp.Message(t, list[0].ID)
	if !strings.Contains(m.Subject, "Kahve Durağı") || !strings.Contains(m.Subject, "ödül") {
		t.Errorf("subject %q: not the Turkish one with the shop's name", m.Subject)
	}
	card := "https://loyal.example/c/" + f.card.Token
	for _, part := range []string{m.Text, m.HTML} {
		for _, want := range []string{"Ayşe", "bedava kahve", card, "https://loyal.example/u/"} {
			if !strings.Contains(part, want) {
				t.Errorf("a part lacks %q:\n%s", want, part)
			}
		}
	}
	h := mp.Headers(t, list[0].ID)
	if got := h["List-Unsubscribe-Post"]; len(got) != 1 || got[0] != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post %q", got)
	}
	if got := h["List-Unsubscribe"]; len(got) != 1 || !strings.HasPrefix(got[0], "<https://loyal.example/u/") {
		t.Errorf("List-Unsubscribe %q", got)
	}
}

// TestNothingQueuedWithout: no message without the consent, with the
// automation off, or for a card without an address.
func TestNothingQueuedWithout(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name             string
		consent, enabled bool
	}{{"no consent", false, true}, {"automation off", true, false}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tc.consent, tc.enabled)
			f.stamps(t, 10)
			if got := f.states(t); len(got) != 0 {
				t.Errorf("queued %v", got)
			}
		})
	}
}

// failing is a sender that refuses, temporarily or for good.
type failing struct{ permanent bool }

func (s failing) Send(context.Context, outbox.Message) error {
	err := errors.New("451 try again later")
	if s.permanent {
		return &outbox.PermanentError{Err: errors.New("550 no such mailbox")}
	}
	return err
}

// TestRetriesThenFails: a refused message is tried again after each step of
// the backoff, then fails with the reason, which the owner's report lists;
// a permanent refusal fails at once.
func TestRetriesThenFails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, true, true)
	f.stamps(t, 10)
	w := f.worker(t, map[string]outbox.Sender{db.ChannelEmail: failing{}})
	for i, wait := range outbox.Backoff {
		if _, err := w.SendDue(ctx); err != nil {
			t.Fatal(err)
		}
		if got := f.states(t); got[0] != fmt.Sprintf("queued/%d", i+1) {
			t.Fatalf("after attempt %d: %v", i+1, got)
		}
		f.clock.Advance(wait - time.Second)
		if n, _ := w.SendDue(ctx); n != 0 {
			t.Fatalf("retried %s early", time.Second)
		}
		f.clock.Advance(time.Second)
	}
	if _, err := w.SendDue(ctx); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("failed/%d", len(outbox.Backoff)+1)
	if got := f.states(t); got[0] != want {
		t.Fatalf("after the last attempt: %v, want %s", got, want)
	}
	r, err := f.store.OutboxReport(ctx, f.shopID)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Failed) != 1 || !strings.Contains(r.Failed[0].Error, "451 try again later") || r.Failed[0].Customer != "Ayşe" {
		t.Errorf("failed messages: %+v", r.Failed)
	}

	f2 := newFixture(t, true, true)
	f2.stamps(t, 10)
	if _, err := f2.worker(t, map[string]outbox.Sender{db.ChannelEmail: failing{permanent: true}}).SendDue(ctx); err != nil {
		t.Fatal(err)
	}
	if got := f2.states(t); got[0] != "failed/1" {
		t.Errorf("a permanent refusal: %v", got)
	}
}

// TestDroppedWhenNoLongerWanted: consent withdrawn, the customer erased or
// the stamp undone between the stamp and the send: nothing goes out.
func TestDroppedWhenNoLongerWanted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, f *fixture)
	}{
		{"consent withdrawn", func(t *testing.T, f *fixture) {
			if err := f.store.SetConsent(ctx, f.shopID, f.card.ID, db.ChannelEmail, db.PurposeService, false, db.ConsentOnCard, f.clock.Now()); err != nil {
				t.Fatal(err)
			}
		}},
		{"customer erased", func(t *testing.T, f *fixture) {
			if err := f.store.EraseCustomer(ctx, f.shopID, f.userID, f.card.ID, f.clock.Now()); err != nil {
				t.Fatal(err)
			}
		}},
		{"stamp undone", func(t *testing.T, f *fixture) {
			st, err := f.store.CardState(ctx, f.shopID, f.card.ID, f.clock.Now())
			if err != nil || st.Undoable == nil {
				t.Fatalf("nothing to undo: %v", err)
			}
			a := db.Action{ShopID: f.shopID, CardID: f.card.ID, UserID: f.userID, Key: "undo", Now: f.clock.Now()}
			if _, err := f.store.Undo(ctx, a, st.Undoable.ID); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, true, true)
			f.stamps(t, 10)
			tc.change(t, f)
			sent := &recorder{}
			if _, err := f.worker(t, map[string]outbox.Sender{db.ChannelEmail: sent}).SendDue(ctx); err != nil {
				t.Fatal(err)
			}
			if got := f.states(t); got[0] != "dropped/1" || len(sent.got) != 0 {
				t.Errorf("%v, sent %d", got, len(sent.got))
			}
		})
	}
}

// recorder is a sender that keeps what it was given.
type recorder struct {
	mu  sync.Mutex
	got []outbox.Message
}

func (r *recorder) Send(_ context.Context, m outbox.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, m)
	return nil
}

// TestInterruptedSendIsSentAgain: a message a dead process left "sending"
// is sent again when the worker starts (at least once); one marked sent is
// not.
func TestInterruptedSendIsSentAgain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, true, true)
	f.stamps(t, 10)
	sent := &recorder{}
	w := f.worker(t, map[string]outbox.Sender{db.ChannelEmail: sent})
	if _, err := w.SendDue(ctx); err != nil {
		t.Fatal(err)
	}
	f.stamps(t, 10)
	// The second message is claimed, as a worker does before calling the
	// server, and its process dies there.
	if claimed, err := f.store.ClaimOutbox(ctx, f.clock.Now(), time.Hour, 10); err != nil || len(claimed) != 1 {
		t.Fatalf("claimed %v, %v", claimed, err)
	}
	if got := strings.Join(f.states(t), " "); got != "sent/1 sending/1" {
		t.Fatalf("before the restart: %s", got)
	}
	run, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); w.Run(run) }()
	deadline := time.Now().Add(10 * time.Second)
	for strings.Join(f.states(t), " ") != "sent/1 sent/2" && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	<-done
	if got := strings.Join(f.states(t), " "); got != "sent/1 sent/2" {
		t.Fatalf("after the restart: %s", got)
	}
	if len(sent.got) != 2 || sent.got[0].ID == sent.got[1].ID {
		t.Errorf("sent %d messages; the one marked sent must not go again", len(sent.got))
	}
}

// TestSMTPURL: the schemes and what they refuse.
func TestSMTPURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		url, from string
		ok        bool
	}{
		{"smtp://user:pass@mail.example:587", "a@example.com", true},
		{"smtps://mail.example", "a@example.com", true},
		{"smtp+insecure://127.0.0.1:1025", "a@example.com", true},
		{"http://mail.example", "a@example.com", false},
		{"smtp://", "a@example.com", false},
		{"smtp://mail.example:x", "a@example.com", false},
		{"smtp://mail.example", "", false},
		{"smtp://mail.example", "not an address", false},
	} {
		_, err := outbox.NewSMTP(tc.url, tc.from)
		if (err == nil) != tc.ok {
			t.Errorf("%s %q: %v", tc.url, tc.from, err)
		}
	}
	// A server that is not there is a temporary failure, retried.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	s, err := outbox.NewSMTP("smtp+insecure://"+addr, "a@example.com")
	if err != nil {
		t.Fatal(err)
	}
	var permanent *outbox.PermanentError
	if err := s.Send(context.Background(), outbox.Message{To: "b@example.com", Subject: "x", Text: "x", HTML: "x"}); err == nil || errors.As(err, &permanent) {
		t.Errorf("a closed port: %v", err)
	}
}

// TestWorkerKeepsItsPace: the worker sends at most Pace messages a second,
// beside the counter's stamps; one stopped while it waits for its turn
// sends nothing more and puts back what it claimed.
func TestWorkerKeepsItsPace(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true, true)
	f.stamps(t, 30) // three rewards, three messages
	sent := &recorder{}
	w, err := outbox.New(context.Background(), outbox.Config{Store: f.store, Senders: map[string]outbox.Sender{db.ChannelEmail: sent},
		BaseURL: "https://loyal.example", Now: f.clock.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Pace: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	// One message every two seconds: within a second only the first may
	// go, and the limiter says at once that the second's turn is too late.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if n, err := w.SendDue(ctx); err != nil || n != 3 {
		t.Fatalf("claimed %d, %v", n, err)
	}
	if len(sent.got) != 1 {
		t.Errorf("sent %d messages in a second at one every two seconds", len(sent.got))
	}
	if got := strings.Join(f.states(t), " "); got != "sent/1 queued/1 queued/1" {
		t.Errorf("states %s: the two not sent are not back in the queue", got)
	}
}

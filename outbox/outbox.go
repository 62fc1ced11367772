// Package outbox sends the messages the store queued in its outbox (db/outbox.go):
// a worker inside the server claims the messages that are due, renders each
// in the shop's language, hands it to the sender of its channel, and records
// the outcome: sent once, retried later with backoff, failed with the
// reason for the owner to see, or dropped when it is no longer wanted.
//
// Delivery is at least once. A message is marked "sending" in a short
// transaction before its server is called and "sent" in another after it
// answered; no transaction is held during the conversation. A process killed
// between the two leaves it "sending": the next start sends it again, since
// it may not have left (losing a reward notice is worse than a second copy,
// and the copy carries the same Message-ID, which mail programs use to show it
// once). A message marked sent is never claimed again.
package outbox

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"regulars/db"
)

// Message is one message as a sender delivers it. A channel uses the parts
// it has room for: an e-mail all of them, a push or an SMS the subject, the
// text and the link.
type Message struct {
	// ID is the outbox's; MessageID is made from it, so that a copy sent
	// again after a crash is the same message to the mail program.
	ID        int64
	MessageID string
	To        string
	FromName  string // the shop's name
	Subject   string
	Text      string
	HTML      string
	URL       string // the card
	// Lang and Dir are the text's language and direction, which a push
	// notification is shown in.
	Lang, Dir string
	// UnsubscribeURL stops this kind of message, in one POST (RFC 8058) or
	// from the page it opens.
	UnsubscribeURL string
}

// Sender delivers the messages of one channel. Adding a channel (SMS
// through a provider, web push) is one more Sender.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// PermanentError is a refusal that no retry will change (a mailbox that does
// not exist): the message fails at once.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Backoff is how long the worker waits before each retry of a message; after
// the last, the message fails.
var Backoff = []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 12 * time.Hour}

// UnsubscribeKey names the store's secret that signs unsubscribe links.
const UnsubscribeKey = "unsubscribe_key"

// UnsubscribeToken is the MAC, under key, that makes /u/{id}/{token} an
// unsubscribe link of message id that only the server can make.
func UnsubscribeToken(key []byte, id int64) string {
	h := hmac.New(sha256.New, key)
	h.Write([]byte("unsubscribe\x00" + strconv.FormatInt(id, 10)))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:16])
}

// UnsubscribePath is the path of message id's unsubscribe link.
func UnsubscribePath(key []byte, id int64) string {
	return "/u/" + strconv.FormatInt(id, 10) + "/" + UnsubscribeToken(key, id)
}

// Config is what the worker needs.
type Config struct {
	Store *db.Store
	// Senders by channel (db.ChannelEmail); a message of a channel without
	// one waits, queued, until the server starts with one.
	Senders map[string]Sender
	// BaseURL is the public address links in messages start with.
	BaseURL string
	Log     *slog.Logger
	// Now is the clock (tests move it); Poll how often the worker looks for
	// messages due when it has nothing to do.
	Now  func() time.Time
	Poll time.Duration
	// Pace is how many messages a second the worker sends at most
	// (DefaultPace when 0).
	Pace rate.Limit
}

// DefaultPace is the worker's usual pace. The counter's stamps and the
// outbox share one writer and two cores: a hundred rewards earned in a rush
// would otherwise be sent as fast as the mail server answers, each with
// writes of its own beside the stamps (make bench measured the stamps 18–21%
// slower while the outbox sent 50 a second). Ten a second is 36,000 an
// hour, more than a shop's day of messages.
const DefaultPace rate.Limit = 10

// Worker sends the outbox.
type Worker struct {
	cfg  Config
	key  []byte
	pace *rate.Limiter
}

// claimBatch messages are claimed together; sendTimeout bounds each send,
// and lease covers a whole batch: a message whose claim lapsed is sent again.
const (
	claimBatch  = 10
	sendTimeout = 30 * time.Second
	lease       = claimBatch*sendTimeout + time.Minute
)

// stopGrace is how long a send begun may go on once the server stops.
const stopGrace = 5 * time.Second

// maxAge is how old a message may be when it is sent: one that waited
// longer (its channel was off for days) would tell of something long past.
const maxAge = 7 * 24 * time.Hour

// New makes the worker, with the secret of the unsubscribe links.
func New(ctx context.Context, cfg Config) (*Worker, error) {
	key, err := cfg.Store.Secret(ctx, UnsubscribeKey, 32)
	if err != nil {
		return nil, err
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Poll == 0 {
		cfg.Poll = 2 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.Pace == 0 {
		cfg.Pace = DefaultPace
	}
	return &Worker{cfg: cfg, key: key, pace: rate.NewLimiter(cfg.Pace, 1)}, nil
}

// Run sends messages until ctx ends. It first makes due the messages a
// process that died left sending.
func (w *Worker) Run(ctx context.Context) {
	if n, err := w.cfg.Store.RecoverOutbox(ctx, w.cfg.Now()); err != nil {
		w.cfg.Log.Error("outbox", "err", err)
	} else if n > 0 {
		w.cfg.Log.Warn("outbox: messages interrupted while sending are sent again", "messages", n)
	}
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := w.SendDue(ctx)
		if err != nil && ctx.Err() == nil {
			w.cfg.Log.Error("outbox", "err", err)
		}
		// Staff mail (staff.go) goes through the same senders.
		staff, err := w.SendStaffDue(ctx)
		if err != nil && ctx.Err() == nil {
			w.cfg.Log.Error("staff mail", "err", err)
		}
		wait := w.cfg.Poll
		if n == claimBatch || staff == claimBatch {
			wait = 0 // more may be due
		}
		t.Reset(wait)
	}
}

// SendDue claims one batch of the messages due, sends them and records each
// outcome. It returns how many it claimed.
func (w *Worker) SendDue(ctx context.Context) (int, error) {
	return sendDue(ctx, w, queue[db.OutboxMessage]{
		name:   "outbox",
		next:   w.cfg.Store.NextOutboxAt,
		claim:  w.cfg.Store.ClaimOutbox,
		key:    func(m db.OutboxMessage) (int64, int) { return m.ID, m.Attempts },
		send:   w.send,
		finish: w.cfg.Store.FinishOutbox,
	})
}

// queue is one of the worker's queues, which it sends alike: the outbox's
// messages to customers, and staff mail (staff.go).
type queue[M any] struct {
	name string // for the log
	// next is when the next message is due, read first so that an idle
	// worker never takes the writer.
	next  func(ctx context.Context) (time.Time, bool, error)
	claim func(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]M, error)
	// key is a message's id and the number of this attempt.
	key    func(m M) (id int64, attempts int)
	send   func(ctx context.Context, m M) db.OutboxOutcome
	finish func(ctx context.Context, id int64, o db.OutboxOutcome, now time.Time) error
}

// sendDue claims one batch of q's messages due, sends them at the worker's
// pace and records each outcome. It returns how many it claimed.
func sendDue[M any](ctx context.Context, w *Worker, q queue[M]) (int, error) {
	at, ok, err := q.next(ctx)
	if err != nil || !ok || at.After(w.cfg.Now()) {
		return 0, err
	}
	msgs, err := q.claim(ctx, w.cfg.Now(), lease, claimBatch)
	if err != nil {
		return 0, err
	}
	for i, m := range msgs {
		if err := w.pace.Wait(ctx); err != nil {
			// Stopping: the messages not begun wait for the next start.
			return len(msgs), release(w, q, msgs[i:])
		}
		id, attempts := q.key(m)
		o := q.send(ctx, m)
		if o.State != db.OutboxSent && o.State != db.OutboxDropped {
			w.cfg.Log.Warn(q.name+": not sent", "message", id, "attempt", attempts, "state", o.State, "err", o.Error)
		}
		// The outcome is recorded even when ctx ended meanwhile (a shutdown):
		// a message that left is marked sent.
		if err := q.finish(context.WithoutCancel(ctx), id, o, w.cfg.Now()); err != nil {
			return len(msgs), err
		}
	}
	return len(msgs), nil
}

// release puts claimed messages that were not sent back in the queue.
func release[M any](w *Worker, q queue[M], msgs []M) error {
	for _, m := range msgs {
		id, _ := q.key(m)
		o := db.OutboxOutcome{State: db.OutboxQueued, Next: w.cfg.Now(), Error: "the server stopped before sending it"}
		if err := q.finish(context.Background(), id, o, w.cfg.Now()); err != nil {
			return err
		}
	}
	return nil
}

// send renders m and hands it to its channel's sender.
func (w *Worker) send(ctx context.Context, m db.OutboxMessage) db.OutboxOutcome {
	return w.deliver(ctx, m.Channel, m.Attempts, func() (Message, db.OutboxOutcome) {
		f, err := w.cfg.Store.MessageFacts(ctx, m)
		if err != nil {
			return Message{}, w.retry(m.Attempts, err)
		}
		if w.cfg.Now().Sub(m.CreatedAt) > maxAge {
			return Message{}, db.OutboxOutcome{State: db.OutboxDropped, Error: "too old to send"}
		}
		if reason := dropReason(f); reason != "" {
			return Message{}, db.OutboxOutcome{State: db.OutboxDropped, Error: reason}
		}
		msg, err := render(ctx, m, f, w.cfg.BaseURL, UnsubscribePath(w.key, m.ID))
		if err != nil {
			return msg, db.OutboxOutcome{State: db.OutboxFailed, Error: err.Error()}
		}
		return msg, db.OutboxOutcome{}
	})
}

// deliver sends a message of channel, on its attempt attempts: prepare
// reads what it needs and renders it, or ends it unsent with an outcome
// that has a State (dropped, failed, retried later).
func (w *Worker) deliver(ctx context.Context, channel string, attempts int, prepare func() (Message, db.OutboxOutcome)) db.OutboxOutcome {
	sender, ok := w.cfg.Senders[channel]
	if !ok {
		// Off for now: it waits for a server started with this channel.
		return db.OutboxOutcome{State: db.OutboxQueued, Next: w.cfg.Now().Add(Backoff[len(Backoff)-1]), Error: "channel " + channel + " is not configured"}
	}
	msg, end := prepare()
	if end.State != "" {
		return end
	}
	// A send begun when the server stops may end within stopGrace, so that
	// it is recorded as sent rather than sent again at the next start.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sendTimeout)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(stopGrace, cancel) })
	defer stop()
	if err := sender.Send(sctx, msg); err != nil {
		var permanent *PermanentError
		if errors.As(err, &permanent) {
			return db.OutboxOutcome{State: db.OutboxFailed, Error: err.Error()}
		}
		return w.retry(attempts, err)
	}
	return db.OutboxOutcome{State: db.OutboxSent}
}

// retry schedules the next attempt of a message after its attempt attempts
// failed with err, or fails it after the last.
func (w *Worker) retry(attempts int, err error) db.OutboxOutcome {
	if attempts > len(Backoff) {
		return db.OutboxOutcome{State: db.OutboxFailed, Error: fmt.Sprintf("gave up after %d attempts: %v", attempts, err)}
	}
	return db.OutboxOutcome{State: db.OutboxQueued, Next: w.cfg.Now().Add(Backoff[attempts-1]), Error: err.Error()}
}

// messageID is the Message-ID of message id of a queue (prefix), at the
// host of baseURL: the same for a copy sent again after a crash.
func messageID(prefix string, id int64, baseURL string) string {
	host := "regulars"
	if i := strings.Index(baseURL, "://"); i >= 0 {
		host, _, _ = strings.Cut(baseURL[i+3:], "/")
		host, _, _ = strings.Cut(host, ":")
	}
	return prefix + "-" + strconv.FormatInt(id, 10) + "@" + host
}

// dropReason says why a message is no longer to be sent, or "".
func dropReason(f db.MessageFacts) string {
	switch {
	case f.Card.Erased:
		return "the customer's data was erased"
	case !f.Consented:
		return "the customer withdrew consent"
	case f.Push == nil && f.Card.Email == "":
		return "the customer has no e-mail address"
	case f.Push != nil && f.Push.Gone:
		return "the phone no longer takes notifications"
	case f.Voided:
		return "the stamp was undone"
	case f.CouponUsed:
		return "the coupon was used"
	case f.CameBack:
		return "the customer came back before it was sent"
	}
	return ""
}

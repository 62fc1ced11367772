package outbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"regulars/db"
	"regulars/locale"
	"regulars/views"
)

// Staff mail (db.ClaimStaffMail): a link to choose a new password, sent to a
// staff member by the same worker, through the same e-mail sender, with the
// same retries, as the outbox's messages to customers. It is a queue of its
// own because the outbox's rows are messages to cards.

// SendStaffDue claims one batch of the staff mail due, sends it and records
// each outcome. It returns how many it claimed.
func (w *Worker) SendStaffDue(ctx context.Context) (int, error) {
	// A read first, so that an idle worker never takes the writer.
	at, ok, err := w.cfg.Store.NextStaffMailAt(ctx)
	if err != nil || !ok || at.After(w.cfg.Now()) {
		return 0, err
	}
	msgs, err := w.cfg.Store.ClaimStaffMail(ctx, w.cfg.Now(), lease, claimBatch)
	if err != nil {
		return 0, err
	}
	for i, m := range msgs {
		if ctx.Err() != nil {
			// Stopping: the messages not begun wait for the next start.
			for _, m := range msgs[i:] {
				o := db.OutboxOutcome{State: db.OutboxQueued, Next: w.cfg.Now(), Error: "the server stopped before sending it"}
				if err := w.cfg.Store.FinishStaffMail(context.Background(), m.ID, o, w.cfg.Now()); err != nil {
					return len(msgs), err
				}
			}
			return len(msgs), nil
		}
		o := w.sendStaff(ctx, m)
		if o.State != db.OutboxSent && o.State != db.OutboxDropped {
			w.cfg.Log.Warn("staff mail: not sent", "message", m.ID, "attempt", m.Attempts, "state", o.State, "err", o.Error)
		}
		if err := w.cfg.Store.FinishStaffMail(context.WithoutCancel(ctx), m.ID, o, w.cfg.Now()); err != nil {
			return len(msgs), err
		}
	}
	return len(msgs), nil
}

// sendStaff renders m and hands it to the e-mail sender.
func (w *Worker) sendStaff(ctx context.Context, m db.StaffMail) db.OutboxOutcome {
	sender, ok := w.cfg.Senders[db.ChannelEmail]
	if !ok {
		return db.OutboxOutcome{State: db.OutboxQueued, Next: w.cfg.Now().Add(Backoff[len(Backoff)-1]), Error: "channel email is not configured"}
	}
	// The outbox's retry schedule, by the number of attempts.
	retry := func(err error) db.OutboxOutcome { return w.retry(db.OutboxMessage{Attempts: m.Attempts}, err) }
	f, err := w.cfg.Store.StaffMailFacts(ctx, m, w.cfg.Now())
	if err != nil {
		return retry(err)
	}
	switch {
	case !f.Active:
		return db.OutboxOutcome{State: db.OutboxDropped, Error: "the staff member was removed"}
	case !f.Open:
		// An expired link would only disappoint: whoever wants one asks again.
		return db.OutboxOutcome{State: db.OutboxDropped, Error: "the link expired or was used"}
	}
	msg, err := renderStaff(ctx, m, f, w.cfg.BaseURL)
	if err != nil {
		return db.OutboxOutcome{State: db.OutboxFailed, Error: err.Error()}
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sendTimeout)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(stopGrace, cancel) })
	defer stop()
	if err := sender.Send(sctx, msg); err != nil {
		var permanent *PermanentError
		if errors.As(err, &permanent) {
			return db.OutboxOutcome{State: db.OutboxFailed, Error: err.Error()}
		}
		return retry(err)
	}
	return db.OutboxOutcome{State: db.OutboxSent}
}

// renderStaff makes the staff message m in its language (the one its reader
// used when asking for it) and the shop's colours. It has no unsubscribe
// link: it is sent only when its reader asks for it.
func renderStaff(ctx context.Context, m db.StaffMail, f db.StaffMailFacts, baseURL string) (Message, error) {
	zone, err := time.LoadLocation(f.Shop.TimeZone)
	if err != nil {
		zone = time.UTC
	}
	mail := views.StaffMail{
		T:     locale.New(m.Language, zone, locale.Digits(f.Shop.Digits)),
		Brand: views.Brand{Name: f.Shop.Name, Color: f.Shop.BrandColor},
		Name:  f.User.Name,
		URL:   baseURL + m.Link,
	}
	var html bytes.Buffer
	if err := views.StaffMailHTML(mail).Render(ctx, &html); err != nil {
		return Message{}, fmt.Errorf("render staff mail %d: %w", m.ID, err)
	}
	host := "regulars"
	if i := strings.Index(baseURL, "://"); i >= 0 {
		host, _, _ = strings.Cut(baseURL[i+3:], "/")
		host, _, _ = strings.Cut(host, ":")
	}
	return Message{
		ID:        m.ID,
		MessageID: "staff-" + strconv.FormatInt(m.ID, 10) + "@" + host,
		To:        f.User.Email,
		FromName:  f.Shop.Name,
		Subject:   mail.Subject(),
		Text:      mail.Text(),
		HTML:      html.String(),
		URL:       mail.URL,
	}, nil
}

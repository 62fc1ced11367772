package outbox

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"regulars/db"
	"regulars/locale"
	"regulars/views"
)

// Staff mail (db.ClaimStaffMail): a link to choose a new password, sent to a
// staff member by the same worker, through the same e-mail sender, with the
// same retries, as the outbox's messages to customers (sendDue, deliver). It
// is a queue of its own because the outbox's rows are messages to cards.

// SendStaffDue claims one batch of the staff mail due, sends it and records
// each outcome. It returns how many it claimed.
func (w *Worker) SendStaffDue(ctx context.Context) (int, error) {
	return sendDue(ctx, w, queue[db.StaffMail]{
		name:   "staff mail",
		next:   w.cfg.Store.NextStaffMailAt,
		claim:  w.cfg.Store.ClaimStaffMail,
		key:    func(m db.StaffMail) (int64, int) { return m.ID, m.Attempts },
		send:   w.sendStaff,
		finish: w.cfg.Store.FinishStaffMail,
	})
}

// sendStaff renders m and hands it to the e-mail sender.
func (w *Worker) sendStaff(ctx context.Context, m db.StaffMail) db.OutboxOutcome {
	return w.deliver(ctx, db.ChannelEmail, m.Attempts, func() (Message, db.OutboxOutcome) {
		f, err := w.cfg.Store.StaffMailFacts(ctx, m, w.cfg.Now())
		if err != nil {
			return Message{}, w.retry(m.Attempts, err)
		}
		switch {
		case !f.Active:
			return Message{}, db.OutboxOutcome{State: db.OutboxDropped, Error: "the staff member was removed"}
		case !f.Open:
			// An expired link would only disappoint: whoever wants one asks again.
			return Message{}, db.OutboxOutcome{State: db.OutboxDropped, Error: "the link expired or was used"}
		}
		msg, err := renderStaff(ctx, m, f, w.cfg.BaseURL)
		if err != nil {
			return msg, db.OutboxOutcome{State: db.OutboxFailed, Error: err.Error()}
		}
		return msg, db.OutboxOutcome{}
	})
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
	return Message{
		ID:        m.ID,
		MessageID: messageID("staff", m.ID, baseURL),
		To:        f.User.Email,
		FromName:  f.Shop.Name,
		Subject:   mail.Subject(),
		Text:      mail.Text(),
		HTML:      html.String(),
		URL:       mail.URL,
	}, nil
}

package outbox

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"regulars/db"
	"regulars/locale"
	"regulars/views"
)

// render makes the message m: the owner's text in its language, or the
// catalogue's, filled in, as text and HTML in the shop's colours.
func render(ctx context.Context, m db.OutboxMessage, f db.MessageFacts, baseURL, unsubscribePath string) (Message, error) {
	zone, err := time.LoadLocation(f.Shop.TimeZone)
	if err != nil {
		zone = time.UTC
	}
	t := locale.New(m.Language, zone, locale.Digits(f.Shop.Digits)).WithCalendar(locale.Calendar(f.Shop.Calendar))
	subject, body := views.DefaultAutomationText(t, m.Template)
	if f.Text != nil {
		subject, body = f.Text.Subject, f.Text.Body
	}
	if subject == "" {
		return Message{}, fmt.Errorf("no text for template %q", m.Template)
	}
	vars := views.MailVars{Name: f.Card.FirstName, Shop: f.Shop.Name, Reward: f.Program.RewardText, Coupon: m.Payload.Coupon,
		Prize: m.Payload.Prize, News: m.Payload.News, Gift: m.Payload.Gift, GiftState: views.GiftStateText(t, m.Payload.GiftState),
		Tier: m.Payload.Tier}
	if m.Template == db.AutomationPointsExpiring {
		if m.Payload.Points > 0 {
			vars.Points, vars.Date = views.PointsExpiry(t, m.Payload.Points, time.Unix(m.Payload.Expires, 0))
		} else {
			// Queued before the payload carried the count and the day.
			subject, body = views.UndatedPointsExpiring(t, subject, body)
		}
	}
	mail := views.Mail{
		T:              t,
		Brand:          views.Brand{Name: f.Shop.Name, Color: f.Shop.BrandColor},
		Subject:        strings.Join(strings.Fields(views.FillMail(subject, vars)), " "),
		Body:           views.FillMail(body, vars),
		CardURL:        baseURL + "/c/" + f.Card.Token,
		UnsubscribeURL: baseURL + unsubscribePath,
		Marketing:      m.Purpose == db.PurposeMarketing,
	}
	if m.Channel == db.ChannelPush {
		// A notification: the subject as its title, the text without its
		// blank lines, the card to open; no unsubscribe link, since the
		// phone's own settings and the card page turn it off.
		return Message{
			ID:       m.ID,
			To:       PushSubscription(f.Push),
			FromName: f.Shop.Name,
			Subject:  clip(mail.Subject, maxPushTitle),
			Text:     clip(notificationText(mail.Body), maxPushBody),
			URL:      mail.CardURL,
			Lang:     t.Lang,
			Dir:      t.Dir(),
		}, nil
	}
	var html bytes.Buffer
	if err := views.MailHTML(mail).Render(ctx, &html); err != nil {
		return Message{}, fmt.Errorf("render message %d: %w", m.ID, err)
	}
	return Message{
		ID:             m.ID,
		MessageID:      messageID("outbox", m.ID, baseURL),
		To:             f.Card.Email,
		FromName:       f.Shop.Name,
		Subject:        mail.Subject,
		Text:           mail.Text(),
		HTML:           html.String(),
		URL:            mail.CardURL,
		UnsubscribeURL: mail.UnsubscribeURL,
	}, nil
}

// A notification's title and text are cut at these many characters: a
// phone shows a few lines, and an encrypted push message holds about 4 KB.
const (
	maxPushTitle = 150
	maxPushBody  = 400
)

// notificationText is a message's body as a notification shows it: its
// lines, without the blank ones between paragraphs.
func notificationText(body string) string {
	var lines []string
	for _, l := range strings.Split(body, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

// clip cuts s to at most n characters, marking the cut with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

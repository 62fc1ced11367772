package outbox

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
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
	t := locale.New(m.Language, zone, locale.Digits(f.Shop.Digits))
	subject, body := views.DefaultAutomationText(t, m.Template)
	if f.Text != nil {
		subject, body = f.Text.Subject, f.Text.Body
	}
	if subject == "" {
		return Message{}, fmt.Errorf("no text for template %q", m.Template)
	}
	vars := views.MailVars{Name: f.Card.FirstName, Shop: f.Shop.Name, Reward: f.Program.RewardText}
	mail := views.Mail{
		T:              t,
		Brand:          views.Brand{Name: f.Shop.Name, Color: f.Shop.BrandColor},
		Subject:        strings.Join(strings.Fields(views.FillMail(subject, vars)), " "),
		Body:           views.FillMail(body, vars),
		CardURL:        baseURL + "/c/" + f.Card.Token,
		UnsubscribeURL: baseURL + unsubscribePath,
	}
	var html bytes.Buffer
	if err := views.MailHTML(mail).Render(ctx, &html); err != nil {
		return Message{}, fmt.Errorf("render message %d: %w", m.ID, err)
	}
	host := "regulars"
	if i := strings.Index(baseURL, "://"); i >= 0 {
		host, _, _ = strings.Cut(baseURL[i+3:], "/")
		host, _, _ = strings.Cut(host, ":")
	}
	return Message{
		ID:             m.ID,
		MessageID:      "outbox-" + strconv.FormatInt(m.ID, 10) + "@" + host,
		To:             f.Card.Email,
		FromName:       f.Shop.Name,
		Subject:        mail.Subject,
		Text:           mail.Text(),
		HTML:           html.String(),
		URL:            mail.CardURL,
		UnsubscribeURL: mail.UnsubscribeURL,
	}, nil
}

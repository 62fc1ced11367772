package outbox

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"

	"github.com/wneessen/go-mail"
)

// SMTP sends e-mail through a mail server.
type SMTP struct {
	opts []mail.Option
	host string
	from string
}

// NewSMTP is the sender of the server at rawURL, with from as the sender's
// address (the shop's name is its display name):
//
//	smtp://user:pass@host:587           STARTTLS, required (the port defaults to 587)
//	smtps://user:pass@host:465          TLS from the start (the port defaults to 465)
//	smtp+insecure://host:25             no encryption: a relay on the same machine, or tests
//
// Credentials are optional; with them the best mechanism the server offers
// is used.
func NewSMTP(rawURL, from string) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("smtp url: %w", err)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("smtp url %q: no host", u.Redacted())
	}
	if from == "" {
		return nil, errors.New("smtp: no sender address (-smtp-from)")
	}
	if err := mail.NewMsg().From(from); err != nil {
		return nil, fmt.Errorf("smtp sender %q: %w", from, err)
	}
	port, opts := 0, []mail.Option{mail.WithTimeout(sendTimeout)}
	switch u.Scheme {
	case "smtp":
		port = 587
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case "smtps":
		port = 465
		opts = append(opts, mail.WithSSL())
	case "smtp+insecure":
		port = 25
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		return nil, fmt.Errorf("smtp url %q: the scheme must be smtp, smtps or smtp+insecure", u.Redacted())
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("smtp url %q: port: %w", u.Redacted(), err)
		}
	}
	opts = append(opts, mail.WithPort(port))
	if user := u.User.Username(); user != "" {
		pass, _ := u.User.Password()
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(user), mail.WithPassword(pass))
	}
	return &SMTP{opts: opts, host: u.Hostname(), from: from}, nil
}

// Send delivers m in one connection. A refusal the server calls permanent
// (5xx) is a *PermanentError.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg := mail.NewMsg()
	if err := msg.FromFormat(m.FromName, s.from); err != nil {
		return &PermanentError{fmt.Errorf("sender: %w", err)}
	}
	if err := msg.To(m.To); err != nil {
		return &PermanentError{fmt.Errorf("address %q: %w", m.To, err)}
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(m.MessageID)
	msg.SetDate()
	// RFC 8058: a mail program may unsubscribe with one POST, no page to
	// read. A message sent only on request (a staff member's reset link) has
	// nothing to stop.
	if m.UnsubscribeURL != "" {
		msg.SetGenHeader(mail.HeaderListUnsubscribe, "<"+m.UnsubscribeURL+">")
		msg.SetGenHeader(mail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
	}
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	c, err := mail.NewClient(s.host, s.opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		var se *mail.SendError
		if errors.As(err, &se) && !se.IsTemp() && se.ErrorCode() >= 500 {
			return &PermanentError{err}
		}
		return fmt.Errorf("smtp: %w", err)
	}
	return nil
}

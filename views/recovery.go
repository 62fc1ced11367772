package views

import (
	"strings"

	"github.com/a-h/templ"

	"regulars/locale"
)

// MessageCardLink is the outbox's template of a card's link (db's).
const MessageCardLink = "card_link"

// ForgotView is the staff's "forgot password" page: the form, or what
// happened to it.
type ForgotView struct {
	// MailOn: the server sends e-mail; without it the page says how else
	// to get back in.
	MailOn bool
	// Sent: the request was taken; the page says the same whether or not
	// Email signs in.
	Sent    bool
	Email   string
	Refusal string // too many requests
}

// LostCardView is the join page's "lost your card?" page of a shop.
type LostCardView struct {
	Slug   string
	MailOn bool
	// Answer is what became of the request: "" (the form), AnswerEmail or
	// AnswerPhone. An e-mail answer is the same whether or not a card has
	// the address.
	Answer  string
	Contact string
	Refusal string
}

// The answers of a lost card's request.
const (
	AnswerEmail = "email"
	AnswerPhone = "phone"
)

func lostCardAction(slug string) templ.SafeURL { return templ.SafeURL("/join/" + slug + "/lost") }

// StaffMail is an e-mail to a staff member: a link to choose a new password.
type StaffMail struct {
	T     *locale.Tr
	Brand Brand
	Name  string
	URL   string
}

// Subject is the message's subject.
func (m StaffMail) Subject() string { return m.T.T("MailResetSubject", "Shop", m.Brand.Name) }

// paragraphs are the text before the link, and after it.
func (m StaffMail) before() []string {
	return []string{m.T.T("MailResetHello", "Name", m.Name), m.T.T("MailResetAsked", "Shop", m.Brand.Name)}
}

func (m StaffMail) after() []string {
	return []string{m.T.T("MailResetOnce"), m.T.T("MailResetNotYou")}
}

// Text is the message's plain-text part.
func (m StaffMail) Text() string {
	var b strings.Builder
	b.WriteString(strings.Join(m.before(), "\n\n"))
	b.WriteString("\n\n" + m.T.T("MailResetButton") + ":\n" + m.URL + "\n\n")
	b.WriteString(strings.Join(m.after(), "\n\n"))
	b.WriteString("\n\n-- \n" + m.Brand.Name + "\n")
	return b.String()
}

func (m StaffMail) mail() Mail { return Mail{Brand: m.Brand} }

package views

import (
	"time"

	"github.com/a-h/templ"
)

// Automations is the owner's page of the messages the shop sends by itself.
type Automations struct {
	// EmailFrom is the sender address; "": e-mail is off on this server.
	EmailFrom string
	Kind      string
	Langs     []AutomationLang
	Preview   AutomationPreview
	Saved     bool
	Counts    OutboxCounts
	Failed    []FailedMessage
}

// AutomationLang is one language's texts in the form; its fields are
// subject_<code> and body_<code>.
type AutomationLang struct {
	Code, Name string
	RTL        bool
	// Shop: the shop's language, in which messages are sent: shown first and open.
	Shop bool
}

// AutomationPreview is the message in the shop's language, filled with an
// example customer.
type AutomationPreview struct {
	Lang, Dir string
	Mail      Mail
}

// OutboxCounts are the shop's messages by state.
type OutboxCounts struct {
	Sent, Queued, Failed, Dropped int
}

// FailedMessage is a message that could not be sent.
type FailedMessage struct {
	At       time.Time
	Customer string
	CardID   int64
	Reason   string
	Attempts int
}

// Unsubscribe is the page an unsubscribe link opens.
type Unsubscribe struct {
	Action    string // the link's own path, where its button posts
	Marketing bool
	Done      bool
}

// CardMessages is the card page's section of the customer's choices of
// e-mail: the address (masked) and each consent.
type CardMessages struct {
	Email     string // masked; "" when the card has none
	Service   bool
	Marketing bool
	Saved     bool
	// Problem is why the choices sent were refused.
	Problem string
}

func automationField(kind, code string) string { return kind + "_" + code }

func customerURL(id int64) templ.SafeURL { return templ.SafeURL("/customers/" + i64toa(id)) }

func langDir(rtl bool) string {
	if rtl {
		return "rtl"
	}
	return "ltr"
}

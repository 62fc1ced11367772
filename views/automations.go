package views

import (
	"time"

	"github.com/a-h/templ"

	"regulars/locale"
)

// Automations is the owner's list of the messages the shop sends by itself,
// with the shop's limits on marketing messages and what became of the
// messages.
type Automations struct {
	// EmailFrom is the sender address; "": e-mail is off on this server.
	EmailFrom string
	Kinds     []AutomationItem
	// LimitsSaved: the limits were just saved.
	LimitsSaved bool
	Counts      OutboxCounts
	Failed      []FailedMessage
}

// AutomationItem is one kind on the list.
type AutomationItem struct {
	Kind    string
	Enabled bool
}

// AutomationEdit is the page of one automation: its switch, its settings,
// its texts and a preview.
type AutomationEdit struct {
	// EmailFrom is the sender address; "": e-mail is off on this server.
	EmailFrom string
	Kind      string
	// Marketing: a hold-out, the cap and the quiet hours apply.
	Marketing bool
	// Coupons are those "we miss you" may give; nil for the other kinds.
	Coupons []Option
	// DaysBefore: the kind has the setting ("coupon expiring").
	DaysBefore bool
	Langs      []AutomationLang
	Preview    AutomationPreview
	Saved      bool
}

// AutomationHint is the one line that says what an automation of kind
// does; the keys are spelled out so that the catalogue test sees them used.
func AutomationHint(tr *locale.Tr, kind string) string {
	switch kind {
	case AutomationRewardReady:
		return tr.T("AutomationRewardReadyHint")
	case "one_visit_left":
		return tr.T("AutomationHint_one_visit_left")
	case "we_miss_you":
		return tr.T("AutomationHint_we_miss_you")
	case "birthday":
		return tr.T("AutomationHint_birthday")
	case "coupon_expiring":
		return tr.T("AutomationHint_coupon_expiring")
	case "points_expiring":
		return tr.T("AutomationHint_points_expiring")
	case "raffle_result":
		return tr.T("AutomationHint_raffle_result")
	case "newsletter":
		return tr.T("AutomationHint_newsletter")
	}
	return ""
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
	Kind     string
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

func automationURL(kind string) templ.SafeURL { return templ.SafeURL("/automations/" + kind) }

package views

import (
	"strings"

	"github.com/a-h/templ"

	"regulars/locale"
)

// AutomationRewardReady names the "reward ready" automation (db's kind).
const AutomationRewardReady = "reward_ready"

// MailVars fill the placeholders of an automation's text: {name}, {shop}
// and {reward}, which the owner's own texts may use as the catalogue's do.
type MailVars struct {
	Name, Shop, Reward string
}

// DefaultAutomationText is the catalogue's subject and body of an
// automation in t's language.
func DefaultAutomationText(t *locale.Tr, kind string) (subject, body string) {
	switch kind {
	case AutomationRewardReady:
		return t.T("MailRewardReadySubject"), t.T("MailRewardReadyBody")
	case MessageCardLink: // not an automation: a customer asked for it (recovery.go)
		return t.T("MailCardLinkSubject"), t.T("MailCardLinkBody")
	}
	return "", ""
}

// FillMail puts v into the placeholders of s. Without a name the greeting
// loses it ("Hi {name}," becomes "Hi,") rather than leaving a gap.
func FillMail(s string, v MailVars) string {
	if v.Name == "" {
		s = strings.NewReplacer(" {name}", "", "{name}", "").Replace(s)
	}
	return strings.NewReplacer("{name}", v.Name, "{shop}", v.Shop, "{reward}", v.Reward).Replace(s)
}

// Mail is an e-mail to a customer, in the shop's language and colours.
type Mail struct {
	T       *locale.Tr
	Brand   Brand
	Subject string
	Body    string // plain text; blank lines part paragraphs
	CardURL string
	// UnsubscribeURL stops this kind of message in one step.
	UnsubscribeURL string
}

// paragraphs are the body's paragraphs.
func (m Mail) paragraphs() []string {
	var ps []string
	for _, p := range strings.Split(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			ps = append(ps, p)
		}
	}
	return ps
}

// Text is the message's plain-text part.
func (m Mail) Text() string {
	var b strings.Builder
	b.WriteString(strings.Join(m.paragraphs(), "\n\n"))
	b.WriteString("\n\n" + m.T.T("MailOpenCard") + ":\n" + m.CardURL + "\n\n-- \n" + m.Brand.Name + "\n")
	b.WriteString(m.T.T("MailWhyService") + "\n" + m.T.T("MailUnsubscribe") + ": " + m.UnsubscribeURL + "\n")
	return b.String()
}

// mailColor is the brand colour, or the app's when the shop has none.
func (m Mail) mailColor() string {
	if m.Brand.Color != "" {
		return m.Brand.Color
	}
	return "#7c3aed"
}

// mailHeaderStyle and mailButtonStyle carry the brand colour, validated as
// #rrggbb when saved, inline.
func mailHeaderStyle(m Mail) templ.SafeCSS {
	return templ.SafeCSS("padding:20px 24px;color:#ffffff;background:" + m.mailColor() + ";")
}

func mailButtonStyle(m Mail) templ.SafeCSS {
	return templ.SafeCSS("display:inline-block;padding:12px 20px;border-radius:8px;color:#ffffff;text-decoration:none;font-weight:600;background:" + m.mailColor() + ";")
}

package views

import (
	"slices"
	"strings"
	"time"

	"github.com/a-h/templ"

	"regulars/locale"
)

// AutomationRewardReady names the "reward ready" automation (db's kind).
const AutomationRewardReady = "reward_ready"

// MailVars fill the placeholders of an automation's text: {name}, {shop},
// {reward}, {coupon}, {prize}, {news}, {points} and {date}, which the
// owner's own texts may use as the catalogue's do.
type MailVars struct {
	Name, Shop, Reward string
	// Coupon is the name of the coupon the message is about; "": none.
	Coupon string
	// Prize is a raffle's prize; News the text of the shop's news.
	Prize, News string
	// Gift is a redeemed gift, GiftState where it stands (the customer's
	// notice of a step, "gift_update").
	Gift, GiftState string
	// Tier is the tier a customer reached ("tier_reached").
	Tier string
	// Points is how many points expire, with the word ("27 points"), and
	// Date the day they do ("points_expiring"): PointsExpiry writes both.
	Points, Date string
}

// PointsExpiry is what "points expiring" says of n points expiring at at:
// the count with its noun, in t's language and digits, and the day in t's
// zone and calendar, as the card page writes it.
func PointsExpiry(t *locale.Tr, n int, at time.Time) (points, date string) {
	return t.N("MailPointsCount", n), t.Date(at)
}

// UndatedPointsExpiring is the text of a "points expiring" message queued
// before messages carried the count and the day: subject and body as they
// are when they name neither, else the catalogue's older text, which sends
// the customer to the card for them, rather than a text with gaps.
func UndatedPointsExpiring(t *locale.Tr, subject, body string) (string, string) {
	if !strings.Contains(subject+body, "{points}") && !strings.Contains(subject+body, "{date}") {
		return subject, body
	}
	return t.T("MailPointsExpiringUndatedSubject"), t.T("MailPointsExpiringUndatedBody")
}

// DefaultAutomationText is the catalogue's subject and body of an
// automation in t's language.
func DefaultAutomationText(t *locale.Tr, kind string) (subject, body string) {
	switch kind {
	case AutomationRewardReady:
		return t.T("MailRewardReadySubject"), t.T("MailRewardReadyBody")
	case "one_visit_left":
		return t.T("MailOneVisitLeftSubject"), t.T("MailOneVisitLeftBody")
	case "we_miss_you":
		return t.T("MailWeMissYouSubject"), t.T("MailWeMissYouBody")
	case "birthday":
		return t.T("MailBirthdaySubject"), t.T("MailBirthdayBody")
	case "coupon_expiring":
		return t.T("MailCouponExpiringSubject"), t.T("MailCouponExpiringBody")
	case "points_expiring":
		return t.T("MailPointsExpiringSubject"), t.T("MailPointsExpiringBody")
	case "raffle_result":
		return t.T("MailRaffleResultSubject"), t.T("MailRaffleResultBody")
	case "newsletter":
		return t.T("MailNewsletterSubject"), t.T("MailNewsletterBody")
	case "gift_update": // not an automation: a step of the customer's gift (catalogue.go)
		return t.T("MailGiftUpdateSubject"), t.T("MailGiftUpdateBody")
	case "tier_reached": // not an automation: the card reached a tier (db/tiers.go)
		return t.T("MailTierReachedSubject"), t.T("MailTierReachedBody")
	case MessageCardLink: // not an automation: a customer asked for it (recovery.go)
		return t.T("MailCardLinkSubject"), t.T("MailCardLinkBody")
	}
	return "", ""
}

// FillMail puts v into the placeholders of s. Without a name the greeting
// loses it ("Hi {name}," becomes "Hi,") rather than leaving a gap; without
// a coupon the lines that name it are left out ("we miss you" without a
// coupon keeps its other paragraphs).
func FillMail(s string, v MailVars) string {
	if v.Name == "" {
		s = strings.NewReplacer(" {name}", "", "{name}", "").Replace(s)
	}
	if v.Coupon == "" && strings.Contains(s, "{coupon}") {
		lines := strings.Split(s, "\n")
		s = strings.Join(slices.DeleteFunc(lines, func(l string) bool { return strings.Contains(l, "{coupon}") }), "\n")
	}
	return strings.NewReplacer("{name}", v.Name, "{shop}", v.Shop, "{reward}", v.Reward, "{coupon}", v.Coupon,
		"{prize}", v.Prize, "{news}", v.News, "{gift}", v.Gift, "{state}", v.GiftState, "{tier}", v.Tier,
		"{points}", v.Points, "{date}", v.Date).Replace(s)
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
	// Marketing: the message is an offer, sent under the marketing consent;
	// its footer says so.
	Marketing bool
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
	b.WriteString(m.why() + "\n" + m.T.T("MailUnsubscribe") + ": " + m.UnsubscribeURL + "\n")
	return b.String()
}

// why is the footer's reason the customer gets the message.
func (m Mail) why() string {
	if m.Marketing {
		return m.T.T("MailWhyMarketing")
	}
	return m.T.T("MailWhyService")
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

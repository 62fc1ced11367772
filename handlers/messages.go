package handlers

import (
	"crypto/hmac"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"regulars/db"
	"regulars/locale"
	"regulars/loyalty"
	"regulars/outbox"
	"regulars/views"
)

// Messages to customers (issue 18): the owner's page of automations, the
// customer's choices on their card page, and the unsubscribe link of every
// message. The outbox package sends what the store queues.

// The bounds of an automation's texts.
const (
	maxAutomationSubject = 150
	maxAutomationBody    = 2000
)

// automations is the owner's page of the messages the shop sends by itself.
func (a *App) automations(c echo.Context) error {
	_, shop := staff(c)
	pg, err := a.store.AutomationPage(c.Request().Context(), shop.ID, db.AutomationRewardReady)
	if err != nil {
		return err
	}
	p := a.page(c, &shop, "AutomationsTitle")
	f := views.Form{Values: map[string]string{"enabled": checked(pg.Automation.Enabled)}, Errors: map[string]string{}}
	for _, l := range locale.Languages {
		t := locale.New(l.Code, nil, locale.LatinDigits)
		subject, body := views.DefaultAutomationText(t, db.AutomationRewardReady)
		if own, ok := pg.Automation.Texts[l.Code]; ok {
			subject, body = own.Subject, own.Body
		}
		f.Values["subject_"+l.Code], f.Values["body_"+l.Code] = subject, body
	}
	return render(c, http.StatusOK, views.AutomationsPage(p, a.automationsView(shop, pg, f, c.QueryParam("saved") == "1"), f))
}

// automationsView is the page's model: the form's texts, the preview of the
// text in the shop's language, and the outbox report.
func (a *App) automationsView(shop db.Shop, pg db.AutomationPage, f views.Form, saved bool) views.Automations {
	v := views.Automations{EmailFrom: a.emailFrom, Kind: db.AutomationRewardReady, Saved: saved}
	for _, l := range locale.Languages {
		v.Langs = append(v.Langs, views.AutomationLang{Code: l.Code, Name: l.Name, RTL: l.RTL, Shop: l.Code == shop.Language})
	}
	t := locale.New(shop.Language, nil, locale.Digits(shop.Digits))
	vars := views.MailVars{Name: t.T("AutomationSampleName"), Shop: shop.Name, Reward: pg.Reward}
	v.Preview = views.AutomationPreview{Lang: shop.Language, Dir: t.Dir(), Mail: views.Mail{
		T:       t,
		Subject: views.FillMail(f.Get("subject_"+shop.Language), vars),
		Body:    views.FillMail(f.Get("body_"+shop.Language), vars),
	}}
	r := pg.Report
	v.Counts = views.OutboxCounts{Sent: r.Counts[db.OutboxSent], Queued: r.Counts[db.OutboxQueued] + r.Counts[db.OutboxSending],
		Failed: r.Counts[db.OutboxFailed], Dropped: r.Counts[db.OutboxDropped]}
	for _, m := range r.Failed {
		v.Failed = append(v.Failed, views.FailedMessage{At: m.CreatedAt, Customer: m.Customer, CardID: m.CardID, Reason: m.Error, Attempts: m.Attempts})
	}
	return v
}

// saveAutomations saves the automation's switch and texts, or, for the
// preview button, shows the texts typed without saving them. A text equal
// to the catalogue's, or empty, is not kept: it follows the catalogue.
func (a *App) saveAutomations(c echo.Context) error {
	_, shop := staff(c)
	ctx := c.Request().Context()
	p := a.page(c, &shop, "AutomationsTitle")
	f := newForm(c, p.T)
	au := db.Automation{Kind: db.AutomationRewardReady, Enabled: f.checkbox("enabled"), Texts: map[string]db.AutomationText{}}
	if au.Enabled && a.emailFrom == "" {
		f.fail("enabled", "AutomationNeedsEmail")
	}
	for _, l := range locale.Languages {
		subject := f.text("subject_"+l.Code, false, maxAutomationSubject)
		body := f.lines("body_"+l.Code, false, maxAutomationBody)
		defSubject, defBody := views.DefaultAutomationText(locale.New(l.Code, nil, locale.LatinDigits), db.AutomationRewardReady)
		if subject == "" || body == "" {
			// Half a text is no text: both go back to the catalogue's.
			f.v.Values["subject_"+l.Code], f.v.Values["body_"+l.Code] = defSubject, defBody
			continue
		}
		if subject != defSubject || normalizeLines(body) != normalizeLines(defBody) {
			au.Texts[l.Code] = db.AutomationText{Subject: subject, Body: body}
		}
	}
	preview := c.FormValue("action") == "preview"
	if preview || !f.ok() {
		pg, err := a.store.AutomationPage(ctx, shop.ID, db.AutomationRewardReady)
		if err != nil {
			return err
		}
		status := http.StatusOK
		if !f.ok() {
			status = http.StatusUnprocessableEntity
		}
		return render(c, status, views.AutomationsPage(p, a.automationsView(shop, pg, f.v, false), f.v))
	}
	if err := a.store.SaveAutomation(ctx, shop.ID, au, a.now()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/automations?saved=1")
}

// normalizeLines compares texts as a browser sends them back (CRLF).
func normalizeLines(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")) }

// cardMessages is the card page's section of the customer's e-mail
// choices; problem is why the choices sent were refused.
func cardMessages(c echo.Context, cp db.CardPage, problem string) *views.CardMessages {
	return &views.CardMessages{
		Email:     loyalty.MaskEmail(cp.State.Card.Email),
		Service:   cp.Consent.EmailService,
		Marketing: cp.Consent.EmailMarketing,
		Saved:     c.QueryParam("saved") == "choices",
		Problem:   problem,
	}
}

// saveChoices records the choices the customer made on their card page.
// The address is taken only when the card has none (db.CardChoices).
func (a *App) saveChoices(c echo.Context) error {
	card, shop, err := a.tokenCard(c)
	if err != nil {
		return err
	}
	p := a.page(c, &shop, "CardTitle")
	f := newForm(c, p.T)
	ch := db.CardChoices{Consent: db.Consent{EmailService: f.checkbox("service"), EmailMarketing: f.checkbox("marketing")}}
	if card.Email == "" && strings.TrimSpace(c.FormValue("email")) != "" {
		ch.Email = f.email("email")
	}
	if card.Email == "" && ch.Email == "" && (ch.Consent.EmailService || ch.Consent.EmailMarketing) && f.ok() {
		f.fail("email", "FieldRequired")
	}
	if !f.ok() {
		c.Set(ctxChoicesProblem, f.v.Errors["email"]+f.v.Errors["service"]+f.v.Errors["marketing"])
		return a.showCustomerCard(c, http.StatusUnprocessableEntity, shop, card, views.Feedback{})
	}
	if err := a.store.SaveCardChoices(c.Request().Context(), shop.ID, card.ID, ch, a.now()); err != nil {
		return err
	}
	cardHeaders(c)
	return c.Redirect(http.StatusSeeOther, "/c/"+card.Token+"?saved=choices#messages")
}

// ctxChoicesProblem carries why the choices sent were refused to the card
// page that says so.
const ctxChoicesProblem = "choicesProblem"

// unsubscribeRoute is the unsubscribe link's route, the one POST that
// checkForms lets through without a form token.
const unsubscribeRoute = "/u/:id/:mac"

// unsubscribeMessage is the message of an unsubscribe link, if its MAC is
// the server's: anything else is not found.
func (a *App) unsubscribeMessage(c echo.Context) (int64, db.UnsubscribeTarget, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 || !hmac.Equal([]byte(c.Param("mac")), []byte(outbox.UnsubscribeToken(a.unsubscribeKey, id))) {
		return 0, db.UnsubscribeTarget{}, echo.ErrNotFound
	}
	u, err := a.store.MessageUnsubscribe(c.Request().Context(), id)
	if errors.Is(err, db.ErrNotFound) {
		return 0, u, echo.ErrNotFound
	}
	c.Set(ctxShop, u.Shop)
	return id, u, err
}

// unsubscribeForm is the page an unsubscribe link opens: it asks, with one
// button. A GET changes nothing, since mail scanners open every link.
func (a *App) unsubscribeForm(c echo.Context) error {
	_, u, err := a.unsubscribeMessage(c)
	if err != nil {
		return err
	}
	p := a.page(c, &u.Shop, "UnsubscribeTitle")
	cardHeaders(c)
	return render(c, http.StatusOK, views.UnsubscribePage(p, views.Unsubscribe{Action: c.Request().URL.Path, Marketing: u.Purpose == db.PurposeMarketing}))
}

// unsubscribe withdraws the consent the message was sent under: from the
// page's button, or in one POST from a mail program (RFC 8058), which has
// no session and no form token. So this route alone skips the form checks
// (checkForms): the MAC in its path, which only the server can make and
// only the message carries, is what proves it.
func (a *App) unsubscribe(c echo.Context) error {
	_, u, err := a.unsubscribeMessage(c)
	if err != nil {
		return err
	}
	err = a.store.SetConsent(c.Request().Context(), u.Shop.ID, u.CardID, u.Channel, u.Purpose, false, db.ConsentUnsubscribe, a.now())
	if errors.Is(err, db.ErrNotFound) {
		return echo.ErrNotFound // the card was erased: nothing will be sent to it
	}
	if err != nil {
		return err
	}
	p := a.page(c, &u.Shop, "UnsubscribeTitle")
	cardHeaders(c)
	return render(c, http.StatusOK, views.UnsubscribePage(p, views.Unsubscribe{Done: true}))
}

package handlers

import (
	"crypto/hmac"
	"errors"
	"fmt"
	"net/http"
	"regexp"
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

// automations is the owner's list of the messages the shop sends by itself,
// with the shop's limits on marketing messages.
func (a *App) automations(c echo.Context) error {
	_, shop := staff(c)
	l, err := a.store.AutomationList(c.Request().Context(), shop.ID)
	if err != nil {
		return err
	}
	p := a.page(c, &shop, "AutomationsTitle")
	f := views.Form{Values: map[string]string{"cap": strconv.Itoa(l.Limits.Cap), "quiet_from": clockText(l.Limits.Quiet.From),
		"quiet_until": clockText(l.Limits.Quiet.Until)}, Errors: map[string]string{}}
	return render(c, http.StatusOK, views.AutomationsPage(p, a.automationsView(l, c.QueryParam("saved") == "limits"), f))
}

// automationsView is the list page's model.
func (a *App) automationsView(l db.AutomationList, saved bool) views.Automations {
	v := views.Automations{EmailFrom: a.emailFrom, LimitsSaved: saved}
	for _, k := range db.AutomationKinds {
		v.Kinds = append(v.Kinds, views.AutomationItem{Kind: k, Enabled: l.Enabled[k]})
	}
	r := l.Report
	v.Counts = views.OutboxCounts{Sent: r.Counts[db.OutboxSent], Queued: r.Counts[db.OutboxQueued] + r.Counts[db.OutboxSending],
		Failed: r.Counts[db.OutboxFailed], Dropped: r.Counts[db.OutboxDropped]}
	for _, m := range r.Failed {
		v.Failed = append(v.Failed, views.FailedMessage{At: m.CreatedAt, Kind: m.Template, Customer: m.Customer, CardID: m.CardID, Reason: m.Error, Attempts: m.Attempts})
	}
	return v
}

// saveLimits keeps the shop's limits on marketing messages: the cap per
// customer and the quiet hours.
func (a *App) saveLimits(c echo.Context) error {
	_, shop := staff(c)
	ctx := c.Request().Context()
	p := a.page(c, &shop, "AutomationsTitle")
	f := newForm(c, p.T)
	l := db.MarketingLimits{Cap: f.number("cap", 0, db.MaxCap, db.DefaultCap)}
	l.Quiet.From, l.Quiet.Until = f.clock("quiet_from"), f.clock("quiet_until")
	if !f.ok() {
		list, err := a.store.AutomationList(ctx, shop.ID)
		if err != nil {
			return err
		}
		return render(c, http.StatusUnprocessableEntity, views.AutomationsPage(p, a.automationsView(list, false), f.v))
	}
	if err := a.store.SaveMarketingLimits(ctx, shop.ID, l); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/automations?saved=limits")
}

// clockPattern is a time of day as a time field sends it.
var clockPattern = regexp.MustCompile(`^([01][0-9]|2[0-3]):([0-5][0-9])$`)

// clock reads a time of day, HH:MM, as minutes after midnight.
func (f *form) clock(name string) int {
	s := f.text(name, true, 5)
	m := clockPattern.FindStringSubmatch(s)
	if f.v.Errors[name] != "" || m == nil {
		f.fail(name, "FieldTime")
		return 0
	}
	h, _ := strconv.Atoi(m[1])
	min, _ := strconv.Atoi(m[2])
	return h*60 + min
}

// clockText is minutes after midnight as a time field shows them.
func clockText(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// automationKind is the kind in the path of an automation's page; an unknown
// one is not found.
func automationKind(c echo.Context) (string, error) {
	kind := c.Param("kind")
	if kind == "" {
		kind = db.AutomationRewardReady // the form's address before each kind had a page
	}
	if !db.IsAutomation(kind) {
		return "", echo.ErrNotFound
	}
	return kind, nil
}

// automation is the owner's page of one automation.
func (a *App) automation(c echo.Context) error {
	_, shop := staff(c)
	kind, err := automationKind(c)
	if err != nil {
		return err
	}
	pg, err := a.store.AutomationPage(c.Request().Context(), shop.ID, kind)
	if err != nil {
		return err
	}
	au := pg.Automation
	p := a.page(c, &shop, "")
	p.Title = views.AutomationName(p.T, kind)
	f := views.Form{Values: map[string]string{"enabled": checked(au.Enabled), "holdout": strconv.Itoa(au.Holdout),
		"days_before": strconv.Itoa(au.DaysBefore)}, Errors: map[string]string{}}
	if au.CampaignID != 0 {
		f.Values["campaign"] = itoa64(au.CampaignID)
	}
	for _, l := range locale.Languages {
		t := locale.New(l.Code, nil, locale.LatinDigits)
		subject, body := views.DefaultAutomationText(t, kind)
		if own, ok := au.Texts[l.Code]; ok {
			subject, body = own.Subject, own.Body
		}
		f.Values["subject_"+l.Code], f.Values["body_"+l.Code] = subject, body
	}
	return render(c, http.StatusOK, views.AutomationPage(p, a.automationView(shop, pg, f, c.QueryParam("saved") == "1"), f))
}

// samplePoints is the count the preview of "points expiring" names.
const samplePoints = 40

// automationView is the page's model: the settings the kind has, the form's
// texts and the preview of the text in the shop's language.
func (a *App) automationView(shop db.Shop, pg db.AutomationPage, f views.Form, saved bool) views.AutomationEdit {
	kind := pg.Automation.Kind
	v := views.AutomationEdit{EmailFrom: a.emailFrom, Kind: kind, Marketing: db.IsMarketing(kind), Saved: saved,
		DaysBefore: kind == db.AutomationCouponExpiring || kind == db.AutomationPointsExpiring}
	t := locale.New(shop.Language, nil, locale.Digits(shop.Digits))
	vars := views.MailVars{Name: t.T("AutomationSampleName"), Shop: shop.Name, Reward: pg.Reward}
	switch kind {
	case db.AutomationWeMissYou:
		v.Coupons = []views.Option{}
		for _, c := range pg.Coupons {
			v.Coupons = append(v.Coupons, views.Option{Value: itoa64(c.ID), Label: c.Title})
			if itoa64(c.ID) == f.Get("campaign") {
				vars.Coupon = c.Title
			}
		}
	case db.AutomationBirthday, db.AutomationCouponExpiring:
		vars.Coupon = t.T("AutomationSampleCoupon")
	case db.AutomationRaffleResult:
		vars.Prize = t.T("AutomationSamplePrize")
	case db.AutomationNewsletter:
		vars.News = t.T("AutomationSampleNews")
	case db.AutomationPointsExpiring:
		vars.Points, vars.Date = views.PointsExpiry(t.WithCalendar(locale.Calendar(shop.Calendar)), samplePoints, a.now().AddDate(0, 0, pg.Automation.DaysBefore))
	}
	for _, l := range locale.Languages {
		v.Langs = append(v.Langs, views.AutomationLang{Code: l.Code, Name: l.Name, RTL: l.RTL, Shop: l.Code == shop.Language})
	}
	v.Preview = views.AutomationPreview{Lang: shop.Language, Dir: t.Dir(), Mail: views.Mail{
		T:       t,
		Subject: views.FillMail(f.Get("subject_"+shop.Language), vars),
		Body:    views.FillMail(f.Get("body_"+shop.Language), vars),
	}}
	return v
}

// saveAutomation saves an automation's switch, settings and texts, or, for
// the preview button, shows the texts typed without saving them. A text
// equal to the catalogue's, or empty, is not kept: it follows the
// catalogue. A setting the kind does not have keeps its value.
func (a *App) saveAutomation(c echo.Context) error {
	_, shop := staff(c)
	kind, err := automationKind(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	pg, err := a.store.AutomationPage(ctx, shop.ID, kind)
	if err != nil {
		return err
	}
	p := a.page(c, &shop, "")
	p.Title = views.AutomationName(p.T, kind)
	f := newForm(c, p.T)
	au := pg.Automation
	au.Enabled, au.Texts = f.checkbox("enabled"), map[string]db.AutomationText{}
	// Without e-mail only "reward ready" has a way out: web push, to the
	// phones that asked for notifications.
	if au.Enabled && a.emailFrom == "" && kind != db.AutomationRewardReady {
		f.fail("enabled", "AutomationNeedsEmail")
	}
	if db.IsMarketing(kind) {
		au.Holdout = f.number("holdout", 0, db.MaxHoldout, db.DefaultHoldout)
	}
	if kind == db.AutomationCouponExpiring || kind == db.AutomationPointsExpiring {
		au.DaysBefore = f.number("days_before", 1, db.MaxDaysBefore, db.DefaultDaysBefore)
	}
	if kind == db.AutomationWeMissYou {
		au.CampaignID = f.coupon("campaign", pg.Coupons)
	}
	for _, l := range locale.Languages {
		subject := f.text("subject_"+l.Code, false, maxAutomationSubject)
		body := f.lines("body_"+l.Code, false, maxAutomationBody)
		defSubject, defBody := views.DefaultAutomationText(locale.New(l.Code, nil, locale.LatinDigits), kind)
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
	if f.ok() && !preview {
		err := a.store.SaveAutomation(ctx, shop.ID, au, a.now())
		if errors.Is(err, db.ErrNotFound) { // the coupon ended, or went, since the page was read
			f.fail("campaign", "AutomationCouponUnknown")
		} else if err != nil {
			return err
		} else {
			return c.Redirect(http.StatusSeeOther, "/automations/"+kind+"?saved=1")
		}
	}
	status := http.StatusOK
	if !f.ok() {
		status = http.StatusUnprocessableEntity
	}
	return render(c, status, views.AutomationPage(p, a.automationView(shop, pg, f.v, false), f.v))
}

// coupon reads the choice of a coupon among those offered; none is 0, and
// any other value (another shop's coupon, an ended one, a forged one) is
// refused.
func (f *form) coupon(name string, offered []db.CouponChoice) int64 {
	s := strings.TrimSpace(f.c.FormValue(name))
	f.v.Values[name] = s
	if s == "" {
		return 0
	}
	for _, c := range offered {
		if itoa64(c.ID) == s {
			return c.ID
		}
	}
	f.fail(name, "AutomationCouponUnknown")
	return 0
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

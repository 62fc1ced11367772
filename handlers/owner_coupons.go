package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"regulars/db"
	"regulars/locale"
	"regulars/loyalty"
	"regulars/views"
)

func couponView(c db.Campaign, currency string, now time.Time) views.Coupon {
	return views.Coupon{
		ID: c.ID, Title: c.Title, Description: c.Description, ValueKind: c.ValueKind, ValueNumber: c.ValueNumber, ValueText: c.ValueText,
		Currency: currency, ValidFrom: c.ValidFrom, LastDay: c.ValidUntil.Add(-time.Second), Audience: c.Audience, Segment: string(c.Segment), Club: c.ClubName,
		Code: c.Code, TotalLimit: c.TotalLimit, PerCardLimit: c.PerCardLimit, Status: c.Rules().Status(now),
		Issued: c.Issued, Viewed: c.Viewed, Redeemed: c.Redeemed, Birthday: c.BirthdayYear != 0,
	}
}

func (a *App) coupons(c echo.Context) error {
	_, shop := staff(c)
	cs, err := a.store.Campaigns(c.Request().Context(), shop.ID)
	if err != nil {
		return err
	}
	list := make([]views.Coupon, len(cs))
	for i, cp := range cs {
		list[i] = couponView(cp, shop.Currency, a.now())
	}
	return render(c, http.StatusOK, views.CouponsPage(a.page(c, &shop, "CouponsTitle"), list))
}

// newCouponForm is the form of a new campaign: for everyone, or for the
// cards chosen on the customer list (?card=K7M2-Q9XD&card=…).
func (a *App) newCouponForm(c echo.Context) error {
	_, shop := staff(c)
	p := a.page(c, &shop, "CouponNew")
	today := a.now().In(p.T.Zone())
	f := views.Form{Values: map[string]string{
		"value_kind": "percent", "audience": "all", "segment": string(loyalty.SegmentRegular), "per_card_limit": "1", "total_limit": "0",
		"valid_from": today.Format(time.DateOnly), "valid_until": today.AddDate(0, 0, 30).Format(time.DateOnly),
	}}
	if chosen := c.QueryParams()["card"]; len(chosen) > 0 {
		f.Values["audience"] = db.AudienceChosen
		f.Values["cards"] = strings.Join(chosen[:min(len(chosen), maxChosenCards+1)], "\n")
	}
	reach, err := a.reach(c, shop.ID, p.T, f.Values)
	if err != nil {
		return err
	}
	clubs, err := a.clubOptions(c, shop.ID)
	if err != nil {
		return err
	}
	_, tiers, err := a.tierOptions(c, shop.ID, p.T)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.CouponForm(p, f, reach, clubs, tiers))
}

// couponReach answers the coupon form's question "who gets it?" while the
// owner chooses: "This goes to 37 customers", as text.
func (a *App) couponReach(c echo.Context) error {
	_, shop := staff(c)
	p := a.page(c, &shop, "")
	values := map[string]string{}
	for _, k := range []string{"audience", "segment", "club", "cards"} {
		values[k] = c.QueryParam(k)
	}
	if values["audience"] == "" {
		values["audience"] = db.AudienceAll // the form's first choice
	}
	if len(values["cards"]) > maxChosenText {
		return echo.ErrBadRequest
	}
	reach, err := a.reach(c, shop.ID, p.T, values)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.String(http.StatusOK, reach)
}

// reach says whom a campaign for the form's audience goes to now; an
// audience or segment that is none is a bad request.
func (a *App) reach(c echo.Context, shopID int64, t *locale.Tr, values map[string]string) (string, error) {
	ctx := c.Request().Context()
	audience, segment := values["audience"], loyalty.Segment(values["segment"])
	var ids []int64
	switch audience {
	case db.AudienceAll:
	case db.AudienceSegment:
		if !segment.Valid() {
			return "", echo.ErrBadRequest
		}
	case db.AudienceChosen:
		var (
			bad badCode
			err error
		)
		ids, bad, err = a.chosenCards(c, shopID, values["cards"])
		switch {
		case err != nil:
			return "", err
		case bad.line > 0:
			return t.T("CouponCardUnknown", "Line", bad.line, "Code", bad.code), nil
		case len(ids) == 0:
			return t.T("AudienceReachNone"), nil
		}
	case db.AudienceCode:
		return t.T("AudienceReachCode"), nil
	case db.AudienceClub:
		club, err := a.liveClub(c, shopID, values["club"])
		if err != nil {
			return "", err
		}
		return t.N("AudienceReach", club.Members), nil
	default:
		return "", echo.ErrBadRequest
	}
	n, err := a.store.AudienceSize(ctx, shopID, audience, segment, ids, a.now())
	if err != nil {
		return "", err
	}
	return t.N("AudienceReach", n), nil
}

// maxChosenCards bounds a hand-picked audience typed as short codes, and
// maxChosenText the text that holds them (the form's maxlength).
const (
	maxChosenCards = 500
	maxChosenText  = 5000
)

func (a *App) createCoupon(c echo.Context) error {
	u, shop := staff(c)
	p := a.page(c, &shop, "CouponNew")
	ctx := c.Request().Context()
	f := newForm(c, p.T)
	cp := db.Campaign{
		ShopID: shop.ID, Title: f.text("title", true, 80), Description: f.text("description", false, 300),
		ValueKind: f.text("value_kind", true, 10), Audience: f.text("audience", true, 10),
		TotalLimit:   f.number("total_limit", 0, loyalty.MaxCouponLimit, 0),
		PerCardLimit: f.number("per_card_limit", 1, 100, 1),
	}
	var err error
	if cp.MinTier, err = a.minTierInput(c, f, shop.ID); err != nil {
		return err
	}
	number := f.text("value_number", false, 20)
	cp.ValueText = f.text("value_text", false, 120)
	switch cp.ValueKind {
	case "percent":
		n, err := parseNumber(strings.Trim(number, "%٪ \u00a0"))
		if err != nil || n < 1 || n > 100 {
			f.fail("value_number", "FieldRange", "Min", 1, "Max", 100)
		}
		cp.ValueNumber, cp.ValueText = n, ""
	case "amount":
		n, err := parseAmount(number)
		if err != nil {
			f.fail("value_number", "FieldAmount")
		}
		cp.ValueNumber, cp.ValueText = n, ""
	case "item", "text":
		if cp.ValueText == "" {
			f.fail("value_text", "FieldRequired")
		}
	default:
		f.fail("value_kind", "FieldInvalid")
	}
	zone := p.T.Zone()
	from := f.date("valid_from", zone)
	until := f.date("valid_until", zone)
	if !from.IsZero() && !until.IsZero() && until.Before(from) {
		f.fail("valid_until", "CouponUntilBeforeFrom")
	}
	cp.ValidFrom, cp.ValidUntil = from, until.AddDate(0, 0, 1) // through the whole last day
	var issueTo []int64
	segment := loyalty.Segment(f.text("segment", false, 12))
	cards := f.lines("cards", false, maxChosenText)
	code := f.text("code", false, 20)
	switch cp.Audience {
	case db.AudienceAll:
	case db.AudienceSegment:
		if !segment.Valid() {
			f.fail("segment", "FieldInvalid")
			break
		}
		cp.Segment = segment
		var err error
		if issueTo, err = a.store.SegmentCards(ctx, shop.ID, segment, a.now()); err != nil {
			return err
		}
	case db.AudienceChosen:
		ids, bad, err := a.chosenCards(c, shop.ID, cards)
		switch {
		case err != nil:
			return err
		case bad.line > 0:
			f.fail("cards", "CouponCardUnknown", "Line", bad.line, "Code", bad.code)
		case len(ids) == 0:
			f.fail("cards", "CouponCardsInvalid")
		}
		issueTo = ids
	case db.AudienceClub:
		club, err := a.liveClub(c, shop.ID, f.text("club", true, 20))
		switch {
		case errors.Is(err, echo.ErrBadRequest):
			f.fail("club", "FieldInvalid")
		case err != nil:
			return err
		}
		cp.ClubID = club.ID
	case db.AudienceCode:
		cc, err := loyalty.ParseCouponCode(code)
		if err != nil {
			f.fail("code", "CouponCodeInvalid")
		}
		cp.Code = cc
	default:
		f.fail("audience", "FieldInvalid")
	}
	refuse := func() error {
		reach, err := a.reach(c, shop.ID, p.T, f.v.Values)
		if errors.Is(err, echo.ErrBadRequest) {
			reach, err = "", nil // the form says what is wrong
		}
		if err != nil {
			return err
		}
		clubs, err := a.clubOptions(c, shop.ID)
		if err != nil {
			return err
		}
		_, tiers, err := a.tierOptions(c, shop.ID, p.T)
		if err != nil {
			return err
		}
		return render(c, http.StatusUnprocessableEntity, views.CouponForm(p, f.v, reach, clubs, tiers))
	}
	if !f.ok() {
		return refuse()
	}
	id, err := a.store.CreateCampaign(ctx, cp, issueTo, u.ID, a.now())
	if errors.Is(err, db.ErrDuplicate) {
		f.fail("code", "CouponCodeTaken")
		return refuse()
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/coupons/"+itoa64(id))
}

// chosenCards reads hand-picked cards as short codes (one per line, or
// separated by commas or spaces); ok is false when one is not a card of the shop.
// badCode is a typed card code that names no card of the shop, and its line.
type badCode struct {
	line int
	code string
}

// chosenCards reads the card codes of a hand-picked audience, one per line
// (or several, between commas or spaces), and finds their cards; the first
// code that names none comes back with its line, so the owner can mend it. A
// code listed twice counts once. No codes, or more than maxChosenCards, is no
// card at all.
func (a *App) chosenCards(c echo.Context, shopID int64, text string) (ids []int64, bad badCode, err error) {
	var typed []badCode
	for i, line := range strings.Split(text, "\n") {
		for _, f := range strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == ';' || r == '\r' || r == ' ' || r == '\t' }) {
			typed = append(typed, badCode{i + 1, f})
		}
	}
	if len(typed) > maxChosenCards {
		return nil, bad, nil
	}
	for _, t := range typed {
		code, err := loyalty.ParseShortCode(t.code)
		if err != nil {
			return nil, t, nil
		}
		cards, err := a.store.SearchCards(c.Request().Context(), shopID, db.CardQuery{ShortCode: code})
		if err != nil {
			return nil, bad, err
		}
		if len(cards) != 1 {
			return nil, t, nil
		}
		if !slices.Contains(ids, cards[0].ID) {
			ids = append(ids, cards[0].ID)
		}
	}
	return ids, bad, nil
}

// maxRecipientsShown is how many of a campaign's recipients its page lists;
// the rest are counted.
const maxRecipientsShown = 200

func (a *App) coupon(c echo.Context) error {
	_, shop := staff(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	cp, err := a.store.Campaign(ctx, shop.ID, id)
	if err != nil {
		return err
	}
	p := a.page(c, &shop, "CouponsTitle")
	_, offset := a.now().In(p.T.Zone()).Zone()
	days, err := a.store.CampaignRedemptionsByDay(ctx, shop.ID, id, offset)
	if err != nil {
		return err
	}
	byDay := make([]views.DayCount, len(days))
	for i, d := range days {
		// The day is the shop's YYYY-MM-DD; shown as the page writes dates.
		day, err := time.ParseInLocation(time.DateOnly, d.Day, p.T.Zone())
		if err != nil {
			return fmt.Errorf("redemption day %q: %w", d.Day, err)
		}
		byDay[i] = views.DayCount{Day: p.T.Date(day), Count: d.Count}
	}
	got, total, err := a.store.CampaignRecipients(ctx, shop.ID, id, maxRecipientsShown)
	if err != nil {
		return err
	}
	recipients := views.Recipients{Total: total}
	for _, r := range got {
		recipients.Rows = append(recipients.Rows, views.Recipient{
			CardID: r.CardID, Name: r.Name, Erased: r.Erased, ShortCode: loyalty.FormatShortCode(r.ShortCode), Viewed: r.Viewed, Redeemed: r.Redeemed,
		})
	}
	return render(c, http.StatusOK, views.CouponPage(p, couponView(cp, shop.Currency, a.now()), byDay, recipients))
}

func (a *App) setCouponState(c echo.Context) error {
	u, shop := staff(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := a.store.SetCampaignState(c.Request().Context(), shop.ID, id, c.Param("state"), u.ID, a.now()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/coupons/"+itoa64(id))
}

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
	"regulars/loyalty"
	"regulars/views"
)

func couponView(c db.Campaign, currency string, now time.Time) views.Coupon {
	return views.Coupon{
		ID: c.ID, Title: c.Title, Description: c.Description, ValueKind: c.ValueKind, ValueNumber: c.ValueNumber, ValueText: c.ValueText,
		Currency: currency, ValidFrom: c.ValidFrom, LastDay: c.ValidUntil.Add(-time.Second), Audience: c.Audience, Segment: string(c.Segment),
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

func (a *App) newCouponForm(c echo.Context) error {
	_, shop := staff(c)
	p := a.page(c, &shop, "CouponNew")
	today := a.now().In(p.T.Zone())
	f := views.Form{Values: map[string]string{
		"value_kind": "percent", "audience": "all", "segment": string(loyalty.SegmentRegular), "per_card_limit": "1", "total_limit": "0",
		"valid_from": today.Format(time.DateOnly), "valid_until": today.AddDate(0, 0, 30).Format(time.DateOnly),
	}}
	return render(c, http.StatusOK, views.CouponForm(p, f))
}

// maxChosenCards bounds a hand-picked audience typed as short codes.
const maxChosenCards = 500

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
	cards := f.lines("cards", false, 5000)
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
	case db.AudienceCode:
		cc, err := loyalty.ParseCouponCode(code)
		if err != nil {
			f.fail("code", "CouponCodeInvalid")
		}
		cp.Code = cc
	default:
		f.fail("audience", "FieldInvalid")
	}
	if !f.ok() {
		return render(c, http.StatusUnprocessableEntity, views.CouponForm(p, f.v))
	}
	id, err := a.store.CreateCampaign(ctx, cp, issueTo, u.ID, a.now())
	if errors.Is(err, db.ErrDuplicate) {
		f.fail("code", "CouponCodeTaken")
		return render(c, http.StatusUnprocessableEntity, views.CouponForm(p, f.v))
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
	return render(c, http.StatusOK, views.CouponPage(p, couponView(cp, shop.Currency, a.now()), byDay))
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

package handlers

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"regulars/db"
	"regulars/loyalty"
	"regulars/views"
)

// The bounds the refusals name, per setting.
var (
	growthTextMax = map[string]int{loyalty.SettingPitch: loyalty.MaxPitch, loyalty.SettingBirthdayGift: loyalty.MaxBirthdayGift}
	growthRanges  = map[string]loyalty.Range{
		loyalty.SettingWelcomeStamps:  loyalty.WelcomeStampsRange,
		loyalty.SettingReferralStamps: loyalty.ReferralStampsRange,
		loyalty.SettingReferralCap:    loyalty.ReferralCapRange,
		loyalty.SettingBirthdayDays:   loyalty.BirthdayDaysRange,
	}
)

func growthForm(g db.Growth) views.Form {
	campaign := ""
	if g.WelcomeCampaignID != 0 {
		campaign = itoa64(g.WelcomeCampaignID)
	}
	return views.Form{Values: map[string]string{
		loyalty.SettingPitch:          g.Pitch,
		loyalty.SettingWelcomeStamps:  strconv.Itoa(g.WelcomeStamps),
		"welcome_campaign":            campaign,
		loyalty.SettingReferralStamps: strconv.Itoa(g.ReferralStamps),
		loyalty.SettingReferralCap:    strconv.Itoa(g.ReferralCap),
		loyalty.SettingBirthdayGift:   g.BirthdayGift,
		loyalty.SettingBirthdayDays:   strconv.Itoa(g.BirthdayDays),
	}, Errors: map[string]string{}}
}

// growth is the owner's page of the tools that bring customers in.
func (a *App) growth(c echo.Context) error {
	_, shop := staff(c)
	ctx := c.Request().Context()
	g, err := a.store.Growth(ctx, shop.ID)
	if err != nil {
		return err
	}
	return a.showGrowth(c, http.StatusOK, shop, growthForm(g), g.WelcomeCampaignID, c.QueryParam("saved") == "1")
}

// showGrowth renders the page; chosen is the welcome campaign offered even
// when it no longer runs, so the form shows what is set.
func (a *App) showGrowth(c echo.Context, status int, shop db.Shop, f views.Form, chosen int64, saved bool) error {
	p := a.page(c, &shop, "GrowthTitle")
	opts, err := a.welcomeCampaigns(c.Request().Context(), shop.ID, chosen)
	if err != nil {
		return err
	}
	return render(c, status, views.GrowthPage(p, f, opts, saved))
}

// welcomeCampaigns are the campaigns a welcome coupon may come from: those
// running or still to start, and the one chosen.
func (a *App) welcomeCampaigns(ctx context.Context, shopID, chosen int64) ([]views.Option, error) {
	list, err := a.store.Campaigns(ctx, shopID)
	if err != nil {
		return nil, err
	}
	var opts []views.Option
	for _, k := range list {
		if welcomeCampaignUsable(k, a.now()) || k.ID == chosen {
			opts = append(opts, views.Option{Value: itoa64(k.ID), Label: k.Title})
		}
	}
	return opts, nil
}

// welcomeCampaignUsable: a campaign that ended or expired gives no coupon,
// and a year's birthday gifts are no welcome.
func welcomeCampaignUsable(k db.Campaign, now time.Time) bool {
	if k.BirthdayYear != 0 {
		return false
	}
	switch k.Rules().Status(now) {
	case loyalty.CampaignEnded, loyalty.CampaignExpired:
		return false
	}
	return true
}

func (a *App) saveGrowth(c echo.Context) error {
	u, shop := staff(c)
	ctx := c.Request().Context()
	p := a.page(c, &shop, "GrowthTitle")
	f := newForm(c, p.T)
	typed := loyalty.Growth{
		Pitch:          f.raw(loyalty.SettingPitch),
		WelcomeStamps:  f.whole(loyalty.SettingWelcomeStamps),
		ReferralStamps: f.whole(loyalty.SettingReferralStamps),
		ReferralCap:    f.whole(loyalty.SettingReferralCap),
		BirthdayGift:   f.raw(loyalty.SettingBirthdayGift),
		BirthdayDays:   f.whole(loyalty.SettingBirthdayDays),
	}
	for _, pr := range loyalty.CheckGrowth(typed) {
		switch rg := growthRanges[pr.Setting]; {
		case errors.Is(pr.Err, loyalty.ErrSettingRange):
			f.fail(pr.Setting, "FieldRange", "Min", rg.Min, "Max", rg.Max)
		case errors.Is(pr.Err, loyalty.ErrSettingTooLong):
			f.fail(pr.Setting, "FieldTooLong", "Max", growthTextMax[pr.Setting])
		default:
			f.fail(pr.Setting, "GrowthOneLine")
		}
	}
	var campaignID int64
	if s := f.raw("welcome_campaign"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return echo.ErrNotFound
		}
		k, err := a.store.Campaign(ctx, shop.ID, id)
		if err != nil {
			return err
		}
		if !welcomeCampaignUsable(k, a.now()) {
			f.fail("welcome_campaign", "GrowthCouponOver")
		}
		campaignID = id
	}
	if !f.ok() {
		return a.showGrowth(c, http.StatusUnprocessableEntity, shop, f.v, campaignID, false)
	}
	g := db.Growth{
		Pitch: typed.Pitch, WelcomeStamps: typed.WelcomeStamps, WelcomeCampaignID: campaignID,
		ReferralStamps: typed.ReferralStamps, ReferralCap: typed.ReferralCap,
		BirthdayGift: typed.BirthdayGift, BirthdayDays: typed.BirthdayDays,
	}
	if err := a.store.SaveGrowth(ctx, shop.ID, g, u.ID, a.now()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/growth?saved=1")
}

// raw returns a trimmed field as typed, for rules that check it themselves.
func (f *form) raw(name string) string {
	s := strings.TrimSpace(f.c.FormValue(name))
	f.v.Values[name] = s
	return s
}

// whole returns a whole number as typed, for rules that check its range
// themselves; what is not a number is refused here.
func (f *form) whole(name string) int {
	s := f.raw(name)
	n, err := parseNumber(s)
	if err != nil {
		f.fail(name, "FieldNumber")
	}
	return n
}

// Poster sizes: the paper the owner prints on.
var posterSizes = []string{"a4", "a5"}

// poster is the printable poster whose QR code opens the shop's join page.
func (a *App) poster(c echo.Context) error {
	_, shop := staff(c)
	size := c.QueryParam("size")
	if size == "" {
		size = posterSizes[0]
	}
	if !slices.Contains(posterSizes, size) {
		return echo.ErrNotFound
	}
	g, err := a.store.Growth(c.Request().Context(), shop.ID)
	if err != nil {
		return err
	}
	p := a.page(c, &shop, "PosterTitle")
	t := shopTranslator(shop)
	ps := views.Poster{Size: size, JoinURL: a.absURL(c, joinPath(shop.Slug)), Lang: shop.Language, Dir: t.Dir(),
		Pitch: g.Pitch, Scan: t.T("PosterScan"), QRLabel: t.T("PosterQRLabel")}
	if ps.Pitch == "" {
		ps.Pitch = t.T("PosterDefaultPitch")
	}
	return render(c, http.StatusOK, views.PosterPage(p, ps))
}

func joinPath(slug string) string { return "/join/" + slug }

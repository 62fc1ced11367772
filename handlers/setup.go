package handlers

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"regulars/db"
	"regulars/loyalty"
	"regulars/views"
)

// setupSteps are the pages of a new shop's set-up, in order: the reward, the
// place (currency and time zone), the look, and what to do first.
var setupSteps = []string{"reward", "place", "look", "ready"}

// setup shows one step of the set-up; sign-up lands on its first.
func (a *App) setup(c echo.Context) error {
	_, shop := staff(c)
	step := c.QueryParam("step")
	if !slices.Contains(setupSteps, step) {
		step = setupSteps[0]
	}
	st, err := a.store.Setup(c.Request().Context(), shop.ID)
	if err != nil {
		return err
	}
	return a.showSetup(c, http.StatusOK, shop, step, st, setupForm(shop, st))
}

func setupForm(shop db.Shop, st db.Setup) views.Form {
	return views.Form{Values: map[string]string{
		"reward_text": st.Program.RewardText, "stamps_required": strconv.Itoa(st.Program.StampsRequired),
		"currency": shop.Currency, "timezone": shop.TimeZone, "brand_color": shop.BrandColor,
	}, Errors: map[string]string{}}
}

func (a *App) showSetup(c echo.Context, status int, shop db.Shop, step string, st db.Setup, f views.Form) error {
	p := a.page(c, &shop, "SetupTitle")
	v := views.Setup{
		Step: step, Steps: setupSteps, Program: st.Program.Name, Stamped: st.Stamped, ProgramID: st.Program.ID,
		Zones: shopZones(shop.TimeZone), Currencies: currencies, Form: f,
		Done: views.SetupDone{Cashier: st.Staff > 1, Stamped: st.Stamped},
	}
	return render(c, status, views.SetupPage(p, v))
}

// setupReward saves what the default program gives and after how many
// stamps. Once cards have stamps, the program's own page changes it: there,
// a new target is confirmed with what it does to the cards.
func (a *App) setupReward(c echo.Context) error {
	u, shop := staff(c)
	ctx := c.Request().Context()
	st, err := a.store.Setup(ctx, shop.ID)
	if err != nil {
		return err
	}
	if st.Stamped || st.Program.ID == 0 {
		return echo.NewHTTPError(http.StatusConflict)
	}
	f := newForm(c, a.page(c, &shop, "SetupTitle").T)
	pr := st.Program
	pr.RewardText = f.text("reward_text", true, 120)
	pr.StampsRequired = f.number("stamps_required", 1, loyalty.MaxStampsRequired, 10)
	if !f.ok() {
		return a.showSetup(c, http.StatusUnprocessableEntity, shop, "reward", st, f.v)
	}
	if _, err := a.store.SaveProgram(ctx, pr, u.ID, a.now()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/setup?step=place")
}

// setupPlace saves the currency and time zone sign-up proposed, or the
// owner's corrections.
func (a *App) setupPlace(c echo.Context) error {
	u, shop := staff(c)
	f := newForm(c, a.page(c, &shop, "SetupTitle").T)
	st := shopSettings(shop)
	st.Currency = f.text("currency", true, 3)
	st.TimeZone = f.text("timezone", true, 64)
	if !slices.Contains(currencies, st.Currency) {
		f.fail("currency", "FieldInvalid")
	}
	if !slices.Contains(shopZones(shop.TimeZone), st.TimeZone) {
		f.fail("timezone", "FieldInvalid")
	}
	return a.saveSetupSettings(c, u, shop, st, f, "place", "look")
}

// setupLook saves the shop's colour.
func (a *App) setupLook(c echo.Context) error {
	u, shop := staff(c)
	f := newForm(c, a.page(c, &shop, "SetupTitle").T)
	st := shopSettings(shop)
	st.BrandColor = f.text("brand_color", true, 7)
	if !brandColor.MatchString(st.BrandColor) {
		f.fail("brand_color", "FieldInvalid")
	}
	return a.saveSetupSettings(c, u, shop, st, f, "look", "ready")
}

func (a *App) saveSetupSettings(c echo.Context, u db.User, shop db.Shop, st db.ShopSettings, f *form, step, next string) error {
	ctx := c.Request().Context()
	if !f.ok() {
		setup, err := a.store.Setup(ctx, shop.ID)
		if err != nil {
			return err
		}
		return a.showSetup(c, http.StatusUnprocessableEntity, shop, step, setup, f.v)
	}
	if err := a.store.UpdateShop(ctx, shop.ID, st, u.ID, a.now()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/setup?step="+next)
}

// shopSettings are the shop's settings as they are.
func shopSettings(shop db.Shop) db.ShopSettings {
	return db.ShopSettings{Name: shop.Name, BrandColor: shop.BrandColor, Language: shop.Language, TimeZone: shop.TimeZone,
		Currency: shop.Currency, Digits: shop.Digits, StampOnScan: shop.StampOnScan, Calendar: shop.Calendar}
}

// shopZones are the time zones a shop may choose: the usual ones, and the one
// it has (sign-up takes the browser's, which may be none of them).
func shopZones(current string) []string {
	if current == "" || slices.Contains(timeZones, current) {
		return timeZones
	}
	return append([]string{current}, timeZones...)
}

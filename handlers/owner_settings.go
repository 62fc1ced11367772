package handlers

import (
	"errors"
	"net/http"
	"regexp"
	"slices"

	"github.com/labstack/echo/v4"

	"regulars/db"
	"regulars/locale"
	"regulars/views"
)

// Time zones and currencies offered to shops: the places the product is sold
// in first, and the common ones around them. time.LoadLocation checks each.
var (
	timeZones = []string{
		"UTC", "Europe/Istanbul", "Asia/Tehran", "Europe/Bucharest", "Europe/Chisinau", "Europe/London", "Europe/Dublin",
		"Europe/Lisbon", "Europe/Madrid", "Europe/Paris", "Europe/Brussels", "Europe/Amsterdam", "Europe/Berlin",
		"Europe/Zurich", "Europe/Rome", "Europe/Vienna", "Europe/Prague", "Europe/Warsaw", "Europe/Budapest",
		"Europe/Athens", "Europe/Sofia", "Europe/Kyiv", "Europe/Helsinki", "Europe/Stockholm", "Europe/Oslo",
		"Europe/Copenhagen", "Asia/Baku", "Asia/Tbilisi", "Asia/Dubai", "Asia/Kabul", "America/New_York",
		"America/Chicago", "America/Denver", "America/Los_Angeles", "America/Toronto", "Australia/Sydney",
	}
	currencies = []string{"EUR", "TRY", "IRR", "RON", "MDL", "USD", "GBP", "CHF", "AED", "AFN", "CAD", "AUD"}
	brandColor = regexp.MustCompile(`^#[0-9a-f]{6}$`)
)

// logoSide is the stored logo's largest side, which keeps card pages light.
const logoSide = 256

func settingsForm(shop db.Shop) views.Form {
	return views.Form{Values: map[string]string{
		"name": shop.Name, "brand_color": shop.BrandColor, "language": shop.Language, "timezone": shop.TimeZone, "currency": shop.Currency,
		"digits": shop.Digits, "stamp_on_scan": checked(shop.StampOnScan), "calendar": shop.Calendar,
	}, Errors: map[string]string{}}
}

func (a *App) settings(c echo.Context) error {
	_, shop := staff(c)
	p := a.page(c, &shop, "SettingsTitle")
	// ?saved= says what was just saved: "settings" or "logo".
	saved := c.QueryParam("saved")
	if saved != "settings" && saved != "logo" {
		saved = ""
	}
	return render(c, http.StatusOK, views.SettingsPage(p, settingsForm(shop), shopZones(shop.TimeZone), currencies, logoURL(&shop), saved))
}

func (a *App) saveSettings(c echo.Context) error {
	u, shop := staff(c)
	p := a.page(c, &shop, "SettingsTitle")
	f := newForm(c, p.T)
	st := db.ShopSettings{
		Name:        f.text("name", true, 80),
		BrandColor:  f.text("brand_color", true, 7),
		Language:    f.text("language", true, 8),
		TimeZone:    f.text("timezone", true, 64),
		Currency:    f.text("currency", true, 3),
		Digits:      f.text("digits", true, 8),
		StampOnScan: f.checkbox("stamp_on_scan"),
		Calendar:    f.text("calendar", false, 12),
	}
	if st.Calendar == "" {
		st.Calendar = shop.Calendar // a form from before the choice existed keeps it
	}
	if !locale.ValidCalendar(locale.Calendar(st.Calendar)) {
		f.fail("calendar", "FieldInvalid")
	}
	if !brandColor.MatchString(st.BrandColor) {
		f.fail("brand_color", "FieldInvalid")
	}
	if !locale.Supported(st.Language) {
		f.fail("language", "FieldInvalid")
	}
	if !slices.Contains(shopZones(shop.TimeZone), st.TimeZone) {
		f.fail("timezone", "FieldInvalid")
	}
	if !slices.Contains(currencies, st.Currency) {
		f.fail("currency", "FieldInvalid")
	}
	if !locale.ValidDigits(locale.Digits(st.Digits)) {
		f.fail("digits", "FieldInvalid")
	}
	// A new language brings its own digits, unless the owner chose them in the same save.
	if st.Language != shop.Language && st.Digits == shop.Digits {
		st.Digits = string(locale.DefaultDigits(st.Language))
	}
	if !f.ok() {
		return render(c, http.StatusUnprocessableEntity, views.SettingsPage(p, f.v, shopZones(shop.TimeZone), currencies, logoURL(&shop), ""))
	}
	if err := a.store.UpdateShop(c.Request().Context(), shop.ID, st, u.ID, a.now()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/settings?saved=settings")
}

func (a *App) uploadLogo(c echo.Context) error {
	u, shop := staff(c)
	fail := func(status int, msgID string) error { return a.logoRefused(c, shop, status, msgID) }
	raw, err := readUpload(c, "logo")
	switch {
	case errors.Is(err, errNoUpload):
		return fail(http.StatusUnprocessableEntity, "LogoMissing")
	case errors.Is(err, errUploadTooLarge):
		return fail(http.StatusRequestEntityTooLarge, "LogoTooLarge")
	case err != nil:
		return err
	}
	logo, err := normalizeImage(c.Request().Context(), shop.ID, raw, logoSide, encodePNG)
	if err != nil {
		status, msg := imageRefusal(err, "LogoInvalid")
		return fail(status, msg)
	}
	if err := a.store.SetLogo(c.Request().Context(), shop.ID, logo, u.ID, a.now()); err != nil {
		return err
	}
	if c.FormValue("from") == "setup" {
		return c.Redirect(http.StatusSeeOther, "/setup?step=look")
	}
	return c.Redirect(http.StatusSeeOther, "/settings?saved=logo")
}

// logoRefused shows the settings page with the reason next to the logo form.
func (a *App) logoRefused(c echo.Context, shop db.Shop, status int, msgID string) error {
	p := a.page(c, &shop, "SettingsTitle")
	f := settingsForm(shop)
	f.Errors["logo"] = p.T.T(msgID)
	return render(c, status, views.SettingsPage(p, f, shopZones(shop.TimeZone), currencies, logoURL(&shop), ""))
}

// logoTooLarge answers a logo whose upload is over the limit (images.go).
func (a *App) logoTooLarge(c echo.Context) error {
	_, shop := staff(c)
	if _, err := a.formHead(c); err != nil {
		return err
	}
	return a.logoRefused(c, shop, http.StatusRequestEntityTooLarge, "LogoTooLarge")
}

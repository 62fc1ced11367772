package handlers

import (
	"crypto/hmac"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"regulars/db"
)

// A known device is a browser where an account's password was given right
// before (sign-in, sign-up, accepted invite). Its cookie lets that account
// sign in there under a budget of the device's own, which guesses made
// elsewhere cannot use up (issue 15: five wrong passwords from anywhere
// locked the owner out). OWASP's "device cookies" against lockout attacks.
//
// The cookie is the device's random id followed by one tag per account, a
// MAC of the id and the account's e-mail: it says which accounts signed in
// there without naming them, and no one can make a tag for an account whose
// password they do not have. A counter tablet shared by several cashiers
// keeps one tag for each.
const (
	deviceCookie = "device"
	// A device in use signs in again at least every db.SessionMaxAge, which
	// renews the cookie: twice that forgets only devices no longer used.
	deviceLifetime    = 2 * db.SessionMaxAge
	maxDeviceAccounts = 8
	deviceIDLen       = 22 // randomID's length
)

// readDevice returns the id and tags of the request's device cookie, or "".
func readDevice(c echo.Context) (string, []string) {
	ck, err := c.Cookie(deviceCookie)
	if err != nil {
		return "", nil
	}
	parts := strings.Split(ck.Value, ".")
	if len(parts[0]) != deviceIDLen || len(parts) > maxDeviceAccounts+1 {
		return "", nil
	}
	return parts[0], parts[1:]
}

// knownDevice returns the id of the request's device when email's account
// signed in on it before, or "".
func (a *App) knownDevice(c echo.Context, email string) string {
	id, tags := readDevice(c)
	if id == "" {
		return ""
	}
	want := []byte(a.macKey.mac("device", id, email))
	for _, tag := range tags {
		if hmac.Equal([]byte(tag), want) {
			return id
		}
	}
	return ""
}

// rememberDevice adds email's account to the request's device cookie, or
// starts one; the account signed in last is kept longest.
func (a *App) rememberDevice(c echo.Context, email string) {
	id, tags := readDevice(c)
	if id == "" {
		id = randomID()
	}
	tag := a.macKey.mac("device", id, email)
	tags = append(slices.DeleteFunc(tags, func(t string) bool { return t == tag }), tag)
	if len(tags) > maxDeviceAccounts {
		tags = tags[len(tags)-maxDeviceAccounts:]
	}
	// Only the sign-in form reads it: no other request carries it.
	c.SetCookie(&http.Cookie{
		Name: deviceCookie, Value: id + "." + strings.Join(tags, "."), Path: "/login",
		MaxAge: int(deviceLifetime.Seconds()), HttpOnly: true, Secure: a.secure, SameSite: http.SameSiteLaxMode,
	})
}

// allowLogin takes one try at email's password: from the account's known
// device out of that device's budget, from anywhere else out of the budgets
// of the address and of the account.
func (a *App) allowLogin(c echo.Context, email string) bool {
	if device := a.knownDevice(c, email); device != "" {
		return a.logins.allowDevice(email, device)
	}
	return a.logins.allow(email, c.RealIP())
}

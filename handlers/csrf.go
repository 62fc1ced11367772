package handlers

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// A request that changes something passes two checks (issue 15: a page on
// another port of the same host planted Echo's double-submit cookie and made
// a signed-in owner add an attacker as owner):
//
//  1. The browser says it comes from a page of this origin: Sec-Fetch-Site
//     same-origin or none (typed, bookmarked), or, from a browser that sends
//     no fetch metadata, an Origin naming this host. net/http's
//     CrossOriginProtection does this; same-site is refused, since a sibling
//     subdomain or another port is another party.
//  2. Its form carries the token of the page it was sent from, which only
//     the server can make. Signed in, the token is a MAC of the server-side
//     session's token, read from the signed and encrypted session cookie
//     that no other origin can forge: a form from another session, another
//     browser or another person's page is refused. Signed out (sign-in,
//     sign-up, join, the card page's forms, the language switch), it is a
//     MAC of a random value the server put in the visitor cookie. Anyone can
//     fetch such a pair for themselves and toss it into another browser, so
//     for signed-out forms the first check is what stops another origin; the
//     token keeps out forms made up blind.
//
// A signed-in page's token carries both parts, visitor's and session's: when
// its session has ended in that browser (signed out in another tab), its
// form still passes the visitor's check and reaches requireStaff, which sends
// it to the sign-in page saying it was not recorded, instead of a bare 403.

const (
	// csrfField is the form field of the token; visitorCookie keeps Echo's
	// cookie name, so browsers that have one keep it as their visitor value.
	csrfField     = "_csrf"
	visitorCookie = "_csrf"
	ctxVisitor    = "visitor"
	// maxVisitor bounds what is hashed of a visitor cookie someone else made.
	maxVisitor = 128
)

// macKey is the server's secret for the values it hands out and checks
// again: form tokens and known-device cookies.
type macKey []byte

// mac is a MAC of parts under k, each labelled by its first part, cut to 128
// bits and written URL-safe: 22 characters.
func (k macKey) mac(parts ...string) string {
	h := hmac.New(sha256.New, k)
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:16])
}

// randomID is 128 random bits written URL-safe.
func randomID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// checkForms refuses a request that changes something unless it passes both
// checks above; GET and HEAD change nothing and pass.
func (a *App) checkForms(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		// A mail program's one-click unsubscribe (RFC 8058) comes from no
		// page of ours: the MAC in its path is its proof (messages.go).
		if c.Path() == unsubscribeRoute {
			return next(c)
		}
		if a.origins.Check(c.Request()) != nil || !a.validToken(c, c.FormValue(csrfField)) {
			return errCSRF
		}
		return next(c)
	}
}

// validToken reports whether token is the one this browser's pages carry
// now: the session's part when its cookie names a session, the visitor's
// otherwise.
func (a *App) validToken(c echo.Context, token string) bool {
	visitorPart, sessionPart, _ := strings.Cut(token, ".")
	if s := a.sessionToken(c); s != "" {
		return sessionPart != "" && hmac.Equal([]byte(sessionPart), []byte(a.macKey.mac("session", s)))
	}
	v, ok := a.visitorValue(c)
	return ok && visitorPart != "" && hmac.Equal([]byte(visitorPart), []byte(a.macKey.mac("visitor", v)))
}

// csrfToken is the token of the forms of the page being rendered; it gives
// the browser a visitor cookie if it has none.
func (a *App) csrfToken(c echo.Context) string {
	v, ok := a.visitorValue(c)
	if !ok {
		v = randomID()
		c.Set(ctxVisitor, v)
		c.SetCookie(&http.Cookie{Name: visitorCookie, Value: v, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, Secure: a.secure, SameSite: http.SameSiteLaxMode})
	}
	token := a.macKey.mac("visitor", v)
	if s := a.sessionToken(c); s != "" {
		token += "." + a.macKey.mac("session", s)
	}
	return token
}

// visitorValue is the browser's visitor cookie, or the one given to it while
// answering this request.
func (a *App) visitorValue(c echo.Context) (string, bool) {
	if v, ok := c.Get(ctxVisitor).(string); ok {
		return v, true
	}
	ck, err := c.Cookie(visitorCookie)
	if err != nil || ck.Value == "" || len(ck.Value) > maxVisitor {
		return "", false
	}
	return ck.Value, true
}

package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"regulars/db"
)

const (
	sessionName = "regulars"
	ctxUser     = "user"
	ctxShop     = "shop"
	langCookie  = "lang"
	// sessionKey names the cookie's one value: the server-side session's token.
	sessionKey = "token"
	// ctxSession keeps the token once read: the staff check, the form check
	// and the page's form token all need it, and decoding the cookie is not free.
	ctxSession = "session-token"
)

// signIn starts a new server-side session for u and puts its token in a new
// cookie. The session the request came with, if any, ends: a cookie from
// before the sign-in, even one planted by someone else, never becomes valid.
func (a *App) signIn(c echo.Context, u db.User) error {
	if err := a.endSession(c); err != nil {
		return err
	}
	token, err := a.store.CreateSession(c.Request().Context(), u, a.now())
	if err != nil {
		return err
	}
	a.rememberDevice(c, u.Email)
	return a.saveSessionCookie(c, token)
}

// saveSessionCookie writes a fresh cookie carrying only the token.
func (a *App) saveSessionCookie(c echo.Context, token string) error {
	s := sessions.NewSession(a.sessions, sessionName)
	opts := *a.sessions.Options
	s.Options = &opts
	s.Values[sessionKey] = token
	if err := s.Save(c.Request(), c.Response()); err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	c.Set(ctxSession, token)
	return nil
}

// signOut ends the request's session on the server and clears its cookie,
// so a copy of the cookie opens nothing either.
func (a *App) signOut(c echo.Context) error {
	if err := a.endSession(c); err != nil {
		return err
	}
	s := sessions.NewSession(a.sessions, sessionName)
	opts := *a.sessions.Options
	opts.MaxAge = -1
	s.Options = &opts
	if err := s.Save(c.Request(), c.Response()); err != nil {
		return fmt.Errorf("clear session: %w", err)
	}
	c.Set(ctxSession, "")
	return nil
}

// endSession ends the session the request's cookie names, if it names one.
func (a *App) endSession(c echo.Context) error {
	if token := a.sessionToken(c); token != "" {
		return a.store.EndSession(c.Request().Context(), token)
	}
	return nil
}

// sessionToken reads the token from the request's cookie, or "", or the
// one this answer's cookie carries once it has been set.
func (a *App) sessionToken(c echo.Context) string {
	if token, ok := c.Get(ctxSession).(string); ok {
		return token
	}
	token := ""
	cookie, err := c.Request().Cookie(sessionName)
	if err != nil {
		c.Set(ctxSession, token)
		return token
	}
	if t, ok := a.cookieTokens.token(cookie.Value); ok {
		c.Set(ctxSession, t)
		return t
	}
	if s, err := a.sessions.Get(c.Request(), sessionName); err == nil && !s.IsNew {
		token, _ = s.Values[sessionKey].(string)
		a.cookieTokens.keep(cookie.Value, token)
	}
	c.Set(ctxSession, token)
	return token
}

// cookieMemory remembers the tokens of recently decoded session cookies: a
// counter tablet sends the same cookie with every stamp, and decoding it (a
// MAC, a decryption, a gob decoding) was a tenth of a stamp's time. A cookie
// value is taken only once it has decoded, and for at most cookieMemoryAge
// (its own lifetime is weeks); whether its session is still alive is asked
// of the store every time.
type cookieMemory struct {
	mu     sync.Mutex
	tokens map[string]rememberedToken
}

type rememberedToken struct {
	token string
	at    time.Time
}

const (
	cookieMemoryAge = time.Minute
	cookieMemoryMax = 10_000
)

func (m *cookieMemory) token(value string) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.tokens[value]
	return r.token, ok && time.Since(r.at) < cookieMemoryAge
}

func (m *cookieMemory) keep(value, token string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tokens == nil || len(m.tokens) >= cookieMemoryMax {
		m.tokens = make(map[string]rememberedToken)
	}
	m.tokens[value] = rememberedToken{token: token, at: time.Now()}
}

// currentUser returns the signed-in user and shop, or db.ErrNotFound.
func (a *App) currentUser(c echo.Context) (db.User, db.Shop, error) {
	token := a.sessionToken(c)
	if token == "" {
		return db.User{}, db.Shop{}, db.ErrNotFound
	}
	u, due, err := a.store.SessionUser(c.Request().Context(), token, a.now())
	if err != nil {
		return u, db.Shop{}, err
	}
	if due {
		// In use: the server's session and the browser's cookie live on.
		if err := a.store.RenewSession(c.Request().Context(), token, a.now()); err != nil {
			return u, db.Shop{}, err
		}
		if err := a.saveSessionCookie(c, token); err != nil {
			return u, db.Shop{}, err
		}
	}
	shop, err := a.store.Shop(c.Request().Context(), u.ShopID)
	return u, shop, err
}

// requireStaff lets signed-in staff through and sends everyone else to /login.
func (a *App) requireStaff(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		u, shop, err := a.currentUser(c)
		if errors.Is(err, db.ErrNotFound) {
			// After login, come back here. A form posted after the session
			// ended cannot be replayed: its sender is told plainly that it was
			// not recorded, and comes back to the page it was sent from.
			if c.Request().Method != http.MethodGet && c.Request().Method != http.MethodHead {
				v := url.Values{"unsaved": {"1"}}
				if next := safeNext(refererPath(c)); next != "" {
					v.Set("next", next)
				}
				return c.Redirect(http.StatusSeeOther, "/login?"+v.Encode())
			}
			return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request().URL.RequestURI()))
		}
		if err != nil {
			return err
		}
		c.Set(ctxUser, u)
		c.Set(ctxShop, shop)
		// A staff page is never kept by the browser: Back after signing out
		// must not show the last customer.
		c.Response().Header().Set("Cache-Control", "no-store")
		return next(c)
	}
}

// refererPath is the path and query of the request's Referer when it is a
// page of this server, or "".
func refererPath(c echo.Context) string {
	ref, err := url.Parse(c.Request().Referer())
	if err != nil || ref.Host != c.Request().Host {
		return ""
	}
	return ref.RequestURI()
}

// requireRole refuses staff whose role is not listed; it runs after requireStaff.
func requireRole(roles ...db.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			u := c.Get(ctxUser).(db.User)
			for _, r := range roles {
				if u.Role == r {
					return next(c)
				}
			}
			return echo.ErrForbidden
		}
	}
}

// staff returns the signed-in user and their shop; only for routes behind requireStaff.
func staff(c echo.Context) (db.User, db.Shop) {
	return c.Get(ctxUser).(db.User), c.Get(ctxShop).(db.Shop)
}

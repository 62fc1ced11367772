package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"regulars/db"
)

const (
	sessionName = "regulars"
	ctxUser     = "user"
	ctxShop     = "shop"
	langCookie  = "lang"
)

// signIn starts a session for u. The cookie store writes a fresh cookie, so a
// session fixed before login is replaced; the version ends it when the user's
// password changes or they are removed.
func (a *App) signIn(c echo.Context, u db.User) error {
	s, _ := a.sessions.New(c.Request(), sessionName)
	s.Values["uid"] = u.ID
	s.Values["sv"] = u.SessionVersion
	if err := s.Save(c.Request(), c.Response()); err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	return nil
}

func (a *App) signOut(c echo.Context) error {
	s, _ := a.sessions.New(c.Request(), sessionName)
	s.Options.MaxAge = -1
	if err := s.Save(c.Request(), c.Response()); err != nil {
		return fmt.Errorf("clear session: %w", err)
	}
	return nil
}

// currentUser returns the signed-in user and shop, or db.ErrNotFound.
func (a *App) currentUser(c echo.Context) (db.User, db.Shop, error) {
	s, err := a.sessions.Get(c.Request(), sessionName)
	if err != nil || s.IsNew {
		return db.User{}, db.Shop{}, db.ErrNotFound
	}
	uid, _ := s.Values["uid"].(int64)
	sv, _ := s.Values["sv"].(int64)
	u, err := a.store.User(c.Request().Context(), uid)
	if err != nil {
		return u, db.Shop{}, err
	}
	if u.SessionVersion != sv {
		return u, db.Shop{}, db.ErrNotFound
	}
	shop, err := a.store.Shop(c.Request().Context(), u.ShopID)
	return u, shop, err
}

// requireStaff lets signed-in staff through and sends everyone else to /login.
func (a *App) requireStaff(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		u, shop, err := a.currentUser(c)
		if errors.Is(err, db.ErrNotFound) {
			// After login, come back here; a form posted after the session
			// expired cannot be replayed, so its sender starts afresh.
			if c.Request().Method != http.MethodGet && c.Request().Method != http.MethodHead {
				return c.Redirect(http.StatusSeeOther, "/login")
			}
			return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request().URL.RequestURI()))
		}
		if err != nil {
			return err
		}
		c.Set(ctxUser, u)
		c.Set(ctxShop, shop)
		return next(c)
	}
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

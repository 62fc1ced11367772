package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/bcrypt"

	"regulars/db"
	"regulars/views"
)

// account shows every staff member who they are signed in as, and lets them
// change their password.
func (a *App) account(c echo.Context) error {
	u, shop := staff(c)
	p := a.page(c, &shop, "AccountTitle")
	return render(c, http.StatusOK, views.AccountPage(p, accountOf(u), views.Form{}, c.QueryParam("changed") == "1"))
}

func accountOf(u db.User) views.Account {
	return views.Account{Name: u.Name, Email: u.Email, Role: string(u.Role)}
}

// changePassword asks for the current password, so that a session left open
// on a shared tablet cannot lock its owner out. On success every other
// session of the person ends and this one is replaced by a new one.
func (a *App) changePassword(c echo.Context) error {
	u, shop := staff(c)
	p := a.page(c, &shop, "AccountTitle")
	f := newForm(c, p.T)
	current := c.FormValue("current_password")
	switch {
	case current == "":
		f.fail("current_password", "FieldRequired")
	case len(current) > 72:
		f.fail("current_password", "AccountPasswordWrong")
	}
	password := f.password("password", true)
	refuse := func(status int) error {
		return render(c, status, views.AccountPage(p, accountOf(u), f.v, false))
	}
	if !f.ok() {
		return refuse(http.StatusUnprocessableEntity)
	}
	// The current password is checked against the login limits: a stolen
	// session must not become a faster way to guess it.
	if !a.logins.allow(u.Email, c.RealIP()) {
		f.fail("current_password", "LoginTooMany")
		return refuse(http.StatusTooManyRequests)
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(current)) != nil {
		f.fail("current_password", "AccountPasswordWrong")
		return refuse(http.StatusUnprocessableEntity)
	}
	if password == current {
		f.fail("password", "AccountPasswordSame")
		return refuse(http.StatusUnprocessableEntity)
	}
	hash, err := a.hashPassword(password)
	if err != nil {
		return err
	}
	token, err := a.store.ChangePassword(c.Request().Context(), u, hash, a.now())
	if errors.Is(err, db.ErrNotFound) {
		// Changed by another request since this one read it.
		return echo.NewHTTPError(http.StatusConflict)
	}
	if err != nil {
		return err
	}
	if err := a.saveSessionCookie(c, token); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/account?changed=1")
}

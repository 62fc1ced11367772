package handlers

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"regulars/db"
	"regulars/views"
)

// inviteValidity is how long an invite link works.
const inviteValidity = 7 * 24 * time.Hour

func (a *App) staffList(c echo.Context, shop db.Shop, self db.User) ([]views.StaffMember, error) {
	us, err := a.store.Staff(c.Request().Context(), shop.ID)
	if err != nil {
		return nil, err
	}
	list := make([]views.StaffMember, len(us))
	for i, u := range us {
		list[i] = views.StaffMember{ID: u.ID, Name: u.Name, Email: u.Email, Role: string(u.Role), InvitePending: u.InvitePending, IsSelf: u.ID == self.ID}
	}
	return list, nil
}

func (a *App) staffPage(c echo.Context) error {
	u, shop := staff(c)
	list, err := a.staffList(c, shop, u)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.StaffPage(a.page(c, &shop, "StaffTitle"), list, views.Form{}, ""))
}

// addStaff adds a member with the password the owner gives, or, without one,
// with an invite link the owner passes on so the person chooses their own.
func (a *App) addStaff(c echo.Context) error {
	u, shop := staff(c)
	p := a.page(c, &shop, "StaffTitle")
	f := newForm(c, p.T)
	n := db.NewStaff{Name: f.text("name", true, 80), Email: f.email("email"), Role: db.Role(f.text("role", true, 10))}
	password := f.password("password", false)
	if !n.Role.Valid() {
		f.fail("role", "FieldInvalid")
	}
	showForm := func(status int, inviteURL string) error {
		list, err := a.staffList(c, shop, u)
		if err != nil {
			return err
		}
		return render(c, status, views.StaffPage(p, list, f.v, inviteURL))
	}
	if !f.ok() {
		return showForm(http.StatusUnprocessableEntity, "")
	}
	var token string
	if password != "" {
		hash, err := a.hashPassword(password)
		if err != nil {
			return err
		}
		n.PasswordHash = hash
	} else {
		b := make([]byte, 24)
		rand.Read(b)
		token = base64.RawURLEncoding.EncodeToString(b)
		n.InviteHash, n.InviteExpiresAt = inviteHash(token), a.now().Add(inviteValidity)
	}
	// Whether the address is in use by another shop changes nothing here
	// (db.AddStaff): only this shop's own staff is refused.
	_, err := a.store.AddStaff(c.Request().Context(), shop.ID, n, u.ID, a.now())
	if errors.Is(err, db.ErrDuplicate) {
		f.fail("email", "StaffAlreadyAdded")
		return showForm(http.StatusUnprocessableEntity, "")
	}
	if err != nil {
		return err
	}
	if token == "" {
		return c.Redirect(http.StatusSeeOther, "/staff")
	}
	// The link is shown once, now; only its hash is kept.
	f.v = views.Form{}
	return showForm(http.StatusCreated, a.absURL(c, "/invite/"+token))
}

// signOutStaff ends every session of a staff member: a lost or stolen
// tablet stops working at once.
func (a *App) signOutStaff(c echo.Context) error {
	return a.onOtherStaff(c, a.store.EndStaffSessions)
}

func (a *App) removeStaff(c echo.Context) error {
	return a.onOtherStaff(c, a.store.RemoveStaff)
}

// onOtherStaff does act to the staff member the path names, on behalf of the
// signed-in owner, and returns to the staff page. Never to the owner
// themself: removing oneself could leave the shop with nobody to run it, and
// signing oneself out is the logout button.
func (a *App) onOtherStaff(c echo.Context, act func(ctx context.Context, shopID, staffID, userID int64, now time.Time) error) error {
	u, shop := staff(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if id == u.ID {
		return echo.NewHTTPError(http.StatusConflict)
	}
	if err := act(c.Request().Context(), shop.ID, id, u.ID, a.now()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/staff")
}

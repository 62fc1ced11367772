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

// InviteValidity is how long an invite link works.
const InviteValidity = 7 * 24 * time.Hour

func (a *App) staffList(c echo.Context, shop db.Shop, self db.User) ([]views.StaffMember, error) {
	us, err := a.store.Staff(c.Request().Context(), shop.ID)
	if err != nil {
		return nil, err
	}
	list := make([]views.StaffMember, len(us))
	for i, u := range us {
		list[i] = views.StaffMember{ID: u.ID, Name: u.Name, Email: u.Email, Role: string(u.Role), InvitePending: u.InvitePending,
			IsSelf: u.ID == self.ID, SignsIn: u.PasswordHash != "", Stamp: u.Stamp}
	}
	return list, nil
}

// showStaff renders the staff page with v's outcome and the current members.
func (a *App) showStaff(c echo.Context, p views.Page, status int, v views.StaffView) error {
	u, shop := staff(c)
	list, err := a.staffList(c, shop, u)
	if err != nil {
		return err
	}
	v.Members = list
	return render(c, status, views.StaffPage(p, v))
}

func (a *App) staffPage(c echo.Context) error {
	_, shop := staff(c)
	p := a.page(c, &shop, "StaffTitle")
	// A change of a member redirects here, saying which.
	var v views.StaffView
	switch c.QueryParam("saved") {
	case "role":
		v.Saved = p.T.T("StaffRoleSaved")
	case "password":
		v.Saved = p.T.T("StaffPasswordSaved")
	}
	return a.showStaff(c, p, http.StatusOK, v)
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
	showForm := func(status int, v views.StaffView) error {
		v.Form = f.v
		return a.showStaff(c, p, status, v)
	}
	if !f.ok() {
		return showForm(http.StatusUnprocessableEntity, views.StaffView{})
	}
	var link string
	if password != "" {
		hash, err := a.hashPassword(password)
		if err != nil {
			return err
		}
		n.PasswordHash = hash
	} else {
		link, n.InviteHash = NewInvite()
		n.InviteExpiresAt = a.now().Add(InviteValidity)
	}
	// Whether the address is in use by another shop changes nothing here
	// (db.AddStaff): only this shop's own staff is refused.
	_, err := a.store.AddStaff(c.Request().Context(), shop.ID, n, u.ID, a.now())
	if errors.Is(err, db.ErrDuplicate) {
		f.fail("email", "StaffAlreadyAdded")
		return showForm(http.StatusUnprocessableEntity, views.StaffView{})
	}
	if err != nil {
		return err
	}
	if link == "" {
		return c.Redirect(http.StatusSeeOther, "/staff")
	}
	// The link is shown once, now; only its hash is kept.
	f.v = views.Form{}
	return showForm(http.StatusCreated, views.StaffView{Link: a.absURL(c, link), LinkNote: p.T.T("StaffInviteCreated")})
}

// NewInvite makes a sign-in link (an invite, or a link to choose a new
// password): the path that carries its secret of 192 random bits, and the
// hash of the secret, which is all the database keeps.
func NewInvite() (path, hash string) {
	b := make([]byte, 24)
	rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	return "/invite/" + token, inviteHash(token)
}

// staffOutcome renders what a change of a member refused: the page as it
// is now, with the reason above the list. Other errors pass (ErrNotFound: a
// 404, as for another shop's member).
func (a *App) staffOutcome(c echo.Context, p views.Page, err error) error {
	switch {
	case errors.Is(err, db.ErrChanged):
		return a.showStaff(c, p, http.StatusConflict, views.StaffView{Problem: p.T.T("StaffChanged")})
	case errors.Is(err, db.ErrLastOwner):
		return a.showStaff(c, p, http.StatusConflict, views.StaffView{Problem: p.T.T("StaffLastOwner")})
	}
	return err
}

// setStaffRole changes a member's role, one's own included: an owner who
// hands the shop over demotes themself once another owner signs in.
func (a *App) setStaffRole(c echo.Context) error {
	u, shop := staff(c)
	p := a.page(c, &shop, "StaffTitle")
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	role := db.Role(c.FormValue("role"))
	if !role.Valid() {
		return a.showStaff(c, p, http.StatusUnprocessableEntity, views.StaffView{Problem: p.T.T("StaffRoleInvalid")})
	}
	err = a.store.SetStaffRole(c.Request().Context(), shop.ID, id, c.FormValue("stamp"), role, u.ID, a.now())
	if err != nil {
		return a.staffOutcome(c, p, err)
	}
	if id == u.ID && role != db.RoleOwner {
		// The staff page is an owner's: the demoted owner goes to their own screen.
		return c.Redirect(http.StatusSeeOther, landing(db.User{Role: role}))
	}
	return c.Redirect(http.StatusSeeOther, "/staff?saved=role")
}

// setStaffPassword sets the password of a member who forgot theirs and
// signs them out everywhere; the owner tells them the new one.
func (a *App) setStaffPassword(c echo.Context) error {
	u, shop := staff(c)
	p := a.page(c, &shop, "StaffTitle")
	id, err := otherStaffID(c, u)
	if err != nil {
		return err
	}
	f := newForm(c, p.T)
	password := f.password("password", true)
	if !f.ok() {
		return a.showStaff(c, p, http.StatusUnprocessableEntity, views.StaffView{Problem: f.v.Errors["password"]})
	}
	hash, err := a.hashPassword(password)
	if err != nil {
		return err
	}
	if err := a.store.SetStaffPassword(c.Request().Context(), shop.ID, id, c.FormValue("stamp"), hash, u.ID, a.now()); err != nil {
		return a.staffOutcome(c, p, err)
	}
	return c.Redirect(http.StatusSeeOther, "/staff?saved=password")
}

// reissueInvite makes a member a new sign-in link and shows it once: an
// invitee's lost invite, or a link to choose a new password. The link sent
// before stops working.
func (a *App) reissueInvite(c echo.Context) error {
	u, shop := staff(c)
	p := a.page(c, &shop, "StaffTitle")
	id, err := otherStaffID(c, u)
	if err != nil {
		return err
	}
	link, hash := NewInvite()
	err = a.store.ReissueInvite(c.Request().Context(), shop.ID, id, c.FormValue("stamp"), hash, a.now().Add(InviteValidity), u.ID, a.now())
	if err != nil {
		return a.staffOutcome(c, p, err)
	}
	m, err := a.store.User(c.Request().Context(), id)
	if err != nil {
		return err
	}
	note := p.T.T("StaffInviteReissued", "Name", m.Name)
	if m.PasswordHash != "" {
		note = p.T.T("StaffResetLinkMade", "Name", m.Name)
	}
	return a.showStaff(c, p, http.StatusCreated, views.StaffView{Link: a.absURL(c, link), LinkNote: note})
}

// otherStaffID is the member the path names, who is not u: one's own
// password is changed on the account page.
func otherStaffID(c echo.Context, u db.User) (int64, error) {
	id, err := pathID(c, "id")
	if err == nil && id == u.ID {
		err = echo.NewHTTPError(http.StatusConflict)
	}
	return id, err
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
	id, err := otherStaffID(c, u)
	if err != nil {
		return err
	}
	if err := act(c.Request().Context(), shop.ID, id, u.ID, a.now()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/staff")
}

package handlers

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/bcrypt"

	"regulars/db"
	"regulars/locale"
	"regulars/views"
)

// home sends staff to their screen, and everyone else to sign up or log in.
func (a *App) home(c echo.Context) error {
	u, _, err := a.currentUser(c)
	switch {
	case err == nil:
		return c.Redirect(http.StatusSeeOther, landing(u))
	case !errors.Is(err, db.ErrNotFound):
		return err
	}
	n, err := a.store.ShopCount(c.Request().Context())
	if err != nil {
		return err
	}
	if n == 0 {
		return c.Redirect(http.StatusSeeOther, "/signup")
	}
	return render(c, http.StatusOK, views.Home(a.page(c, nil, "HomeTitle")))
}

func landing(u db.User) string {
	if u.Role == db.RoleCashier {
		return "/counter"
	}
	return "/dashboard"
}

func (a *App) signupForm(c echo.Context) error {
	p := a.page(c, nil, "SignupTitle")
	return render(c, http.StatusOK, views.Signup(p, views.Form{Values: map[string]string{"language": p.T.Lang}}))
}

func (a *App) signup(c echo.Context) error {
	p := a.page(c, nil, "SignupTitle")
	f := newForm(c, p.T)
	shop := f.text("shop_name", true, 80)
	name := f.text("name", true, 80)
	email := f.email("email")
	password := f.password("password", true)
	lang := f.text("language", false, 8)
	if !locale.Supported(lang) {
		lang = p.T.Lang
	}
	zone := f.text("timezone", false, 64)
	if _, err := time.LoadLocation(zone); err != nil || zone == "" || zone == "Local" {
		zone = "UTC"
	}
	if !f.ok() {
		return render(c, http.StatusUnprocessableEntity, views.Signup(p, f.v))
	}
	// Every sign-up costs a slow hash: the same limits as logins, per address.
	if !a.logins.allow("signup "+c.RealIP(), c.RealIP()) {
		return echo.NewHTTPError(http.StatusTooManyRequests)
	}
	hash, err := a.hashPassword(password)
	if err != nil {
		return err
	}
	// The default program is named in the shop's language, not the visitor's.
	digits := locale.DefaultDigits(lang)
	shopT := locale.New(lang, nil, digits)
	_, ownerID, err := a.store.CreateShop(c.Request().Context(), db.NewShop{
		Name: shop, OwnerName: name, Email: email, PasswordHash: hash,
		Language: lang, TimeZone: zone, Digits: string(digits),
		Currency:    locale.ProposedCurrency(lang, c.Request().Header.Get("Accept-Language")),
		ProgramName: shopT.T("DefaultProgramName"), RewardText: shopT.T("DefaultRewardText"),
	}, a.now())
	if errors.Is(err, db.ErrDuplicate) {
		f.fail("email", "EmailTaken")
		return render(c, http.StatusUnprocessableEntity, views.Signup(p, f.v))
	}
	if err != nil {
		return err
	}
	u, err := a.store.User(c.Request().Context(), ownerID)
	if err != nil {
		return err
	}
	if err := a.signIn(c, u); err != nil {
		return err
	}
	// A new shop starts with its set-up: the reward, the place, the look.
	return c.Redirect(http.StatusSeeOther, "/setup")
}

func (a *App) loginForm(c echo.Context) error {
	p := a.page(c, nil, "LoginTitle")
	problem := ""
	if c.QueryParam("unsaved") == "1" {
		// requireStaff sent here a form posted after its session had ended.
		problem = p.T.T("LoginUnsaved")
	}
	return render(c, http.StatusOK, views.Login(p, views.Form{}, problem, c.QueryParam("next")))
}

func (a *App) login(c echo.Context) error {
	p := a.page(c, nil, "LoginTitle")
	f := newForm(c, p.T)
	email := strings.ToLower(f.text("email", true, 254))
	password := c.FormValue("password")
	if !f.ok() || password == "" {
		return render(c, http.StatusUnprocessableEntity, views.Login(p, f.v, p.T.T("LoginFailed"), c.QueryParam("next")))
	}
	if !a.allowLogin(c, email) {
		return render(c, http.StatusTooManyRequests, views.Login(p, f.v, p.T.T("LoginTooMany"), c.QueryParam("next")))
	}
	u, err := a.store.UserByEmail(c.Request().Context(), email)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return err
	}
	hash := []byte(u.PasswordHash)
	if err != nil || len(hash) == 0 {
		hash = a.dummyHash
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || err != nil || u.PasswordHash == "" {
		return render(c, http.StatusUnauthorized, views.Login(p, f.v, p.T.T("LoginFailed"), c.QueryParam("next")))
	}
	if err := a.signIn(c, u); err != nil {
		return err
	}
	if err := a.store.Audit(c.Request().Context(), u.ShopID, u.ID, db.AuditLogin, u.Email, a.now()); err != nil {
		return err
	}
	next := safeNext(c.QueryParam("next"))
	if next == "" {
		next = landing(u)
	}
	return c.Redirect(http.StatusSeeOther, next)
}

func (a *App) logoutForm(c echo.Context) error {
	return render(c, http.StatusOK, views.Logout(a.page(c, nil, "NavLogout")))
}

func (a *App) logout(c echo.Context) error {
	u, _, err := a.currentUser(c)
	switch {
	case err == nil:
		if err := a.store.Audit(c.Request().Context(), u.ShopID, u.ID, db.AuditLogout, u.Email, a.now()); err != nil {
			return err
		}
	case !errors.Is(err, db.ErrNotFound):
		return err
	}
	if err := a.signOut(c); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/login")
}

// Invite tokens are kept only as hashes: a leaked database does not leak them.
func inviteHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

func (a *App) invitedUser(c echo.Context) (db.User, db.Shop, error) {
	token := c.Param("token")
	if len(token) < 16 || len(token) > 64 {
		return db.User{}, db.Shop{}, db.ErrNotFound
	}
	u, err := a.store.UserByInvite(c.Request().Context(), inviteHash(token), a.now())
	if err != nil {
		return u, db.Shop{}, err
	}
	shop, err := a.store.Shop(c.Request().Context(), u.ShopID)
	return u, shop, err
}

// invitePage titles the page of an invite link: joining the shop, or, for a
// member who signs in already, choosing a new password (a link from the
// staff page or the reset-password command).
func (a *App) invitePage(c echo.Context, u db.User, shop db.Shop) views.Page {
	if u.PasswordHash != "" {
		return a.page(c, &shop, "ResetTitle", "Shop", shop.Name)
	}
	return a.page(c, &shop, "InviteTitle", "Shop", shop.Name)
}

func (a *App) inviteForm(c echo.Context) error {
	u, shop, err := a.invitedUser(c)
	if err != nil {
		return err
	}
	p := a.invitePage(c, u, shop)
	return render(c, http.StatusOK, views.Invite(p, u.Name, shop.Name, u.PasswordHash != "", views.Form{}))
}

func (a *App) acceptInvite(c echo.Context) error {
	u, shop, err := a.invitedUser(c)
	if err != nil {
		return err
	}
	p := a.invitePage(c, u, shop)
	reset := u.PasswordHash != ""
	f := newForm(c, p.T)
	password := f.password("password", true)
	if !f.ok() {
		return render(c, http.StatusUnprocessableEntity, views.Invite(p, u.Name, shop.Name, reset, f.v))
	}
	hash, err := a.hashPassword(password)
	if err != nil {
		return err
	}
	accepted, err := a.store.AcceptInvite(c.Request().Context(), inviteHash(c.Param("token")), hash, a.now())
	if errors.Is(err, db.ErrDuplicate) {
		// An address signs in to one shop: the invitee is told, as sign-up tells anyone.
		f.fail("password", "InviteAddressTaken", "Email", u.Email, "Shop", shop.Name)
		return render(c, http.StatusConflict, views.Invite(p, u.Name, shop.Name, reset, f.v))
	}
	if err != nil {
		return err
	}
	if err := a.signIn(c, accepted); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, landing(accepted))
}

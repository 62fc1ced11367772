package handlers

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"regulars/db"
	"regulars/loyalty"
	"regulars/views"
)

// A way back in by e-mail: a staff member who forgot their password asks
// for a link to choose a new one (/forgot, /reset/{token}); a customer who
// lost their card's link asks for it on the shop's join page
// (/join/{slug}/lost). Either answer is the same whether or not the address
// is known, so that neither page tells a stranger who works or shops where.

// PasswordResetValidity is how long a link to choose a new password works:
// long enough to open the mailbox, short enough that an old message left in
// it opens nothing.
const PasswordResetValidity = time.Hour

// Requests for a link, limited like logins (loginLimiter.take): per client
// address across everything it asks for, and per address or phone asked
// for, from anywhere, so that nobody fills a mailbox from these pages.
const (
	// ten requests from one client address, then one a minute
	recoveryAddrBurst  = 10
	recoveryAddrRefill = rate.Limit(1.0 / 60)
	// three links for one address, then one every twenty minutes
	recoveryTargetBurst  = 3
	recoveryTargetRefill = rate.Limit(1.0 / 1200)
)

// recoveryLimiter limits the requests for a link; it keeps its counts in a
// loginLimiter's maps of its own.
type recoveryLimiter struct{ l *loginLimiter }

// allow takes one request for target (what is asked for: an address of a
// staff member, or a shop's customer's) from client address addr.
func (r recoveryLimiter) allow(target, addr string) bool {
	return r.l.take(
		budget{r.l.addrs, addrKey(addr), recoveryAddrRefill, recoveryAddrBurst},
		budget{r.l.accounts, target, recoveryTargetRefill, recoveryTargetBurst},
	)
}

// resetTokenLen is the length of a reset link's secret: 32 random bytes in
// URL-safe base64.
const resetTokenLen = 43

// newResetLink makes a link to choose a new password: its path, which
// carries a secret of 256 random bits, and the secret's SHA-256, which is
// all the database keeps of it once the e-mail has left.
func newResetLink() (path, hash string) {
	b := make([]byte, 32)
	rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	return "/reset/" + token, inviteHash(token)
}

// resetHash is the hash of the path's reset secret; ErrNotFound for one
// that cannot be a secret (it is then not looked up at all).
func resetHash(c echo.Context) (string, error) {
	token := c.Param("token")
	if len(token) != resetTokenLen {
		return "", db.ErrNotFound
	}
	if _, err := base64.RawURLEncoding.DecodeString(token); err != nil {
		return "", db.ErrNotFound
	}
	return inviteHash(token), nil
}

func (a *App) forgotView() views.ForgotView { return views.ForgotView{MailOn: a.emailFrom != ""} }

func (a *App) forgotForm(c echo.Context) error {
	p := a.page(c, nil, "ForgotTitle")
	return render(c, http.StatusOK, views.ForgotPage(p, a.forgotView(), views.Form{}))
}

// forgot sends a link to choose a new password to the address, if a staff
// member signs in with it, and answers the same either way.
func (a *App) forgot(c echo.Context) error {
	p := a.page(c, nil, "ForgotTitle")
	v := a.forgotView()
	if !v.MailOn {
		// The page offers no form then: this one is old or forged.
		return render(c, http.StatusConflict, views.ForgotPage(p, v, views.Form{}))
	}
	f := newForm(c, p.T)
	email := f.email("email")
	if !f.ok() {
		return render(c, http.StatusUnprocessableEntity, views.ForgotPage(p, v, f.v))
	}
	// Counted before the address is looked up: a refusal says nothing of it.
	if !a.recovery.allow("staff "+email, c.RealIP()) {
		v.Refusal = p.T.T("ForgotTooMany")
		return render(c, http.StatusTooManyRequests, views.ForgotPage(p, v, f.v))
	}
	link, hash := newResetLink()
	now := a.now()
	err := a.store.RequestPasswordReset(c.Request().Context(), email, hash, link, p.T.Lang, now, now.Add(PasswordResetValidity))
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return err
	}
	v.Sent, v.Email = true, email
	return render(c, http.StatusOK, views.ForgotPage(p, v, views.Form{}))
}

// resetUser is the staff member the path's reset link belongs to, with
// their shop, while the link works.
func (a *App) resetUser(c echo.Context) (db.User, db.Shop, error) {
	hash, err := resetHash(c)
	if err != nil {
		return db.User{}, db.Shop{}, err
	}
	u, err := a.store.PasswordResetUser(c.Request().Context(), hash, a.now())
	if err != nil {
		return u, db.Shop{}, err
	}
	shop, err := a.store.Shop(c.Request().Context(), u.ShopID)
	return u, shop, err
}

// deadResetLink says why a reset link opens nothing, and how to get another.
func (a *App) deadResetLink(c echo.Context, err error) error {
	if !errors.Is(err, db.ErrNotFound) {
		return err
	}
	p := a.page(c, nil, "ResetDeadTitle")
	return render(c, http.StatusNotFound, views.ErrorPage(p, http.StatusNotFound, p.T.T("ResetDead")))
}

func (a *App) resetForm(c echo.Context) error {
	u, shop, err := a.resetUser(c)
	if err != nil {
		return a.deadResetLink(c, err)
	}
	p := a.page(c, &shop, "ResetTitle", "Shop", shop.Name)
	return render(c, http.StatusOK, views.Invite(p, u.Name, shop.Name, true, views.Form{}))
}

// resetPassword sets the new password, uses up the link, ends the member's
// other sessions and signs them in here, as an owner's reset link does.
func (a *App) resetPassword(c echo.Context) error {
	u, shop, err := a.resetUser(c)
	if err != nil {
		return a.deadResetLink(c, err)
	}
	p := a.page(c, &shop, "ResetTitle", "Shop", shop.Name)
	f := newForm(c, p.T)
	password := f.password("password", true)
	if !f.ok() {
		return render(c, http.StatusUnprocessableEntity, views.Invite(p, u.Name, shop.Name, true, f.v))
	}
	hash, err := a.hashPassword(password)
	if err != nil {
		return err
	}
	token, _ := resetHash(c) // checked by resetUser
	// The link may have been used meanwhile (the same form sent twice): then
	// it is dead, and says so.
	u, err = a.store.ResetPassword(c.Request().Context(), token, hash, a.now())
	if err != nil {
		return a.deadResetLink(c, err)
	}
	if err := a.signIn(c, u); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, landing(u))
}

func (a *App) lostCardView(shop db.Shop) views.LostCardView {
	return views.LostCardView{Slug: shop.Slug, MailOn: a.emailFrom != ""}
}

func (a *App) lostCardForm(c echo.Context) error {
	shop, err := a.joinShop(c)
	if err != nil {
		return a.unknownShop(c, err)
	}
	p := a.page(c, &shop, "LostCardTitle")
	return render(c, http.StatusOK, views.LostCardPage(p, a.lostCardView(shop), views.Form{}))
}

// lostCard sends a card's link to the address a customer types, if a card of
// the shop has it and its customer agreed to e-mail about their card, and
// answers the same either way. A phone number cannot be sent anything yet
// (no SMS): the answer sends its owner to the counter, where the cashier
// finds the card by the number.
func (a *App) lostCard(c echo.Context) error {
	shop, err := a.joinShop(c)
	if err != nil {
		return a.unknownShop(c, err)
	}
	p := a.page(c, &shop, "LostCardTitle")
	v := a.lostCardView(shop)
	if !v.MailOn {
		return render(c, http.StatusConflict, views.LostCardPage(p, v, views.Form{}))
	}
	f := newForm(c, p.T)
	contact := f.text("contact", true, 254)
	email, phone := "", ""
	if strings.Contains(contact, "@") {
		email = f.email("contact")
	} else if contact != "" {
		if phone = loyalty.NormalizePhone(contact); len(phone) < 4 || len(phone) > 20 {
			f.fail("contact", "LostCardContactInvalid")
		}
	}
	if !f.ok() {
		return render(c, http.StatusUnprocessableEntity, views.LostCardPage(p, v, f.v))
	}
	if !a.recovery.allow("card "+strconv.FormatInt(shop.ID, 10)+" "+email+phone, c.RealIP()) {
		v.Refusal = p.T.T("LostCardTooMany")
		return render(c, http.StatusTooManyRequests, views.LostCardPage(p, v, f.v))
	}
	if phone != "" {
		v.Answer = views.AnswerPhone
		return render(c, http.StatusOK, views.LostCardPage(p, v, views.Form{}))
	}
	// In the language the customer reads this page in: the card keeps none.
	if _, err := a.store.QueueCardLink(c.Request().Context(), shop.ID, email, p.T.Lang, a.now()); err != nil {
		return err
	}
	v.Answer, v.Contact = views.AnswerEmail, email
	return render(c, http.StatusOK, views.LostCardPage(p, v, views.Form{}))
}

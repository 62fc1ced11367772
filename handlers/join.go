package handlers

import (
	"crypto/hmac"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"regulars/db"
	"regulars/loyalty"
	"regulars/views"
)

// Joins by poster per client address: 20 at once, then one more every three
// minutes. Customers on a shop's Wi-Fi share one address, and 20 new cards an
// hour from one shop is a busy day.
const (
	joinBurst  = 20
	joinRefill = rate.Limit(1.0 / 180)
	// joinKeyPrefix keeps the join form's idempotency keys apart from the
	// counter's, so that no key typed into the public form names a card
	// enrolled by a cashier.
	joinKeyPrefix = "join-"
	maxSlugLen    = 100
	// joinCookie marks the browser a join form was given to, until the card
	// it made opens there; a form sent again opens that card only then, and
	// only within joinReplayWindow of its making.
	joinCookie       = "join"
	joinReplayWindow = 10 * time.Minute
)

// joinShop is the shop the path's slug names; its pages and errors speak its language.
func (a *App) joinShop(c echo.Context) (db.Shop, error) {
	slug := c.Param("slug")
	if slug == "" || len(slug) > maxSlugLen {
		return db.Shop{}, db.ErrNotFound
	}
	shop, err := a.store.ShopBySlug(c.Request().Context(), slug)
	if err != nil {
		return shop, err
	}
	c.Set(ctxShop, shop)
	return shop, nil
}

// unknownShop tells someone who followed a wrong poster address what happened.
func (a *App) unknownShop(c echo.Context, err error) error {
	if !errors.Is(err, db.ErrNotFound) {
		return err
	}
	p := a.page(c, nil, "JoinUnknownTitle")
	return render(c, http.StatusNotFound, views.ErrorPage(p, http.StatusNotFound, p.T.T("JoinUnknownShop")))
}

// joinForm is the one screen a customer fills after scanning the poster.
func (a *App) joinForm(c echo.Context) error {
	shop, err := a.joinShop(c)
	if err != nil {
		return a.unknownShop(c, err)
	}
	// A mangled invite link still lets the friend join, without a referral.
	ref, _ := loyalty.ParseInviteCode(c.QueryParam("ref"))
	f := views.Form{Values: map[string]string{"ref": ref}, Errors: map[string]string{}}
	return a.showJoin(c, http.StatusOK, shop, f, a.giveJoinKey(c, shop), "")
}

// giveJoinKey makes the idempotency key of a join form and marks this browser
// as the one it was given to.
func (a *App) giveJoinKey(c echo.Context, shop db.Shop) string {
	key := newKey()
	a.setJoinCookie(c, shop, a.macKey.mac("join", key), 0) // until the browser closes
	return key
}

// joinGivenHere reports whether the join form with key was given to this
// browser, and its card has not opened here yet.
func (a *App) joinGivenHere(c echo.Context, key string) bool {
	ck, err := c.Cookie(joinCookie)
	return err == nil && hmac.Equal([]byte(ck.Value), []byte(a.macKey.mac("join", key)))
}

func (a *App) setJoinCookie(c echo.Context, shop db.Shop, value string, maxAge int) {
	c.SetCookie(&http.Cookie{Name: joinCookie, Value: value, Path: "/join/" + shop.Slug, MaxAge: maxAge,
		HttpOnly: true, Secure: a.secure, SameSite: http.SameSiteLaxMode})
}

func (a *App) showJoin(c echo.Context, status int, shop db.Shop, f views.Form, key, refusal string) error {
	g, err := a.store.Growth(c.Request().Context(), shop.ID)
	if err != nil {
		return err
	}
	p := a.page(c, &shop, "JoinTitle")
	j := views.Join{Slug: shop.Slug, Pitch: g.Pitch, WelcomeStamps: g.WelcomeStamps, Key: key, Refusal: refusal}
	return render(c, status, views.JoinPage(p, j, f))
}

// join makes the customer's card and opens it. Nothing is required; what is
// given is checked as at the counter.
func (a *App) join(c echo.Context) error {
	shop, err := a.joinShop(c)
	if err != nil {
		return a.unknownShop(c, err)
	}
	key, err := formKey(c)
	if err != nil {
		return err
	}
	p := a.page(c, &shop, "JoinTitle")
	f := newForm(c, p.T)
	n := db.NewCard{Key: joinKeyPrefix + key}
	n.FirstName, n.Phone = f.customer()
	if strings.TrimSpace(c.FormValue("email")) != "" {
		n.Email = f.email("email")
	}
	month, day := f.text("birth_month", false, 2), f.text("birth_day", false, 2)
	if month != "" || day != "" {
		if b, err := loyalty.ParseBirthday(month + "-" + day); err != nil {
			f.fail("birth_day", "CustomerBirthdayInvalid")
		} else {
			n.Birthday = b.String()
		}
	}
	if n.Consent = c.FormValue("consent") == "1"; n.Consent {
		f.v.Values["consent"] = "1"
	}
	// "E-mail me when a reward is ready": recorded with an address only, as
	// the consent above (db.recordNewCardConsent); joining needs neither.
	if n.EmailService = c.FormValue("email_service") == "1"; n.EmailService {
		f.v.Values["email_service"] = "1"
	}
	n.InviteCode, _ = loyalty.ParseInviteCode(c.FormValue("ref"))
	f.v.Values["ref"] = n.InviteCode
	// Checked after reading the form, so that a refused join keeps what was typed.
	if !a.joins.allow(c.RealIP()) {
		return a.showJoin(c, http.StatusTooManyRequests, shop, f.v, key, p.T.T("JoinTooMany"))
	}
	if !f.ok() {
		return a.showJoin(c, http.StatusUnprocessableEntity, shop, f.v, key, "")
	}
	ctx := c.Request().Context()
	card, err := a.store.EnrollCard(ctx, shop.ID, n, a.now())
	var replay *db.ReplayedError
	if errors.As(err, &replay) {
		// The same form sent twice: a double tap, or a retry after the answer
		// was lost, opens the card it made. Sent again from a browser that
		// already opened it (the next person at a shared tablet pressing Back
		// and Send) or from another browser, it opens nothing: a fresh form.
		card, err = a.store.Card(ctx, shop.ID, replay.ID)
		if err == nil && (!a.joinGivenHere(c, key) || a.now().Sub(card.CreatedAt) > joinReplayWindow) {
			fresh := views.Form{Values: map[string]string{}, Errors: map[string]string{}}
			return a.showJoin(c, http.StatusConflict, shop, fresh, a.giveJoinKey(c, shop), p.T.T("JoinAlreadySent"))
		}
	}
	if err != nil {
		return err
	}
	// The card opens here: a form sent again from this browser opens nothing.
	a.setJoinCookie(c, shop, "", -1)
	c.Response().Header().Set("Referrer-Policy", "no-referrer")
	return c.Redirect(http.StatusSeeOther, "/c/"+card.Token)
}

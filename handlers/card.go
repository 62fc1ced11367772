package handlers

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"regulars/db"
	"regulars/loyalty"
	"regulars/views"
)

// cardPage is the customer's card at /c/{token}: a URL printed on paper, so it
// must keep working in every version.
func (a *App) cardPage(c echo.Context) error {
	token, err := pathToken(c)
	if err != nil {
		return err
	}
	now := a.now()
	cp, err := a.store.CardPageByToken(c.Request().Context(), token, now)
	if errors.Is(err, db.ErrNotFound) {
		return a.unknownCardPage(c, err)
	}
	if err != nil {
		return err
	}
	c.Set(ctxShop, cp.Shop)
	return a.renderCustomerCard(c, http.StatusOK, cp, now, views.Feedback{})
}

// tokenCard finds the card of a token (checked by the caller) and its shop.
func (a *App) tokenCard(c echo.Context) (db.Card, db.Shop, error) {
	card, err := a.pathCard(c)
	if err != nil {
		return card, db.Shop{}, err
	}
	shop, err := a.store.Shop(c.Request().Context(), card.ShopID)
	if err != nil {
		return card, shop, err
	}
	c.Set(ctxShop, shop)
	return card, shop, nil
}

// pathCard is the card whose token is in the path; a malformed token is not
// looked up at all.
func (a *App) pathCard(c echo.Context) (db.Card, error) {
	token, err := pathToken(c)
	if err != nil {
		return db.Card{}, err
	}
	return a.store.CardByToken(c.Request().Context(), token)
}

// pathToken is the card token in the path, if it is well-formed.
func pathToken(c echo.Context) (string, error) {
	token := c.Param("token")
	if t, err := loyalty.ParseCardToken(token); err != nil || t != token {
		return "", echo.ErrNotFound
	}
	return token, nil
}

// showCustomerCard renders the card page; fb carries a refused feedback answer.
func (a *App) showCustomerCard(c echo.Context, status int, shop db.Shop, card db.Card, fb views.Feedback) error {
	now := a.now()
	// One store call: it also issues the coupons the card is owed and records
	// what the page shows for the first time (the owner's "viewed after issue").
	cp, err := a.store.CardPage(c.Request().Context(), shop.ID, card.ID, now)
	if err != nil {
		return err
	}
	return a.renderCustomerCard(c, status, cp, now, fb)
}

// renderCustomerCard renders a card page read at now.
func (a *App) renderCustomerCard(c echo.Context, status int, cp db.CardPage, now time.Time, fb views.Feedback) error {
	shop, card := cp.Shop, cp.State.Card
	p := a.page(c, &shop, "CardTitle")
	// A refused answer is shown at the answer's URL; the language switch returns to the card.
	p.Path = "/c/" + card.Token
	fb = feedbackPrompt(cp.Feedback, p.T.Zone(), fb)
	model := a.cardModel(c, cp.State, shop.Currency, true)
	model.Credit = creditView(cp.State, shop)
	model.Tier = tierModel(cp.Tier, cp.Ladder)
	model.QR = db.CardQR(cp.QR, model.URL)
	if card.InviteCode != "" {
		// The invite link names the card by its invite code, never by its token: it opens nothing.
		model.InviteURL = a.absURL(c, "/join/"+shop.Slug+"?ref="+url.QueryEscape(card.InviteCode))
		model.ReferralStamps = cp.Growth.ReferralStamps
	}
	model.News = cardNews(shop.ID, cp.News)
	model.Catalogue = customerCatalogue(c, cp, p.T, now)
	model.Clubs = cardClubsView(cp.Clubs)
	model.Version = cardETag(cp.State.Version())
	problem, _ := c.Get(ctxChoicesProblem).(string)
	model.Messages = cardMessages(c, cp, problem)
	cardHeaders(c)
	c.Response().Header().Set("Cache-Control", "private, no-cache")
	return render(c, status, views.CardPage(p, model, card.Token, now, fb))
}

// cardHeaders: the token is the card's only key, never leaked in a Referer,
// never indexed.
func cardHeaders(c echo.Context) {
	h := c.Response().Header()
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Robots-Tag", "noindex")
}

// cardETag names a version of a card (db.CardVersion) in an ETag.
func cardETag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// cardVersion answers an open card page that asks, every few seconds while it
// is shown, whether its card changed: 304 while the page's If-None-Match is
// the card's version, 204 with the new one in ETag otherwise, and the page
// then fetches itself anew. No body, one indexed read after the token's, and
// nothing written, unlike the page itself.
func (a *App) cardVersion(c echo.Context) error {
	card, err := a.pathCard(c)
	if err != nil {
		return err
	}
	v, err := a.store.CardVersion(c.Request().Context(), card.ShopID, card.ID)
	if err != nil {
		return err
	}
	etag := cardETag(v)
	cardHeaders(c)
	h := c.Response().Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "private, no-cache")
	if c.Request().Header.Get("If-None-Match") == etag {
		return c.NoContent(http.StatusNotModified)
	}
	return c.NoContent(http.StatusNoContent)
}

// cardNews is the shop's news as the card's page shows it.
func cardNews(shopID int64, news []db.CardNews) []views.NewsItem {
	items := make([]views.NewsItem, len(news))
	for i, n := range news {
		items[i] = newsItem(shopID, n.News)
		items[i].New = n.New
	}
	return items
}

// cardManifest lets the customer add their own card to the home screen.
func (a *App) cardManifest(c echo.Context) error {
	card, shop, err := a.tokenCard(c)
	if err != nil {
		return err
	}
	icon := func(size int) map[string]string {
		s := strconv.Itoa(size)
		return map[string]string{"src": "/static/icon-" + s + ".png", "sizes": s + "x" + s, "type": "image/png"}
	}
	m := map[string]any{
		"name":             shop.Name,
		"short_name":       shop.Name,
		"start_url":        "/c/" + card.Token,
		"scope":            "/c/",
		"display":          "standalone",
		"background_color": "#ffffff",
		"theme_color":      shop.BrandColor,
		"icons":            []map[string]string{icon(192), icon(512)},
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Referrer-Policy", "no-referrer")
	return c.Blob(http.StatusOK, "application/manifest+json", b)
}

// logo re-serves a shop's logo; the URL carries its version, so it may be cached for good.
func (a *App) logo(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	png, err := a.store.Logo(c.Request().Context(), id)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	return c.Blob(http.StatusOK, "image/png", png)
}

// enterRaffle is the free entry from the card page: no purchase necessary.
func (a *App) enterRaffle(c echo.Context) error {
	raffleID, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	card, err := a.pathCard(c)
	if err != nil {
		return err
	}
	err = a.store.EnterRaffle(ctx, card.ShopID, raffleID, card.ID, a.now())
	if errors.Is(err, loyalty.ErrRaffleNotOpen) {
		return echo.NewHTTPError(http.StatusConflict)
	}
	if err != nil {
		return err
	}
	c.Response().Header().Set("Referrer-Policy", "no-referrer")
	// Back to the raffle, which now says the person is in the draw, not to
	// the top of a long page.
	return c.Redirect(http.StatusSeeOther, "/c/"+card.Token+"#raffle-"+strconv.FormatInt(raffleID, 10))
}

package handlers

import (
	"crypto/ecdh"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"regulars/db"
)

// Web push from the card page (issue 18): the page's script subscribes the
// phone with the server's public key and posts the subscription here; the
// outbox's push sender (outbox/push.go) sends to it.

// Bounds of what a browser's subscription holds. Endpoints of the push
// services are a few hundred characters.
const (
	maxPushSubscription = 2048
	maxPushEndpoint     = 1024
)

// pushKey is the server's public VAPID key, which the card page's script
// subscribes the phone with. It is made once and kept: public, the same for
// every shop.
func (a *App) pushKey(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=86400")
	return c.String(http.StatusOK, a.vapidKey)
}

// browserSubscription is a PushSubscription as its toJSON() writes it.
type browserSubscription struct {
	Endpoint string `json:"endpoint"`
	Keys     struct {
		P256dh string `json:"p256dh"`
		Auth   string `json:"auth"`
	} `json:"keys"`
}

// subscribePush records the subscription of the phone whose customer tapped
// "Notify me" on the card page, in the page's language, and the card's
// consent to hear by push that a reward is ready. It answers the script:
// 204, or 400 for a subscription that is not one.
func (a *App) subscribePush(c echo.Context) error {
	card, shop, err := a.tokenCard(c)
	if err != nil {
		return err
	}
	raw := c.FormValue("subscription")
	var bs browserSubscription
	if len(raw) > maxPushSubscription || json.Unmarshal([]byte(raw), &bs) != nil {
		return echo.ErrBadRequest
	}
	p256dh, ok1 := pushKeyBytes(bs.Keys.P256dh)
	auth, ok2 := pushKeyBytes(bs.Keys.Auth)
	if !validEndpoint(bs.Endpoint) || !ok1 || !ok2 || len(auth) != 16 {
		return echo.ErrBadRequest
	}
	if _, err := ecdh.P256().NewPublicKey(p256dh); err != nil {
		return echo.ErrBadRequest // not a point of the curve: nothing could be encrypted for it
	}
	enc := base64.RawURLEncoding.EncodeToString
	sub := db.PushSubscription{ShopID: shop.ID, CardID: card.ID, Endpoint: bs.Endpoint, P256dh: enc(p256dh), Auth: enc(auth),
		Language: a.page(c, &shop, "").T.Lang}
	if err := a.store.SavePushSubscription(c.Request().Context(), sub, a.now()); err != nil {
		return err
	}
	cardHeaders(c)
	return c.NoContent(http.StatusNoContent)
}

// unsubscribePush ends the subscription of the phone whose customer turned
// notifications off on the card page.
func (a *App) unsubscribePush(c echo.Context) error {
	card, err := a.pathCard(c)
	if err != nil {
		return err
	}
	endpoint := c.FormValue("endpoint")
	if !validEndpoint(endpoint) {
		return echo.ErrBadRequest
	}
	if err := a.store.EndPushSubscription(c.Request().Context(), card.ShopID, card.ID, endpoint, a.now()); err != nil {
		return err
	}
	cardHeaders(c)
	return c.NoContent(http.StatusNoContent)
}

// validEndpoint reports whether s can be a push service's endpoint: an
// https URL of a named host. (The push sender connects only to public
// addresses whatever the name: outbox.PushClient.)
func validEndpoint(s string) bool {
	if len(s) > maxPushEndpoint {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.User != nil || u.Hostname() == "" || u.Hostname() == "localhost" {
		return false
	}
	_, err = netip.ParseAddr(u.Hostname())
	return err != nil // a name, not an address
}

// pushKeyBytes decodes a key of a subscription, base64url with or without
// padding as browsers write it.
func pushKeyBytes(s string) ([]byte, bool) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	return b, err == nil && len(b) > 0
}

package handlers_test

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"regulars/outbox"
)

// pushSub is a PushSubscription's toJSON() as a browser posts it, with keys
// made by the test.
func pushSub(t *testing.T, endpoint string) map[string]any {
	t.Helper()
	key, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	auth := make([]byte, 16)
	rand.Read(auth)
	return map[string]any{"endpoint": endpoint, "expirationTime": nil, "keys": map[string]string{
		"p256dh": base64.RawURLEncoding.EncodeToString(key.PublicKey().Bytes()),
		"auth":   base64.RawURLEncoding.EncodeToString(auth),
	}}
}

func jsonString(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const pushEndpoint = "https://push.example.net/send/abc123"

// TestPushSubscribe: a customer taps "Notify me" on a card page (shown in
// Persian by their language choice) and the page posts the phone's
// subscription: it is kept for the card's own shop, in the page's language,
// with the push consent given on the card page; the same post again changes
// nothing; turning off ends it and withdraws the consent.
func TestPushSubscribe(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	token := cardToken(t, e, 1, owner.enroll("Dara"))
	phone := e.client()
	u, _ := url.Parse(e.srv.URL)
	phone.http.Jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: "fa", Path: "/"}})
	page := phone.get("/c/" + token)
	if page.doc.Find(`[data-testid="push"][hidden] [data-testid="push-on"]`).Length() != 1 {
		t.Fatalf("the card page has no hidden push section:\n%s", snippet(page.body))
	}
	action, values := formValues(t, page, `[data-testid="push"] form`)
	if action != "/c/"+token+"/push" {
		t.Fatalf("push form posts to %q", action)
	}
	values.Set("subscription", jsonString(t, pushSub(t, pushEndpoint)))
	if res := phone.postRaw(action, values); res.status != http.StatusNoContent {
		t.Fatalf("subscribing: %d\n%s", res.status, snippet(res.body))
	}
	if n := e.count(`SELECT count(*) FROM push_subscriptions WHERE shop_id = 1 AND endpoint = ? AND language = 'fa' AND gone_at IS NULL`, pushEndpoint); n != 1 {
		t.Errorf("%d live Persian subscriptions of shop 1, want 1", n)
	}
	if n := e.count(`SELECT count(*) FROM consents WHERE channel = 'push' AND purpose = 'service' AND granted AND source = 'card'`); n != 1 {
		t.Errorf("%d push consents, want 1", n)
	}
	before := e.snapshot()
	if res := phone.postRaw(action, values); res.status != http.StatusNoContent || e.snapshot() != before {
		t.Errorf("the same subscription again: %d, changed the database: %v", res.status, e.snapshot() != before)
	}

	off := url.Values{"_csrf": {values.Get("_csrf")}, "endpoint": {pushEndpoint}}
	if res := phone.postRaw(action+"/off", off); res.status != http.StatusNoContent {
		t.Fatalf("turning off: %d", res.status)
	}
	if n := e.count(`SELECT count(*) FROM push_subscriptions WHERE gone_at IS NULL`); n != 0 {
		t.Errorf("%d live subscriptions after turning off", n)
	}
	if n := e.count(`SELECT granted FROM consents WHERE channel = 'push' ORDER BY id DESC LIMIT 1`); n != 0 {
		t.Error("the push consent stands after turning off")
	}
	// On again: the same phone's subscription lives again.
	if res := phone.postRaw(action, values); res.status != http.StatusNoContent || e.count(`SELECT count(*) FROM push_subscriptions WHERE gone_at IS NULL`) != 1 {
		t.Errorf("on again: %d", res.status)
	}
}

// TestPushSubscribeRefused: what is not a subscription from the card's own
// page is refused with a 4xx and changes nothing.
func TestPushSubscribeRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	token := cardToken(t, e, 1, owner.enroll("Dara"))
	erased := cardToken(t, e, 1, owner.enroll("Gone"))
	if err := e.store.EraseCustomer(context.Background(), 1, 1, 2, envStart); err != nil {
		t.Fatal(err)
	}
	phone := e.client()
	page := phone.get("/c/" + token)
	action, values := formValues(t, page, `[data-testid="push"] form`)
	csrf := values.Get("_csrf")
	valid := pushSub(t, pushEndpoint)
	with := func(change func(m map[string]any)) string {
		m := pushSub(t, pushEndpoint)
		change(m)
		return jsonString(t, m)
	}
	keys := func(p256dh, auth string) func(map[string]any) {
		return func(m map[string]any) {
			k := m["keys"].(map[string]string)
			if p256dh != "" {
				k["p256dh"] = p256dh
			}
			if auth != "" {
				k["auth"] = auth
			}
		}
	}
	endpoint := func(u string) func(map[string]any) { return func(m map[string]any) { m["endpoint"] = u } }
	notOnCurve := base64.RawURLEncoding.EncodeToString(append([]byte{4}, make([]byte, 64)...))
	for _, tc := range []struct {
		name   string
		path   string
		values url.Values
		status int
	}{
		{"no subscription", action, url.Values{"_csrf": {csrf}}, http.StatusBadRequest},
		{"not JSON", action, url.Values{"_csrf": {csrf}, "subscription": {"{endpoint: https://x"}}, http.StatusBadRequest},
		{"JSON of the wrong shape", action, url.Values{"_csrf": {csrf}, "subscription": {`["https://push.example.net/x"]`}}, http.StatusBadRequest},
		{"oversized", action, url.Values{"_csrf": {csrf}, "subscription": {with(func(m map[string]any) { m["padding"] = strings.Repeat("x", 4000) })}}, http.StatusBadRequest},
		{"endpoint too long", action, url.Values{"_csrf": {csrf}, "subscription": {with(endpoint(pushEndpoint + strings.Repeat("a", 1100)))}}, http.StatusBadRequest},
		{"plain http endpoint", action, url.Values{"_csrf": {csrf}, "subscription": {with(endpoint("http://push.example.net/x"))}}, http.StatusBadRequest},
		{"endpoint on loopback", action, url.Values{"_csrf": {csrf}, "subscription": {with(endpoint("https://127.0.0.1:8080/admin"))}}, http.StatusBadRequest},
		{"endpoint on localhost", action, url.Values{"_csrf": {csrf}, "subscription": {with(endpoint("https://localhost/x"))}}, http.StatusBadRequest},
		{"endpoint at a metadata address", action, url.Values{"_csrf": {csrf}, "subscription": {with(endpoint("https://[fd00::1]/x"))}}, http.StatusBadRequest},
		{"endpoint with a password", action, url.Values{"_csrf": {csrf}, "subscription": {with(endpoint("https://a:b@push.example.net/x"))}}, http.StatusBadRequest},
		{"key not on the curve", action, url.Values{"_csrf": {csrf}, "subscription": {with(keys(notOnCurve, ""))}}, http.StatusBadRequest},
		{"key not base64", action, url.Values{"_csrf": {csrf}, "subscription": {with(keys("%%%", ""))}}, http.StatusBadRequest},
		{"auth of the wrong length", action, url.Values{"_csrf": {csrf}, "subscription": {with(keys("", "AAAA"))}}, http.StatusBadRequest},
		{"no form token", action, url.Values{"subscription": {jsonString(t, valid)}}, http.StatusForbidden},
		{"a forged form token", action, url.Values{"_csrf": {"forged"}, "subscription": {jsonString(t, valid)}}, http.StatusForbidden},
		{"unknown card", "/c/" + strings.Repeat("A", len(token)) + "/push", url.Values{"_csrf": {csrf}, "subscription": {jsonString(t, valid)}}, http.StatusNotFound},
		{"erased card", "/c/" + erased + "/push", url.Values{"_csrf": {csrf}, "subscription": {jsonString(t, valid)}}, http.StatusNotFound},
		{"turn off without an endpoint", action + "/off", url.Values{"_csrf": {csrf}}, http.StatusBadRequest},
		{"turn off an erased card", "/c/" + erased + "/push/off", url.Values{"_csrf": {csrf}, "endpoint": {pushEndpoint}}, http.StatusNotFound},
	} {
		before := e.snapshot()
		if res := phone.postRaw(tc.path, tc.values); res.status != tc.status {
			t.Errorf("%s: %d, want %d", tc.name, res.status, tc.status)
		}
		if e.snapshot() != before {
			t.Errorf("%s: changed the database", tc.name)
		}
	}
}

// TestPushSubscribeOtherShop: a card's token names its shop. A post with
// another shop's card token (from a page of the first shop, whose form
// token is the visitor's) records the subscription for that card and its
// own shop, never for the shop of the page it came from.
func TestPushSubscribeOtherShop(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mine := e.signup("Kafe", "owner@example.com")
	token := cardToken(t, e, 1, mine.enroll("Dara"))
	other := e.signup("Berber", "other@example.com")
	otherToken := cardToken(t, e, 2, other.enroll("Ali"))
	phone := e.client()
	_, values := formValues(t, phone.get("/c/"+token), `[data-testid="push"] form`)
	values.Set("subscription", jsonString(t, pushSub(t, pushEndpoint)))
	if res := phone.postRaw("/c/"+otherToken+"/push", values); res.status != http.StatusNoContent {
		t.Fatalf("%d", res.status)
	}
	if n := e.count(`SELECT count(*) FROM push_subscriptions p JOIN cards c ON c.id = p.card_id AND c.shop_id = p.shop_id WHERE c.token = ? AND p.shop_id = 2`, otherToken); n != 1 {
		t.Errorf("the subscription is not the other shop's card's")
	}
	if n := e.count(`SELECT count(*) FROM push_subscriptions WHERE shop_id = 1`); n != 0 {
		t.Errorf("%d subscriptions recorded for the page's shop", n)
	}
}

// TestPushSubscriptionsCapped: a card keeps its newest few subscriptions,
// so that whoever holds its link cannot pile up endpoints.
func TestPushSubscriptionsCapped(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.signup("Kafe", "owner@example.com")
	token := cardToken(t, e, 1, owner.enroll("Dara"))
	phone := e.client()
	action, values := formValues(t, phone.get("/c/"+token), `[data-testid="push"] form`)
	for i := range 8 {
		e.clock.Advance(1)
		values.Set("subscription", jsonString(t, pushSub(t, pushEndpoint+strings.Repeat("x", i))))
		if res := phone.postRaw(action, values); res.status != http.StatusNoContent {
			t.Fatalf("subscription %d: %d", i, res.status)
		}
	}
	if n := e.count(`SELECT count(*) FROM push_subscriptions WHERE gone_at IS NULL`); n != 5 {
		t.Errorf("%d live subscriptions, want the newest 5", n)
	}
	if n := e.count(`SELECT count(*) FROM push_subscriptions WHERE gone_at IS NULL AND endpoint = ?`, pushEndpoint+strings.Repeat("x", 7)); n != 1 {
		t.Error("the newest subscription was ended")
	}
}

// TestPushKey: the card page's script subscribes with the server's public
// VAPID key, the one the push sender signs with.
func TestPushKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	res := e.client().get("/push/key")
	vapid, err := outbox.LoadVAPID(context.Background(), e.store)
	if err != nil {
		t.Fatal(err)
	}
	if res.status != http.StatusOK || strings.TrimSpace(res.body) != vapid.Public {
		t.Fatalf("GET /push/key: %d %q, want %q", res.status, res.body, vapid.Public)
	}
	b, err := base64.RawURLEncoding.DecodeString(vapid.Public)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ecdh.P256().NewPublicKey(b); err != nil {
		t.Errorf("not a P-256 public key: %v", err)
	}
}

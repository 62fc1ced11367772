package outbox

import (
	"context"
	"crypto/ecdh"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	webpush "github.com/SherClockHolmes/webpush-go"

	"regulars/db"
)

// VAPIDKey names the store's secret that is the server's VAPID private key
// (RFC 8292): push services accept messages for a subscription only from
// the key it was made with, so the key is made on first start and kept.
const VAPIDKey = "vapid_private_key"

// VAPID is the server's key pair for web push, base64url without padding:
// Public is what a browser's pushManager.subscribe takes as its
// applicationServerKey, Private signs each message's Authorization.
type VAPID struct{ Public, Private string }

// LoadVAPID reads the server's VAPID keys, making them on first use.
func LoadVAPID(ctx context.Context, store *db.Store) (VAPID, error) {
	// Thirty-two random bytes are a P-256 private key unless they are zero or
	// above the group's order: once in four billion starts.
	b, err := store.Secret(ctx, VAPIDKey, 32)
	if err != nil {
		return VAPID{}, err
	}
	k, err := ecdh.P256().NewPrivateKey(b)
	if err != nil {
		return VAPID{}, fmt.Errorf("the stored VAPID key (setting %s) is not a P-256 key: %w", VAPIDKey, err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	return VAPID{Public: enc(k.PublicKey().Bytes()), Private: enc(b)}, nil
}

// PushSubscription is the subscription a push message goes to, as
// Message.To carries it: the JSON of the browser's PushSubscription
// (endpoint and keys), which is all sending needs.
func PushSubscription(s *db.PushSubscription) string {
	b, _ := json.Marshal(webpush.Subscription{Endpoint: s.Endpoint, Keys: webpush.Keys{P256dh: s.P256dh, Auth: s.Auth}}) // strings always marshal
	return string(b)
}

// PushConfig is what the push sender needs.
type PushConfig struct {
	Store *db.Store
	VAPID VAPID
	// Contact is how a push service reaches the server's operator about its
	// messages (the VAPID "sub"): an https URL or an e-mail address.
	Contact string
	// Client sends to push services; nil: one that connects only to public
	// addresses (PushClient).
	Client *http.Client
	Now    func() time.Time
}

// Push sends web push messages, encrypted for the subscription's browser
// (RFC 8291) and signed with the server's VAPID key.
type Push struct{ cfg PushConfig }

// NewPush makes the push sender.
func NewPush(cfg PushConfig) *Push {
	if cfg.Client == nil {
		cfg.Client = PushClient()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Push{cfg: cfg}
}

// pushPayload is what the service worker (static/sw.js) shows: every word
// of it comes from here, in the customer's language.
type pushPayload struct {
	Title string `json:"title"`
	Body  string `json:"body"`
	URL   string `json:"url"`
	Lang  string `json:"lang"`
	Dir   string `json:"dir"`
}

// pushTTL is how long a push service keeps a message for a phone that is
// off: a reward waits longer than that, its notice is still news.
const pushTTL = 2 * 24 * 3600

// Send delivers m to the subscription in m.To. A push service that says the
// subscription no longer exists (404, 410) ends it: nothing more is sent
// there, and the message fails for good.
func (p *Push) Send(ctx context.Context, m Message) error {
	var sub webpush.Subscription
	if err := json.Unmarshal([]byte(m.To), &sub); err != nil {
		return &PermanentError{Err: fmt.Errorf("push subscription of message %d: %w", m.ID, err)}
	}
	payload, err := json.Marshal(pushPayload{Title: m.Subject, Body: m.Text, URL: m.URL, Lang: m.Lang, Dir: m.Dir})
	if err != nil {
		return &PermanentError{Err: err}
	}
	res, err := webpush.SendNotificationWithContext(ctx, payload, &sub, &webpush.Options{
		HTTPClient:      p.cfg.Client,
		Subscriber:      p.cfg.Contact,
		TTL:             pushTTL,
		Urgency:         webpush.UrgencyNormal,
		VAPIDPublicKey:  p.cfg.VAPID.Public,
		VAPIDPrivateKey: p.cfg.VAPID.Private,
	})
	if errors.Is(err, webpush.ErrMaxPadExceeded) {
		return &PermanentError{Err: fmt.Errorf("push message %d is too long", m.ID)}
	}
	if err != nil {
		return fmt.Errorf("push: %w", err)
	}
	defer res.Body.Close()
	// The push service's reason, for the owner's list of failed messages.
	body, _ := io.ReadAll(io.LimitReader(res.Body, 300))
	switch {
	case res.StatusCode >= 200 && res.StatusCode < 300:
		return nil
	case res.StatusCode == http.StatusNotFound || res.StatusCode == http.StatusGone:
		err := fmt.Errorf("the phone's push subscription has ended (push service: %s)", res.Status)
		if gerr := p.cfg.Store.PushGone(ctx, m.ID, err.Error(), p.cfg.Now()); gerr != nil {
			return gerr // retried: the next attempt ends it
		}
		return &PermanentError{Err: err}
	case res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500:
		return fmt.Errorf("push service: %s %s", res.Status, body)
	}
	// 400, 401, 403, 413: no retry sends it any better.
	return &PermanentError{Err: fmt.Errorf("push service refused it: %s %s", res.Status, body)}
}

// PushClient is an HTTP client that connects only to public addresses and
// follows no redirect. A push endpoint is a URL the customer's browser gave:
// someone posting a made-up one must not make the server call into its own
// network (its loopback, a private network, a cloud's metadata address). The
// address is checked when connecting, after the name is resolved, so a
// name that resolves to a private address is refused too. It uses no HTTP
// proxy, whose address would be a private one.
func PushClient() *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, Control: func(_, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil || !publicAddr(ap.Addr()) {
			return fmt.Errorf("push endpoint at %s: not a public address", address)
		}
		return nil
	}}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.DialContext = dialer.DialContext
	return &http.Client{Transport: t, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// sharedSpace is 100.64.0.0/10, carrier-grade NAT: not reachable from the
// internet either.
var sharedSpace = netip.MustParsePrefix("100.64.0.0/10")

// publicAddr reports whether a is an address of the internet.
func publicAddr(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsGlobalUnicast() && !a.IsPrivate() && !sharedSpace.Contains(a)
}

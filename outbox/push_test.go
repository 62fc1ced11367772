package outbox_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"regulars/db"
	"regulars/outbox"
)

// phone is a browser's side of a push subscription: the keys the test made
// (RFC 8291's user agent keys), with which it reads what the server sent.
type phone struct {
	key  *ecdh.PrivateKey
	auth []byte
}

func newPhone(t *testing.T) phone {
	t.Helper()
	key, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	auth := make([]byte, 16)
	rand.Read(auth)
	return phone{key: key, auth: auth}
}

var b64 = base64.RawURLEncoding

// subscribe records the phone's subscription at endpoint for the fixture's
// card, made on a page in lang, as the card page's route does.
func (p phone) subscribe(t *testing.T, f *fixture, endpoint, lang string) {
	t.Helper()
	sub := db.PushSubscription{ShopID: f.shopID, CardID: f.card.ID, Endpoint: endpoint, Language: lang,
		P256dh: b64.EncodeToString(p.key.PublicKey().Bytes()), Auth: b64.EncodeToString(p.auth)}
	if err := f.store.SavePushSubscription(context.Background(), sub, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
}

// decrypt reads an aes128gcm message (RFC 8188) encrypted for the phone
// (RFC 8291 section 3): the header gives the salt and the server's one-time
// public key, from which and the phone's keys the content key and nonce follow.
func (p phone) decrypt(t *testing.T, body []byte) []byte {
	t.Helper()
	if len(body) < 21 {
		t.Fatalf("a body of %d bytes", len(body))
	}
	salt, rs, idLen := body[:16], binary.BigEndian.Uint32(body[16:20]), int(body[20])
	if idLen != 65 || len(body) < 21+idLen {
		t.Fatalf("key id of %d bytes", idLen)
	}
	serverPub, ciphertext := body[21:21+idLen], body[21+idLen:]
	if uint32(len(body)) > rs {
		t.Fatalf("one record of %d bytes in records of %d", len(body), rs)
	}
	as, err := ecdh.P256().NewPublicKey(serverPub)
	if err != nil {
		t.Fatalf("the server's key: %v", err)
	}
	shared, err := p.key.ECDH(as)
	if err != nil {
		t.Fatal(err)
	}
	info := append(append([]byte("WebPush: info\x00"), p.key.PublicKey().Bytes()...), serverPub...)
	ikm := expand(t, shared, p.auth, string(info), 32)
	cek := expand(t, ikm, salt, "Content-Encoding: aes128gcm\x00", 16)
	nonce := expand(t, ikm, salt, "Content-Encoding: nonce\x00", 12)
	block, err := aes.NewCipher(cek)
	if err != nil {
		t.Fatal(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := gcm.Open(nil, nonce, ciphertext, nil)
	if err != nil {
		t.Fatalf("decrypting: %v", err)
	}
	// The last record ends with the delimiter 2, then zeros of padding.
	plain = bytes.TrimRight(plain, "\x00")
	if len(plain) == 0 || plain[len(plain)-1] != 2 {
		t.Fatalf("no last-record delimiter")
	}
	return plain[:len(plain)-1]
}

func expand(t *testing.T, secret, salt []byte, info string, n int) []byte {
	t.Helper()
	prk, err := hkdf.Extract(sha256.New, secret, salt)
	if err != nil {
		t.Fatal(err)
	}
	k, err := hkdf.Expand(sha256.New, prk, info, n)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// pushService is a push service on a loopback port: it keeps what it
// received and answers with status.
type pushService struct {
	*httptest.Server
	mu     sync.Mutex
	status int
	got    []pushRequest
}

type pushRequest struct {
	path   string
	header http.Header
	body   []byte
}

func newPushService(t *testing.T) *pushService {
	t.Helper()
	s := &pushService{status: http.StatusCreated}
	s.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		defer s.mu.Unlock()
		s.got = append(s.got, pushRequest{path: r.URL.Path, header: r.Header.Clone(), body: body})
		w.WriteHeader(s.status)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *pushService) answer(status int) { s.mu.Lock(); s.status = status; s.mu.Unlock() }

func (s *pushService) received() []pushRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]pushRequest(nil), s.got...)
}

// pushWorker is the fixture's worker with the push sender, whose client
// trusts the test's push service (a loopback address, which the server's
// own client refuses).
func (f *fixture) pushWorker(t *testing.T, ps *pushService) (*outbox.Worker, outbox.VAPID) {
	t.Helper()
	vapid, err := outbox.LoadVAPID(context.Background(), f.store)
	if err != nil {
		t.Fatal(err)
	}
	push := outbox.NewPush(outbox.PushConfig{Store: f.store, VAPID: vapid, Contact: "kart@loyal.example", Client: ps.Client(), Now: f.clock.Now})
	return f.worker(t, map[string]outbox.Sender{db.ChannelPush: push}), vapid
}

// TestRewardReadyPush: the tenth stamp queues a push notice to the card's
// phone; the worker sends it to the push service encrypted for that phone
// (RFC 8291), with a VAPID signature of the server's kept key (RFC 8292),
// in the language of the page the customer subscribed on (Persian, in a
// Turkish shop), with the card's link.
func TestRewardReadyPush(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ps := newPushService(t)
	f := newFixture(t, false, true) // no e-mail consent: only the push
	ph := newPhone(t)
	ph.subscribe(t, f, ps.URL+"/send/abc", "fa")
	f.stamps(t, 10)
	if got := f.states(t); strings.Join(got, " ") != "queued/0" {
		t.Fatalf("the tenth stamp queued %v", got)
	}
	w, vapid := f.pushWorker(t, ps)
	if _, err := w.SendDue(ctx); err != nil {
		t.Fatal(err)
	}
	if got := f.states(t); strings.Join(got, " ") != "sent/1" {
		t.Fatalf("after sending: %v", got)
	}
	got := ps.received()
	if len(got) != 1 {
		t.Fatalf("the push service received %d requests", len(got))
	}
	r := got[0]
	if r.path != "/send/abc" || r.header.Get("Content-Encoding") != "aes128gcm" || r.header.Get("TTL") == "" || r.header.Get("TTL") == "0" {
		t.Errorf("path %s, Content-Encoding %q, TTL %q", r.path, r.header.Get("Content-Encoding"), r.header.Get("TTL"))
	}
	checkVAPID(t, r.header.Get("Authorization"), vapid, ps.URL)

	var payload struct{ Title, Body, URL, Lang, Dir string }
	if err := json.Unmarshal(ph.decrypt(t, r.body), &payload); err != nil {
		t.Fatalf("the payload: %v", err)
	}
	if payload.Lang != "fa" || payload.Dir != "rtl" {
		t.Errorf("lang %q dir %q, want fa rtl", payload.Lang, payload.Dir)
	}
	if !strings.Contains(payload.Title, "Kahve Durağı") || !strings.Contains(payload.Title, "جایزه") {
		t.Errorf("title %q: not the Persian one with the shop's name", payload.Title)
	}
	if !strings.Contains(payload.Body, "bedava kahve") || strings.Contains(payload.Body, "\n\n") {
		t.Errorf("body %q: not the text with the reward, without blank lines", payload.Body)
	}
	if payload.URL != "https://loyal.example/c/"+f.card.Token {
		t.Errorf("url %q", payload.URL)
	}
}

// checkVAPID checks the Authorization of a push request: "vapid t=JWT,
// k=KEY" where KEY is the server's public key and JWT, signed with its
// private key (ES256), names the push service's origin, an expiry within a
// day and a contact.
func checkVAPID(t *testing.T, auth string, vapid outbox.VAPID, origin string) {
	t.Helper()
	rest, ok := strings.CutPrefix(auth, "vapid t=")
	jwt, key, ok2 := strings.Cut(rest, ", k=")
	if !ok || !ok2 {
		t.Fatalf("Authorization %q", auth)
	}
	if key != vapid.Public {
		t.Errorf("k=%s, want the server's key %s", key, vapid.Public)
	}
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("a JWT of %d parts", len(parts))
	}
	pub, err := b64.DecodeString(key)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), pub)
	if err != nil {
		t.Fatalf("k is not a P-256 key: %v", err)
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		t.Fatalf("signature %q", parts[2])
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !ecdsa.Verify(pk, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		t.Error("the JWT's signature is not the server's key's")
	}
	var head struct{ Alg string }
	var claims struct {
		Aud, Sub string
		Exp      int64
	}
	for i, v := range []any{&head, &claims} {
		b, err := b64.DecodeString(parts[i])
		if err != nil || json.Unmarshal(b, v) != nil {
			t.Fatalf("JWT part %d: %s", i, b)
		}
	}
	exp := time.Unix(claims.Exp, 0)
	if head.Alg != "ES256" || claims.Aud != origin || claims.Sub != "mailto:kart@loyal.example" || time.Until(exp) <= 0 || time.Until(exp) > 24*time.Hour {
		t.Errorf("JWT %+v %+v", head, claims)
	}
}

// TestPushGone: a push service that answers 410 (or 404) ends the
// subscription: the message fails for good with the reason, and the next
// reward queues nothing for that phone. The other phone of the card still
// gets its notice.
func TestPushGone(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusGone, http.StatusNotFound} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			ps := newPushService(t)
			f := newFixture(t, false, true)
			newPhone(t).subscribe(t, f, ps.URL+"/gone", "tr")
			f.stamps(t, 10)
			ps.answer(status)
			w, _ := f.pushWorker(t, ps)
			if _, err := w.SendDue(ctx); err != nil {
				t.Fatal(err)
			}
			if got := f.states(t); strings.Join(got, " ") != "failed/1" {
				t.Fatalf("after a %d: %v, want failed/1", status, got)
			}
			r, err := f.store.OutboxReport(ctx, f.shopID)
			if err != nil || len(r.Failed) != 1 || !strings.Contains(r.Failed[0].Error, "ended") {
				t.Fatalf("the owner's report: %+v %v", r.Failed, err)
			}
			ps.answer(http.StatusCreated)
			newPhone(t).subscribe(t, f, ps.URL+"/live", "tr")
			f.stamps(t, 10)
			if _, err := w.SendDue(ctx); err != nil {
				t.Fatal(err)
			}
			got := ps.received()
			if len(got) != 2 || got[1].path != "/live" {
				t.Fatalf("requests after the 410: %d, the last to %s; want one more, to /live", len(got), got[len(got)-1].path)
			}
			if got := f.states(t); strings.Join(got, " ") != "failed/1 sent/1" {
				t.Errorf("messages: %v", got)
			}
		})
	}
}

// TestPushRetriedWhenBusy: a push service that is overloaded (429, 5xx) or
// unreachable gets the message again later; one that refuses it (400, 403)
// does not.
func TestPushRetriedWhenBusy(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status int
		want   string
	}{{http.StatusTooManyRequests, "queued/1"}, {http.StatusServiceUnavailable, "queued/1"}, {http.StatusBadRequest, "failed/1"}, {http.StatusForbidden, "failed/1"}} {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			t.Parallel()
			ps := newPushService(t)
			f := newFixture(t, false, true)
			newPhone(t).subscribe(t, f, ps.URL+"/x", "en")
			f.stamps(t, 10)
			ps.answer(tc.status)
			w, _ := f.pushWorker(t, ps)
			if _, err := w.SendDue(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := f.states(t); strings.Join(got, " ") != tc.want {
				t.Errorf("after a %d: %v, want %s", tc.status, got, tc.want)
			}
		})
	}
}

// TestPushTurnedOff: a phone whose notifications the customer turned off
// between the stamp and the send gets nothing; without push consent or a
// subscription nothing is queued.
func TestPushTurnedOff(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ps := newPushService(t)
	f := newFixture(t, false, true)
	newPhone(t).subscribe(t, f, ps.URL+"/off", "en")
	f.stamps(t, 10)
	if err := f.store.EndPushSubscription(ctx, f.shopID, f.card.ID, ps.URL+"/off", f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	w, _ := f.pushWorker(t, ps)
	if _, err := w.SendDue(ctx); err != nil {
		t.Fatal(err)
	}
	if got := f.states(t); strings.Join(got, " ") != "dropped/1" || len(ps.received()) != 0 {
		t.Errorf("%v, %d sent", f.states(t), len(ps.received()))
	}
	f.stamps(t, 10)
	if got := f.states(t); len(got) != 1 {
		t.Errorf("a reward after turning off queued %v", got)
	}
}

// TestPushClientRefusesPrivateAddresses: an endpoint someone made up that
// leads into the server's own network (loopback here) is not called.
func TestPushClientRefusesPrivateAddresses(t *testing.T) {
	t.Parallel()
	called := false
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true }))
	defer srv.Close()
	for _, u := range []string{srv.URL, strings.Replace(srv.URL, "127.0.0.1", "localhost", 1), "http://[::1]:1/", "http://169.254.169.254/latest", "http://10.0.0.1:1/", "http://100.64.0.1:1/"} {
		req, _ := http.NewRequest(http.MethodPost, u, nil)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		res, err := outbox.PushClient().Do(req.WithContext(ctx))
		cancel()
		if err == nil {
			res.Body.Close()
			t.Errorf("%s: answered %s", u, res.Status)
		} else if !strings.Contains(err.Error(), "not a public address") {
			t.Errorf("%s: %v, want a refusal", u, err)
		}
	}
	if called {
		t.Error("the loopback server was called")
	}
}
